package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/csvsafe"
	"github.com/livedeck/livedeck/rules"
)

// maxRulesBody bounds a rule set upload.
const maxRulesBody = 256 << 10

func (s *Server) rulesRoutes(api *echo.Group) {
	if s.deps.Rules == nil {
		return
	}
	api.GET("/rules/templates", s.ruleTemplates)
	s.ruleSecretRoutes(api)
	r := api.Group("/rooms/:room")
	r.GET("/rules", s.getRules)
	r.PUT("/rules", s.putRules)
	r.POST("/rules/validate", s.validateRules)
	r.POST("/rules/dry-run", s.dryRunRules)
	r.GET("/rules/versions", s.ruleVersions)
	r.POST("/rules/rollback", s.rollbackRules)
	r.GET("/rules/history", s.ruleHistory)
	r.GET("/pricing", s.pricing)
	r.GET("/gifts", s.gifts)
}

// readRules reads a YAML or JSON rule set body.
func readRules(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, maxRulesBody+1))
	if err != nil {
		return nil, livedeck.Errorf(livedeck.EINVALID, "body", "reading body: %v", err)
	}
	if len(b) > maxRulesBody {
		return nil, livedeck.Errorf(livedeck.ETOOLARGE, "body", "a rule set is at most %d bytes", maxRulesBody)
	}
	return b, nil
}

// ruleFormat is the rule set format a request's Content-Type names:
// "json", "yaml", or "" to tell by the body.
func ruleFormat(c echo.Context) string {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json"
	case strings.HasSuffix(mt, "/yaml") || strings.HasSuffix(mt, "/x-yaml"):
		return "yaml"
	}
	return ""
}

// wantsYAML reports whether the caller asked for YAML (?format=yaml, or
// an Accept header that names YAML before JSON).
func wantsYAML(c echo.Context) bool {
	if f := c.QueryParam("format"); f != "" {
		return f == "yaml"
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	y, j := strings.Index(accept, "yaml"), strings.Index(accept, "json")
	return y >= 0 && (j < 0 || y < j)
}

// baseVersion is the version a change was made against, from If-Match
// ("3" or 3) or ?base=3; nil when the caller did not say.
func baseVersion(c echo.Context) (*int64, error) {
	raw := strings.Trim(c.Request().Header.Get("If-Match"), `" `)
	if raw == "" {
		raw = c.QueryParam("base")
	}
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return nil, livedeck.Errorf(livedeck.EINVALID, "If-Match", "want the version number the change was made against, e.g. \"3\"")
	}
	return &n, nil
}

// rulesError answers an invalid rule set with every problem, located.
func rulesError(c echo.Context, probs rules.Problems, err error) error {
	var inv *rules.InvalidError
	if errors.As(err, &inv) {
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{
			"error":    errorDetail{Code: livedeck.EINVALID, Field: "rules", Message: inv.Error(), RequestID: requestID(c)},
			"problems": probs,
		})
	}
	return err
}

// getRules answers the room's current rule set: JSON (the version with
// each rule's state), or its source as YAML.
func (s *Server) getRules(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	v, err := s.deps.Rules.Current(ctx, room)
	if err != nil {
		return err
	}
	if wantsYAML(c) {
		return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", rules.AsYAML([]byte(v.Source)))
	}
	states, err := s.deps.Rules.States(ctx, room)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", strconv.Quote(strconv.FormatInt(v.Version, 10)))
	return c.JSON(http.StatusOK, struct {
		rules.Version
		States []rules.RuleStatus `json:"states"`
	}{v, states})
}

func (s *Server) putRules(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	src, err := readRules(c)
	if err != nil {
		return err
	}
	base, err := baseVersion(c)
	if err != nil {
		return err
	}
	v, probs, err := s.deps.Rules.Save(ctx, room, src, rules.Change{Author: author(c), Note: c.QueryParam("note"), Format: ruleFormat(c), Base: base})
	if err != nil {
		return rulesError(c, probs, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"version": v, "warnings": listed(probs)})
}

