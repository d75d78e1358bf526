package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/benchutil"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/redisx"
)

// benchLive measures the live metrics processor end to end: events are
// appended to room streams at a fixed rate (as ingest acknowledges them),
// and the time from each batch's acknowledgement to the first published
// snapshot that includes it is recorded.
func benchLive(ctx context.Context, args []string) error {
	var (
		url                string
		rooms, rate, batch int
		duration           time.Duration
	)
	fs := newFlagSet("bench live", "Measures ingest-ack → published snapshot latency of the live metrics processor at a fixed event rate. Use a Redis you can flush: it creates rooms bench-live-N.")
	fs.String(&url, "redis", "LIVEDECK_REDIS_URL", "", "Redis URL (required)")
	fs.Int(&rooms, "rooms", "", 10, "rooms")
	fs.Int(&rate, "rate", "", 20000, "events per second over all rooms")
	fs.Int(&batch, "batch", "", 100, "events per append (one pipeline per room per tick)")
	fs.Duration(&duration, "duration", "", 30*time.Second, "how long to send")
	if err := fs.parse(args); err != nil {
		return err
	}
	if url == "" {
		return fmt.Errorf("bench live: --redis is required")
	}
	rdb, err := redisx.New(ctx, url, redisx.Options{})
	if err != nil {
		return err
	}
	defer rdb.Close()
	blocking, _ := redisx.Open(url, redisx.Options{PoolSize: rooms + 8})
	defer blocking.Close()

	run := fmt.Sprintf("%d", time.Now().UnixNano())
	ids := make([]string, rooms)
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-live-%s-%d", run, i)
		b, _ := json.Marshal(livedeck.Room{ID: ids[i], Title: "bench", Currency: "CNY", Products: []livedeck.Product{{SKU: "A", Name: "a", Price: 100, Stock: 1 << 40}}})
		if err := rdb.Set(ctx, redisx.Room(ids[i]).Meta(), b, 0).Err(); err != nil {
			return err
		}
	}
	// Subscribe before the rooms exist for the processor.
	chans := make([]string, rooms)
	for i, id := range ids {
		chans[i] = redisx.Room(id).Live()
	}
	sub := rdb.Subscribe(ctx, chans...)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		return err
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg := prometheus.NewRegistry()
	proc, err := live.New(live.Config{Instance: "bench-" + run, MaxRooms: rooms + 1}, rdb, blocking, nil, reg, log)
	if err != nil {
		return err
	}
	pctx, stopProc := context.WithCancel(ctx)
	defer stopProc()
	procDone := make(chan struct{})
	go func() { defer close(procDone); _ = proc.Run(pctx) }()
	for _, id := range ids {
		rdb.SAdd(ctx, redisx.RoomsKey, id)
	}
	for len(proc.Owned()) < rooms {
		time.Sleep(50 * time.Millisecond)
	}

	// pending[room] holds (cumulative events, ack time) of sent batches.
	type mark struct {
		n  uint64
		at time.Time
	}
	var mu sync.Mutex
	pending := map[string][]mark{}
	var lat benchutil.Latencies
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		for msg := range sub.Channel() {
			now := time.Now()
			var m livedeck.LiveMessage
			if json.Unmarshal([]byte(msg.Payload), &m) != nil || m.Metrics == nil {
				continue
			}
			mu.Lock()
			q := pending[m.Metrics.Room]
			for len(q) > 0 && q[0].n <= m.Metrics.Seq {
				lat.Add(now.Sub(q[0].at))
				q = q[1:]
			}
			pending[m.Metrics.Room] = q
			mu.Unlock()
		}
	}()

	ticks := rate / batch / rooms // pipelines per room per second
	if ticks < 1 {
		ticks = 1
	}
	interval := time.Second / time.Duration(ticks)
	sent := make([]uint64, rooms)
	start := time.Now()
	var cpu0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpu0)
	t := time.NewTicker(interval)
	n := 0
	for time.Since(start) < duration && ctx.Err() == nil {
		<-t.C
		for r, id := range ids {
			pipe := rdb.Pipeline()
			now := time.Now().UnixMilli()
			for j := 0; j < batch; j++ {
				n++
				ev := benchEvent(n, now)
				b, _ := json.Marshal(&ev)
				pipe.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room(id).Events(), MaxLen: 200000, Approx: true, Values: []any{"e", b}})
			}
			// Marked before the append returns, because the processor can
			// publish before the generator sees the acknowledgement: the
			// figure is an upper bound on ack → published.
			sent[r] += uint64(batch)
			mu.Lock()
			pending[id] = append(pending[id], mark{sent[r], time.Now()})
			mu.Unlock()
			if _, err := pipe.Exec(ctx); err != nil {
				return fmt.Errorf("append: %w", err)
			}
		}
	}
	t.Stop()
	elapsed := time.Since(start)
	time.Sleep(500 * time.Millisecond) // let the last snapshots arrive
	var cpu1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpu1)
	stopProc()
	<-procDone
	sub.Close()
	<-recvDone

	total := uint64(0)
	for _, s := range sent {
		total += s
	}
	cpu := time.Duration(cpu1.Utime.Nano()+cpu1.Stime.Nano()-cpu0.Utime.Nano()-cpu0.Stime.Nano()) * time.Nanosecond
	fmt.Printf("bench live: %d rooms, %d events in %s (%.0f events/s), batches of %d\n", rooms, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), batch)
	fmt.Printf("append → published snapshot (upper bound of ack → published): %s\n", lat.Summary())
	if mfs, err := reg.Gather(); err == nil {
		for _, mf := range mfs {
			if mf.GetName() == "livedeck_live_publish_lag_seconds" {
				h := mf.GetMetric()[0].GetHistogram()
				fmt.Printf("processor's own publish lag histogram: count %d, mean %.1fms\n", h.GetSampleCount(), h.GetSampleSum()/float64(h.GetSampleCount())*1000)
			}
		}
	}
	fmt.Printf("this process (generator + processor) CPU: %.0f%% of one core\n", cpu.Seconds()/elapsed.Seconds()*100)
	for _, id := range ids {
		k := redisx.Room(id)
		rdb.Del(ctx, k.Meta(), k.Events(), k.State(), k.Seconds(), k.Minutes(), k.Orders(), k.Spend(), k.Present(), k.Snapshot(), k.Comments(), k.Lease())
		rdb.SRem(ctx, redisx.RoomsKey, id)
	}
	return nil
}

