package rules

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/redisx"
)

// checkScript reads a room's rule-set version, and its record (for the
// line-up) only when the record is not the one the caller has: checks come
// every 250 ms per room, the record is a few KB and seldom changes. The
// record is compared by SHA-1, the one hash Redis scripts have.
// KEYS: rules, record; ARGV: SHA-1 (hex) of the record the caller has, "" for none
// Returns the version alone when the record is the caller's, else
// {version, SHA-1 or "" when there is no record, record or nil}.
var checkScript = redis.NewScript(`
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local m = redis.call('GET', KEYS[2])
local h = ''
if m then h = redis.sha1hex(m) end
if h == ARGV[1] then return v end
return {v, h, m}`)

// checkKeys are the keys a version check reads (the rule set, the room's
// record), built once per room rather than on every check, and held as
// go-redis takes a command's arguments: converting a string to an any
// allocates.
type checkKeys [2]any

func newCheckKeys(room string) checkKeys {
	k := redisx.Room(room)
	return checkKeys{k.Rules(), k.Meta()}
}

// checkSHA is checkScript's hash as a command argument.
var checkSHA any = checkScript.Hash()

// roomCheck is a room's rule-set version and record (for its line-up).
type roomCheck struct {
	version int64
	hash    string // SHA-1 (hex) of the record; "" when the room has none
	meta    string // the record; "" when none, or when same
	same    bool   // the record is the one whose hash the check was given
}

// checkRooms reads the rule-set version of every room in one pipelined
// round trip, and the record of those whose record is not the one of
// hash have[i]: what the engine checks every 250 ms per room.
func (s *Store) checkRooms(ctx context.Context, keys []*checkKeys, have []string) ([]roomCheck, error) {
	cmds, err := s.runChecks(ctx, keys, have)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") { // Redis restarted or flushed its scripts
		if err = checkScript.Load(ctx, s.rdb).Err(); err == nil {
			cmds, err = s.runChecks(ctx, keys, have)
		}
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable(err)
	}
	out := make([]roomCheck, len(keys))
	for i, c := range cmds {
		if out[i], err = readCheck(c, have[i]); err != nil {
			return nil, fmt.Errorf("version check %s: %w", keys[i][0], err)
		}
	}
	return out, nil
}

func (s *Store) runChecks(ctx context.Context, keys []*checkKeys, have []string) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Do(ctx, "evalsha", checkSHA, 2, k[0], k[1], have[i])
		}
		return nil
	})
	return cmds, err
}

// readCheck decodes checkScript's reply to a check given the hash have.
func readCheck(c *redis.Cmd, have string) (roomCheck, error) {
	switch v := c.Val().(type) {
	case int64:
		return roomCheck{version: v, hash: have, same: true}, nil
	case []any:
		if len(v) == 3 {
			version, _ := v[0].(int64)
			hash, _ := v[1].(string)
			meta, _ := v[2].(string)
			return roomCheck{version: version, hash: hash, meta: meta}, nil
		}
	}
	if err := c.Err(); err != nil {
		return roomCheck{}, unavailable(err)
	}
	return roomCheck{}, fmt.Errorf("unexpected reply %v", c.Val())
}
