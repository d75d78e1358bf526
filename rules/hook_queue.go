package rules

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/redisx"
)

// Pending webhook deliveries live in Redis, per room and under the room's
// hash tag (so the scripts below run on Redis Cluster): a sorted set of
// delivery ids by the Unix ms each is due, and a hash of the deliveries
// with their attempt counts and lease tokens. Claiming a delivery moves its
// due time to the end of a lease: an instance that dies mid-delivery loses
// the lease and another takes the delivery over when it ends. A global
// sorted set of rooms by their next due time (HookRoomsKey) lets every
// instance find the work; it is kept next to the room keys, not with
// them, and each claim re-scores it from the room's own set.

// hookJob is one pending delivery; Body is signed and sent as it is.
type hookJob struct {
	ID     string          `json:"id"` // stable over retries and instances: X-LiveDeck-Delivery
	Room   string          `json:"room"`
	Rule   string          `json:"rule"`
	Key    string          `json:"key"` // the firing's key: Idempotency-Key is room:key
	URL    string          `json:"url"`
	Secret string          `json:"secret,omitempty"` // the name of the secret it is signed with
	Body   json.RawMessage `json:"body"`
	At     int64           `json:"at"` // Unix ms queued
}

// claimed is a job this instance holds the lease of.
type claimed struct {
	hookJob
	attempt int // 1 for the first try
	token   string
}

// deliveryID is a firing's delivery id: the same for every retry, on any
// instance, and for the same firing enqueued again.
func deliveryID(room, key string) string {
	h := sha256.Sum256([]byte(room + "\x00" + key))
	return hex.EncodeToString(h[:16])
}

// enqueueScript adds a delivery unless it is pending already: 1 added, 0
// already pending, -1 the room's queue is full.
var enqueueScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`)

// errQueueFull: the room has as many pending deliveries as it may keep.
var errQueueFull = errors.New("webhook queue full")

// enqueue stores a delivery due at once. A Redis error is returned (the
// firing's effects are then tried again by the next evaluation); a full
// queue is errQueueFull.
func (q *hookQueue) enqueue(ctx context.Context, j hookJob, now time.Time) (added bool, err error) {
	k := redisx.Room(j.Room)
	b, _ := json.Marshal(j)
	due := now.UnixMilli()
	res, err := enqueueScript.Run(ctx, q.rdb, []string{k.HookDue(), k.HookJobs()}, j.ID, b, due, q.maxPending).Int()
	if err != nil {
		return false, fmt.Errorf("queue webhook: %w", err)
	}
	if res == -1 {
		return false, errQueueFull
	}
	// Indexed even when it was pending already: the call that queued it
	// may have failed between the two writes.
	if err := q.rdb.ZAddLT(ctx, redisx.HookRoomsKey, redis.Z{Score: float64(due), Member: j.Room}).Err(); err != nil {
		return res == 1, fmt.Errorf("index webhook room: %w", err)
	}
	return res == 1, nil
}

// claimScript leases up to ARGV[3] deliveries due by ARGV[1] until
// ARGV[2], counting an attempt for each, and returns them with their
// attempt numbers, and the room's next due time (nil: none pending).
var claimScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local j = redis.call('HGET', KEYS[2], id)
  if j then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out+1] = j
    out[#out+1] = redis.call('HINCRBY', KEYS[2], id .. ':n', 1)
    redis.call('HSET', KEYS[2], id .. ':l', ARGV[4])
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {out, nxt[2] or false}
`)

// hookQueue is the Redis side of outbound webhooks.
type hookQueue struct {
	rdb        redis.UniversalClient
	lease      time.Duration
	recheck    time.Duration // a room with deliveries pending is looked at again within this
	maxPending int64
}

// due lists rooms with deliveries due by now, at most n.
func (q *hookQueue) due(ctx context.Context, now time.Time, n int64) ([]string, error) {
	return q.rdb.ZRangeByScore(ctx, redisx.HookRoomsKey, &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: n}).Result()
}

