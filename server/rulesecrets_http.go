package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
)

// ruleSecretRoutes: the named secrets rule webhooks sign with. Admins of
// every room manage them (a secret is shared by all rooms); no route ever
// answers a value; every change is audited.
func (s *Server) ruleSecretRoutes(api *echo.Group) {
	api.GET("/rule-secrets", s.listRuleSecrets)
	api.POST("/rule-secrets", s.createRuleSecret)
	api.PUT("/rule-secrets/:name", s.rotateRuleSecret)
	api.DELETE("/rule-secrets/:name", s.deleteRuleSecret)
}

// allRoomsAdmin admits admins whose scope is every room only.
func allRoomsAdmin(_ *Server, _ echo.Context, p *auth.Principal) error {
	if !p.AllRooms() {
		return livedeck.Errorf(livedeck.EFORBIDDEN, "", "rule secrets are shared by every room: only an admin of all rooms manages them")
	}
	return nil
}

func (s *Server) listRuleSecrets(c echo.Context) error {
	list, err := s.deps.Rules.Secrets.List(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

// createRuleSecret is POST /api/v1/rule-secrets {"name","value"}: the value
// is the receiver's shared key; the answer has the name and dates only.
func (s *Server) createRuleSecret(c echo.Context) error {
	var in struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	info, err := s.deps.Rules.Secrets.Create(ctx, in.Name, in.Value)
	if err != nil {
		return err
	}
	s.deps.Auth.Audit(ctx, caller(c), auth.Entry{Action: "rule_secret.create", Target: info.Name})
	c.Response().Header().Set("Location", "/api/v1/rule-secrets/"+info.Name)
	return c.JSON(http.StatusCreated, info)
}

// rotateRuleSecret is PUT /api/v1/rule-secrets/{name} {"value"}:
// deliveries signed from now on use the new value.
func (s *Server) rotateRuleSecret(c echo.Context) error {
	var in struct {
		Value string `json:"value"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	info, err := s.deps.Rules.Secrets.Rotate(ctx, c.Param("name"), in.Value)
	if err != nil {
		return err
	}
	s.deps.Auth.Audit(ctx, caller(c), auth.Entry{Action: "rule_secret.rotate", Target: info.Name})
	return c.JSON(http.StatusOK, info)
}

func (s *Server) deleteRuleSecret(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.deps.Rules.Secrets.Delete(ctx, c.Param("name")); err != nil {
		return err
	}
	s.deps.Auth.Audit(ctx, caller(c), auth.Entry{Action: "rule_secret.delete", Target: c.Param("name")})
	return c.NoContent(http.StatusNoContent)
}
