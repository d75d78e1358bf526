package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/redisx"
)

// rateFlags are the per-second limits set by flag; applied after parsing.
type rateFlags struct{ ingest, api, principal int }

func (r rateFlags) apply(cfg *app.Config) {
	if r.ingest > 0 {
		cfg.Auth.Limits.IngestPerCred = redis_rate.PerSecond(r.ingest)
		cfg.Auth.Limits.IngestPerCred.Burst = 2 * r.ingest
	}
	if r.principal > 0 {
		cfg.Auth.Limits.APIPerPrincipal = redis_rate.PerSecond(r.principal)
		cfg.Auth.Limits.APIPerPrincipal.Burst = 2 * r.principal
	}
	if r.api > 0 {
		cfg.Auth.Limits.APIPerIP = redis_rate.PerSecond(r.api)
		cfg.Auth.Limits.APIPerIP.Burst = 2 * r.api
	}
}

// serveFlags registers the flags serve and demo share.
func serveFlags(fs *flagSet, cfg *app.Config, limits *rateFlags) {
	fs.String(&cfg.RedisURL, "redis", "LIVEDECK_REDIS_URL", "", "Redis URL: redis://host:6379/0, rediss://…, or redis+cluster://host:7000?addr=host2:7001 for Redis Cluster")
	fs.String(&cfg.Server.Addr, "addr", "LIVEDECK_ADDR", "127.0.0.1:8080", "HTTP listen address")
	fs.String(&cfg.Instance, "instance", "LIVEDECK_INSTANCE", "", "instance name for leases and logs (default hostname-pid)")
	fs.Int(&cfg.Ingest.MaxBatchEvents, "max-batch", "LIVEDECK_MAX_BATCH", 10000, "most events in one ingest request (more is 413)")
	fs.Int(&cfg.Ingest.MaxInFlightEvents, "max-inflight-events", "LIVEDECK_MAX_INFLIGHT_EVENTS", 200000, "events being written at once before ingest answers 429")
	fs.Duration(&cfg.Ingest.DedupeWindow, "dedupe-window", "LIVEDECK_DEDUPE_WINDOW", 48*time.Hour, "how long an event id (or order id + status) is remembered, at least 24h")
	fs.Duration(&cfg.Ingest.WriteTimeout, "ingest-write-timeout", "LIVEDECK_INGEST_WRITE_TIMEOUT", 5*time.Second, "longest an ingest request may take, authentication included, before 503 (nothing acknowledged)")
	fs.Duration(&cfg.Server.RequestTimeout, "request-timeout", "LIVEDECK_REQUEST_TIMEOUT", 5*time.Second, "deadline of an API request's Redis calls (readyz 1 s, reviews 30 s)")
	fs.Int64Var(&cfg.Ingest.StreamMaxLen, "stream-maxlen", 1000000, "approximate length of each room's event stream, in events; must exceed any processing backlog (env LIVEDECK_STREAM_MAXLEN)")
	fs.env["stream-maxlen"] = "LIVEDECK_STREAM_MAXLEN"
	fs.Int(&cfg.Ingest.PackEvents, "stream-pack", "LIVEDECK_STREAM_PACK", 100, "most events in one entry of a room's event stream; 1 writes one entry per event, which LiveDeck versions before packed entries can read: use it while such instances share the Redis")
	fs.String(&cfg.Auth.PublicOrigin, "public-origin", "LIVEDECK_PUBLIC_ORIGIN", "", "the console's URL behind a proxy, e.g. https://live.example.com (https makes session cookies Secure)")
	fs.Duration(&cfg.Hub.MetricsInterval, "ws-metrics-interval", "LIVEDECK_WS_METRICS_INTERVAL", 100*time.Millisecond, "a room's live-numbers budget on the console: one message per interval on average; a room within it gets every update at once, one over it the newest per interval")
	fs.Int(&cfg.Hub.MetricsBurst, "ws-metrics-burst", "LIVEDECK_WS_METRICS_BURST", 3, "live-numbers messages a room may send at once after a quiet spell (with --ws-metrics-interval)")
	fs.Int(&cfg.Auth.MaxConnsPerUser, "max-ws-per-user", "LIVEDECK_MAX_WS_PER_USER", 20, "websocket connections per user or token on each instance")
	fs.Int(&limits.ingest, "ingest-limit", "LIVEDECK_INGEST_LIMIT", 200, "ingest requests per second per token or webhook (burst twice that)")
	fs.Int(&limits.principal, "api-user-limit", "LIVEDECK_API_USER_LIMIT", 50, "API requests (websocket upgrades included) per second per user or token (burst twice that)")
	fs.Int(&limits.api, "api-ip-limit", "LIVEDECK_API_IP_LIMIT", 100, "requests per second per client IP (burst twice that)")
	fs.String(&cfg.BannedTerms, "banned-terms", "LIVEDECK_BANNED_TERMS", "", "YAML file of absolute terms cue texts are checked for (default: the built-in list, rules/banned_terms.yaml)")
	fs.String(&cfg.WebhookAllow, "webhook-allow", "LIVEDECK_WEBHOOK_ALLOW", "", "comma-separated CIDRs or addresses rule webhooks may reach although internal (loopback, private, link-local, metadata), e.g. 10.1.2.0/24; default none")
	fs.String(&cfg.Live.Classifier, "classifier", "LIVEDECK_CLASSIFIER", "", "YAML file of comment keyword lists (default: built-in lists)")
	fs.Int(&cfg.Review.MaxBuilds, "review-builds", "LIVEDECK_REVIEW_BUILDS", 2, "reviews built from a room's stream at once on this instance; more are refused with 503 and Retry-After")
	fs.Int(&cfg.Review.CacheSize, "review-cache", "LIVEDECK_REVIEW_CACHE", 32, "built reviews kept in memory on this instance, by room, window and newest stream ids")
	fs.Duration(&cfg.Live.StaleAfter, "stale-after", "LIVEDECK_STALE_AFTER", 30*time.Second, "a source silent this long is marked stale on the dashboard, with the numbers it feeds")
	fs.Int(&cfg.Live.MaxRooms, "max-rooms", "LIVEDECK_MAX_ROOMS", 512, "most rooms this instance processes at once; more wait for an owner (metric livedeck_live_rooms_waiting)")
	fs.Duration(&cfg.Live.ClosedGrace, "closed-grace", "LIVEDECK_CLOSED_GRACE", 10*time.Minute, "how long a closed room is still processed; after it the room rests until a late event (a refund) wakes it")
	fs.Duration(&cfg.Ingest.ArchiveRetention, "archive-retention", "LIVEDECK_ARCHIVE_RETENTION", 720*time.Hour, "how long an archived room keeps its event stream, dedupe sets and dead letters (its kept review stays until deleted)")
}