// claim leases up to n of room's due deliveries for this instance.
func (q *hookQueue) claim(ctx context.Context, room string, now time.Time, n int, token string) ([]claimed, error) {
	k := redisx.Room(room)
	res, err := claimScript.Run(ctx, q.rdb, []string{k.HookDue(), k.HookJobs()}, now.UnixMilli(), now.Add(q.lease).UnixMilli(), n, token).Slice()
	if err != nil {
		return nil, fmt.Errorf("claim webhooks of room %s: %w", room, err)
	}
	var out []claimed
	items, _ := res[0].([]any)
	for i := 0; i+1 < len(items); i += 2 {
		s, _ := items[i].(string)
		attempt, _ := items[i+1].(int64)
		var c claimed
		if json.Unmarshal([]byte(s), &c.hookJob) != nil {
			continue
		}
		c.attempt, c.token = int(attempt), token
		out = append(out, c)
	}
	if err := q.reindex(ctx, room, res[1], now); err != nil {
		return out, err
	}
	return out, nil
}

// reindex re-scores room in the global index from its next due time (a
// score string, or nil when it has nothing pending). An empty room is
// removed, then looked at once more: a delivery queued meanwhile puts it
// back, whichever write comes last.
func (q *hookQueue) reindex(ctx context.Context, room string, next any, now time.Time) error {
	if s, ok := next.(string); ok {
		due, _ := strconv.ParseFloat(s, 64)
		due = min(due, float64(now.Add(q.recheck).UnixMilli()))
		return q.rdb.ZAdd(ctx, redisx.HookRoomsKey, redis.Z{Score: due, Member: room}).Err()
	}
	if err := q.rdb.ZRem(ctx, redisx.HookRoomsKey, room).Err(); err != nil {
		return err
	}
	first, err := q.rdb.ZRangeWithScores(ctx, redisx.Room(room).HookDue(), 0, 0).Result()
	if err != nil || len(first) == 0 {
		return err
	}
	return q.rdb.ZAddLT(ctx, redisx.HookRoomsKey, redis.Z{Score: first[0].Score, Member: room}).Err()
}

// done forgets a delivered job, whoever holds its lease now.
func (q *hookQueue) done(ctx context.Context, c claimed) error {
	k := redisx.Room(c.Room)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, k.HookDue(), c.ID)
		p.HDel(ctx, k.HookJobs(), c.ID, c.ID+":n", c.ID+":l")
		return nil
	})
	return err
}

// settleScript acts on a delivery only while the caller holds its lease:
// ARGV[3] "retry" makes it due at ARGV[4], "drop" forgets it. 1 if done.
var settleScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1] .. ':l') ~= ARGV[2] then return 0 end
if ARGV[3] == 'retry' then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1], ARGV[1] .. ':n', ARGV[1] .. ':l')
end
return 1
`)

// retry makes a job due again at due, if this instance still holds it.
func (q *hookQueue) retry(ctx context.Context, c claimed, due time.Time) error {
	k := redisx.Room(c.Room)
	if err := settleScript.Run(ctx, q.rdb, []string{k.HookDue(), k.HookJobs()}, c.ID, c.token, "retry", due.UnixMilli()).Err(); err != nil {
		return err
	}
	return q.rdb.ZAddLT(ctx, redisx.HookRoomsKey, redis.Z{Score: float64(due.UnixMilli()), Member: c.Room}).Err()
}

// drop forgets a job that used up its tries; false if another instance
// holds it now (it then decides).
func (q *hookQueue) drop(ctx context.Context, c claimed) (bool, error) {
	k := redisx.Room(c.Room)
	n, err := settleScript.Run(ctx, q.rdb, []string{k.HookDue(), k.HookJobs()}, c.ID, c.token, "drop").Int()
	return n == 1, err
}

// pending is how many deliveries room has queued or under way.
func (q *hookQueue) pending(ctx context.Context, room string) (int64, error) {
	return q.rdb.ZCard(ctx, redisx.Room(room).HookDue()).Result()
}
