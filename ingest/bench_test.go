package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// benchBody is a batch of n events in a realistic mix: comments, likes,
// viewers, clicks and orders.
func benchBody(n, seq int) []byte {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		id := fmt.Sprintf("b%d-%d", seq, i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&sb, `{"id":%q,"type":"comment","ts":1732280000000,"user_id":"u%d","nickname":"观众%d","text":"想要！多少钱 how much? 😍"}`, id, i, i)
		case 1:
			fmt.Fprintf(&sb, `{"id":%q,"type":"like","ts":1732280000000,"user_id":"u%d","count":3}`, id, i)
		case 2:
			fmt.Fprintf(&sb, `{"id":%q,"type":"viewers","ts":"2024-11-22T20:00:00.123+08:00","online":12345}`, id)
		case 3:
			fmt.Fprintf(&sb, `{"id":%q,"type":"product_click","ts":1732280000000,"user_id":"u%d","sku":"lipstick-01"}`, id, i)
		default:
			fmt.Fprintf(&sb, `{"id":%q,"type":"order","ts":1732280000000,"user_id":"u%d","order_id":"SO-%s","sku":"lipstick-01","qty":1,"amount":19900,"status":"paid"}`, id, i, id)
		}
	}
	sb.WriteByte(']')
	return []byte(sb.String())
}

func BenchmarkDecodeEvents(b *testing.B) {
	body := benchBody(100, 0)
	var bt batch
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		bt.reset()
		if err := decodeEvents(body, 10_000, &bt); err != nil || len(bt.events) != 100 {
			b.Fatal(err, len(bt.rejected))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}

func BenchmarkEncodeEvent(b *testing.B) {
	ev := livedeck.Event{ID: "c1", Type: livedeck.EventComment, TS: 1732280000000, Source: "api", UserID: "u1", Nickname: "观众", Text: "想要！<b>多少钱</b>"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEvent(buf[:0], &ev)
	}
}

// BenchmarkWriteEvents is the Redis side of a batch of 100 new events: one
// pipeline, one script call. redis-ns/event is the time Redis spent in the
// script (INFO commandstats), the figure that bounds ingest throughput.
// "earlier-days" is a room whose previous two dedupe buckets, both
// consulted under the default window, hold a million ids each.
func BenchmarkWriteEvents(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	ctx := context.Background()
	s, err := New(rdb, prometheus.NewRegistry(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, room := range []string{"new-room", "earlier-days"} {
		if _, err := s.Rooms().Create(ctx, livedeck.Room{ID: room, Title: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	keys, _ := s.w.buckets.declare(nil, redisx.Room("earlier-days"), time.Now())
	fill := "for i = 1, 100000 do redis.call('SADD', KEYS[1], 'e:earlier-' .. ARGV[1] .. '-' .. i) end"
	for _, k := range keys[len(keys)-4 : len(keys)-2] {
		for j := range 10 { // in parts: a long script would block Redis past the client's timeout
			if err := rdb.Eval(ctx, fill, []string{k}, j).Err(); err != nil && err != redis.Nil {
				b.Fatal(err)
			}
		}
	}
	var bt batch
	if err := decodeEvents(benchBody(100, 0), 10_000, &bt); err != nil {
		b.Fatal(err)
	}
	evs := bt.events
	var buf []byte
	seq := 0
	write := func(b *testing.B, room string) {
		seq++
		for i := range evs { // fresh ids: every event is new
			evs[i].ID = fmt.Sprintf("w%d-%d", seq, i)
			evs[i].OrderID = evs[i].ID
		}
		var flags []byte
		flags, buf, err = s.w.write(ctx, room, evs, buf)
		if err != nil || strings.Count(string(flags), "1") != len(evs) {
			b.Fatal(err, string(flags))
		}
	}
	for _, room := range []string{"new-room", "earlier-days"} {
		b.Run(room, func(b *testing.B) {
			write(b, room) // loads the script
			if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				write(b, room)
			}
			events := float64(b.N * len(evs))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
			b.ReportMetric(scriptMicros(b, rdb)*1000/events, "redis-ns/event")
		})
	}
}

// scriptMicros is the time Redis spent in EVALSHA since the last CONFIG
// RESETSTAT.
func scriptMicros(b *testing.B, rdb redis.UniversalClient) float64 {
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if rest, ok := strings.CutPrefix(line, "cmdstat_evalsha:"); ok {
			for f := range strings.SplitSeq(strings.TrimSpace(rest), ",") {
				if v, ok := strings.CutPrefix(f, "usec="); ok {
					us, _ := strconv.ParseFloat(v, 64)
					return us
				}
			}
		}
	}
	b.Fatal("no cmdstat_evalsha in INFO commandstats")
	return 0
}
