package review

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

const benchEvents = 100_000

func benchShow(b *testing.B) (livedeck.Room, []livedeck.Event) {
	room := sim.Room("bench", 1)
	show := sim.NewShow(room, sim.ShowConfig{Seed: 1, Rate: 140, Length: time.Hour, Start: time.UnixMilli(t0)})
	return room, show.Next(nil, benchEvents)
}

// BenchmarkFold folds a simulated show (about 1/4 comments) into a review,
// as `livedeck review` does; reported per event.
func BenchmarkFold(b *testing.B) {
	room, evs := benchShow(b)
	text := loadText(b)
	text.Warm()
	b.ResetTimer()
	for range b.N {
		bl := NewBuilder(room, text, 0)
		for i := range evs {
			bl.Event(&evs[i], fmt.Sprintf("%d-%d", evs[i].TS, i))
		}
		_ = bl.Build(0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}

// BenchmarkBuildFromRedis is what closing a room costs: reading its stream
// from a real Redis, decoding and folding; reported per event.
func BenchmarkBuildFromRedis(b *testing.B) {
	room, evs := benchShow(b)
	rdb := redistest.Start(b).Client(b)
	ctx := context.Background()
	pipe := rdb.Pipeline()
	for i := range evs {
		raw, _ := json.Marshal(&evs[i])
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room(room.ID).Events(), Values: []any{"e", raw}})
		if i%5000 == 4999 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		b.Fatal(err)
	}
	st := &Store{RDB: rdb, Text: loadText(b)}
	st.Text.Warm()
	b.ResetTimer()
	for range b.N {
		if _, err := st.Build(ctx, room, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}
