// Package gateway runs platform deliveries through connector adapters into
// the ingest service. It keeps each room's connectors in Redis (settings
// and platform secrets per source), checks platform signatures, counts
// per-source statistics and keeps messages that failed mapping as dead
// letters to replay once the mapping is fixed.
package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/ttlcache"
)

// Config tunes the gateway. Zero values take the defaults noted.
type Config struct {
	DeadLetterMaxLen int64         // zero means 10,000: approximate MAXLEN of each room's dead-letter stream
	DeadLetterBody   int           // zero means 64 KiB: largest delivery body kept with a dead letter to replay it whole
	SecretOverlap    time.Duration // zero means 1 h: how long a replaced secret still verifies
}

func (c *Config) setDefaults() {
	if c.DeadLetterMaxLen == 0 {
		c.DeadLetterMaxLen = 10_000
	}
	if c.DeadLetterBody == 0 {
		c.DeadLetterBody = 64 << 10
	}
	if c.SecretOverlap == 0 {
		c.SecretOverlap = time.Hour
	}
}

// Service is the gateway. It is safe for concurrent use.
type Service struct {
	rdb    redis.UniversalClient
	ingest *ingest.Service
	cfg    Config
	m      *Metrics
	now    func() time.Time
	routes *ttlcache.Cache[routeKey, *Saved]
}

// New builds the gateway over the ingest service; reg receives its metrics.
func New(rdb redis.UniversalClient, svc *ingest.Service, reg prometheus.Registerer, cfg Config) *Service {
	cfg.setDefaults()
	return &Service{rdb: rdb, ingest: svc, cfg: cfg, m: NewMetrics(reg), now: time.Now,
		routes: ttlcache.New[routeKey, *Saved](routeTTL, maxRoutes)}
}
