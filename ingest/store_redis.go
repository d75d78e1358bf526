package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// appendScript appends one chunk of a room's events, those not seen before
// (see buckets). Every key is passed in KEYS and shares the room's hash tag,
// so it runs on Redis Cluster.
//
//	KEYS[1] room meta, KEYS[2] event stream, KEYS[3] this call's receipt,
//	KEYS[4] room phase, KEYS[5] the stream's event count and trim marks,
//	KEYS[6] the room's live checkpoint (redisx.Keys.State),
//	KEYS[7..] consecutive dedupe buckets, oldest first
//	ARGV[1] stream cap (~, in events), ARGV[2] bucket width (s),
//	ARGV[3] start of KEYS[6]'s bucket (Unix s), ARGV[4] buckets consulted,
//	ARGV[5] receipt TTL (s), ARGV[6] the time (Unix s; empty: Redis's
//	clock), ARGV[7] events per stream entry (1: version 1 entries, one
//	event each; more: packed entries of at most that many, see
//	livedeck.DecodeEntry), ARGV[8] the events' dedupe keys, each ended by
//	the byte FF (never in UTF-8), ARGV[9] their JSON, one per line
//
// Two arguments for all the events, rather than two per event, spare Redis
// parsing and Lua copying hundreds of arguments; and when every event of a
// chunk is new and fits one entry, ARGV[9] is the packed entry as it is.
//
// It returns one character per event: '1' appended, '0' a duplicate (seen
// in a consulted bucket or earlier in the chunk). A call that appended
// anything stores its reply under its receipt, so the same call run again
// (the client retrying after a lost reply) finds its events, returns that
// reply and writes nothing. An unknown room fails the whole chunk with NOROOM,
// an archived one with ARCHIVED. A room at rest (closed past its grace
// period) gets an 'R' after the reply: the caller takes it out of
// redisx.RestingKey so an instance processes it again.
//
// A bucket expires a width after it stops being consulted (by the writer
// that consulted it longest), and the first call that writes after it
// stops being consulted unlinks it: Redis frees it in the background,
// where an expiry frees it at once, which for a set of millions of members
// stalls Redis for seconds.
//
// The cap on the stream counts events. Version 1 entries are trimmed with
// MAXLEN, which counts entries, one event each. Packed entries are trimmed
// by id: KEYS[5], a sorted set, holds '=' scored with the events ever
// appended (seeded from XLEN for a stream of version 1 entries) and marks,
// entry ids scored with the events before them, about every tenth of the
// cap. The stream is trimmed (MINID ~) to the newest mark that leaves at
// least the cap: it keeps between the cap and about 1.1 × the cap events
// however many events each entry holds — but never past the room's live
// checkpoint (KEYS[6] last_id): events its processor has not folded yet
// stay, so a processor that falls behind counts every event late rather
// than missing those trimmed. The events held past the cap that way are
// noted in KEYS[6] 'behind'; while they are a cap's worth or more, the
// chunk fails with BEHIND and nothing is written (the caller answers 429
// with Retry-After: backpressure instead of unbounded memory).
var appendScript = redis.NewScript(`
local function older(a, b) -- stream id a before b
  local da, db = string.find(a, '-', 1, true), string.find(b, '-', 1, true)
  local ma, mb = tonumber(string.sub(a, 1, da - 1)), tonumber(string.sub(b, 1, db - 1))
  return ma < mb or (ma == mb and tonumber(string.sub(a, da + 1)) < tonumber(string.sub(b, db + 1)))
end
-- trimTo is where the stream may be trimmed to keep maxlen events of
-- total: the newest mark leaving at least maxlen, or, if the checkpoint is
-- older, the newest mark at or before it (none without a checkpoint). It
-- returns the mark, its score and the events kept past it beyond maxlen.
local function trimTo(total, maxlen)
  local keep = redis.call('ZREVRANGEBYSCORE', KEYS[5], total - maxlen, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  local ck = redis.call('HGET', KEYS[6], 'last_id')
  if keep[1] and ck and not older(ck, keep[1]) then return keep[1], keep[2], 0 end
  if ck then
    local marks = redis.call('ZREVRANGEBYSCORE', KEYS[5], total - maxlen, '-inf', 'WITHSCORES')
    for j = 1, #marks, 2 do
      if not older(ck, marks[j]) then
        return marks[j], marks[j + 1], total - maxlen - tonumber(marks[j + 1])
      end
    end
  end
  return nil, nil, total - maxlen
end
local function split(s, sep, ended)
  local out, pos, len = {}, 1, #s
  while pos <= len do
    local e = string.find(s, sep, pos, true)
    if not e then e = len + 1 end
    out[#out + 1] = string.sub(s, pos, e - 1)
    pos = e + 1
  end
  if not ended and len > 0 and string.sub(s, len) == sep then out[#out + 1] = '' end
  return out
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOROOM room does not exist')
end
local phase = redis.call('GET', KEYS[4])
if phase == 'archived' then
  return redis.error_reply('ARCHIVED room is archived')
end
local wake = ''
if phase == 'rest' then wake = 'R' end
local pack, maxlen = tonumber(ARGV[7]), tonumber(ARGV[1])
local behind = tonumber(redis.call('HGET', KEYS[6], 'behind'))
if pack > 1 and behind and behind >= maxlen then
  local total = tonumber(redis.call('ZSCORE', KEYS[5], '=')) or 0
  local _, _, held = trimTo(total, maxlen) -- the processor may have caught up since
  redis.call('HSET', KEYS[6], 'behind', held)
  if held >= maxlen then
    return redis.error_reply('BEHIND ' .. held)
  end
end
local width, first, n = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[6]) or tonumber(redis.call('TIME')[1])
local start = now - now % width
local cur = 7 + (start - first) / width
if cur - n + 1 < 7 or cur > #KEYS then
  return redis.error_reply('CLOCK the Redis clock is more than a day away from the server clock')
end
local ids = split(ARGV[8], '\255', true)
local m = #ids
local dup, dups = {}, false
for k = cur - n + 1, cur do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    local hit = redis.call('SMISMEMBER', KEYS[k], unpack(ids))
    for i = 1, m do
      if hit[i] == 1 then dup[i], dups = true, true end
    end
  end
end
if dups then -- perhaps this very call, run before: then reply as it did
  local done = redis.call('GET', KEYS[3])
  if done then
    return done .. wake
  end
end
local out, new, seen = {}, {}, {}
for i = 1, m do
  local f = ids[i]
  if dup[i] or seen[f] then
    out[i] = '0'
  else
    seen[f] = true
    out[i] = '1'
    new[#new + 1] = i
  end
end
local reply = table.concat(out)
if #new == 0 then
  return reply .. wake
end
local keys = {}
for j, i in ipairs(new) do keys[j] = ids[i] end
redis.call('SADD', KEYS[cur], unpack(keys))
local expire = start + (n + 1) * width
if redis.call('EXPIRETIME', KEYS[cur]) < expire then
  redis.call('EXPIREAT', KEYS[cur], expire)
end
if cur - n >= 6 then -- the bucket just out of the window: free it in the background
  local old = redis.call('EXPIRETIME', KEYS[cur - n])
  if old > 0 and now >= old - width then
    redis.call('UNLINK', KEYS[cur - n])
  end
end
local evs
if #new < m or m > pack then
  local all = split(ARGV[9], '\n', false)
  evs = {}
  for j, i in ipairs(new) do evs[j] = all[i] end
end
if pack == 1 then
  for _, e in ipairs(evs or {ARGV[9]}) do
    redis.call('XADD', KEYS[2], '*', 'e', e)
  end
  redis.call('XTRIM', KEYS[2], 'MAXLEN', '~', maxlen)
else
  local total = tonumber(redis.call('ZSCORE', KEYS[5], '='))
  local fresh = total == nil
  if fresh then total = redis.call('XLEN', KEYS[2]) end
  local every = math.max(1, math.floor(maxlen / 10))
  for lo = 1, #new, pack do
    local hi = math.min(lo + pack - 1, #new)
    local body = ARGV[9]
    if evs then body = table.concat(evs, '\n', lo, hi) end
    local id = redis.call('XADD', KEYS[2], '*', 'v', '2', 'b', body)
    local count = hi - lo + 1
    if fresh or math.floor(total / every) ~= math.floor((total + count) / every) then
      redis.call('ZADD', KEYS[5], total, id)
      fresh = false
    end
    total = total + count
  end
  redis.call('ZADD', KEYS[5], total, '=')
  local to, score, held = trimTo(total, maxlen)
  if to then
    redis.call('XTRIM', KEYS[2], 'MINID', '~', to)
    redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. score)
  end
  if held > 0 then
    redis.call('HSET', KEYS[6], 'behind', held)
  elseif behind then
    redis.call('HDEL', KEYS[6], 'behind')
  end
end
redis.call('SET', KEYS[3], reply, 'EX', ARGV[5])
return reply .. wake
`)

