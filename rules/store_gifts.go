package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// A quota lives in seven keys of the room (one hash slot):
//
//	gifts:Q       zset  the orders holding a place → their ordering score
//	gifts:Q:info  hash  order → gift JSON, for every order that ever held a place
//	gifts:Q:wait  zset  paid orders in line for a place → their ordering score
//	gifts:Q:pend  hash  "b:"order → gift JSON up to its place, "r:"order → rule, for orders in line
//	gifts:Q:free  zset  revoked order → the place it freed, not yet given again
//	gifts:Q:meta  hash  seq (arrivals), places (places handed out), "out:"order (refunded or cancelled)
//	signals       stream
//
// The ordering score is the arrival number for arrival quotas and the
// event time (ms × 1000 + arrival mod 1000) for event_time quotas. Every
// paid order joins the line; admit gives places to the head of the line
// while the quota has fewer winners than its limit and the head's score is
// at most the watermark (event time minus settle; for arrival quotas
// everything is due at once). A freed place goes to the next order admitted.
const giftLua = `
local function sig(kind, rule, at, body)
  return '{"kind":"' .. kind .. '","room":' .. cjson.encode(ARGV[1]) .. ',"rule":' .. cjson.encode(rule) ..
    ',"at":' .. at .. ',"' .. kind .. '":' .. body .. '}'
end
local function admit(limit, watermark, at, maxlen)
  local given = {}
  while redis.call('ZCARD', KEYS[1]) < limit do
    local head = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    if #head == 0 or tonumber(head[2]) > watermark then break end
    local o = head[1]
    redis.call('ZREM', KEYS[3], o)
    local base = redis.call('HGET', KEYS[4], 'b:' .. o)
    local rule = redis.call('HGET', KEYS[4], 'r:' .. o) or ''
    redis.call('HDEL', KEYS[4], 'b:' .. o, 'r:' .. o)
    if base then
      local n, g
      local freed = redis.call('ZPOPMIN', KEYS[5])
      if #freed > 0 then
        n = tonumber(freed[2])
        g = base .. n .. ',"replaces":' .. cjson.encode(freed[1]) .. '}'
      else
        n = redis.call('HINCRBY', KEYS[6], 'places', 1)
        g = base .. n .. '}'
      end
      redis.call('ZADD', KEYS[1], head[2], o)
      redis.call('HSET', KEYS[2], o, g)
      redis.call('XADD', KEYS[7], 'MAXLEN', '~', maxlen, '*', 's', sig('gift', rule, at, g))
      given[#given + 1] = o
      given[#given + 1] = n
    end
  end
  return given
end
`

// giftPayScript puts a newly paid order in line (once: an order that is in
// line, holds or held a place, or was refunded is left alone) and admits.
// ARGV: room, order, mode (a|t), event ts, limit, watermark, gift JSON up
// to its place, rule, at, maxlen, line cap
var giftPayScript = redis.NewScript(giftLua + `
local o = ARGV[2]
if not (redis.call('ZSCORE', KEYS[1], o) or redis.call('ZSCORE', KEYS[3], o) or
    redis.call('HEXISTS', KEYS[2], o) == 1 or redis.call('HEXISTS', KEYS[6], 'out:' .. o) == 1) then
  local seq = redis.call('HINCRBY', KEYS[6], 'seq', 1)
  local score = seq
  if ARGV[3] == 't' then score = tonumber(ARGV[4]) * 1000 + seq % 1000 end
  redis.call('ZADD', KEYS[3], score, o)
  redis.call('HSET', KEYS[4], 'b:' .. o, ARGV[7], 'r:' .. o, ARGV[8])
  if redis.call('ZCARD', KEYS[3]) > tonumber(ARGV[11]) then
    local last = redis.call('ZPOPMAX', KEYS[3])
    redis.call('HDEL', KEYS[4], 'b:' .. last[1], 'r:' .. last[1])
  end
end
return admit(tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[9], ARGV[10])`)

// giftAdmitScript admits the orders in line that are due (event_time
// quotas, as their settle time passes).
// ARGV: room, limit, watermark, at, maxlen
var giftAdmitScript = redis.NewScript(giftLua + `
return admit(tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5])`)