// benchEvent is the n-th event of the load generators' mix: 1 % orders
// (created, then paid), 30 % comments, 5 % viewer counts, likes, clicks and
// exposures, from 5,000 viewers.
func benchEvent(n int, ts int64) livedeck.Event {
	ev := livedeck.Event{ID: fmt.Sprintf("e%d", n), TS: ts, UserID: fmt.Sprintf("u%d", n%5000)}
	switch k := n % 100; {
	case k == 0:
		ev.Type, ev.OrderID, ev.SKU, ev.Qty, ev.Amount, ev.Status = livedeck.EventOrder, fmt.Sprintf("o%d", n), "A", 1, 100, livedeck.OrderCreated
	case k == 1:
		ev.Type, ev.OrderID, ev.SKU, ev.Qty, ev.Amount, ev.Status = livedeck.EventOrder, fmt.Sprintf("o%d", n-1), "A", 1, 100, livedeck.OrderPaid
	case k < 32:
		ev.Type, ev.Text, ev.Nickname = livedeck.EventComment, benchComments[n%len(benchComments)], "n"
	case k < 37:
		ev.Type, ev.Online = livedeck.EventViewers, &[]int64{int64(1000 + n%3000)}[0]
	case k < 60:
		ev.Type, ev.Count = livedeck.EventLike, 1
	case k < 80:
		ev.Type, ev.SKU = livedeck.EventProductExposure, "A"
	default:
		ev.Type, ev.SKU = livedeck.EventProductClick, "A"
	}
	return ev
}

// benchComments are comments that many viewers of a live room send.
var benchComments = []string{"想要", "1", "上链接", "多少钱", "尺码怎么选", "什么时候发货", "好看", "主播好美", "太贵了", "how much", "I want it"}
