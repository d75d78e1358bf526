package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
)

// defaultBodyLimit bounds request bodies of routes whose policy names no
// other limit.
const defaultBodyLimit = 1 << 20

// Websocket close codes for a browser refused before it joins (the console
// shows the login form on 4001).
const (
	closeUnauthenticated = 4001
	closeForbidden       = 4003
)

// authRoutes adds login, logout and "who am I", and the administration
// routes. Without an auth service it adds nothing.
func (s *Server) authRoutes(api *echo.Group) {
	if s.deps.Auth == nil {
		return
	}
	s.echo.POST("/api/auth/login", s.login)
	s.echo.POST("/api/auth/logout", s.logout)
	s.echo.GET("/api/auth/me", s.me)
	s.adminRoutes(api)
}

// authorize admits a request only as its route's policy says: body limit,
// rate limits, credential, role, room scope, CSRF, websocket Origin and
// connection limits. Without an auth service (tests of other parts) it
// admits everything.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		svc := s.deps.Auth
		if svc == nil {
			return next(c)
		}
		pol, ok := policies[c.Request().Method+" "+c.Path()]
		if !ok {
			if !s.registered(c.Request().Method, c.Path()) {
				return next(c) // no such route: echo answers 404 or 405
			}
			svc.Metrics().Denied("no_policy")
			return livedeck.Errorf(livedeck.EFORBIDDEN, "", "%s %s has no access policy", c.Request().Method, c.Path())
		}
		if err := s.limitBody(c, pol); err != nil {
			return err
		}
		ip := svc.ClientIP(c.Request().RemoteAddr, c.Request().Header.Values("X-Forwarded-For"))
		c.SetRequest(c.Request().WithContext(auth.WithClientIP(c.Request().Context(), ip)))
		if pol.public {
			if pol.check != nil {
				if err := pol.check(s, c, nil); err != nil {
					return err
				}
			}
			return next(c)
		}
		p, err := s.authenticate(c, pol, ip)
		if err == nil {
			err = s.permit(c, pol, p)
		}
		if err != nil {
			return s.refuse(c, pol, err)
		}
		c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
		c.Set("user", authorName(p)) // the rules' version history names its author so
		return s.serveAs(c, pol, p, next)
	}
}

// serveAs runs the handler for an admitted principal, with the policy's
// connection limit, room filter and audit record.
func (s *Server) serveAs(c echo.Context, pol access, p *auth.Principal, next echo.HandlerFunc) error {
	if pol.ws {
		release, ok := s.deps.Auth.Conns().Acquire(p.Kind + ":" + p.ID)
		if !ok {
			return livedeck.Errorf(livedeck.ERATELIMIT, "", "too many websocket connections for %s (at most %d per instance)",
				p.Name, s.deps.Auth.Config().MaxConnsPerUser)
		}
		t := &hijackTracker{ResponseWriter: c.Response().Writer, release: release}
		c.Response().Writer = t
		defer t.handlerDone()
	}
	var err error
	if pol.filter && !p.AllRooms() {
		err = serveFilteredRooms(c, p, next)
	} else {
		err = next(c)
	}
	if pol.audit != "" && err == nil && c.Response().Status < 400 {
		s.deps.Auth.Audit(c.Request().Context(), p, auth.Entry{Action: pol.audit, Room: c.Param("room"),
			Target: c.Response().Header().Get("Location")})
	}
	return err
}

// authorName names a principal as an author: a user by name, anything else
// by kind and label.
func authorName(p *auth.Principal) string {
	if p.Kind == auth.KindUser {
		return p.Name
	}
	return p.Kind + ":" + p.Name
}

// authenticate finds the caller: a signed webhook (on routes that take
// them), a bearer token, a host link key (?key=, GET only) or a session
// cookie, under the per-IP limit.
func (s *Server) authenticate(c echo.Context, pol access, ip string) (*auth.Principal, error) {
	svc, req := s.deps.Auth, c.Request()
	ctx := req.Context()
	if err := svc.AllowIP(ctx, ip); err != nil {
		return nil, err
	}
	if pol.webhook {
		if p, handled, err := s.webhookPrincipal(c); handled {
			return p, err
		}
	}
	if h := req.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "Authorization", "want Bearer <token>")
		}
		return svc.TokenPrincipal(ctx, strings.TrimSpace(tok))
	}
	if key := c.QueryParam("key"); key != "" && req.Method == http.MethodGet {
		p, err := svc.TokenPrincipal(ctx, key)
		if err == nil && p.Kind != auth.KindHostLink {
			return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "key", "only host links go in ?key=; send API tokens as Authorization: Bearer")
		}
		return p, err
	}
	if ck, err := c.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		return svc.SessionPrincipal(ctx, ck.Value)
	}
	return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "log in, or send Authorization: Bearer <token>")
}

