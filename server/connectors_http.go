package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/ingest/gateway"
)

// connectorRoutes: formats, a room's connectors (settings, platform
// secrets, stats), trying a sample, and dead letters. Without a gateway
// it registers nothing.
func (s *Server) connectorRoutes(api *echo.Group) {
	if s.deps.Connectors == nil {
		return
	}
	api.GET("/connectors/formats", s.connectorFormats)
	r := api.Group("/rooms/:room")
	r.GET("/connectors", s.listConnectors)
	r.GET("/connectors/:source", s.getConnector)
	r.PUT("/connectors/:source", s.putConnector)
	r.DELETE("/connectors/:source", s.deleteConnector)
	r.POST("/connectors/:source/try", s.tryConnector)
	r.GET("/dead-letters", s.listDeadLetters)
	r.POST("/dead-letters/replay", s.replayDeadLetters)
}

// formatInfo describes one format for the console.
type formatInfo struct {
	Format   string   `json:"format"`
	Platform string   `json:"platform"`
	Signed   bool     `json:"signed"`
	Kinds    []string `json:"kinds"`
}

func (s *Server) connectorFormats(c echo.Context) error {
	out := []formatInfo{}
	for _, name := range connector.Formats() {
		a, _ := connector.Lookup(name)
		platform, kinds := connector.Describe(a)
		if kinds == nil {
			kinds = []string{}
		}
		out = append(out, formatInfo{Format: name, Platform: platform, Signed: a.Signed(), Kinds: kinds})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listConnectors(c echo.Context) error {
	return answerRoom(s, c, s.deps.Connectors.List)
}

func (s *Server) getConnector(c echo.Context) error {
	return answerRoom(s, c, func(ctx context.Context, room string) (gateway.Connector, error) {
		return s.deps.Connectors.Get(ctx, room, c.Param("source"))
	})
}

// putConnector saves a connector. A refusal lists every problem, located:
// {"error":{…},"problems":[{"path","message","column"}]}.
func (s *Server) putConnector(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	var req gateway.PutRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	by := ""
	if p := caller(c); p != nil {
		by = authorName(p)
	}
	conn, err := s.deps.Connectors.Put(ctx, room, c.Param("source"), req, by)
	var inv *gateway.InvalidError
	if errors.As(err, &inv) {
		return c.JSON(http.StatusBadRequest, map[string]any{
			"error":    errorDetail{Code: livedeck.EINVALID, Field: inv.Problems[0].Path, Message: inv.Error(), RequestID: requestID(c)},
			"problems": inv.Problems,
		})
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", connectorPath(room, conn.Source))
	return c.JSON(http.StatusOK, conn)
}

func (s *Server) deleteConnector(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	if err := s.deps.Connectors.Delete(ctx, room, c.Param("source")); err != nil {
		return err
	}
	c.Response().Header().Set("Location", connectorPath(room, c.Param("source"))) // names it in the audit log
	return c.NoContent(http.StatusNoContent)
}

func connectorPath(room, source string) string {
	return "/api/v1/rooms/" + room + "/connectors/" + source
}

// tryHeaderPrefix marks request headers passed to a tried delivery as the
// platform's own: X-Try-Header-X-Shopify-Topic: orders/paid.
const tryHeaderPrefix = "X-Try-Header-"

// tryConnector maps a sample payload with the source's settings (or, with
// ?format=, a format's defaults) and shows the events, storing nothing.
func (s *Server) tryConnector(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	source := c.Param("source")
	route, ok, err := s.deps.Connectors.Resolve(ctx, room, source, c.QueryParam("format"))
	if err != nil {
		return err
	}
	if !ok {
		return livedeck.Errorf(livedeck.ENOTFOUND, "source", "no connector %q in room %q: save it first, or name a ?format= to try its defaults", source, room)
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return bodyError(err)
	}
	h := http.Header{}
	for k, vs := range c.Request().Header {
		if name, ok := strings.CutPrefix(http.CanonicalHeaderKey(k), tryHeaderPrefix); ok && name != "" {
			h[http.CanonicalHeaderKey(name)] = vs
		}
	}
	res, err := s.deps.Connectors.Try(ctx, route, &connector.Delivery{Header: h, Body: body, Received: time.Now()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) listDeadLetters(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	count := 0
	if v := c.QueryParam("count"); v != "" {
		if count, err = strconv.Atoi(v); err != nil || count < 1 {
			return livedeck.Errorf(livedeck.EINVALID, "count", "want a positive number")
		}
	}
	list, err := s.deps.Connectors.DeadLetters(ctx, room, c.QueryParam("source"), count, c.QueryParam("after"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

// replayRequest is the body of POST …/dead-letters/replay.
type replayRequest struct {
	Source string   `json:"source"`
	IDs    []string `json:"ids,omitempty"` // empty: all of the source's
}

func (s *Server) replayDeadLetters(c echo.Context) error {
	ctx, room, err := s.knownRoom(c)
	if err != nil {
		return err
	}
	var req replayRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Connectors.Replay(ctx, room, req.Source, req.IDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// bodyError turns a body read failure into a 413 or 400.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "request body larger than %d bytes", tooBig.Limit)
	}
	return livedeck.Errorf(livedeck.EINVALID, "", "reading body: %v", err)
}
