package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck/auth"
)

// adminRoutes: users, API tokens, host links, webhook secrets and the audit
// log. Who may call each is in policy.go.
func (s *Server) adminRoutes(api *echo.Group) {
	api.GET("/users", s.listUsers)
	api.POST("/users", s.createUser)
	api.PATCH("/users/:user", s.patchUser)
	api.GET("/tokens", s.listTokens)
	api.POST("/tokens", s.createToken)
	api.DELETE("/tokens/:id", s.revokeToken)
	api.GET("/rooms/:room/host-links", s.listHostLinks)
	api.POST("/rooms/:room/host-links", s.createHostLink)
	api.DELETE("/rooms/:room/host-links/:id", s.revokeHostLink)
	api.POST("/rooms/:room/webhook-secrets", s.setWebhookSecret)
	api.DELETE("/rooms/:room/webhook-secrets/:source", s.deleteWebhookSecret)
	api.GET("/audit", s.auditLog)
}

func caller(c echo.Context) *auth.Principal { return auth.PrincipalFrom(c.Request().Context()) }

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.deps.Auth.ListUsersFor(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, users)
}

func (s *Server) createUser(c echo.Context) error {
	var nu auth.NewUser
	if err := decodeStrict(c, &nu); err != nil {
		return err
	}
	u, err := s.deps.Auth.CreateUser(c.Request().Context(), caller(c), nu)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/users/"+u.Name)
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) patchUser(c echo.Context) error {
	var p auth.UserPatch
	if err := decodeStrict(c, &p); err != nil {
		return err
	}
	u, err := s.deps.Auth.UpdateUser(c.Request().Context(), caller(c), c.Param("user"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.deps.Auth.ListTokensFor(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

// createToken answers the secret once; only its hash is kept.
func (s *Server) createToken(c echo.Context) error {
	var nt auth.NewToken
	if err := decodeStrict(c, &nt); err != nil {
		return err
	}
	t, err := s.deps.Auth.CreateToken(c.Request().Context(), caller(c), nt)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) revokeToken(c echo.Context) error {
	if err := s.deps.Auth.RevokeToken(c.Request().Context(), caller(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listHostLinks(c echo.Context) error {
	ls, err := s.deps.Auth.ListHostLinks(c.Request().Context(), c.Param("room"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ls)
}

// createHostLink answers the key once, with the cue view's path.
func (s *Server) createHostLink(c echo.Context) error {
	var nl auth.NewHostLink
	if c.Request().ContentLength != 0 {
		if err := decodeStrict(c, &nl); err != nil {
			return err
		}
	}
	room := c.Param("room")
	t, err := s.deps.Auth.CreateHostLink(c.Request().Context(), caller(c), room, nl)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]any{"link": t, "path": "/#/host?room=" + url.QueryEscape(room) + "&key=" + t.Secret})
}

func (s *Server) revokeHostLink(c echo.Context) error {
	if err := s.deps.Auth.RevokeHostLink(c.Request().Context(), caller(c), c.Param("room"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// setWebhookSecret is POST …/webhook-secrets {"source"}: a new HMAC secret
// for the source ("*": every source), shown once.
func (s *Server) setWebhookSecret(c echo.Context) error {
	var in struct {
		Source string `json:"source"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	secret, err := s.deps.Auth.SetWebhookSecret(c.Request().Context(), caller(c), c.Param("room"), in.Source)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]string{"room": c.Param("room"), "source": in.Source, "secret": secret})
}

func (s *Server) deleteWebhookSecret(c echo.Context) error {
	if err := s.deps.Auth.DeleteWebhookSecret(c.Request().Context(), caller(c), c.Param("room"), c.Param("source")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// auditLog is GET /api/v1/audit?count=100&before=<id>, newest first; a
// room-scoped caller sees only entries about its rooms, and when the scan
// stopped early X-Audit-Scanned-To is the id to read on from (before=).
func (s *Server) auditLog(c echo.Context) error {
	count, _ := strconv.ParseInt(c.QueryParam("count"), 10, 64)
	es, scanned, err := s.deps.Auth.AuditLogFor(c.Request().Context(), caller(c), count, c.QueryParam("before"))
	if err != nil {
		return err
	}
	if scanned != "" {
		c.Response().Header().Set("X-Audit-Scanned-To", scanned)
	}
	return c.JSON(http.StatusOK, es)
}
