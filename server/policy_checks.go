package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
)

// metricsToken requires the metrics bearer token when one is configured.
func metricsToken(s *Server, c echo.Context, _ *auth.Principal) error {
	tok, _ := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !s.deps.Auth.MetricsTokenOK(tok) {
		return livedeck.Errorf(livedeck.EUNAUTHORIZED, "Authorization", "metrics need Authorization: Bearer <metrics token>")
	}
	return nil
}

// wsRoomsAndView admits the console feed only for rooms in the caller's
// scope and a view its role may see: hosts see the host view only,
// producer views are for producers and admins.
func wsRoomsAndView(_ *Server, c echo.Context, p *auth.Principal) error {
	q := c.QueryParams()
	view := q.Get("view")
	if view == "" {
		view = viewOperator
	}
	ok := false
	switch view {
	case viewHost:
		ok = true
	case viewOperator:
		ok = p.Is(auth.Admin, auth.Producer, auth.Operator)
	case viewProducer:
		ok = p.Is(auth.Admin, auth.Producer)
	default:
		ok = true // the hub refuses unknown views
	}
	if !ok {
		return livedeck.Errorf(livedeck.EFORBIDDEN, "view", "role %s may not open the %s view", p.Role, view)
	}
	for _, room := range strings.Split(q.Get("rooms"), ",") {
		if room = strings.TrimSpace(room); room != "" && !p.CanRoom(room) {
			return livedeck.Errorf(livedeck.EFORBIDDEN, "rooms", "%s is not allowed in room %q", p.Name, room)
		}
	}
	return nil
}

// reviewCompareInScope admits ?compare= only for a room the caller may
// see too: a comparison must not leak another team's numbers.
func reviewCompareInScope(_ *Server, c echo.Context, p *auth.Principal) error {
	if other := c.QueryParam("compare"); other != "" && !p.CanRoom(other) {
		return livedeck.Errorf(livedeck.EFORBIDDEN, "compare", "%s is not allowed in room %q", p.Name, other)
	}
	return nil
}

// operatorStockOnly lets operators change a room's stock and nothing else.
func operatorStockOnly(_ *Server, c echo.Context, p *auth.Principal) error {
	if p.Role != auth.Operator {
		return nil
	}
	body, err := rereadBody(c)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return livedeck.Errorf(livedeck.EINVALID, "", "want a JSON object: %v", err)
	}
	for name := range fields {
		if name != "stock" {
			return livedeck.Errorf(livedeck.EFORBIDDEN, name, "operators may change only stock")
		}
	}
	return nil
}

// rereadBody reads the (already limited) body and puts it back for the
// handler.
func rereadBody(c echo.Context) ([]byte, error) {
	req := c.Request()
	if req.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(req.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, livedeck.Errorf(livedeck.ETOOLARGE, "", "request body larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return nil, livedeck.Errorf(livedeck.EINVALID, "", "reading body: %v", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// webhookPrincipal authenticates a signed webhook on the ingest route: a
// signed platform format by its platform's signature (connector_ingest.go),
// anything else by LiveDeck's X-LiveDeck-Signature.
// handled is false when the room and source have no secret and the request
// is unsigned: other credentials apply. With a secret, a valid signature is
// required whatever else the request carries.
func (s *Server) webhookPrincipal(c echo.Context) (p *auth.Principal, handled bool, err error) {
	if p, handled, err := s.platformPrincipal(c); handled {
		return p, true, err
	}
	req, svc := c.Request(), s.deps.Auth
	room, source := c.Param("room"), ingestSource(c)
	sig := req.Header.Get(auth.HeaderSignature)
	if !livedeck.ValidID(room) {
		return nil, false, nil // the handler says why
	}
	secret, ok, err := svc.WebhookSecret(req.Context(), room, source)
	if err != nil {
		return nil, true, err
	}
	if !ok {
		if sig != "" {
			return nil, true, livedeck.Errorf(livedeck.EUNAUTHORIZED, auth.HeaderSignature, "no webhook secret is set for source %q of room %q", source, room)
		}
		return nil, false, nil
	}
	if sig == "" {
		return nil, true, livedeck.Errorf(livedeck.EUNAUTHORIZED, auth.HeaderSignature, "source %q of room %q takes signed webhooks only", source, room)
	}
	body, err := rereadBody(c)
	if err != nil {
		return nil, true, err
	}
	p, err = svc.CheckWebhook(req.Context(), room, source, secret, req.Header.Get(auth.HeaderTimestamp), sig, body)
	return p, true, err
}

// serveFilteredRooms runs a room-list handler and keeps only the entries
// (objects with an "id") in p's rooms.
func serveFilteredRooms(c echo.Context, p *auth.Principal, next echo.HandlerFunc) error {
	res := c.Response()
	orig := res.Writer
	buf := &bufferedWriter{ResponseWriter: orig}
	res.Writer = buf
	err := next(c)
	res.Writer = orig
	if buf.status == 0 {
		return err // nothing written: the error handler answers
	}
	body := buf.buf.Bytes()
	var list []map[string]json.RawMessage
	if buf.status == http.StatusOK && json.Unmarshal(body, &list) == nil {
		kept := make([]map[string]json.RawMessage, 0, len(list))
		for _, item := range list {
			var id string
			if json.Unmarshal(item["id"], &id) == nil && p.CanRoom(id) {
				kept = append(kept, item)
			}
		}
		body, _ = json.Marshal(kept)
	} else if buf.status == http.StatusOK {
		body = []byte("[]") // not a list of rooms: show nothing rather than everything
	}
	orig.Header().Del("Content-Length")
	orig.WriteHeader(buf.status)
	_, _ = orig.Write(body)
	return err
}

// bufferedWriter holds a response until it is filtered.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) { w.status = code }

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}
