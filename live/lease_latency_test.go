package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/faultproxy"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestLeaseKeptUnderLatency puts 300 ms of latency each way between the
// processor and Redis for 15 s while events flow. The room must stay with
// its one instance (no lease lost, the holder never changes) and snapshots
// must keep being published. With renewal inside the processing loop, one
// slow step (read, fold, publish, the observer's own calls, checkpoint)
// outlasted the lease.
func TestLeaseKeptUnderLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("15 s of injected latency")
	}
	srv := redistest.Start(t)
	direct := srv.Client(t)
	ctx := context.Background()
	newRoom(t, direct, "slow")
	proxy := faultproxy.Start(t, srv.Addr())
	url := "redis://" + proxy.Addr()

	rdb, err := redisx.Open(url, redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	blocking, _ := redisx.Open(url, redisx.Options{PoolSize: 16})
	defer blocking.Close()
	// The observer stands where the rules engine is: it reads its own state
	// from Redis once per update, on the room's goroutine.
	obs := ObserverFunc(func(ctx context.Context, u livedeck.Update) {
		rdb.Get(ctx, redisx.Room(u.Room).RuleState())
	})
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	p, err := New(Config{Instance: "only"}, rdb, blocking, obs, reg, log) // production lease: 3 s
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(pctx) }()
	defer func() { cancel(); <-done }()

	sub := direct.Subscribe(ctx, redisx.Room("slow").Live())
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	waitOwned(t, p, "slow")

	proxy.SetLatency(300 * time.Millisecond)
	published, last, maxGap := 0, time.Now(), time.Duration(0)
	stopWriting := make(chan struct{})
	go func() { // 10 events a second, written straight into Redis
		for i := 0; ; i++ {
			select {
			case <-stopWriting:
				return
			case <-time.After(100 * time.Millisecond):
			}
			e := livedeck.Event{ID: fmt.Sprintf("c%d", i), Type: livedeck.EventLike, TS: time.Now().UnixMilli(), Count: 1}
			b, _ := json.Marshal(&e)
			direct.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room("slow").Events(), Values: []any{"e", b}})
		}
	}()
	end := time.After(15 * time.Second)
	holder := time.NewTicker(250 * time.Millisecond)
	defer holder.Stop()
loop:
	for {
		select {
		case <-end:
			break loop
		case <-sub.Channel():
			published++
			maxGap, last = max(maxGap, time.Since(last)), time.Now()
		case <-holder.C:
			if h, _ := direct.Get(ctx, redisx.Room("slow").Lease()).Result(); h != "only" {
				t.Errorf("lease holder %q, want the one instance", h)
			}
		}
	}
	close(stopWriting)
	proxy.SetLatency(0)

	if lost := testutil.ToFloat64(p.m.leases.WithLabelValues("lost")); lost != 0 {
		t.Errorf("leases lost under 300 ms latency: %v", lost)
	}
	if taken := testutil.ToFloat64(p.m.leases.WithLabelValues("taken")); taken != 1 {
		t.Errorf("room taken %v times, want once", taken)
	}
	// A publish takes a few round trips (read, publish, observe,
	// checkpoint): at 600 ms each, one every two or three seconds on a quiet
	// machine. The gap is logged, not asserted: a loaded machine stretches
	// it, while the lease checks above are what tell a frozen room.
	maxGap = max(maxGap, time.Since(last))
	if published < 3 {
		t.Errorf("%d snapshots published in 15 s of latency, longest gap %s", published, maxGap)
	}
	t.Logf("published %d snapshots in 15 s at 300 ms latency each way, longest gap %s", published, maxGap.Round(time.Millisecond))
}

func waitOwned(t *testing.T, p *Processor, room string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, r := range p.Owned() {
			if r == room {
				return
			}
		}
	}
	t.Fatalf("room %s never taken", room)
}
