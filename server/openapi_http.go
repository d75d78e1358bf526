package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
)

// openapi serves the OpenAPI description of every route (docs/openapi.yaml,
// embedded), for client generators and API explorers.
func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", livedeck.OpenAPI)
}