// errNoRoom marks a write to a room that does not exist, errArchived one
// to an archived room.
var (
	errNoRoom   = errors.New("no such room")
	errArchived = errors.New("room archived")
)

// behindError is a chunk refused because the room's live processor has
// not folded a stream cap's worth of events the stream holds for it.
type behindError struct{ events int64 }

func (e *behindError) Error() string {
	return fmt.Sprintf("live metrics %d events behind", e.events)
}

// redisWriter appends validated events to room streams.
type redisWriter struct {
	rdb        redis.UniversalClient
	chunkSize  int
	maxLen     string // stream MAXLEN (~), in events
	pack       string // events per stream entry: "1" for version 1 entries
	buckets    buckets
	receiptTTL string // seconds: longer than any retry of a call can take

	// clock, when set, pins the time the script uses instead of Redis's
	// clock (tests of bucket boundaries). Nil means the real time.
	clock func() time.Time
}

func newRedisWriter(rdb redis.UniversalClient, cfg Config) *redisWriter {
	return &redisWriter{
		rdb:        rdb,
		chunkSize:  cfg.ChunkSize,
		maxLen:     strconv.FormatInt(cfg.StreamMaxLen, 10),
		pack:       strconv.Itoa(cfg.PackEvents),
		buckets:    newBuckets(cfg.DedupeWindow),
		receiptTTL: strconv.FormatInt(int64((cfg.WriteTimeout+time.Minute)/time.Second), 10),
	}
}

