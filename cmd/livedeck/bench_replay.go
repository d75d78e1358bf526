package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/redisx"
)

// benchReplay folds a long broadcast as fast as possible — by default 4
// hours at 2,000 events/s of event time — and reports the processor's heap
// and Redis' memory along the way: both must stay flat.
func benchReplay(ctx context.Context, args []string) error {
	var (
		url        string
		hours      float64
		rate, keep int
	)
	fs := newFlagSet("bench replay", "Replays a long simulated broadcast into one room as fast as the processor folds it; reports heap and Redis memory at each quarter.")
	fs.String(&url, "redis", "LIVEDECK_REDIS_URL", "", "Redis URL (required)")
	fs.Float64Var(&hours, "hours", 4, "broadcast length in event time")
	fs.Int(&rate, "rate", "", 2000, "events per second of event time")
	fs.Int(&keep, "maxlen", "", 100000, "stream MAXLEN (approximate), as ingest trims")
	if err := fs.parse(args); err != nil {
		return err
	}
	if url == "" {
		return fmt.Errorf("bench replay: --redis is required")
	}
	rdb, err := redisx.New(ctx, url, redisx.Options{})
	if err != nil {
		return err
	}
	defer rdb.Close()
	blocking, _ := redisx.Open(url, redisx.Options{PoolSize: 4})
	defer blocking.Close()
	room := fmt.Sprintf("bench-replay-%d", time.Now().UnixNano())
	k := redisx.Room(room)
	b, _ := json.Marshal(livedeck.Room{ID: room, Title: "replay", Currency: "CNY", Products: []livedeck.Product{{SKU: "A", Name: "a", Price: 100, Stock: 1 << 40}}})
	rdb.Set(ctx, k.Meta(), b, 0)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	proc, err := live.New(live.Config{Instance: "bench-replay"}, rdb, blocking, nil, prometheus.NewRegistry(), log)
	if err != nil {
		return err
	}
	proc.Text().Warm() // the segmentation dictionary is a fixed cost: load it before the first report
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	go func() { defer close(done); _ = proc.Run(pctx) }()
	rdb.SAdd(ctx, redisx.RoomsKey, room)

	total := int(hours * 3600 * float64(rate))
	start, base := time.Now(), time.Now().Add(-time.Duration(hours*float64(time.Hour))).UnixMilli()
	report := func(label string) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		info, _ := rdb.Info(ctx, "memory").Result()
		fmt.Printf("%-6s events=%-9d elapsed=%-8s heap=%5.1f MiB  redis used_memory=%s\n", label, folded(ctx, rdb, k), time.Since(start).Round(time.Second),
			float64(m.HeapAlloc)/(1<<20), infoField(info, "used_memory_human"))
	}
	report("start")
	const chunk = 1000
	for n := 0; n < total && ctx.Err() == nil; n += chunk {
		// Keep the processor within half the stream's length, or trimming
		// would drop events it has not read.
		for n-int(folded(ctx, rdb, k)) > keep/2 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		pipe := rdb.Pipeline()
		for j := n; j < n+chunk && j < total; j++ {
			ev := benchEvent(j, base+int64(j)*1000/int64(rate))
			eb, _ := json.Marshal(&ev)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: k.Events(), MaxLen: int64(keep), Approx: true, Values: []any{"e", eb}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("append: %w", err)
		}
		if q := total / 4; q > 0 && (n+chunk)%q < chunk && n+chunk < total {
			report(fmt.Sprintf("%d/4", (n+chunk)/q))
		}
	}
	for int(folded(ctx, rdb, k)) < total && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	report("end")
	elapsed := time.Since(start)
	fmt.Printf("folded %d events (%.1f h of event time) in %s: %.0f events/s\n", total, hours, elapsed.Round(time.Second), float64(total)/elapsed.Seconds())
	stop()
	<-done
	rdb.Del(ctx, k.Meta(), k.Events(), k.State(), k.Seconds(), k.Minutes(), k.Orders(), k.Spend(), k.Present(), k.Snapshot(), k.Comments(), k.Lease())
	rdb.SRem(ctx, redisx.RoomsKey, room)
	return nil
}

// folded is the published snapshot's event count.
func folded(ctx context.Context, rdb redis.UniversalClient, k redisx.Keys) uint64 {
	var s livedeck.Snapshot
	if b, err := rdb.Get(ctx, k.Snapshot()).Bytes(); err == nil {
		_ = json.Unmarshal(b, &s)
	}
	return s.Seq
}

func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return "?"
}
