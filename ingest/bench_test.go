package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
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
// pipeline, one script call, 100 markers and XADDs.
func BenchmarkWriteEvents(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	s, err := New(rdb, prometheus.NewRegistry(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Rooms().Create(context.Background(), livedeck.Room{ID: "bench", Title: "bench"}); err != nil {
		b.Fatal(err)
	}
	var bt batch
	if err := decodeEvents(benchBody(100, 0), 10_000, &bt); err != nil {
		b.Fatal(err)
	}
	evs := bt.events
	var buf []byte
	seq := 0
	b.ReportAllocs()
	for b.Loop() {
		seq++
		for i := range evs { // fresh ids: every event is new
			evs[i].ID = fmt.Sprintf("w%d-%d", seq, i)
			evs[i].OrderID = evs[i].ID
		}
		var flags []byte
		flags, buf, err = writeEvents(context.Background(), rdb, "bench", evs, 500, 1_000_000, 86400, buf)
		if err != nil || strings.Count(string(flags), "1") != len(evs) {
			b.Fatal(err, string(flags))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}