// chunk is one script call: its keys and arguments.
type chunk struct {
	keys   []string
	args   []any
	events int
	cmd    *redis.Cmd
}

// write appends evs to room's stream in chunks, all chunks in one pipeline
// (one round trip on standalone Redis). It returns a '1' (new) or '0'
// (duplicate) per event. On error nothing may be reported accepted: some
// chunks may have been written, and a retry will see them as duplicates,
// which is the idempotency the contract promises.
func (w *redisWriter) write(ctx context.Context, room string, evs []livedeck.Event, buf []byte) ([]byte, []byte, error) {
	keys := redisx.Room(room)
	if len(evs) == 0 {
		var exists *redis.IntCmd
		var phase *redis.StringCmd
		_, err := w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			exists, phase = p.Exists(ctx, keys.Meta()), p.Get(ctx, keys.Phase())
			return nil
		})
		switch {
		case err != nil && !errors.Is(err, redis.Nil):
			return nil, buf, err
		case exists.Val() == 0:
			return nil, buf, errNoRoom
		case phase.Val() == phaseArchived:
			return nil, buf, errArchived
		}
		return nil, buf, nil
	}
	now, nowArg := time.Now(), ""
	if w.clock != nil {
		now = w.clock()
		nowArg = strconv.FormatInt(now.Unix(), 10)
	}
	width := strconv.FormatInt(w.buckets.width, 10)
	n := strconv.FormatInt(w.buckets.n, 10)
	chunks := make([]chunk, 0, (len(evs)+w.chunkSize-1)/w.chunkSize)
	buf = buf[:0]
	for lo := 0; lo < len(evs); lo += w.chunkSize {
		hi := min(lo+w.chunkSize, len(evs))
		c := chunk{keys: make([]string, 0, 8+w.buckets.n), args: make([]any, 0, 9), events: hi - lo}
		c.keys = append(c.keys, keys.Meta(), keys.Events(), keys.Receipt(callToken()), keys.Phase(), keys.EventCount(), keys.State())
		var first int64
		c.keys, first = w.buckets.declare(c.keys, keys, now)
		c.args = append(c.args, w.maxLen, width, first, n, w.receiptTTL, nowArg, w.pack)
		start := len(buf)
		for i := lo; i < hi; i++ {
			buf = appendDedupeKey(buf, &evs[i])
		}
		mid := len(buf)
		for i := lo; i < hi; i++ {
			if i > lo {
				buf = append(buf, '\n') // JSON escapes every newline in a string
			}
			buf = AppendEvent(buf, &evs[i])
		}
		c.args = append(c.args, buf[start:mid:mid], buf[mid:len(buf):len(buf)])
		chunks = append(chunks, c)
	}
	if err := runChunks(ctx, w.rdb, chunks, false); err != nil {
		return nil, buf, err
	}
	// After a Redis restart the script cache is empty: run the chunks that
	// got NOSCRIPT (they did not run at all) again with the script's body.
	var retry []chunk
	for _, c := range chunks {
		if redis.HasErrorPrefix(c.cmd.Err(), "NOSCRIPT") {
			retry = append(retry, c)
		}
	}
	if len(retry) > 0 {
		if err := runChunks(ctx, w.rdb, retry, true); err != nil {
			return nil, buf, err
		}
		for i, j := 0, 0; i < len(chunks) && j < len(retry); i++ {
			if redis.HasErrorPrefix(chunks[i].cmd.Err(), "NOSCRIPT") {
				chunks[i].cmd = retry[j].cmd
				j++
			}
		}
	}
	flags := make([]byte, 0, len(evs))
	wake := false
	for _, c := range chunks {
		s, err := c.cmd.Text()
		if err != nil {
			return nil, buf, chunkError(err)
		}
		if len(s) == c.events+1 && s[c.events] == 'R' {
			s, wake = s[:c.events], true
		}
		if len(s) != c.events {
			return nil, buf, fmt.Errorf("append script returned %d results for %d events", len(s), c.events)
		}
		flags = append(flags, s...)
	}
	if wake {
		// The room was at rest: these events need an owner. Failing here
		// fails the batch; its retry finds the room still at rest.
		if err := w.rdb.SRem(ctx, redisx.RestingKey, room).Err(); err != nil {
			return nil, buf, fmt.Errorf("wake room %s: %w", room, err)
		}
	}
	return flags, buf, nil
}

