package ingest

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// appendScript appends one chunk of a room's events. Every key is passed in
// KEYS and shares the room's hash tag, so it runs on Redis Cluster.
//
//	KEYS[1] room meta, KEYS[2] event stream, KEYS[3..] one dedupe marker per event
//	ARGV[1] stream MAXLEN (~), ARGV[2] marker TTL in seconds, ARGV[3..] event JSON
//
// It returns one character per event: '1' appended, '0' a duplicate. An
// unknown room fails the whole chunk with NOROOM.
var appendScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOROOM room does not exist')
end
local out = {}
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[2]) then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i])
    out[i - 2] = '1'
  else
    out[i - 2] = '0'
  end
end
return table.concat(out)
`)

// errNoRoom marks a write to a room that does not exist.
var errNoRoom = errors.New("no such room")

// chunk is one script call: its keys and arguments.
type chunk struct {
	keys []string
	args []any
	cmd  *redis.Cmd
}

// writeEvents appends evs to room's stream in chunks of size, all chunks in
// one pipeline (one round trip on standalone Redis). It returns a '1' (new)
// or '0' (duplicate) per event. On error nothing may be reported accepted:
// some chunks may have been written, and a retry will see them as
// duplicates, which is the idempotency the contract promises.
func writeEvents(ctx context.Context, rdb redis.UniversalClient, room string, evs []livedeck.Event, size int, maxLen int64, ttlSeconds int64, buf []byte) ([]byte, []byte, error) {
	keys := redisx.Room(room)
	if len(evs) == 0 {
		n, err := rdb.Exists(ctx, keys.Meta()).Result()
		if err != nil {
			return nil, buf, err
		}
		if n == 0 {
			return nil, buf, errNoRoom
		}
		return nil, buf, nil
	}
	maxArg, ttlArg := strconv.FormatInt(maxLen, 10), strconv.FormatInt(ttlSeconds, 10)
	chunks := make([]chunk, 0, (len(evs)+size-1)/size)
	buf = buf[:0]
	for lo := 0; lo < len(evs); lo += size {
		hi := min(lo+size, len(evs))
		c := chunk{keys: make([]string, 2, 2+hi-lo), args: make([]any, 2, 2+hi-lo)}
		c.keys[0], c.keys[1] = keys.Meta(), keys.Events()
		c.args[0], c.args[1] = maxArg, ttlArg
		for i := lo; i < hi; i++ {
			ev := &evs[i]
			c.keys = append(c.keys, keys.Seen(ev.DedupeKey()))
			start := len(buf)
			buf = AppendEvent(buf, ev)
			c.args = append(c.args, buf[start:len(buf):len(buf)])
		}
		chunks = append(chunks, c)
	}
	if err := runChunks(ctx, rdb, chunks, false); err != nil {
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
		if err := runChunks(ctx, rdb, retry, true); err != nil {
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
	for _, c := range chunks {
		s, err := c.cmd.Text()
		if err != nil {
			return nil, buf, chunkError(err)
		}
		if len(s) != len(c.keys)-2 {
			return nil, buf, fmt.Errorf("append script returned %d results for %d events", len(s), len(c.keys)-2)
		}
		flags = append(flags, s...)
	}
	return flags, buf, nil
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
	if redis.HasErrorPrefix(err, "NOROOM") {
		return errNoRoom
	}
	return err
}
