package review

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// builtFromStreams counts the reviews built against rdb so far, from the
// server's own command counts: every build reads the room's order tiers
// with exactly one HGETALL, and nothing else in these tests does.
func builtFromStreams(t *testing.T, rdb redis.UniversalClient) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(line, "cmdstat_hgetall:calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

func addEvents(t *testing.T, rdb redis.UniversalClient, room string, n int) {
	t.Helper()
	p := rdb.Pipeline()
	for i := range n {
		b, _ := json.Marshal(livedeck.Event{ID: "e" + strconv.Itoa(i), Type: livedeck.EventLike, TS: at(int64(i)), UserID: "u" + strconv.Itoa(i%50), Count: 1})
		p.XAdd(context.Background(), &redis.XAddArgs{Stream: redisx.Room(room).Events(), Values: []any{"e", b}})
	}
	if _, err := p.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestReviewBuildsShared: 16 concurrent requests for a live room's review
// build it once (before sharing, each request built its own from the whole
// stream); a request with nothing new in the streams is served from the
// cache; a new event or another window builds again; and while MaxBuilds
// builds run, another room's review is refused with a BusyError (503,
// Retry-After) instead of starting one more.
func TestReviewBuildsShared(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	live := livedeck.Room{ID: "live", Status: livedeck.RoomLive}
	other := livedeck.Room{ID: "other", Status: livedeck.RoomLive}
	addEvents(t, rdb, live.ID, 3000)
	addEvents(t, rdb, other.ID, 10)

	reg := prometheus.NewRegistry()
	gate := make(chan struct{})
	var hooked atomic.Int32
	st := &Store{RDB: rdb, Limits: Limits{MaxBuilds: 1}, Metrics: NewMetrics(reg), OnBuild: func(room string) {
		hooked.Add(1)
		if room == live.ID {
			<-gate
		}
	}}
	const n = 16
	var wg sync.WaitGroup
	results := make([]*Review, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = st.Get(ctx, live, 0) })
	}
	waitUntil(t, func() bool { return hooked.Load() == 1 })
	time.Sleep(100 * time.Millisecond) // let every request join the build in flight

	// The one slot is taken: another room is refused, not built.
	_, err := st.Get(ctx, other, 0)
	var busy *BusyError
	if !errors.As(err, &busy) || livedeck.ErrorCode(err) != livedeck.EUNAVAILABLE || busy.RetryAfterSeconds() != 5 || !strings.Contains(err.Error(), "review-builds") {
		t.Fatalf("review while the build slot is taken: %v, want a BusyError (unavailable, retry in 5 s)", err)
	}
	close(gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || results[i] == nil || results[i].Events != 3000 {
			t.Fatalf("request %d: %+v, %v", i, results[i], errs[i])
		}
	}
	if b := builtFromStreams(t, rdb); b != 1 {
		t.Fatalf("%d concurrent requests built the review %d times, want once", n, b)
	}

	// Nothing new: cached. A new event, or another window: built again.
	if r, err := st.Get(ctx, live, 0); err != nil || r != results[0] {
		t.Fatalf("unchanged room: %p %v, want the cached review %p", r, err, results[0])
	}
	addEvents(t, rdb, live.ID, 1)
	if _, err := st.Get(ctx, live, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, live, 10); err != nil {
		t.Fatal(err)
	}
	if b := builtFromStreams(t, rdb); b != 3 {
		t.Fatalf("built %d times after a new event and another window, want 3", b)
	}
	for outcome, want := range map[string]float64{outBuilt: 3, outRefused: 1, outCached: 1} {
		if got := testutil.ToFloat64(st.Metrics.requests.WithLabelValues(outcome)); got != want {
			t.Errorf("review requests %s = %v, want %v", outcome, got, want)
		}
	}
	if got := testutil.ToFloat64(st.Metrics.builds); got != 3 {
		t.Errorf("builds_total = %v, want 3", got)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
