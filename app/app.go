// Package app wires LiveDeck's parts — Redis, ingest, live metrics, rules,
// the HTTP server and websocket hub — into one runnable unit with Run and
// Close, so the binary and end-to-end tests start the same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/console"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/gateway"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/redisx"
	"github.com/livedeck/livedeck/review"
	"github.com/livedeck/livedeck/rules"
	"github.com/livedeck/livedeck/server"
)

// Config is everything `livedeck serve` and `livedeck demo` take.
type Config struct {
	RedisURL string // required
	Instance string // this instance's name in leases and logs; zero means hostname-pid
	// BannedTerms is a YAML file of the absolute terms cues are checked
	// for (the shape of rules/banned_terms.yaml); zero means the built-in list.
	BannedTerms string
	// WebhookAllow is a comma-separated list of CIDRs or addresses that
	// rule webhooks may reach although they are internal (loopback,
	// private, link-local, metadata); zero allows none.
	WebhookAllow string

	Server server.Config
	Hub    server.HubConfig // the metrics budget (MetricsInterval, MetricsBurst); New sets the rest
	Live   live.Config
	Ingest ingest.Config
	Auth   auth.Config
	Redis  redisx.Options
	Review review.Limits
}

// Validate reports the first configuration error, in words a user can act on.
func (c *Config) Validate() error {
	if c.RedisURL == "" {
		return errors.New("no Redis: set --redis or LIVEDECK_REDIS_URL (e.g. redis://127.0.0.1:6379)")
	}
	if _, err := redisx.ParseURL(c.RedisURL, c.Redis); err != nil {
		return err
	}
	if _, err := rules.ParseAllowList(c.WebhookAllow); err != nil {
		return err
	}
	if err := c.Auth.Validate(); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if err := c.Ingest.Validate(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if err := c.Server.Validate(); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if err := c.Review.Validate(); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	return nil
}

// App is a running LiveDeck instance.
type App struct {
	cfg      Config
	log      *slog.Logger
	rdb      redis.UniversalClient
	blocking redis.UniversalClient // blocking stream reads only
	proc     *live.Processor
	ingest   *ingest.Service
	rules    *rules.Service
	auth     *auth.Service
	hub      *server.Hub
	hubBlock redis.UniversalClient // the hub's blocking signal reads only
	registry *prometheus.Registry
	srv      *server.Server
	listener net.Listener
}

// New connects to Redis and builds every part. It fails fast — within the
// Redis dial timeout — when Redis is unreachable.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Instance == "" {
		h, _ := os.Hostname()
		cfg.Instance = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	a := &App{cfg: cfg, log: log, registry: prometheus.NewRegistry()}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	pctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	rdb, err := redisx.New(pctx, cfg.RedisURL, cfg.Redis)
	if err != nil {
		return nil, err
	}
	a.rdb = rdb
	rm := redisx.NewMetrics(a.registry)
	rm.Instrument(rdb, "main")
	rm.Probed(true) // New just pinged it

	cfg.Live.Instance = cfg.Instance
	bopts := cfg.Redis
	bopts.PoolSize = max(cfg.Live.MaxRooms, 512) + 8
	if a.blocking, err = redisx.Open(cfg.RedisURL, bopts); err != nil {
		a.Close()
		return nil, err
	}
	rm.Instrument(a.blocking, "blocking")
	var rcfg rules.EngineConfig
	rcfg.Webhooks.Policy.Allow, _ = rules.ParseAllowList(cfg.WebhookAllow) // checked by Validate
	if cfg.BannedTerms != "" {
		if rcfg.Banned, err = rules.LoadBannedTerms(cfg.BannedTerms); err != nil {
			a.Close()
			return nil, fmt.Errorf("banned terms: %w", err)
		}
	}
	a.rules = rules.NewService(rdb, rcfg, rules.NewMetrics(a.registry))
	a.proc, err = live.New(cfg.Live, rdb, a.blocking, a.rules.Engine, a.registry, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.ingest, err = ingest.New(rdb, a.registry, cfg.Ingest); err != nil {
		a.Close()
		return nil, err
	}
	if a.auth, err = auth.New(rdb, cfg.Auth, a.registry); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Auth.PublicOrigin != "" {
		cfg.Server.AllowedOrigins = append(cfg.Server.AllowedOrigins, cfg.Auth.PublicOrigin)
	}
	hopts := cfg.Redis
	hopts.PoolSize = 256 // one blocking XREAD per room with console clients on this instance
	if a.hubBlock, err = redisx.Open(cfg.RedisURL, hopts); err != nil {
		a.Close()
		return nil, err
	}
	rm.Instrument(a.hubBlock, "hub")
	a.hub = server.NewHub(server.HubConfig{Instance: cfg.Instance,
		MetricsInterval: cfg.Hub.MetricsInterval, MetricsBurst: cfg.Hub.MetricsBurst,
		// Processed rooms republish at least every second; five without
		// one means the room lost its processor or its backlog grows.
		ProcessingLag: 5 * time.Second, RedisProbed: rm.Probed}, rdb, a.hubBlock, a.registry, log)
	a.srv, err = server.New(cfg.Server, server.Deps{Redis: rdb, Registry: a.registry, Logger: log,
		Series: &live.SeriesStore{RDB: rdb}, Console: console.FS(), Ingest: a.ingest, Hub: a.hub, Rules: a.rules, Auth: a.auth,
		Review:     &review.Store{RDB: rdb, Text: a.proc.Text(), Limits: cfg.Review, Metrics: review.NewMetrics(a.registry)},
		Connectors: gateway.New(rdb, a.ingest, a.registry, gateway.Config{})})
	if err != nil {
		a.Close()
		return nil, err
	}
	// Shutdown: stop taking batches and let those in flight be acknowledged
	// before the HTTP server stops waiting for requests.
	a.srv.OnShutdown(func() { _ = a.ingest.Close() })
	if a.listener, err = a.srv.Listen(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Auth is the app's identity and access service.
func (a *App) Auth() *auth.Service { return a.auth }

// Redis is the app's Redis client.
func (a *App) Redis() redis.UniversalClient { return a.rdb }

// Run serves until ctx ends, then shuts every part down gracefully.
func (a *App) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.srv.Serve(gctx, a.listener) })
	g.Go(func() error { return a.proc.Run(gctx) })
	g.Go(func() error { return a.hub.Run(gctx) })
	g.Go(func() error { return a.rules.Engine.Run(gctx) })
	a.log.Info("livedeck serving", "addr", a.Addr(), "instance", a.cfg.Instance, "redis", redisx.Redact(a.cfg.RedisURL))
	return g.Wait()
}

// Close releases what New acquired.
func (a *App) Close() error {
	if a.listener != nil {
		a.listener.Close()
	}
	for _, c := range []redis.UniversalClient{a.blocking, a.hubBlock} {
		if c != nil {
			c.Close()
		}
	}
	if a.rdb != nil {
		return a.rdb.Close()
	}
	return nil
}
