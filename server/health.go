package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether this instance can serve: Redis must answer.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyBudget-100*time.Millisecond)
	defer cancel()
	if err := s.deps.Redis.Ping(ctx).Err(); err != nil {
		// The cause goes to the log, not to whoever asks: it names
		// addresses and internals.
		s.log.Warn("not ready: redis does not answer", "request_id", requestID(c), "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "redis": "unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "redis": "ok"})
}

func (s *Server) metricsHandler() echo.HandlerFunc {
	h := promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{ErrorLog: nil, Registry: s.deps.Registry})
	return echo.WrapHandler(h)
}