func (s *Server) validateRules(c echo.Context) error {
	src, err := readRules(c)
	if err != nil {
		return err
	}
	_, probs, err := s.deps.Rules.Validate(c.Request().Context(), src, ruleFormat(c))
	if err != nil {
		return rulesError(c, probs, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"valid": true, "problems": listed(probs)})
}

// listed answers no problems as [] rather than null, for clients that iterate.
func listed(p rules.Problems) rules.Problems {
	if p == nil {
		return rules.Problems{}
	}
	return p
}

func (s *Server) dryRunRules(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	src, err := readRules(c)
	if err != nil {
		return err
	}
	res, probs, err := s.deps.Rules.DryRunAs(ctx, room, src, ruleFormat(c))
	if err != nil {
		return rulesError(c, probs, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"results": res, "problems": probs})
}

func (s *Server) ruleVersions(c echo.Context) error {
	return answerRoom(s, c, s.deps.Rules.Versions)
}

func (s *Server) rollbackRules(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	var req struct {
		Version int64 `json:"version"`
	}
	if err := c.Bind(&req); err != nil || req.Version < 1 {
		return livedeck.Errorf(livedeck.EINVALID, "version", "want {\"version\": n} with n ≥ 1")
	}
	v, err := s.deps.Rules.Rollback(ctx, room, req.Version, author(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) ruleHistory(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(c.QueryParam("limit"), 10, 64)
	if n <= 0 || n > 1000 {
		n = 200
	}
	h, err := s.deps.Rules.Store.History(ctx, room, n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

// ruleTemplates answers the built-in playbook: YAML with its comments by
// default, or {"templates": [...]} one rule each when JSON is asked for.
func (s *Server) ruleTemplates(c echo.Context) error {
	if c.QueryParam("format") == "json" || (!wantsYAML(c) && strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "json")) {
		return c.JSON(http.StatusOK, map[string]any{"templates": rules.Templates()})
	}
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", rules.Playbook())
}

func (s *Server) pricing(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	t, err := s.deps.Rules.Store.Tier(ctx, room)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"room": room, "tier": t})
}

// gifts lists the winners of a quota (?quota=), or of every quota of the
// room's rule set, as JSON or, with ?format=csv, as a CSV download.
func (s *Server) gifts(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	quota := c.QueryParam("quota")
	if quota != "" && !livedeck.ValidID(quota) {
		return livedeck.Errorf(livedeck.EINVALID, "quota", "quota names are 1-64 letters, digits, _ . -")
	}
	gs, err := s.deps.Rules.Gifts(ctx, room, quota)
	if err != nil {
		return err
	}
	if c.QueryParam("format") != "csv" {
		return c.JSON(http.StatusOK, gs)
	}
	name := room + "-gifts.csv"
	if quota != "" {
		name = room + "-" + quota + ".csv"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(giftCSVHeader)
	for _, g := range gs {
		_ = w.Write(giftCSVRow(g))
	}
	w.Flush()
	return w.Error()
}

// giftCSVHeader and giftCSVRow are the gift export: one row per place an
// order holds or held. status is "won" (ship the gift), "revoked" (refunded
// or cancelled: do not ship; its place went on) or "refunded" (refunded,
// kept under on_refund: keep). Cells from integrators (order, user, SKU)
// are formula-safe.
var giftCSVHeader = []string{"quota", "n", "order_id", "user_id", "sku", "status", "refunded_at", "replaces"}

func giftCSVRow(g livedeck.Gift) []string {
	status, at := "won", ""
	if g.Status != "" {
		status = g.Status
	}
	if g.RefundedAt > 0 {
		at = time.UnixMilli(g.RefundedAt).UTC().Format(time.RFC3339)
	}
	c := csvsafe.Cell
	return []string{c(g.Quota), strconv.FormatInt(g.N, 10), c(g.OrderID), c(g.UserID), c(g.SKU), status, at, c(g.Replaces)}
}

// author names who made a change, for the version history; the security
// layer puts the authenticated user in the context.
func author(c echo.Context) string {
	if u, ok := c.Get("user").(string); ok && u != "" {
		return u
	}
	return "anonymous"
}
