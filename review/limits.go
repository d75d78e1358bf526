package review

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Building a review folds the room's whole stream: seconds of CPU and
// hundreds of MB for a million-event show. So on each instance requests for
// the same room and window share one build in flight (singleflight), built
// reviews are kept in a bounded LRU by (room, window, newest event and
// signal ids, room record), and at most Limits.MaxBuilds builds run at once;
// past that a request is refused with a BusyError (503, Retry-After).

// Limits bound the work reviews cause on one instance. Zero values take
// the defaults noted.
type Limits struct {
	MaxBuilds int // reviews built at once on this instance (--review-builds); zero means 2
	CacheSize int // built reviews kept in memory (--review-cache); zero means 32
	// BuildTimeout bounds one shared build, whoever waits for it; zero
	// means 2 min.
	BuildTimeout time.Duration
}

func (l *Limits) setDefaults() {
	if l.MaxBuilds <= 0 {
		l.MaxBuilds = 2
	}
	if l.CacheSize <= 0 {
		l.CacheSize = 32
	}
	if l.BuildTimeout <= 0 {
		l.BuildTimeout = 2 * time.Minute
	}
}

// Validate reports the first configuration error.
func (l Limits) Validate() error {
	if l.MaxBuilds < 0 || l.CacheSize < 0 {
		return fmt.Errorf("review builds %d and cache %d: want 0 (default) or more", l.MaxBuilds, l.CacheSize)
	}
	return nil
}

// BusyError refuses a review while MaxBuilds others are being built.
type BusyError struct {
	Err   *livedeck.Error
	After time.Duration
}

func (e *BusyError) Error() string { return e.Err.Error() }
func (e *BusyError) Unwrap() error { return e.Err }

// RetryAfterSeconds is the Retry-After header value, at least 1.
func (e *BusyError) RetryAfterSeconds() int { return max(1, int((e.After+time.Second-1)/time.Second)) }

// busyRetry is the wait a refused caller is told: about one build.
const busyRetry = 5 * time.Second

// Metrics count review builds; no room ids in labels.
type Metrics struct {
	builds   prometheus.Counter
	requests *prometheus.CounterVec
	building prometheus.Gauge
}

// Request outcomes, the requests metric's label.
const (
	outBuilt   = "built"   // this request's build
	outShared  = "shared"  // waited for another request's build
	outCached  = "cached"  // served from the cache or the saved review
	outRefused = "refused" // MaxBuilds reached
)

// NewMetrics registers the review metrics with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		builds: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "livedeck", Subsystem: "review", Name: "builds_total",
			Help: "Reviews built from a room's streams on this instance.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "livedeck", Subsystem: "review", Name: "requests_total",
			Help: "Review requests by outcome: built, shared (an in-flight build), cached, refused (too many builds).",
		}, []string{"outcome"}),
		building: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "livedeck", Subsystem: "review", Name: "builds_in_progress",
			Help: "Reviews being built on this instance now.",
		}),
	}
	for _, o := range []string{outBuilt, outShared, outCached, outRefused} {
		m.requests.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.builds, m.requests, m.building)
	}
	return m
}

func (m *Metrics) request(outcome string) {
	if m != nil {
		m.requests.WithLabelValues(outcome).Inc()
	}
}

// builds is the sharing, cache and build slots of a Store.
type builds struct {
	once  sync.Once
	group singleflight.Group
	cache *lru.Cache[string, *Review]
	slots chan struct{}
}

func (s *Store) init() {
	s.b.once.Do(func() {
		s.Limits.setDefaults()
		s.b.cache, _ = lru.New[string, *Review](s.Limits.CacheSize) // only a size ≤ 0 fails
		s.b.slots = make(chan struct{}, s.Limits.MaxBuilds)
	})
}

// shared returns room's review of window: from the cache when the room's
// streams have not moved since it was built, else from one build shared
// by every request for the room and window meanwhile. The review returned
// may be shared: callers must not change it.
func (s *Store) shared(ctx context.Context, room livedeck.Room, window int, save bool) (*Review, error) {
	s.init()
	heads, err := s.heads(ctx, room.ID)
	if err != nil {
		return nil, err
	}
	flight := room.ID + "\x00" + strconv.Itoa(window) + "\x00" + roomHash(room)
	key := flight + "\x00" + heads
	if r, ok := s.b.cache.Get(key); ok {
		s.Metrics.request(outCached)
		return r, nil
	}
	ch := s.b.group.DoChan(flight, func() (any, error) {
		// Detached from the first caller: the others wait for it too.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Limits.BuildTimeout)
		defer cancel()
		return s.buildLimited(bctx, room, window, key, save)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		if res.Shared {
			s.Metrics.request(outShared)
		}
		return res.Val.(*Review), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// buildLimited builds in one of MaxBuilds slots, or refuses at once.
func (s *Store) buildLimited(ctx context.Context, room livedeck.Room, window int, key string, save bool) (*Review, error) {
	select {
	case s.b.slots <- struct{}{}:
	default:
		s.Metrics.request(outRefused)
		return nil, &BusyError{After: busyRetry, Err: livedeck.Errorf(livedeck.EUNAVAILABLE, "",
			"review of room %s: %d reviews are being built on this instance (--review-builds); retry in %s", room.ID, s.Limits.MaxBuilds, busyRetry)}
	}
	defer func() { <-s.b.slots }()
	if s.Metrics != nil {
		s.Metrics.building.Inc()
		defer s.Metrics.building.Dec()
		s.Metrics.builds.Inc()
	}
	s.Metrics.request(outBuilt)
	if s.OnBuild != nil {
		s.OnBuild(room.ID)
	}
	r, err := s.Build(ctx, room, window)
	if err != nil {
		return nil, err
	}
	if r.KeywordsPending {
		return r, nil // neither kept nor cached: keywords were not counted yet
	}
	if save {
		if err := s.Save(ctx, r); err != nil {
			return nil, err
		}
	}
	s.b.cache.Add(key, r)
	return r, nil
}

// heads names the newest entry of the room's event and signal streams.
func (s *Store) heads(ctx context.Context, room string) (string, error) {
	k := redisx.Room(room)
	p := s.RDB.Pipeline()
	ev := p.XRevRangeN(ctx, k.Events(), "+", "-", 1)
	sig := p.XRevRangeN(ctx, k.Signals(), "+", "-", 1)
	if _, err := p.Exec(ctx); err != nil {
		return "", unavailable(room, "stream heads", err)
	}
	id := func(msgs []redis.XMessage) string {
		if len(msgs) == 0 {
			return ""
		}
		return msgs[0].ID
	}
	return id(ev.Val()) + "\x00" + id(sig.Val()), nil
}

// roomHash stands for the room record a review is built with (title,
// line-up, status).
func roomHash(room livedeck.Room) string {
	b, _ := json.Marshal(room)
	h := fnv.New64a()
	_, _ = h.Write(b)
	return strconv.FormatUint(h.Sum64(), 16)
}
