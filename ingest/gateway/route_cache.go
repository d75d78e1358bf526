package gateway

import (
	"context"
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

type routeKey struct{ room, source string }

// loadRoute is Load through the cache, "no connector" included, for routing
// deliveries. The Saved it returns is shared: callers must not modify it.
func (s *Service) loadRoute(ctx context.Context, room, source string) (*Saved, error) {
	return s.routes.Lookup(routeKey{room, source}, s.now(), func() (*Saved, error) {
		sv, _, err := s.Load(ctx, room, source)
		return sv, err
	})
}