// appendDedupeKey appends ev's dedupe key and the byte FF that ends it.
// Decoded strings are valid UTF-8, which never holds FF; an event built in
// process with invalid UTF-8 in its id has it replaced, as in its stored
// JSON.
func appendDedupeKey(dst []byte, ev *livedeck.Event) []byte {
	start := len(dst)
	dst = ev.AppendDedupeKey(dst)
	if bytes.IndexByte(dst[start:], 0xFF) >= 0 {
		dst = append(dst[:start], strings.ToValidUTF8(ev.DedupeKey(), "\uFFFD")...)
	}
	return append(dst, 0xFF)
}

// callToken names one script call: 128 random bits, so two calls never
// share a receipt.
func callToken() string {
	b := strconv.AppendUint(make([]byte, 0, 26), rand.Uint64(), 36)
	b = append(b, '-')
	return string(strconv.AppendUint(b, rand.Uint64(), 36))
}

// runChunks sends the chunks in one pipeline. Errors of single commands are
// left in their cmd for the caller; only a failure of the whole pipeline
// (connection, timeout) is returned.
func runChunks(ctx context.Context, rdb redis.UniversalClient, chunks []chunk, withBody bool) error {
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range chunks {
			c := &chunks[i]
			if withBody {
				c.cmd = appendScript.Eval(ctx, p, c.keys, c.args...)
			} else {
				c.cmd = appendScript.EvalSha(ctx, p, c.keys, c.args...)
			}
		}
		return nil
	})
	if err == nil {
		return nil
	}
	// A redis.Error is a reply to one command (NOSCRIPT, NOROOM): the
	// caller looks at each command. Anything else failed the round trip.
	var rerr redis.Error
	if errors.As(err, &rerr) {
		return nil
	}
	return err
}

func chunkError(err error) error {
	switch {
	case redis.HasErrorPrefix(err, "NOROOM"):
		return errNoRoom
	case redis.HasErrorPrefix(err, "ARCHIVED"):
		return errArchived
	case redis.HasErrorPrefix(err, "BEHIND"):
		n, _ := strconv.ParseInt(strings.TrimPrefix(err.Error(), "BEHIND "), 10, 64)
		return &behindError{events: n}
	}
	return err
}
