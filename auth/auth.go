// Package auth decides who a caller is and what it may do: users with
// bcrypt passwords and console sessions, hashed API tokens and per-room host
// links scoped to a role and rooms, HMAC-signed webhooks, rate limits shared
// by every instance, and the audit log. Everything lives in Redis, so any
// instance answers any request. HTTP wiring is in server/ (auth_http.go,
// policy.go); this package knows nothing of echo.
package auth

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/ttlcache"
)

// Config tunes authentication. Zero values take the defaults noted.
type Config struct {
	// AdminToken is the bootstrap admin bearer token (LIVEDECK_ADMIN_TOKEN
	// or LIVEDECK_ADMIN_TOKEN_FILE), at least 32 characters; empty: none.
	AdminToken string
	// MetricsToken, if set, is required as a bearer token on GET /metrics;
	// empty: /metrics is public and must be firewalled.
	MetricsToken string

	SessionTTL time.Duration // zero means 12 h, a long show
	BcryptCost int           // zero means bcrypt.DefaultCost (10)
	// PublicOrigin is the console's URL as browsers see it behind a proxy,
	// e.g. https://live.example.com: an https origin makes session cookies
	// Secure (served over TLS directly, they always are) and the origin is
	// allowed to open websockets. Empty: none.
	PublicOrigin string

	MaxConnsPerUser int // websocket connections per principal per instance; zero means 20
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed for the
	// client IP used by rate limits and the audit log; empty: the peer address.
	TrustedProxies []string

	Limits      Limits
	AuditMaxLen int64 // approximate length the audit stream is trimmed to; zero means 100,000

	// LookupTTL is how long an instance reuses an API token, host link,
	// session or webhook secret it read from Redis: a revocation, logout,
	// user change or secret change made on another instance applies here
	// within it (on the instance that made it, at once). Zero means 1 s,
	// negative: read Redis on every request; at most 10 s.
	LookupTTL time.Duration
}

// Limits are the shared rate limits (GCRA in Redis). Zero values take the
// defaults noted.
type Limits struct {
	LoginPerIP      redis_rate.Limit // login attempts per client IP; zero means 10/min
	LoginPerUser    redis_rate.Limit // failed logins per user name; zero means 10/min
	APIPerIP        redis_rate.Limit // every request per client IP; zero means 100/s, burst 200
	APIPerPrincipal redis_rate.Limit // API requests per user or token; zero means 50/s, burst 100
	IngestPerCred   redis_rate.Limit // ingest requests per token or webhook; zero means 200/s, burst 400

	// Block is how much of the per-IP, per-principal and ingest limits an
	// instance takes from Redis at once, as time at the limit's rate: zero
	// means 50 ms (a block of 5 at 100/s, 10 at 200/s), negative: one
	// request at a time. Instances together may admit up to one block each
	// beyond a limit. Login limits always ask Redis per attempt.
	Block time.Duration
}

func (c *Config) setDefaults() {
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.MaxConnsPerUser == 0 {
		c.MaxConnsPerUser = 20
	}
	if c.AuditMaxLen == 0 {
		c.AuditMaxLen = 100_000
	}
	if c.LookupTTL == 0 {
		c.LookupTTL = time.Second
	}
	l := &c.Limits
	if l.Block == 0 {
		l.Block = 50 * time.Millisecond
	}
	setLimit(&l.LoginPerIP, redis_rate.PerMinute(10))
	setLimit(&l.LoginPerUser, redis_rate.PerMinute(10))
	setLimit(&l.APIPerIP, redis_rate.Limit{Rate: 100, Burst: 200, Period: time.Second})
	setLimit(&l.APIPerPrincipal, redis_rate.Limit{Rate: 50, Burst: 100, Period: time.Second})
	setLimit(&l.IngestPerCred, redis_rate.Limit{Rate: 200, Burst: 400, Period: time.Second})
}

func setLimit(l *redis_rate.Limit, v redis_rate.Limit) {
	if l.IsZero() {
		*l = v
	}
}

