// Package server is LiveDeck's HTTP face: echo routes for the API, the
// websocket hub that feeds the console, health and Prometheus endpoints, and
// the embedded console app. Echo-specific code stays in this package.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/gateway"
	"github.com/livedeck/livedeck/review"
	"github.com/livedeck/livedeck/rules"
)

// Config is the HTTP server's configuration.
type Config struct {
	Addr string // listen address; zero means 127.0.0.1:8080

	ReadHeaderTimeout time.Duration // zero means 5 s
	ReadTimeout       time.Duration // zero means 30 s
	WriteTimeout      time.Duration // zero means 30 s
	IdleTimeout       time.Duration // zero means 120 s
	ShutdownTimeout   time.Duration // zero means 8 s; the process must exit within 10 s
	RequestTimeout    time.Duration // zero means 5 s: the deadline of an API request's Redis calls (see deadline.go for the exceptions)

	AllowedOrigins []string // websocket Origins allowed besides the server's own host
}

func (c *Config) setDefaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	set(&c.ReadHeaderTimeout, 5*time.Second)
	set(&c.ReadTimeout, 30*time.Second)
	set(&c.WriteTimeout, 30*time.Second)
	set(&c.IdleTimeout, 120*time.Second)
	set(&c.ShutdownTimeout, 8*time.Second)
	set(&c.RequestTimeout, 5*time.Second)
}

// Validate reports the first configuration error.
func (c Config) Validate() error {
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("addr %q: %w", c.Addr, err)
		}
	}
	return nil
}

// Deps are the parts the routes serve. Each part adds its field here and its
// route group in routes.go.
type Deps struct {
	Redis    redis.UniversalClient
	Registry *prometheus.Registry
	Logger   *slog.Logger
	Series   SeriesReader // nil: no series route
	Console  fs.FS        // the built web console; nil: none

	Ingest *ingest.Service // rooms and event ingest; nil: no such routes
	Hub    *Hub            // console websocket hub (GET /ws); nil: no such route
	Auth   *auth.Service   // authentication and policy; nil: every route open (tests of other parts only)
	Rules  *rules.Service  // rule sets, pricing and gifts; nil: no such routes
	Review *review.Store   // post-broadcast reviews; nil: no such routes

	Connectors *gateway.Service // platform formats at ingest, connector settings, dead letters; nil: none

	Location *time.Location // for times in exported reviews; nil: the process's local zone
}

// Server serves HTTP until its context ends.
type Server struct {
	cfg     Config
	deps    Deps
	echo    *echo.Echo
	http    *http.Server
	metrics *httpMetrics
	log     *slog.Logger

	// onShutdown run after the listener stops accepting, before in-flight
	// requests are drained (e.g. closing websockets with a close frame).
	onShutdown []func()
}

// New builds a server; Run starts it.
func New(cfg Config, deps Deps) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, deps: deps, echo: echo.New(), log: deps.Logger}
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	s.metrics = newHTTPMetrics(deps.Registry)
	s.routes()
	s.http = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.echo,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(deps.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Handler exposes the routes, for tests that use httptest.
func (s *Server) Handler() http.Handler { return s.echo }

// OnShutdown registers f to run when shutdown begins.
func (s *Server) OnShutdown(f func()) { s.onShutdown = append(s.onShutdown, f) }

// Listen binds the address, so callers learn a port chosen by ":0" before Run.
func (s *Server) Listen() (net.Listener, error) {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", s.cfg.Addr, err)
	}
	return l, nil
}

// Serve serves on l until ctx ends, then shuts down gracefully: it stops
// accepting, runs the shutdown hooks and waits for in-flight requests up to
// the shutdown timeout.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.http.SetKeepAlivesEnabled(false)
	for _, f := range s.onShutdown {
		f()
	}
	err := s.http.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}
