package gateway

import (
	"context"
	"sync"
	"time"
)

// routeTTL is how long an instance reuses a room's saved connector for a
// source when routing deliveries. Every ingest request that names a source
// looks it up; within this time a change made on another instance is not
// yet seen here (a change made here is, at once). The same bound as the
// authentication lookups (auth.Config.LookupTTL).
const routeTTL = time.Second

// maxRoutes bounds the cached lookups: sources come from the caller's
// query string, so a client naming a new one per request must not grow it.
const maxRoutes = 10000

// routeCache remembers Load's answers, "no connector" included, for
// routeTTL.
type routeCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every local change: a lookup that raced one is not kept
	entries map[string]routeEntry
	swept   time.Time
}

type routeEntry struct {
	sv *Saved // nil: none saved
	at time.Time
}

func routeKey(room, source string) string { return room + "\x00" + source }

// get returns the cached answer for room and source, and the generation
// to pass to put when there is none.
func (c *routeCache) get(key string, now time.Time) (sv *Saved, hit bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && now.Sub(e.at) < routeTTL {
		return e.sv, true, c.gen
	}
	return nil, false, c.gen
}

// put keeps an answer read from Redis while no local change happened since
// gen; it also drops expired answers, once per TTL.
func (c *routeCache) put(key string, sv *Saved, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = map[string]routeEntry{}
	}
	if now.Sub(c.swept) >= routeTTL {
		for k, e := range c.entries {
			if now.Sub(e.at) >= routeTTL {
				delete(c.entries, k)
			}
		}
		c.swept = now
	}
	if len(c.entries) >= maxRoutes {
		return
	}
	c.entries[key] = routeEntry{sv: sv, at: now}
}

// drop forgets room's answer for source after a local change.
func (c *routeCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, key)
}

// loadRoute is Load through the cache, for routing deliveries. The Saved
// it returns is shared: callers must not modify it.
func (s *Service) loadRoute(ctx context.Context, room, source string) (*Saved, error) {
	key := routeKey(room, source)
	sv, hit, gen := s.routes.get(key, s.now())
	if hit {
		return sv, nil
	}
	sv, _, err := s.Load(ctx, room, source)
	if err != nil {
		return nil, err
	}
	s.routes.put(key, sv, gen, s.now())
	return sv, nil
}
