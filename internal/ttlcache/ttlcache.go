// Package ttlcache keeps what a lookup in Redis found for a short time, per
// instance, with local invalidation that a concurrent lookup cannot undo.
package ttlcache

import (
	"sync"
	"time"
)

// Cache keeps what a lookup in Redis found for at most ttl, so each
// instance asks Redis about a busy key (a token, a session, a webhook
// secret, a connector route) about once per ttl instead of on every request. A change made on this instance
// drops the entries it affects at once; one made on another instance is
// seen here within ttl (there is no cross-instance invalidation: ttl is the
// documented bound, docs/security.md "Lookups cached per instance").
//
// Callers' fetches fail for an unknown credential, which is not cached,
// so a token created on another instance works at once and guesses keep
// costing a Redis lookup under the per-IP limit.
type Cache[K comparable, V any] struct {
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

func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, m: make(map[K]cacheEntry[V])}
}

// Lookup returns k's live value, or fetches it and keeps what fetch
// returns without an error.
func (c *Cache[K, V]) Lookup(k K, now time.Time, fetch func() (V, error)) (V, error) {
	v, gen, ok := c.Get(k, now)
	if ok {
		return v, nil
	}
	v, err := fetch()
	if err == nil {
		c.Put(k, v, gen, now)
	}
	return v, err
}

// Get returns the live value for k, and the generation to pass to put when
// the caller looks k up in Redis instead.
func (c *Cache[K, V]) Get(k K, now time.Time) (v V, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.m[k]
	if found && now.Before(e.until) {
		return e.v, c.gen, true
	}
	return v, c.gen, false
}

// Put stores v for k unless something was dropped since get returned gen:
// the value read from Redis may predate that change.
func (c *Cache[K, V]) Put(k K, v V, gen uint64, now time.Time) {
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
func (c *Cache[K, V]) sweep(now time.Time) {
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

// Drop forgets k.
func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, k)
}

// DropIf forgets every entry f selects.
func (c *Cache[K, V]) DropIf(f func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if f(k, e.v) {
			delete(c.m, k)
		}
	}
}

// Len is the number of entries held, expired ones not yet swept included.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
