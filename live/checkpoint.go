package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/axiomhq/hyperloglog"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// errLeaseLost means another instance owns the room now.
var errLeaseLost = errors.New("room lease lost")

// checkpointScript writes a room's state atomically and only while the
// caller holds the room's lease and does not move the stream id back: a
// stale owner cannot overwrite a newer checkpoint, a retried call is
// harmless, and the same id may be written again (keywords counted late).
// KEYS: lease state seconds minutes orders spend present
// ARGV: token last_id blob, then for each of the five hashes a count n and
// n field/value pairs, then a count m and m present fields to delete.
var checkpointScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE lost') end
local function split(id)
  local d = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, d - 1)), tonumber(string.sub(id, d + 1))
end
local cur = redis.call('HGET', KEYS[2], 'last_id')
if cur then
  local a, b = split(cur)
  local c, d = split(ARGV[2])
  if c < a or (c == a and d < b) then return 0 end
end
redis.call('HSET', KEYS[2], 'last_id', ARGV[2], 'blob', ARGV[3])
-- One call per hash and chunk rather than per field: a call from a script
-- costs Redis more than the field it writes. Chunks stay well within what
-- unpack can spread onto Lua's stack.
local function many(cmd, key, from, n, width)
  local j = 0
  while j < n do
    local c = math.min(n - j, 500)
    local t = {}
    for x = 1, c * width do t[x] = ARGV[from + j * width + x - 1] end
    redis.call(cmd, key, unpack(t))
    j = j + c
  end
end
local i = 4
for k = 3, 7 do
  local n = tonumber(ARGV[i]); i = i + 1
  many('HSET', KEYS[k], i, n, 2); i = i + 2 * n
end
local m = tonumber(ARGV[i]); i = i + 1
many('HDEL', KEYS[7], i, m, 1)
return 1
`)

// checkpoint persists what changed since the last checkpoint.
func (s *State) checkpoint(ctx context.Context, rdb redis.UniversalClient, token string) error {
	if s.c.LastID == "" {
		return nil // nothing folded yet
	}
	uv, err := s.uv.MarshalBinary()
	if err != nil {
		return err
	}
	buyers, err := s.buyers.MarshalBinary()
	if err != nil {
		return err
	}
	s.c.UV, s.c.Buyers = uv, buyers
	blob, err := json.Marshal(&s.c)
	if err != nil {
		return err
	}
	k := redisx.Room(s.room)
	args := []any{token, s.c.LastID, blob}
	args = appendRing(args, s.sec)
	args = appendRing(args, s.min)
	args = append(args, len(s.dirtyO))
	buf := make([]byte, 0, 96*len(s.dirtyO)) // the orders' JSON, sliced once it stops growing
	ends := make([]int, 0, len(s.dirtyO))
	for id := range s.dirtyO {
		buf = appendOrder(buf, s.orders[id])
		ends = append(ends, len(buf))
		args = append(args, id, nil)
	}
	for i, start, at := 0, 0, len(args)-2*len(ends); i < len(ends); i, at = i+1, at+2 {
		args[at+1], start = buf[start:ends[i]:ends[i]], ends[i]
	}
	args = append(args, len(s.dirtyS))
	for k := range s.dirtyS {
		b, _ := json.Marshal(s.spend[k])
		args = append(args, k, b)
	}
	var set, del []string
	for u := range s.dirtyP {
		if s.present[u] > 0 {
			set = append(set, u)
		} else {
			del = append(del, u)
		}
	}
	args = append(args, len(set))
	for _, u := range set {
		args = append(args, u, s.present[u])
	}
	args = append(args, len(del))
	for _, u := range del {
		args = append(args, u)
	}
	keys := []string{k.Lease(), k.State(), k.Seconds(), k.Minutes(), k.Orders(), k.Spend(), k.Present()}
	if err := checkpointScript.Run(ctx, rdb, keys, args...).Err(); err != nil {
		if err.Error() == "LEASE lost" {
			return errLeaseLost
		}
		return fmt.Errorf("checkpoint room %s: %w", s.room, err)
	}
	s.resetCaches()
	return nil
}

func appendRing(args []any, r *ring) []any {
	args = append(args, len(r.dirty))
	for i := range r.dirty {
		b, _ := json.Marshal(&r.slots[i])
		args = append(args, i, b)
	}
	return args
}

// loadState reads a room's checkpoint; a room never checkpointed starts
// from its products' stock.
func loadState(ctx context.Context, rdb redis.UniversalClient, room string, products []livedeck.Product) (*State, error) {
	s := NewState(room, products)
	k := redisx.Room(room)
	blob, err := rdb.HGet(ctx, k.State(), "blob").Bytes()
	if errors.Is(err, redis.Nil) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load room %s: %w", room, err)
	}
	if err := json.Unmarshal(blob, &s.c); err != nil {
		return nil, fmt.Errorf("load room %s: corrupt checkpoint: %w", room, err)
	}
	if s.c.SKUs == nil {
		s.c.SKUs = map[string]*skuState{}
	}
	if s.c.KeywordMins == nil {
		s.c.KeywordMins = map[int64]map[string]int64{}
	}
	for _, h := range []struct {
		sk *hyperloglog.Sketch
		b  []byte
	}{{s.uv, s.c.UV}, {s.buyers, s.c.Buyers}} {
		if len(h.b) > 0 {
			if err := h.sk.UnmarshalBinary(h.b); err != nil {
				return nil, fmt.Errorf("load room %s: hyperloglog: %w", room, err)
			}
		}
	}
	s.c.UV, s.c.Buyers = nil, nil
	for _, r := range []struct {
		key string
		r   *ring
	}{{k.Seconds(), s.sec}, {k.Minutes(), s.min}} {
		all, err := rdb.HGetAll(ctx, r.key).Result()
		if err != nil {
			return nil, fmt.Errorf("load room %s series: %w", room, err)
		}
		for f, v := range all {
			i, err := strconv.Atoi(f)
			if err != nil || i < 0 || i >= len(r.r.slots) {
				continue
			}
			_ = json.Unmarshal([]byte(v), &r.r.slots[i])
		}
	}
	return s, nil
}

// load fetches the orders, viewers and spend reports a batch touches from
// Redis.
func (s *State) load(ctx context.Context, rdb redis.UniversalClient, orders, users, spend []string) error {
	k := redisx.Room(s.room)
	if err := loadJSON(ctx, rdb, k.Orders(), orders, s.orders); err != nil {
		return fmt.Errorf("load orders: %w", err)
	}
	if err := loadJSON(ctx, rdb, k.Spend(), spend, s.spend); err != nil {
		return fmt.Errorf("load spend reports: %w", err)
	}
	if len(users) > 0 {
		vals, err := rdb.HMGet(ctx, k.Present(), users...).Result()
		if err != nil {
			return fmt.Errorf("load viewers: %w", err)
		}
		for i, v := range vals {
			str, _ := v.(string)
			at, _ := strconv.ParseInt(str, 10, 64)
			s.present[users[i]] = at
		}
	}
	return nil
}

// loadJSON reads the JSON values of fields of hash key into m; a field
// the hash lacks is left out of m (unseen: Fold creates it).
func loadJSON[T any](ctx context.Context, rdb redis.UniversalClient, key string, fields []string, m map[string]*T) error {
	if len(fields) == 0 {
		return nil
	}
	vals, err := rdb.HMGet(ctx, key, fields...).Result()
	if err != nil {
		return err
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		x := new(T)
		if err := json.Unmarshal([]byte(str), x); err == nil {
			m[fields[i]] = x
		}
	}
	return nil
}
