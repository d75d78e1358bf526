package server

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// consoleRoutes serves the embedded web console: hashed assets cached for a
// year, index.html never cached so a deploy is picked up at once.
func (s *Server) consoleRoutes() {
	if s.deps.Console == nil {
		return
	}
	files := http.FileServer(http.FS(s.deps.Console))
	s.echo.GET("/assets/*", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	})
	index := func(c echo.Context) error {
		b, err := fs.ReadFile(s.deps.Console, "index.html")
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound, "console not built")
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, b)
	}
	s.echo.GET("/", index)
	s.echo.GET("/*", func(c echo.Context) error {
		p := strings.TrimPrefix(c.Request().URL.Path, "/")
		if strings.HasPrefix(p, "api/") {
			return echo.NewHTTPError(http.StatusNotFound, "no such API route")
		}
		if st, err := fs.Stat(s.deps.Console, p); err == nil && !st.IsDir() {
			files.ServeHTTP(c.Response(), c.Request())
			return nil
		}
		return index(c)
	})
}
