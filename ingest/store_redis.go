package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
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
//	KEYS[4] room phase, KEYS[5..] consecutive dedupe buckets, oldest first
//	ARGV[1] stream MAXLEN (~), ARGV[2] bucket width (s), ARGV[3] start of
//	KEYS[5]'s bucket (Unix s), ARGV[4] buckets consulted, ARGV[5] receipt
//	TTL (s), ARGV[6] the time (Unix s; empty: Redis's clock),
//	ARGV[7..6+m] the m events' dedupe keys, ARGV[7+m..6+2m] their JSON
//
// It returns one character per event: '1' appended, '0' a duplicate (seen
// in a consulted bucket or earlier in the chunk). A call that appended
// anything stores its reply under its receipt, so the same call run again
// (the client retrying after a lost reply) finds its events, returns that
// reply and writes nothing. An unknown room fails the whole chunk with NOROOM,
// an archived one with ARCHIVED. A room at rest (closed past its grace
// period) gets an 'R' after the reply: the caller takes it out of
// redisx.RestingKey so an instance processes it again.
var appendScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOROOM room does not exist')
end
local phase = redis.call('GET', KEYS[4])
if phase == 'archived' then
  return redis.error_reply('ARCHIVED room is archived')
end
local wake = ''
if phase == 'rest' then wake = 'R' end
local width, first, n = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[6]) or tonumber(redis.call('TIME')[1])
local start = now - now % width
local cur = 5 + (start - first) / width
if cur - n + 1 < 5 or cur > #KEYS then
  return redis.error_reply('CLOCK the Redis clock is more than a day away from the server clock')
end
local m = (#ARGV - 6) / 2
local dup, dups = {}, false
for k = cur - n + 1, cur do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    local hit = redis.call('SMISMEMBER', KEYS[k], unpack(ARGV, 7, 6 + m))
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
  local f = ARGV[6 + i]
  if dup[i] or seen[f] then
    out[i] = '0'
  else
    seen[f] = true
    out[i] = '1'
    new[#new + 1] = f
  end
end
local reply = table.concat(out)
if #new == 0 then
  return reply .. wake
end
redis.call('SADD', KEYS[cur], unpack(new))
local expire = start + n * width
if redis.call('EXPIRETIME', KEYS[cur]) < expire then
  redis.call('EXPIREAT', KEYS[cur], expire)
end
for i = 1, m do
  if out[i] == '1' then
    redis.call('XADD', KEYS[2], '*', 'e', ARGV[6 + m + i])
  end
end
redis.call('XTRIM', KEYS[2], 'MAXLEN', '~', ARGV[1])
redis.call('SET', KEYS[3], reply, 'EX', ARGV[5])
return reply .. wake
`)

// errNoRoom marks a write to a room that does not exist, errArchived one
// to an archived room.
var (
	errNoRoom   = errors.New("no such room")
	errArchived = errors.New("room archived")
)

// redisWriter appends validated events to room streams.
type redisWriter struct {
	rdb        redis.UniversalClient
	chunkSize  int
	maxLen     string // stream MAXLEN (~)
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
		c := chunk{keys: make([]string, 4, 6+w.buckets.n), args: make([]any, 6, 6+2*(hi-lo)), events: hi - lo}
		c.keys[0], c.keys[1], c.keys[2], c.keys[3] = keys.Meta(), keys.Events(), keys.Receipt(callToken()), keys.Phase()
		var first int64
		c.keys, first = w.buckets.declare(c.keys, keys, now)
		c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5] = w.maxLen, width, first, n, w.receiptTTL, nowArg
		for i := lo; i < hi; i++ {
			c.args = append(c.args, evs[i].DedupeKey())
		}
		for i := lo; i < hi; i++ {
			start := len(buf)
			buf = AppendEvent(buf, &evs[i])
			c.args = append(c.args, buf[start:len(buf):len(buf)])
		}
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
	}
	return err
}