func cmdServe(ctx context.Context, args []string) error {
	var (
		cfg     app.Config
		limits  rateFlags
		proxies string
		pprofAt string
	)
	fs := newFlagSet("serve", "Runs the LiveDeck server against a Redis (standalone or Cluster). Several instances may share one Redis.\nThe bootstrap admin credential comes from LIVEDECK_ADMIN_TOKEN or LIVEDECK_ADMIN_TOKEN_FILE.")
	serveFlags(fs, &cfg, &limits)
	fs.String(&proxies, "trusted-proxies", "LIVEDECK_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (rate limits, audit); others' is ignored")
	fs.String(&pprofAt, "pprof-addr", "LIVEDECK_PPROF_ADDR", "", "serve Go profiles (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060; default off")
	if err := fs.parse(args); err != nil {
		return err
	}
	limits.apply(&cfg)
	if proxies != "" {
		for _, p := range strings.Split(proxies, ",") {
			cfg.Auth.TrustedProxies = append(cfg.Auth.TrustedProxies, strings.TrimSpace(p))
		}
	}
	if err := auth.SecretsFromEnv(&cfg.Auth, os.Getenv); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	redisx.RouteLogs(log)
	if pprofAt != "" {
		if err := servePprof(ctx, pprofAt, log); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Auth().RequireAdmin(ctx); err != nil {
		return err // says how to set LIVEDECK_ADMIN_TOKEN or _FILE
	}
	return a.Run(ctx)
}
