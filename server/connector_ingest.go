package server

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/ingest/gateway"
)

// Context keys of a connector delivery, set while authenticating so the
// handler neither looks the connector up nor checks the signature twice.
const (
	ctxConnectorRoute = "connector.route"
	ctxSignatureOK    = "connector.signature_ok"
)

// connectorRoute resolves ?format= and ?source= of an ingest request. ok
// is false for LiveDeck's own format.
func (s *Server) connectorRoute(c echo.Context) (gateway.Route, bool, error) {
	if r, ok := c.Get(ctxConnectorRoute).(resolved); ok {
		return r.route, r.ok, nil
	}
	format := c.QueryParam("format")
	if s.deps.Connectors == nil {
		if format != "" {
			return gateway.Route{}, false, livedeck.Errorf(livedeck.EINVALID, "format", "this server has no connectors")
		}
		return gateway.Route{}, false, nil
	}
	r, ok, err := s.deps.Connectors.Resolve(c.Request().Context(), c.Param("room"), ingestSource(c), format)
	if err == nil {
		c.Set(ctxConnectorRoute, resolved{route: r, ok: ok}) // looked up once per request, connector or not
	}
	return r, ok, err
}

// resolved is a request's connector lookup, kept in its context.
type resolved struct {
	route gateway.Route
	ok    bool
}

// platformPrincipal authenticates a delivery of a signed platform format
// (Shopify, 抖店, Douyin open platform) by its signature with the
// source's secrets: platforms cannot send LiveDeck's bearer tokens, so the
// signature is the credential, and the only one such a format accepts.
// handled is false for every other request. A failure is counted in the
// source's stats.
func (s *Server) platformPrincipal(c echo.Context) (p *auth.Principal, handled bool, err error) {
	r, ok, err := s.connectorRoute(c)
	if err != nil || !ok || !r.Adapter.Signed() {
		return nil, false, nil // the handler reports a bad ?format= once the caller is known
	}
	body, err := rereadBody(c)
	if err != nil {
		return nil, true, err
	}
	d := &connector.Delivery{Header: c.Request().Header, Body: body, Room: r.Room, Source: r.Source, Received: time.Now()}
	if err := s.deps.Connectors.Authenticate(c.Request().Context(), r, d); err != nil {
		return nil, true, err
	}
	c.Set(ctxSignatureOK, true)
	return &auth.Principal{Kind: auth.KindWebhook, ID: r.Room + "/" + r.Source, Name: r.Adapter.Name() + " " + r.Source,
		Role: auth.Ingest, Rooms: []string{r.Room}}, true, nil
}

// deliver is POST /api/v1/rooms/{room}/events?format=F&source=S: the
// platform's payload mapped by its adapter and ingested. The answer is
// the adapter's reply when it has one, else the ingest result with the
// messages ignored and dead-lettered.
func (s *Server) deliver(c echo.Context, r gateway.Route) error {
	req := c.Request()
	max := s.deps.Ingest.Config().MaxBodyBytes
	body, err := io.ReadAll(io.LimitReader(req.Body, max+1))
	if err != nil {
		return bodyError(err)
	}
	if int64(len(body)) > max {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "body larger than %d bytes", max)
	}
	d := &connector.Delivery{Header: req.Header, Body: body, Received: time.Now()}
	if r.Adapter.Signed() && c.Get(ctxSignatureOK) != true {
		if err := s.deps.Connectors.Authenticate(req.Context(), r, d); err != nil {
			return err
		}
	}
	res, err := s.deps.Connectors.Deliver(req.Context(), r, d)
	if err != nil {
		return err
	}
	if ct, reply := r.Adapter.Reply(true); reply != nil {
		if ct == "" {
			ct = echo.MIMEApplicationJSON
		}
		return c.Blob(http.StatusOK, ct, reply)
	}
	return c.JSON(http.StatusOK, res)
}

// socketRoute resolves a websocket's ?format= before the upgrade. Signed
// formats come from their platforms by HTTP POST, never over the socket.
func (s *Server) socketRoute(c echo.Context) (gateway.Route, bool, error) {
	r, ok, err := s.connectorRoute(c)
	if err != nil || !ok {
		return r, ok, err
	}
	if r.Adapter.Signed() {
		return r, false, livedeck.Errorf(livedeck.EINVALID, "format", "%s is signed by its platform, which posts to /api/v1/rooms/{room}/events: the socket takes unsigned formats", r.Adapter.Name())
	}
	return r, true, nil
}

// deliverMessage ingests one websocket message through the connector of
// the socket's source, looked up again so saved changes (a fixed mapping)
// apply to open connections.
func (s *Server) deliverMessage(ctx context.Context, room, source, format string, msg []byte) (gateway.Result, error) {
	r, ok, err := s.deps.Connectors.Resolve(ctx, room, source, format)
	if err == nil && (!ok || r.Adapter.Signed()) {
		err = livedeck.Errorf(livedeck.EINVALID, "format", "source %q has no unsigned connector format any more", source)
	}
	if err != nil {
		return gateway.Result{}, err
	}
	return s.deps.Connectors.Deliver(ctx, r, &connector.Delivery{Body: msg, Received: time.Now()})
}
