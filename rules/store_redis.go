package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Version is one saved rule set of a room.
type Version struct {
	Version int64    `json:"version"`
	Author  string   `json:"author"`
	At      int64    `json:"at"` // Unix ms
	Source  string   `json:"source"`
	Diff    []string `json:"diff"` // e.g. "+ rule tier-500", "~ rule uv-low: when"
	Note    string   `json:"note,omitempty"`
}

// keepVersions is how many versions a room keeps for history and rollback.
const keepVersions = 200

// saveScript stores a new version atomically: the current set, its
// version number, and the history entry.
// A non-negative expected version refuses the save when another change
// came first (a lost update between two producers editing at once).
// The number is spliced in as text: a cjson round trip would turn an
// empty list into an object and long integers into floats.
// KEYS: rules versions; ARGV: version JSON after its leading {"version":0, keep, expected version or -1
var saveScript = redis.NewScript(`
local want = tonumber(ARGV[3])
if want >= 0 then
  local cur = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
  if cur ~= want then return {-1, cur} end
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
local enc = '{"version":' .. v .. ARGV[1]
redis.call('HSET', KEYS[1], 'current', enc)
redis.call('RPUSH', KEYS[2], enc)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
return {v, v}`)

// emitScript writes a signal once per dedupe key and, for tier changes,
// the active tier in the same step.
// KEYS: fired signals [tier]; ARGV: signal JSON, ttl seconds, maxlen, [tier JSON or "" to clear]
//
// The tier is set even when the signal was written before: the key holds
// what the latest evaluation decided, the signal tells of it once.
var emitScript = redis.NewScript(`
if KEYS[3] then
  if ARGV[4] == '' then redis.call('DEL', KEYS[3]) else redis.call('SET', KEYS[3], ARGV[4]) end
end
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[2]) then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 's', ARGV[1])`)

// Store keeps rule sets, rule state, signals and gift quotas in Redis.
type Store struct {
	rdb          redis.UniversalClient
	signalMaxLen int64
	firedTTL     time.Duration
}

// NewStore returns a store on rdb.
func NewStore(rdb redis.UniversalClient) *Store {
	return &Store{rdb: rdb, signalMaxLen: redisx.SignalsMaxLen, firedTTL: 7 * 24 * time.Hour}
}

// Current returns a room's rule set version; version 0 means none saved.
func (s *Store) Current(ctx context.Context, room string) (Version, error) {
	b, err := s.rdb.HGet(ctx, redisx.Room(room).Rules(), "current").Bytes()
	if errors.Is(err, redis.Nil) {
		return Version{}, nil
	}
	if err != nil {
		return Version{}, unavailable(err)
	}
	var v Version
	if err := json.Unmarshal(b, &v); err != nil {
		return Version{}, fmt.Errorf("room %s rules: corrupt: %w", room, err)
	}
	return v, nil
}

// CurrentVersion is the number of a room's current rule set (0: none);
// the engine checks it every evaluation to pick up changes within a tick.
func (s *Store) CurrentVersion(ctx context.Context, room string) (int64, error) {
	v, err := s.rdb.HGet(ctx, redisx.Room(room).Rules(), "version").Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable(err)
	}
	return v, nil
}

// Save stores a new version and returns its number. With expect ≥ 0 the
// room's current version must be expect, or the save is refused with
// ECONFLICT.
func (s *Store) Save(ctx context.Context, room string, v Version, expect int64) (int64, error) {
	v.Version = 0
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("room %s rules: encode version: %w", room, err)
	}
	const head = `{"version":0`
	if !bytes.HasPrefix(b, []byte(head)) {
		return 0, fmt.Errorf("room %s rules: version JSON does not start with %s", room, head)
	}
	k := redisx.Room(room)
	res, err := saveScript.Run(ctx, s.rdb, []string{k.Rules(), k.RuleVersions()}, b[len(head):], keepVersions, expect).Int64Slice()
	if err != nil {
		return 0, unavailable(err)
	}
	if res[0] < 0 {
		return 0, livedeck.Errorf(livedeck.ECONFLICT, "version",
			"the rules are at version %d now, not %d: someone saved a change meanwhile; reload and apply yours again", res[1], expect)
	}
	return res[0], nil
}