// Validate reports the first configuration error.
func (c Config) Validate() error {
	if c.AdminToken != "" && len(c.AdminToken) < 32 {
		return errors.New("admin token: at least 32 characters (openssl rand -hex 32)")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return errors.New("metrics token: at least 16 characters")
	}
	if c.BcryptCost != 0 && (c.BcryptCost < bcrypt.MinCost || c.BcryptCost > bcrypt.MaxCost) {
		return fmt.Errorf("bcrypt cost %d: want %d to %d", c.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if c.PublicOrigin != "" {
		u, err := url.Parse(c.PublicOrigin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("public origin %q: want scheme://host[:port], e.g. https://live.example.com", c.PublicOrigin)
		}
	}
	if c.LookupTTL > maxLookupTTL {
		return fmt.Errorf("lookup TTL %s: at most %s, so revocations apply promptly", c.LookupTTL, maxLookupTTL)
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return fmt.Errorf("trusted proxy %q: want a CIDR such as 10.0.0.0/8", p)
		}
	}
	return nil
}

// maxLookupTTL bounds Config.LookupTTL: how late a revocation may apply on
// other instances.
const maxLookupTTL = 10 * time.Second

// lookupCacheMax bounds each lookup cache's entries.
const lookupCacheMax = 1 << 16

// Service authenticates callers and keeps users, tokens, sessions, host
// links, webhook secrets and the audit log in Redis.
type Service struct {
	rdb     redis.UniversalClient
	cfg     Config
	limiter *redis_rate.Limiter
	blocks  *blockLimiter // the API and ingest limits, a block at a time
	conns   *ConnLimiter
	m       *Metrics
	now     func() time.Time

	proxies     []netip.Prefix // TrustedProxies
	adminHash   [32]byte       // SHA-256 of AdminToken, if any
	metricsHash [32]byte
	dummyHash   []byte // compared against for unknown users, so timing tells nothing

	// Lookups reused for Config.LookupTTL (cache.go).
	tokens   *ttlcache.Cache[[32]byte, Token]       // by SHA-256 of the secret
	sessions *ttlcache.Cache[[32]byte, sessionUser] // by SHA-256 of the cookie
	secrets  *ttlcache.Cache[roomSource, webhookSecret]
}

// New builds the service. reg may be nil.
func New(rdb redis.UniversalClient, cfg Config, reg prometheus.Registerer) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	dummy, err := bcrypt.GenerateFromPassword([]byte("livedeck timing equaliser"), cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("bcrypt: %w", err)
	}
	limiter := redis_rate.NewLimiter(rdb)
	s := &Service{
		rdb: rdb, cfg: cfg, limiter: limiter, blocks: newBlockLimiter(limiter, cfg.Limits.Block),
		conns: NewConnLimiter(cfg.MaxConnsPerUser), m: NewMetrics(reg), now: time.Now, dummyHash: dummy,
		proxies:  parsePrefixes(cfg.TrustedProxies),
		tokens:   ttlcache.New[[32]byte, Token](cfg.LookupTTL, lookupCacheMax),
		sessions: ttlcache.New[[32]byte, sessionUser](cfg.LookupTTL, lookupCacheMax),
		secrets:  ttlcache.New[roomSource, webhookSecret](cfg.LookupTTL, lookupCacheMax),
	}
	if cfg.AdminToken != "" {
		s.adminHash = sha256.Sum256([]byte(cfg.AdminToken))
	}
	if cfg.MetricsToken != "" {
		s.metricsHash = sha256.Sum256([]byte(cfg.MetricsToken))
	}
	return s, nil
}

// Config returns the configuration with defaults applied.
func (s *Service) Config() Config { return s.cfg }

// Metrics returns the service's counters.
func (s *Service) Metrics() *Metrics { return s.m }

// Conns is the per-principal websocket connection limiter.
func (s *Service) Conns() *ConnLimiter { return s.conns }

// nowMs is the current time in Unix milliseconds.
func (s *Service) nowMs() int64 { return s.now().UnixMilli() }

// unavailable turns a Redis failure into a 503 naming what failed.
func unavailable(what string, err error) error {
	return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "%s: redis unavailable: %v", what, err)
}
