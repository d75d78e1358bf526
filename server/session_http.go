package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
)

// meBody is who the caller is; csrf_token is set for console sessions and
// must be sent as X-CSRF-Token on state-changing requests.
type meBody struct {
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	Rooms     []string  `json:"rooms"`
	CSRFToken string    `json:"csrf_token,omitempty"`
	Expires   int64     `json:"expires,omitempty"` // session end, Unix ms
}

func meOf(p *auth.Principal) meBody {
	b := meBody{Kind: p.Kind, ID: p.ID, Name: p.Name, Role: p.Role, Rooms: p.Rooms}
	if p.Session != nil {
		b.CSRFToken, b.Expires = p.Session.CSRF, p.Session.Expires
	}
	return b
}

// login is POST /api/auth/login {"username","password"}: a session cookie
// and the caller as GET /api/auth/me shows it.
func (s *Server) login(c echo.Context) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	req := c.Request()
	sess, u, err := s.deps.Auth.Login(req.Context(), s.deps.Auth.ClientIP(req.RemoteAddr, req.Header.Values("X-Forwarded-For")), in.Username, in.Password)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: auth.SessionCookie, Value: sess.ID, Path: "/", Expires: time.UnixMilli(sess.Expires),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(c),
	})
	p := &auth.Principal{Kind: auth.KindUser, ID: u.Name, Name: u.Name, Role: u.Role, Rooms: u.Rooms, Session: sess}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, meOf(p))
}

// secureCookies: over TLS, or behind an https public origin.
func (s *Server) secureCookies(c echo.Context) bool {
	return c.IsTLS() || strings.HasPrefix(s.deps.Auth.Config().PublicOrigin, "https://")
}

// logout is POST /api/auth/logout: the session ends on every instance.
func (s *Server) logout(c echo.Context) error {
	p := auth.PrincipalFrom(c.Request().Context())
	if err := s.deps.Auth.Logout(c.Request().Context(), p); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(c)})
	return c.NoContent(http.StatusNoContent)
}

// me is GET /api/auth/me.
func (s *Server) me(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, meOf(auth.PrincipalFrom(c.Request().Context())))
}

// decodeStrict reads one JSON object (Content-Type application/json, so a
// cross-site form cannot post it), refusing unknown fields by name.
func decodeStrict(c echo.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if mt != "application/json" {
		return livedeck.Errorf(livedeck.EINVALID, "Content-Type", "want application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		err = endOfBody(dec)
	}
	var tooBig *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "body larger than %d bytes", tooBig.Limit)
	case errors.As(err, &te):
		return livedeck.Errorf(livedeck.EINVALID, te.Field, "wrong type: want %s", te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return livedeck.Errorf(livedeck.EINVALID, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	}
	return livedeck.Errorf(livedeck.EINVALID, "", "not a JSON object: %v", err)
}

// endOfBody checks that only white space follows the value dec decoded
// (dec.More alone misses a stray '}' or ']'); a body over its size limit
// stays a *http.MaxBytesError.
func endOfBody(dec *json.Decoder) error {
	_, err := dec.Token()
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooBig):
		return err
	}
	return errors.New("data after the object")
}