// permit checks an authenticated caller against the policy.
func (s *Server) permit(c echo.Context, pol access, p *auth.Principal) error {
	class := pol.class
	if class == "" {
		class = auth.ClassAPI
	}
	if err := s.deps.Auth.AllowPrincipal(c.Request().Context(), class, p); err != nil {
		return err
	}
	if !p.Is(pol.roles...) {
		return livedeck.Errorf(livedeck.EFORBIDDEN, "", "role %s may not %s %s", p.Role, c.Request().Method, c.Path())
	}
	if room := c.Param("room"); pol.room && !p.CanRoom(room) {
		return livedeck.Errorf(livedeck.EFORBIDDEN, "room", "%s is not allowed in room %q", p.Name, room)
	}
	if err := s.checkCSRF(c, p); err != nil {
		return err
	}
	if pol.ws {
		if err := s.checkOrigin(c, p); err != nil {
			return err
		}
	}
	if pol.check != nil {
		return pol.check(s, c, p)
	}
	return nil
}

// checkCSRF requires a session's CSRF token on state-changing requests.
// Bearer tokens are not sent by browsers on their own and need none.
func (s *Server) checkCSRF(c echo.Context, p *auth.Principal) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if p.Session != nil && !p.Session.CheckCSRF(c.Request().Header.Get(auth.CSRFHeader)) {
		s.deps.Auth.Metrics().Denied("csrf")
		return livedeck.Errorf(livedeck.EFORBIDDEN, auth.CSRFHeader, "missing or wrong CSRF token: read csrf_token from GET /api/auth/me")
	}
	return nil
}

// checkOrigin refuses a websocket from a page of a foreign site, and a
// cookie-authenticated one without Origin (browsers always send it).
func (s *Server) checkOrigin(c echo.Context, p *auth.Principal) error {
	origin := c.Request().Header.Get("Origin")
	if origin == "" && p.Session == nil {
		return nil // not a browser: a connector with a bearer token
	}
	if !s.originAllowed(c.Request()) {
		s.deps.Auth.Metrics().Denied("origin")
		return livedeck.Errorf(livedeck.EFORBIDDEN, "Origin", "origin %q may not open this websocket", origin)
	}
	return nil
}

// originAllowed admits a present Origin of this host, the public origin or
// Config.AllowedOrigins.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	return s.ingestOriginOK(r) || origin == strings.TrimSuffix(s.deps.Auth.Config().PublicOrigin, "/")
}

// refuse answers a refused request. A browser opening the console feed
// from an allowed page gets a websocket closed with 4001 or 4003, which the
// console can read; everyone else gets the HTTP status.
func (s *Server) refuse(c echo.Context, pol access, err error) error {
	code := livedeck.ErrorCode(err)
	switch code {
	case livedeck.EUNAUTHORIZED:
		s.deps.Auth.Metrics().Denied("unauthenticated")
	case livedeck.EFORBIDDEN:
		s.deps.Auth.Metrics().Denied("forbidden")
	}
	req := c.Request()
	browser := pol.ws && c.Path() == "/ws" && websocket.IsWebSocketUpgrade(req) && s.originAllowed(req)
	if !browser || (code != livedeck.EUNAUTHORIZED && code != livedeck.EFORBIDDEN) {
		return err
	}
	closeCode := closeUnauthenticated
	if code == livedeck.EFORBIDDEN {
		closeCode = closeForbidden
	}
	up := websocket.Upgrader{CheckOrigin: s.originAllowed}
	ws, uerr := up.Upgrade(c.Response(), req, nil)
	if uerr != nil {
		return nil // Upgrade has answered
	}
	why := "refused"
	var ae *livedeck.Error
	if errors.As(err, &ae) {
		why = ae.Message
	}
	go closeRefused(ws, closeCode, why)
	return nil
}

// closeRefused sends the close frame and waits briefly for the peer's.
func closeRefused(ws *websocket.Conn, code int, why string) {
	defer ws.Close()
	msg := websocket.FormatCloseMessage(code, closeReason(why))
	if ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)) != nil {
		return
	}
	_ = ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := ws.NextReader(); err != nil {
			return
		}
	}
}

// limitBody bounds the request body as the policy says.
func (s *Server) limitBody(c echo.Context, pol access) error {
	n := pol.body
	switch {
	case n == 0:
		n = defaultBodyLimit
	case n < 0:
		n = 8 << 20
		if s.deps.Ingest != nil {
			n = s.deps.Ingest.Config().MaxBodyBytes
		}
	}
	req := c.Request()
	if req.ContentLength > n {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "request body larger than %d bytes", n)
	}
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = http.MaxBytesReader(c.Response(), req.Body, n)
	}
	return nil
}

// registered reports whether a route exists for method and path. Only
// requests without a policy ask, so a linear scan is fine.
func (s *Server) registered(method, path string) bool {
	for _, r := range s.echo.Routes() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}

// hijackTracker releases a websocket connection slot when the hijacked
// connection closes, or when the handler returns without hijacking.
type hijackTracker struct {
	http.ResponseWriter
	release  func()
	mu       sync.Mutex
	hijacked bool
}

func (t *hijackTracker) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (t *hijackTracker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(t.ResponseWriter).Hijack()
	if err != nil {
		return conn, rw, err
	}
	t.mu.Lock()
	t.hijacked = true
	t.mu.Unlock()
	return &trackedConn{Conn: conn, release: t.release}, rw, nil
}

func (t *hijackTracker) handlerDone() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.hijacked {
		t.release()
	}
}

// trackedConn frees its slot on Close (release is idempotent).
type trackedConn struct {
	net.Conn
	release func()
}

func (c *trackedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
