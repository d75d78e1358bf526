package gateway

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/redisx"
)

// Stats are one source's counters, kept in Redis so every instance serves
// the same numbers.
type Stats struct {
	LastMessageAt     *int64 `json:"last_message_at"` // Unix ms; null before the first message
	Messages          int64  `json:"messages"`        // platform messages received
	PerMin            int64  `json:"per_min"`         // messages in the last 60 s (10-second buckets)
	Accepted          int64  `json:"accepted"`        // events stored
	Duplicates        int64  `json:"duplicates"`      // events seen before (redeliveries)
	Rejected          int64  `json:"rejected"`        // events LiveDeck's validation refused (also dead letters)
	Ignored           int64  `json:"ignored"`         // messages of kinds LiveDeck does not use
	SignatureFailures int64  `json:"signature_failures"`
	DeadLetters       int64  `json:"dead_letters"` // messages kept as dead letters, ever
	Replayed          int64  `json:"replayed"`     // dead letters replayed successfully, ever
}

// tally is what one delivery adds to a source's stats.
type tally struct {
	messages, accepted, duplicates, rejected, ignored, deadLetters, signatureFailures, replayed int64
}

const (
	rateBucket  = 10 // seconds per rate bucket
	rateBuckets = 6  // buckets summed for per_min
)

// count adds t to a source's stats within pipe. format is recorded for
// sources without saved settings.
func (s *Service) count(ctx context.Context, pipe redis.Pipeliner, room, source, format string, t tally) {
	k := redisx.Room(room)
	key := k.ConnectorStats(source)
	now := s.now()
	for name, n := range map[string]int64{"messages": t.messages, "accepted": t.accepted, "duplicates": t.duplicates,
		"rejected": t.rejected, "ignored": t.ignored, "dead_letters": t.deadLetters, "signature_failures": t.signatureFailures,
		"replayed": t.replayed} {
		if n != 0 {
			pipe.HIncrBy(ctx, key, name, n)
		}
	}
	if format != "" {
		pipe.HSet(ctx, key, "format", format)
		pipe.SAdd(ctx, k.ConnectorsSeen(), source)
	}
	if t.messages > 0 {
		pipe.HSet(ctx, key, "last_message_at", now.UnixMilli())
		rk := k.ConnectorRate(source, now.Unix()/rateBucket)
		pipe.IncrBy(ctx, rk, t.messages)
		pipe.Expire(ctx, rk, (rateBuckets+1)*rateBucket*time.Second)
	}
}

// stats reads a source's stats and the format it last delivered with.
func (s *Service) stats(ctx context.Context, room, source string) (Stats, string, error) {
	k := redisx.Room(room)
	now := s.now().Unix() / rateBucket
	rates := make([]string, rateBuckets)
	for i := range rates {
		rates[i] = k.ConnectorRate(source, now-int64(i))
	}
	pipe := s.rdb.Pipeline()
	h := pipe.HGetAll(ctx, k.ConnectorStats(source))
	r := pipe.MGet(ctx, rates...)
	if _, err := pipe.Exec(ctx); err != nil {
		return Stats{}, "", unavailable("read connector stats", err)
	}
	m := h.Val()
	n := func(f string) int64 { v, _ := strconv.ParseInt(m[f], 10, 64); return v }
	st := Stats{Messages: n("messages"), Accepted: n("accepted"), Duplicates: n("duplicates"), Rejected: n("rejected"),
		Ignored: n("ignored"), SignatureFailures: n("signature_failures"), DeadLetters: n("dead_letters"), Replayed: n("replayed")}
	if _, ok := m["last_message_at"]; ok {
		at := n("last_message_at")
		st.LastMessageAt = &at
	}
	for _, v := range r.Val() {
		if str, ok := v.(string); ok {
			c, _ := strconv.ParseInt(str, 10, 64)
			st.PerMin += c
		}
	}
	return st, m["format"], nil
}