// giftRefundScript applies a refund or cancellation to a quota, once per
// order: an order in line leaves it; a winner is marked refunded (keep)
// or revoked, its place freed and given to the next order in line, with a
// gift signal of the revocation and one operator alert.
// ARGV: room, order, policy (revoke|keep), at, limit, watermark, maxlen,
// rule, alert key, quota
// Returns {what, place, refill order, refill place}: what is 0 nothing,
// 1 left the line, 2 kept its place, 3 revoked.
var giftRefundScript = redis.NewScript(giftLua + `
local o = ARGV[2]
if redis.call('HSETNX', KEYS[6], 'out:' .. o, ARGV[4]) == 0 then return {0} end
if redis.call('ZREM', KEYS[3], o) == 1 then
  redis.call('HDEL', KEYS[4], 'b:' .. o, 'r:' .. o)
  return {1}
end
local g = redis.call('HGET', KEYS[2], o)
if not g or not redis.call('ZSCORE', KEYS[1], o) then return {0} end
local n = tonumber(string.match(g, '"n":(%d+)'))
if ARGV[3] == 'keep' then
  g = string.sub(g, 1, -2) .. ',"status":"refunded","refunded_at":' .. ARGV[4] .. '}'
  redis.call('HSET', KEYS[2], o, g)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[7], '*', 's', sig('gift', ARGV[8], ARGV[4], g))
  return {2, n}
end
redis.call('ZREM', KEYS[1], o)
g = string.sub(g, 1, -2) .. ',"status":"revoked","refunded_at":' .. ARGV[4] .. '}'
redis.call('HSET', KEYS[2], o, g)
redis.call('ZADD', KEYS[5], n, o)
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[7], '*', 's', sig('gift', ARGV[8], ARGV[4], g))
local given = admit(tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[4], ARGV[7])
local to, at = '', 0
for i = 1, #given, 2 do
  if given[i + 1] == n then to, at = given[i], n end
end
local msg = '赠品撤销 Gift revoked: ' .. ARGV[10] .. ' #' .. n .. ', order ' .. o .. ' refunded; '
if to ~= '' then
  msg = msg .. '名额转给 place passed to order ' .. to
else
  msg = msg .. '名额留给下一笔付款 place open for the next paid order'
end
local alert = '{"key":' .. cjson.encode(ARGV[9]) .. ',"severity":"warning","message":' .. cjson.encode(msg) .. '}'
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[7], '*', 's', sig('alert', ARGV[8], ARGV[4], alert))
return {3, n, to, at}`)

// giftLineCap bounds a quota's line of paid orders waiting for a place:
// the earliest 10,000 are kept.
const giftLineCap = 10000

// noWatermark admits an arrival quota's line at once. It is 2^53 written
// out: above every ordering score (event-time scores are about 1.8e15),
// exact as a Lua number, and readable by tonumber in Lua implementations
// that do not parse exponents (the demo's embedded Redis does not).
const noWatermark = "9007199254740992"

func giftKeys(room, quota string) []string {
	k := redisx.Room(room)
	return []string{k.Gifts(quota), k.Gifts(quota + ":info"), k.Gifts(quota + ":wait"), k.Gifts(quota + ":pend"),
		k.Gifts(quota + ":free"), k.Gifts(quota + ":meta"), k.Signals()}
}

// giftBase is the gift's JSON up to its place: the script appends the
// place and the closing brace.
func giftBase(g livedeck.Gift) ([]byte, error) {
	g.N, g.Status, g.RefundedAt, g.Replaces = 0, "", 0, ""
	b, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	const tail = `"n":0}`
	if !bytes.HasSuffix(b, []byte(tail)) {
		return nil, fmt.Errorf("gift JSON does not end with %s", tail)
	}
	return b[:len(b)-len(`0}`)], nil
}

// admitted reads the script's list of order, place pairs.
func admitted(v any) int {
	l, _ := v.([]any)
	return len(l) / 2
}

