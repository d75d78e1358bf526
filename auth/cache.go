package auth

import (
	"sync"
	"time"
)

// ttlCache keeps what a lookup in Redis found for at most ttl, so each
// instance asks Redis about a busy token, session or webhook secret about
// once per ttl instead of on every request. A change made on this instance
// drops the entries it affects at once; one made on another instance is
// seen here within ttl (there is no cross-instance invalidation: ttl is the
// documented bound, docs/security.md "Lookups cached per instance").
//
// Callers' fetches fail for an unknown credential, which is not cached,
// so a token created on another instance works at once and guesses keep
// costing a Redis lookup under the per-IP limit.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration // zero or less: nothing is cached
	max int           // entries; at max, new ones are not cached

	mu        sync.Mutex
	m         map[K]cacheEntry[V]
	gen       uint64 // bumped by every drop, so a lookup that raced a change is not stored
	lastSweep time.Time
}

type cacheEntry[V any] struct {
	v     V
	until time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, m: make(map[K]cacheEntry[V])}
}

// lookup returns k's live value, or fetches it and keeps what fetch
// returns without an error.
func (c *ttlCache[K, V]) lookup(k K, now time.Time, fetch func() (V, error)) (V, error) {
	v, gen, ok := c.get(k, now)
	if ok {
		return v, nil
	}
	v, err := fetch()
	if err == nil {
		c.put(k, v, gen, now)
	}
	return v, err
}

// get returns the live value for k, and the generation to pass to put when
// the caller looks k up in Redis instead.
func (c *ttlCache[K, V]) get(k K, now time.Time) (v V, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.m[k]
	if found && now.Before(e.until) {
		return e.v, c.gen, true
	}
	return v, c.gen, false
}

// put stores v for k unless something was dropped since get returned gen:
// the value read from Redis may predate that change.
func (c *ttlCache[K, V]) put(k K, v V, gen uint64, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.sweep(now)
	if len(c.m) >= c.max {
		return
	}
	c.m[k] = cacheEntry[V]{v: v, until: now.Add(c.ttl)}
}

// sweep removes expired entries, at most once per ttl.
func (c *ttlCache[K, V]) sweep(now time.Time) {
	if now.Sub(c.lastSweep) < c.ttl {
		return
	}
	c.lastSweep = now
	for k, e := range c.m {
		if !now.Before(e.until) {
			delete(c.m, k)
		}
	}
}

// drop forgets k.
func (c *ttlCache[K, V]) drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// dropIf forgets every entry f selects.
func (c *ttlCache[K, V]) dropIf(f func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if f(k, e.v) {
			delete(c.m, k)
		}
	}
}
