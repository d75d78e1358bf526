package rules

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/redisx"
)

// checkKeys are the keys a version check reads (the rule set, the room's
// record), built once per room rather than on every check, and held as
// go-redis takes a command's arguments: converting a string to an any
// allocates.
type checkKeys [2]any

func newCheckKeys(room string) checkKeys {
	k := redisx.Room(room)
	return checkKeys{k.Rules(), k.Meta()}
}

// roomCheck is a room's rule-set version and record (for its line-up).
type roomCheck struct {
	version int64
	meta    string // "" when the room has no record
}

// checkRooms reads the rule-set version and record of every room in one
// pipelined round trip: what the engine checks every 250 ms per room.
func (s *Store) checkRooms(ctx context.Context, keys []*checkKeys) ([]roomCheck, error) {
	vers := make([]*redis.Cmd, len(keys))
	metas := make([]*redis.Cmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			vers[i] = p.Do(ctx, "hget", k[0], "version")
			metas[i] = p.Do(ctx, "get", k[1])
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	out := make([]roomCheck, len(keys))
	for i := range keys {
		v, err := vers[i].Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, unavailable(err)
		}
		m, err := metas[i].Text()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, unavailable(err)
		}
		out[i] = roomCheck{version: v, meta: m}
	}
	return out, nil
}
