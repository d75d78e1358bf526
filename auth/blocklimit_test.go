package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// countingSource counts the calls a limiter makes to Redis.
type countingSource struct {
	permitSource
	calls atomic.Int64
}

func (c *countingSource) AllowAtMost(ctx context.Context, key string, limit redis_rate.Limit, n int) (*redis_rate.Result, error) {
	c.calls.Add(1)
	return c.permitSource.AllowAtMost(ctx, key, limit, n)
}

// daily is a limit whose bucket refills one permit every 864 s: nothing
// refills while a test runs, so admissions can be counted exactly.
var daily = redis_rate.Limit{Rate: 100, Burst: 100, Period: 24 * time.Hour}

func TestBlockSize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit redis_rate.Limit
		slack time.Duration
		want  int
	}{
		{"per-IP default", redis_rate.Limit{Rate: 100, Burst: 200, Period: time.Second}, 50 * time.Millisecond, 5},
		{"ingest default", redis_rate.Limit{Rate: 200, Burst: 400, Period: time.Second}, 50 * time.Millisecond, 10},
		{"slow limit", redis_rate.Limit{Rate: 5, Burst: 5, Period: time.Second}, 50 * time.Millisecond, 1},
		{"per minute", redis_rate.PerMinute(10), 50 * time.Millisecond, 1},
		{"no blocks", redis_rate.PerSecond(100000), -1, 1},
		{"at most the burst", redis_rate.Limit{Rate: 1000, Burst: 20, Period: time.Second}, time.Second, 20},
		{"bench limits", redis_rate.PerSecond(100000), 50 * time.Millisecond, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := blockSize(tc.limit, tc.slack); got != tc.want {
				t.Fatalf("blockSize = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestBlockLimiterShared: instances sharing one Redis bucket admit exactly
// its permits between them, however requests are spread, and ask Redis
// about once per block. After the bucket refills (a reset here), they admit
// at most one block each beyond it: what they held from before.
func TestBlockLimiterShared(t *testing.T) {
	srv := redistest.Start(t)
	for _, tc := range []struct {
		name      string
		slack     time.Duration // block = 100 per day × slack
		instances int
		order     []int // which instance takes each request, repeated
		held      bool  // each instance takes one request, then the bucket refills
	}{
		{name: "one instance, blocks of 10", slack: 144 * time.Minute, instances: 1, order: []int{0}},
		{name: "one instance, blocks of 1", slack: -1, instances: 1, order: []int{0}},
		{name: "two instances in turn", slack: 144 * time.Minute, instances: 2, order: []int{0, 1}},
		{name: "two instances, one busier", slack: 144 * time.Minute, instances: 2, order: []int{0, 0, 0, 1}},
		{name: "three instances, blocks of 7", slack: 100 * time.Minute, instances: 3, order: []int{2, 0, 1, 1}},
		{name: "two instances holding blocks", slack: 144 * time.Minute, instances: 2, order: []int{0, 1}, held: true},
		{name: "three instances holding blocks of 1", slack: -1, instances: 3, order: []int{0, 1, 2}, held: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "test:" + tc.name
			block := blockSize(daily, tc.slack)
			src := &countingSource{permitSource: redis_rate.NewLimiter(srv.Client(t))}
			lims := make([]*blockLimiter, tc.instances)
			for i := range lims {
				lims[i] = newBlockLimiter(src, tc.slack)
			}
			if tc.held {
				for _, l := range lims {
					if ok, _, err := l.take(ctx, key, daily); !ok || err != nil {
						t.Fatalf("first request: %v %v", ok, err)
					}
				}
				if err := redis_rate.NewLimiter(srv.Client(t)).Reset(ctx, key); err != nil {
					t.Fatal(err)
				}
				src.calls.Store(0)
			}
			admitted, refusedBy := 0, map[int]bool{}
			for i := 0; len(refusedBy) < tc.instances; i++ {
				n := tc.order[i%len(tc.order)]
				if i > 10*daily.Burst {
					t.Fatalf("still admitting after %d requests", i)
				}
				ok, retry, err := lims[n].take(ctx, key, daily)
				switch {
				case err != nil:
					t.Fatal(err)
				case ok:
					admitted++
				case retry <= 0:
					t.Fatalf("refused with Retry-After %s", retry)
				default:
					refusedBy[n] = true
				}
			}
			want := daily.Burst
			if tc.held {
				want += tc.instances * (block - 1) // each held its block less the request it made
			}
			if limit := daily.Burst + tc.instances*block; admitted != want || admitted > limit {
				t.Fatalf("admitted %d, want %d (at most the limit %d + one block of %d per instance)", admitted, want, daily.Burst, block)
			}
			// Once refused, an instance answers locally until Retry-After.
			calls := src.calls.Load()
			for _, l := range lims {
				if ok, _, _ := l.take(ctx, key, daily); ok {
					t.Fatal("admitted after a refusal")
				}
			}
			if got := src.calls.Load(); got != calls {
				t.Fatalf("refused requests called Redis %d times", got-calls)
			}
			if maxCalls := int64(daily.Burst/block + 2*tc.instances); calls > maxCalls {
				t.Fatalf("%d calls to Redis for %d permits in blocks of %d: want at most %d", calls, daily.Burst, block, maxCalls)
			}
			// After Retry-After the next request asks Redis again.
			l := lims[0]
			l.now = func() time.Time { return time.Now().Add(daily.Period) }
			l.take(ctx, key, daily)
			if got := src.calls.Load(); got != calls+1 {
				t.Fatalf("after Retry-After: %d calls, want 1", got-calls)
			}
		})
	}
}

// TestBlockLimiterConcurrent: many requests at once on two instances admit
// exactly the bucket's permits (run with -race).
func TestBlockLimiterConcurrent(t *testing.T) {
	srv := redistest.Start(t)
	src := &countingSource{permitSource: redis_rate.NewLimiter(srv.Client(t))}
	lims := []*blockLimiter{newBlockLimiter(src, 144*time.Minute), newBlockLimiter(src, 144*time.Minute)}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for range 20 {
				ok, _, err := lims[g%2].take(ctx, "test:concurrent", daily)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got != int64(daily.Burst) {
		t.Fatalf("admitted %d of 320 requests, want exactly %d", got, daily.Burst)
	}
	if calls := src.calls.Load(); calls > int64(daily.Burst/10+2*len(lims)) {
		t.Fatalf("%d calls to Redis: a refill per waiting request?", calls)
	}
}

// TestBlockLimiterCancel: a request waiting for another's refill gives up
// with its context.
func TestBlockLimiterCancel(t *testing.T) {
	src := blockedSource{entered: make(chan struct{}), release: make(chan struct{})}
	l := newBlockLimiter(src, time.Hour)
	done := make(chan error)
	go func() {
		_, _, err := l.take(ctx, "k", daily)
		done <- err
	}()
	<-src.entered // the first request is refilling
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := l.take(cctx, "k", daily); !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting request: %v, want context.Canceled", err)
	}
	close(src.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// blockedSource says it was asked, then grants a block once release is
// closed.
type blockedSource struct{ entered, release chan struct{} }

func (b blockedSource) AllowAtMost(_ context.Context, _ string, _ redis_rate.Limit, n int) (*redis_rate.Result, error) {
	close(b.entered)
	<-b.release
	return &redis_rate.Result{Allowed: n, RetryAfter: -1}, nil
}

// TestServiceLimitsInBlocks: AllowIP and AllowPrincipal on two instances
// refuse with a RateLimitedError and count it, as before blocks.
func TestServiceLimitsInBlocks(t *testing.T) {
	srv := redistest.Start(t)
	limits := Limits{APIPerIP: daily, APIPerPrincipal: daily, IngestPerCred: daily, Block: 144 * time.Minute}
	var svcs []*Service
	for range 2 {
		s, err := New(srv.Client(t), Config{Limits: limits, BcryptCost: 4}, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, s)
	}
	p := &Principal{Kind: KindToken, ID: "t1", Role: Ingest, Rooms: []string{"a"}}
	for _, tc := range []struct {
		name  string
		class string
		allow func(s *Service) error
	}{
		{"per IP", ClassAPI, func(s *Service) error { return s.AllowIP(ctx, "192.0.2.1") }},
		{"ingest per token", ClassIngest, func(s *Service) error { return s.AllowPrincipal(ctx, ClassIngest, p) }},
		{"API per token", ClassAPI, func(s *Service) error { return s.AllowPrincipal(ctx, ClassAPI, p) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := testutil.ToFloat64(svcs[0].m.limited.WithLabelValues(tc.class)) +
				testutil.ToFloat64(svcs[1].m.limited.WithLabelValues(tc.class))
			admitted, refusals := 0, 0
			for i := range 2*daily.Burst + 10 {
				err := tc.allow(svcs[i%2])
				if err == nil {
					admitted++
					continue
				}
				refusals++
				var rl *RateLimitedError
				if !errors.As(err, &rl) || livedeck.ErrorCode(err) != livedeck.ERATELIMIT || rl.RetryAfterSeconds() < 1 {
					t.Fatalf("refusal %v: want a rate limit error with Retry-After", err)
				}
			}
			after := testutil.ToFloat64(svcs[0].m.limited.WithLabelValues(tc.class)) +
				testutil.ToFloat64(svcs[1].m.limited.WithLabelValues(tc.class))
			if admitted != daily.Burst || after-before != float64(refusals) {
				t.Fatalf("admitted %d, refusals %d counted %v: want %d admitted, every refusal counted", admitted, refusals, after-before, daily.Burst)
			}
		})
	}
}

// BenchmarkIngestAuth is what authenticating an ingest request asks of the
// service: the per-IP limit, the webhook secret (none), an API token and the
// ingest limit; "redis every request" turns blocks and caches off.
func BenchmarkIngestAuth(b *testing.B) {
	srv := redistest.Start(b)
	for _, bc := range []struct {
		name  string
		ttl   time.Duration
		block time.Duration
	}{
		{"blocks and cache", 0, 0},
		{"redis every request", -1, -1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			lim := redis_rate.PerSecond(1_000_000)
			s, err := New(srv.Client(b), Config{LookupTTL: bc.ttl, BcryptCost: 4,
				Limits: Limits{APIPerIP: lim, IngestPerCred: lim, Block: bc.block}}, nil)
			if err != nil {
				b.Fatal(err)
			}
			tok, err := s.CreateToken(ctx, admin, NewToken{Name: "feed", Role: "ingest", Rooms: []string{"a"}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.AllowIP(ctx, "192.0.2.1"); err != nil {
					b.Fatal(err)
				}
				if _, ok, err := s.WebhookSecret(ctx, "a", "bench"); ok || err != nil {
					b.Fatal(ok, err)
				}
				p, err := s.TokenPrincipal(ctx, tok.Secret)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.AllowPrincipal(ctx, ClassIngest, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