// Versions lists a room's saved versions, newest first.
func (s *Store) Versions(ctx context.Context, room string) ([]Version, error) {
	raw, err := s.rdb.LRange(ctx, redisx.Room(room).RuleVersions(), 0, -1).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Version, 0, len(raw))
	for i := len(raw) - 1; i >= 0; i-- {
		var v Version
		if json.Unmarshal([]byte(raw[i]), &v) == nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// loadStates reads every rule's state in a room.
func (s *Store) loadStates(ctx context.Context, room string) (map[string]*ruleState, error) {
	all, err := s.rdb.HGetAll(ctx, redisx.Room(room).RuleState()).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	return decodeStates(all), nil
}

func decodeStates(all map[string]string) map[string]*ruleState {
	out := make(map[string]*ruleState, len(all))
	for name, v := range all {
		if name == startField {
			continue
		}
		st := &ruleState{}
		if json.Unmarshal([]byte(v), st) == nil {
			out[name] = st
		}
	}
	return out
}

// roomState is what the engine keeps of a room between evaluations.
type roomState struct {
	rules map[string]*ruleState
	tier  *livedeck.Tier
	start int64
}

// loadRoomState reads a room's rule states, active tier and start time in
// one round trip; the start time is set to now if the room has none.
func (s *Store) loadRoomState(ctx context.Context, room string, now int64) (roomState, error) {
	k := redisx.Room(room)
	var all *redis.MapStringStringCmd
	var tier *redis.StringCmd
	var start *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSetNX(ctx, k.RuleState(), startField, now)
		all = p.HGetAll(ctx, k.RuleState())
		tier = p.Get(ctx, k.Tier())
		start = p.HGet(ctx, k.RuleState(), startField)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return roomState{}, unavailable(err)
	}
	out := roomState{rules: decodeStates(all.Val())}
	out.start, _ = start.Int64()
	if b, err := tier.Bytes(); err == nil && len(b) > 0 {
		var t livedeck.Tier
		if err := json.Unmarshal(b, &t); err != nil {
			return roomState{}, fmt.Errorf("room %s tier: corrupt: %w", room, err)
		}
		out.tier = &t
	}
	return out, nil
}

func (s *Store) saveStates(ctx context.Context, room string, changed map[string]*ruleState, removed []string) error {
	k := redisx.Room(room)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for name, st := range changed {
			b, _ := json.Marshal(st)
			p.HSet(ctx, k.RuleState(), name, b)
		}
		if len(removed) > 0 {
			p.HDel(ctx, k.RuleState(), removed...)
		}
		return nil
	})
	return err
}

// emit writes sig once for key; tier non-nil also sets (or with an empty
// name clears) the active tier. It reports whether the signal was new.
func (s *Store) emit(ctx context.Context, room, key string, sig livedeck.Signal, tier *livedeck.Tier) (bool, error) {
	k := redisx.Room(room)
	b, _ := json.Marshal(sig)
	keys := []string{k.Fired(key), k.Signals()}
	args := []any{b, int64(s.firedTTL.Seconds()), s.signalMaxLen}
	if tier != nil {
		keys = append(keys, k.Tier())
		tb := []byte{}
		if tier.Name != "" {
			tb, _ = json.Marshal(tier)
		}
		args = append(args, tb)
	}
	res, err := emitScript.Run(ctx, s.rdb, keys, args...).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return res != nil, nil
}

// Tier reads the active pricing tier; nil if none.
func (s *Store) Tier(ctx context.Context, room string) (*livedeck.Tier, error) {
	b, err := s.rdb.Get(ctx, redisx.Room(room).Tier()).Bytes()
	if errors.Is(err, redis.Nil) || (err == nil && len(b) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	var t livedeck.Tier
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// History lists a room's newest signals, newest first.
func (s *Store) History(ctx context.Context, room string, n int64) ([]livedeck.Signal, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, redisx.Room(room).Signals(), "+", "-", n).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]livedeck.Signal, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["s"].(string)
		var sig livedeck.Signal
		if json.Unmarshal([]byte(raw), &sig) == nil {
			sig.ID = m.ID
			out = append(out, sig)
		}
	}
	return out, nil
}

func unavailable(err error) error {
	return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
}

// products reads a room's line-up, for guardrails; none if the room has no
// record.
func (s *Store) products(ctx context.Context, room string) ([]livedeck.Product, error) {
	b, err := s.rdb.Get(ctx, redisx.Room(room).Meta()).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return decodeProducts(room, b)
}

func decodeProducts(room string, b []byte) ([]livedeck.Product, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var r livedeck.Room
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("room %s: corrupt record: %w", room, err)
	}
	return r.Products, nil
}
