package server

import "github.com/labstack/echo/v4/middleware"

// routes lists every route group. Parts add their group here.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.Recover())
	e.Use(s.requestIDs()) // requestid.go: X-Request-Id in logs, error bodies and audit entries
	e.Use(s.metrics.middleware)
	e.Use(securityHeaders)
	e.Use(s.deadlines) // deadline.go: every Redis call under the route's budget
	e.Use(s.authorize) // policy.go: who may call each route

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET("/api/openapi.yaml", s.openapi)

	api := e.Group("/api/v1")
	s.authRoutes(api)
	s.liveRoutes(api)
	s.ingestRoutes(api)
	s.connectorRoutes(api)
	s.rulesRoutes(api)
	s.reviewRoutes(api)
	s.roomLifecycleRoutes(api)
	s.wsRoutes()
	s.consoleRoutes()
}
