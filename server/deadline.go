package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Answer times. Every Redis call in a request's path runs under the
// request's deadline, so each route answers within its budget whatever
// Redis does (docs/security.md, "Answer times").
const (
	readyBudget  = time.Second
	reviewBudget = 30 * time.Second // a review may be rebuilt from a whole stream
)

// deadlines gives each request a deadline by route: websockets none (they
// live long; their handshake has its own), /readyz 1 s, ingest the ingest
// write timeout, reviews (and archiving, which keeps one) 30 s, everything
// else Config.RequestTimeout.
func (s *Server) deadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		d := s.budget(c)
		if d <= 0 {
			return next(c)
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), d)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

func (s *Server) budget(c echo.Context) time.Duration {
	path, method := c.Path(), c.Request().Method
	switch {
	case path == "/readyz":
		return readyBudget
	case path == "/ws" || strings.HasSuffix(path, "/ingest") || path == "/metrics":
		return 0
	case method == http.MethodPost && strings.HasSuffix(path, "/events") && s.deps.Ingest != nil:
		return s.deps.Ingest.Config().WriteTimeout
	case strings.HasSuffix(path, "/review") || strings.HasSuffix(path, "/archive"):
		return reviewBudget
	}
	return s.cfg.RequestTimeout
}
