package auth

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// blockLimiter fronts the shared GCRA buckets in Redis with a count per
// instance: it takes permits from a bucket a block at a time (redis_rate's
// AllowAtMost, one script call) and hands them out locally, so a busy key
// costs Redis one call per block instead of one per request. Every admitted
// request still spends a permit Redis granted, so the limits stay shared by
// all instances; the slack is timing only: permits an instance holds were
// granted earlier, so in any span the instances together admit at most what
// the bucket allows plus one block each.
//
// A refusal is remembered until its Retry-After: a GCRA bucket frees no
// permit sooner, whatever other instances do, so answering it locally is
// the same answer, and a flood over the limit costs Redis one call per
// Retry-After rather than one per request.
type blockLimiter struct {
	rl    permitSource
	slack time.Duration // a block is the limit's rate times slack; zero or less: blocks of 1
	now   func() time.Time
	max   int // keys held; at max, new keys ask Redis one request at a time

	mu        sync.Mutex
	keys      map[string]*localBucket
	lastSweep time.Time
}

// permitSource grants up to n permits of a shared bucket at once:
// *redis_rate.Limiter.
type permitSource interface {
	AllowAtMost(ctx context.Context, key string, limit redis_rate.Limit, n int) (*redis_rate.Result, error)
}

// localBucket is what an instance holds of one shared bucket.
type localBucket struct {
	permits      int           // granted by Redis, not used yet
	refusedUntil time.Time     // Redis refused: no permit before then
	used         time.Time     // last request, for the sweep
	filling      chan struct{} // closed when the refill in flight ends
}

// idleKey is how long an unused key is kept. Its leftover permits, at most
// one block, are then given up: the shared bucket has long refilled them.
const idleKey = time.Second

func newBlockLimiter(rl permitSource, slack time.Duration) *blockLimiter {
	return &blockLimiter{rl: rl, slack: slack, now: time.Now, max: 1 << 16, keys: make(map[string]*localBucket)}
}

// blockSize is how many permits one call to Redis takes for limit: its
// rate over slack, at least 1 and at most the burst.
func blockSize(limit redis_rate.Limit, slack time.Duration) int {
	if slack <= 0 || limit.Period <= 0 {
		return 1
	}
	n := int(float64(limit.Rate) * float64(slack) / float64(limit.Period))
	return max(1, min(n, limit.Burst))
}

// take admits one request on key's bucket; when it does not, retry says
// when one could be.
func (b *blockLimiter) take(ctx context.Context, key string, limit redis_rate.Limit) (ok bool, retry time.Duration, err error) {
	for {
		b.mu.Lock()
		now := b.now()
		lb := b.bucket(key, now)
		if lb == nil {
			b.mu.Unlock()
			return b.ask(ctx, key, limit, 1, nil)
		}
		lb.used = now
		switch {
		case now.Before(lb.refusedUntil):
			b.mu.Unlock()
			return false, lb.refusedUntil.Sub(now), nil
		case lb.permits > 0:
			lb.permits--
			b.mu.Unlock()
			return true, 0, nil
		case lb.filling != nil: // one refill at a time per key: wait for it
			ch := lb.filling
			b.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return false, 0, ctx.Err()
			}
		}
		lb.filling = make(chan struct{})
		b.mu.Unlock()
		return b.ask(ctx, key, limit, blockSize(limit, b.slack), lb)
	}
}

// ask takes up to n permits from Redis, uses one and leaves the rest in
// lb (nil: a key not held).
func (b *blockLimiter) ask(ctx context.Context, key string, limit redis_rate.Limit, n int, lb *localBucket) (bool, time.Duration, error) {
	res, err := b.rl.AllowAtMost(ctx, key, limit, n)
	if lb == nil {
		if err != nil {
			return false, 0, err
		}
		return res.Allowed >= 1, res.RetryAfter, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	close(lb.filling)
	lb.filling = nil
	switch {
	case err != nil:
		return false, 0, err
	case res.Allowed < 1:
		lb.refusedUntil = b.now().Add(res.RetryAfter)
		return false, res.RetryAfter, nil
	}
	lb.permits += res.Allowed - 1
	return true, 0, nil
}

// bucket returns key's local bucket, making one if there is room; the
// caller holds mu.
func (b *blockLimiter) bucket(key string, now time.Time) *localBucket {
	if lb := b.keys[key]; lb != nil {
		return lb
	}
	if now.Sub(b.lastSweep) >= idleKey {
		b.lastSweep = now
		for k, lb := range b.keys {
			if lb.filling == nil && now.Sub(lb.used) >= idleKey && !now.Before(lb.refusedUntil) {
				delete(b.keys, k)
			}
		}
	}
	if len(b.keys) >= b.max {
		return nil
	}
	lb := &localBucket{}
	b.keys[key] = lb
	return lb
}