// giftPay puts a paid order in the quota's line and gives the places that
// are due; it returns how many places were given.
func (s *Store) giftPay(ctx context.Context, room, rule string, q quota, o livedeck.OrderChange, watermark string, at int64) (int, error) {
	base, err := giftBase(livedeck.Gift{Quota: q.name, OrderID: o.OrderID, UserID: o.UserID, SKU: o.SKU})
	if err != nil {
		return 0, fmt.Errorf("room %s gift: %w", room, err)
	}
	mode := "a"
	if q.order == GiftByEventTime {
		mode = "t"
	}
	res, err := giftPayScript.Run(ctx, s.rdb, giftKeys(room, q.name), room, o.OrderID, mode, o.TS, q.limit, watermark,
		base, rule, at, s.signalMaxLen, giftLineCap).Result()
	if err != nil {
		return 0, err
	}
	return admitted(res), nil
}

// giftAdmit gives the places of an event_time quota whose line is due.
func (s *Store) giftAdmit(ctx context.Context, room string, q quota, watermark string, at int64) (int, error) {
	res, err := giftAdmitScript.Run(ctx, s.rdb, giftKeys(room, q.name), room, q.limit, watermark, at, s.signalMaxLen).Result()
	if err != nil {
		return 0, err
	}
	return admitted(res), nil
}

// refundOutcome is what a refund did to a quota.
type refundOutcome struct {
	what   int64 // 0 nothing, 1 left the line, 2 kept its place, 3 revoked
	place  int64
	refill string // the order that took the freed place, if any
}

// giftRefund applies a refunded or cancelled order to a quota.
func (s *Store) giftRefund(ctx context.Context, room string, q quota, order, watermark string, at int64) (refundOutcome, error) {
	policy := q.onRefund
	res, err := giftRefundScript.Run(ctx, s.rdb, giftKeys(room, q.name), room, order, policy, at, q.limit, watermark,
		s.signalMaxLen, q.rule, "gift-revoked:"+q.name+":"+order, q.name).Slice()
	if err != nil {
		return refundOutcome{}, err
	}
	var out refundOutcome
	out.what, _ = res[0].(int64)
	if len(res) > 1 {
		out.place, _ = res[1].(int64)
	}
	if len(res) > 2 {
		out.refill, _ = res[2].(string)
	}
	return out, nil
}

// Gifts lists a quota's places in order: every order that holds or held a
// place, a revoked order before the one that took its place.
func (s *Store) Gifts(ctx context.Context, room, quota string) ([]livedeck.Gift, error) {
	all, err := s.rdb.HGetAll(ctx, redisx.Room(room).Gifts(quota+":info")).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]livedeck.Gift, 0, len(all))
	for id, v := range all {
		g, ok := decodeGift([]byte(v))
		if !ok {
			g = livedeck.Gift{Quota: quota, OrderID: id}
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.N != b.N {
			return a.N < b.N
		}
		if (a.Status == livedeck.GiftRevoked) != (b.Status == livedeck.GiftRevoked) {
			return a.Status == livedeck.GiftRevoked
		}
		if a.RefundedAt != b.RefundedAt {
			return a.RefundedAt < b.RefundedAt
		}
		return a.OrderID < b.OrderID
	})
	return out, nil
}

// decodeGift reads a stored place: gift JSON, or the whole gift signal as
// stored before refunds were tracked.
func decodeGift(b []byte) (livedeck.Gift, bool) {
	var sig livedeck.Signal
	if json.Unmarshal(b, &sig) == nil && sig.Gift != nil {
		return *sig.Gift, true
	}
	var g livedeck.Gift
	if json.Unmarshal(b, &g) == nil && g.OrderID != "" {
		return g, true
	}
	return livedeck.Gift{}, false
}

// watermarkAt is the newest ordering score an event_time quota admits at
// now: paid steps whose event time is settle or more in the past.
func watermarkAt(q quota, now int64) string {
	if q.order != GiftByEventTime {
		return noWatermark
	}
	return strconv.FormatInt((now-q.settle.Milliseconds())*1000+999, 10)
}
