package live

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// base is the scripted broadcast's start (event time).
var base = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC).UnixMilli()

func i64(n int64) *int64 { return &n }

// script is a broadcast with late, duplicate and out-of-order events,
// refunds and cancellations. The expectations in TestMetricsExact are
// computed by hand from it.
func script() []livedeck.Event {
	ev := func(id string, typ livedeck.EventType, sec int64, f func(e *livedeck.Event)) livedeck.Event {
		e := livedeck.Event{ID: id, Type: typ, TS: base + sec*1000}
		if f != nil {
			f(e2(&e))
		}
		return e
	}
	user := func(u string) func(*livedeck.Event) { return func(e *livedeck.Event) { e.UserID = u } }
	order := func(o, u, sku string, qty, amount int64, st livedeck.OrderStatus) func(*livedeck.Event) {
		return func(e *livedeck.Event) {
			e.OrderID, e.UserID, e.SKU, e.Qty, e.Amount, e.Status = o, u, sku, qty, amount, st
		}
	}
	comment := func(u, text string) func(*livedeck.Event) {
		return func(e *livedeck.Event) { e.UserID, e.Nickname, e.Text = u, "nick-"+u, text }
	}
	sku := func(u, s string) func(*livedeck.Event) { return func(e *livedeck.Event) { e.UserID, e.SKU = u, s } }
	return []livedeck.Event{
		ev("v1", livedeck.EventViewers, 0, func(e *livedeck.Event) { e.Online = i64(100) }),
		ev("v2", livedeck.EventViewers, 10, func(e *livedeck.Event) { e.Online = i64(300) }),
		ev("v3", livedeck.EventViewers, 5, func(e *livedeck.Event) { e.Online = i64(200) }), // late: must not win
		ev("en1", livedeck.EventEnter, 0, user("u1")),
		ev("en2", livedeck.EventEnter, 1, user("u2")),
		ev("c1", livedeck.EventComment, 2, comment("u3", "想要，上链接")),
		ev("c2", livedeck.EventComment, 3, comment("u4", "这件多少钱?")),
		ev("c3", livedeck.EventComment, 4, comment("u5", "骗子")),
		ev("c4", livedeck.EventComment, 5, comment("u1", "<img src=x onerror=alert(1)>")),
		ev("x1", livedeck.EventProductExposure, 6, sku("u1", "A")),
		ev("x2", livedeck.EventProductExposure, 6, sku("u2", "A")),
		ev("x3", livedeck.EventProductExposure, 6, sku("u3", "A")),
		ev("x4", livedeck.EventProductExposure, 6, sku("u4", "A")),
		ev("k1", livedeck.EventProductClick, 7, sku("u1", "A")),
		ev("k2", livedeck.EventProductClick, 7, sku("u2", "A")),
		ev("l1", livedeck.EventLike, 8, func(e *livedeck.Event) { e.UserID, e.Count = "u2", 5 }),
		ev("f1", livedeck.EventFollow, 8, user("u2")),
		ev("s1", livedeck.EventShare, 8, user("u3")),
		ev("g1", livedeck.EventGift, 8, func(e *livedeck.Event) { e.UserID, e.Gift, e.Value = "u4", "rocket", 1000 }),
		ev("o1c", livedeck.EventOrder, 10, order("o1", "u1", "A", 1, 19900, livedeck.OrderCreated)),
		ev("o1p", livedeck.EventOrder, 11, order("o1", "u1", "A", 1, 19900, livedeck.OrderPaid)),
		ev("o2p", livedeck.EventOrder, 12, order("o2", "u2", "A", 2, 39800, livedeck.OrderPaid)), // first seen paid
		ev("o3c", livedeck.EventOrder, 13, order("o3", "u3", "B", 1, 5000, livedeck.OrderCreated)),
		ev("o3x", livedeck.EventOrder, 14, order("o3", "u3", "B", 1, 5000, livedeck.OrderCancelled)),
		ev("o1r", livedeck.EventOrder, 15, order("o1", "u1", "A", 1, 19900, livedeck.OrderRefunded)),
		ev("o1p2", livedeck.EventOrder, 16, order("o1", "u1", "A", 1, 19900, livedeck.OrderPaid)),  // late paid after refund: no effect
		ev("o2p2", livedeck.EventOrder, 17, order("o2", "u2", "A", 2, 39800, livedeck.OrderPaid)),  // same step again: no effect
		ev("o2c", livedeck.EventOrder, 9, order("o2", "u2", "A", 2, 39800, livedeck.OrderCreated)), // late created: no effect
		ev("st1", livedeck.EventStock, 18, func(e *livedeck.Event) { e.SKU, e.Stock = "B", i64(10) }),
		ev("lv1", livedeck.EventLeave, 21, user("u1")),
	}
}

func e2(e *livedeck.Event) *livedeck.Event { return e }

func newRoom(t *testing.T, rdb redis.UniversalClient, id string) {
	t.Helper()
	room := livedeck.Room{ID: id, Title: "t", Currency: "CNY", Products: []livedeck.Product{
		{SKU: "A", Name: "a", Price: 19900, Stock: 50}, {SKU: "B", Name: "b", Price: 5000, Stock: 5},
	}}
	b, _ := json.Marshal(room)
	ctx := context.Background()
	if err := rdb.Set(ctx, redisx.Room(id).Meta(), b, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.SAdd(ctx, redisx.RoomsKey, id).Err(); err != nil {
		t.Fatal(err)
	}
}

func appendEvents(t *testing.T, rdb redis.UniversalClient, room string, evs []livedeck.Event) {
	t.Helper()
	ctx := context.Background()
	for i := range evs {
		b, _ := json.Marshal(&evs[i])
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room(room).Events(), Values: []any{"e", b}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// appendPacked writes evs as packed stream entries (livedeck.DecodeEntry)
// of up to per events each.
func appendPacked(t *testing.T, rdb redis.UniversalClient, room string, evs []livedeck.Event, per int) {
	t.Helper()
	ctx := context.Background()
	for lo := 0; lo < len(evs); lo += per {
		lines := make([]string, 0, per)
		for i := lo; i < min(lo+per, len(evs)); i++ {
			b, _ := json.Marshal(&evs[i])
			lines = append(lines, string(b))
		}
		vals := []any{livedeck.EntryVersion, livedeck.EntryPacked, livedeck.EntryBatch, strings.Join(lines, "\n")}
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room(room).Events(), Values: vals}).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// startProcessor runs a processor on its own clients until the test ends
// or stop is called. crash closes its clients before stopping, so it can
// neither checkpoint nor release its leases — as if the process died.
func startProcessor(t *testing.T, url, name string, clock func() time.Time) (p *Processor, stop func(), crash func()) {
	t.Helper()
	return startProcessorWith(t, url, Config{Instance: name, Now: clock}, prometheus.NewRegistry(), nil)
}

// startProcessorWith is startProcessor with a configuration (scan, lease
// and checkpoint times default to short ones), a registry, and a hook run
// on the processor before it starts.
func startProcessorWith(t *testing.T, url string, cfg Config, reg prometheus.Registerer, setup func(*Processor)) (p *Processor, stop func(), crash func()) {
	t.Helper()
	rdb, err := redisx.Open(url, redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blocking, _ := redisx.Open(url, redisx.Options{PoolSize: 64})
	if cfg.ScanInterval == 0 {
		cfg.ScanInterval = 200 * time.Millisecond
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 2 * time.Second
	}
	if cfg.Checkpoint == 0 {
		cfg.Checkpoint = 50 * time.Millisecond
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	p, err = New(cfg, rdb, blocking, nil, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
			rdb.Close()
			blocking.Close()
		}
	}
	crash = func() {
		if !stopped {
			stopped = true
			rdb.Close()
			blocking.Close()
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return p, stop, crash
}

// waitSnapshot polls the published snapshot until it has folded seq events.
func waitSnapshot(t *testing.T, rdb redis.UniversalClient, room string, seq uint64) livedeck.Snapshot {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var snap livedeck.Snapshot
	for time.Now().Before(deadline) {
		b, err := rdb.Get(context.Background(), redisx.Room(room).Snapshot()).Bytes()
		if err == nil {
			snap = livedeck.Snapshot{}
			_ = json.Unmarshal(b, &snap)
			if snap.Seq >= seq {
				return snap
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("room %s: snapshot never reached seq %d (at %d)", room, seq, snap.Seq)
	return snap
}

func fixedClock() time.Time { return time.UnixMilli(base + 30_000) }

// redisTarget is a Redis the processor runs against: standalone or Cluster.
type redisTarget struct {
	url string
	rdb redis.UniversalClient
}

func targets(t *testing.T) map[string]func(t *testing.T) redisTarget {
	return map[string]func(t *testing.T) redisTarget{
		"standalone": func(t *testing.T) redisTarget {
			s := redistest.Start(t)
			return redisTarget{s.URL(), s.Client(t)}
		},
		"cluster": func(t *testing.T) redisTarget {
			c := redistest.StartCluster(t, 3)
			return redisTarget{c.URL(), c.Client(t)}
		},
	}
}

func TestMetricsExact(t *testing.T) {
	for name, start := range targets(t) {
		t.Run(name, func(t *testing.T) { testMetricsExact(t, start(t)) })
	}
}

func testMetricsExact(t *testing.T, tg redisTarget) {
	rdb := tg.rdb
	newRoom(t, rdb, "r1")
	evs := script()
	appendEvents(t, rdb, "r1", evs)
	startProcessor(t, tg.url, "i1", fixedClock)
	got := waitSnapshot(t, rdb, "r1", uint64(len(evs)))

	want := livedeck.Snapshot{
		Online: 300, PeakOnline: 300, UV: 5, AvgWatchSeconds: 21,
		Comments: 4, Likes: 5, Follows: 1, Shares: 1, GiftValue: 1000,
		CommentsPerMin: 4, IntentPerMin: 1, QuestionsPerMin: 1, AbusePerMin: 1, LikesPerMin: 5, FollowsPerMin: 1, SharesPerMin: 1,
		GMV: 39800, GMVPerMin: 39800, OrdersCreated: 3, OrdersPaid: 2, OrdersCancelled: 1, OrdersRefunded: 1,
		Buyers: 2, Conversion: 0.4, UVValue: 7960, AOV: 19900,
		Funnel: livedeck.Funnel{Exposures: 4, Clicks: 2, Orders: 3, Paid: 2},
		// Click 2 of 4 exposures; no cart adds, so cart and order rates are 0;
		// 2 of 3 orders paid.
		FunnelRates: livedeck.FunnelRates{Click: 0.5, Paid: 2.0 / 3},
		Views:       2,                // enter events
		GPM:         39800 * 1000 / 2, // GMV per 1,000 views
		SKUs: map[string]livedeck.SKUStats{
			"A": {Exposures: 4, Clicks: 2, CTR: 0.5, Orders: 2, ClickToOrder: 1, UnitsSold: 2, GMV: 39800, Stock: 48},
			"B": {Orders: 1, Stock: 10},
		},
	}
	// The whole snapshot is compared; the fields left out are named: ids and
	// times of the run, and what other tests check (freshness, keywords).
	ignore := cmpopts.IgnoreFields(livedeck.Snapshot{}, "Room", "Seq", "LastID", "AsOf",
		"ViewersAgeSeconds", "OnlineStale", "StaleAfterSeconds", "Sources", "Keywords")
	if diff := cmp.Diff(want, got, ignore, cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}

	// The comment that looks like HTML is kept as text, classified, and in
	// the recent list for consoles.
	n, _ := rdb.LLen(context.Background(), redisx.Room("r1").Comments()).Result()
	if n != 4 {
		t.Errorf("recent comments = %d, want 4", n)
	}
}

func TestSeries(t *testing.T) {
	s := NewState("r", nil)
	for i, e := range script() {
		s.Fold(&e, fmt.Sprintf("%d-0", i+1), nil)
	}
	pts := s.sec.points(fOnline, base, base+12_000)
	if len(pts) != 13 || pts[0][1] != 100 || pts[5][1] != 200 || pts[10][1] != 300 || pts[12][1] != 300 {
		t.Errorf("online per second = %v", pts)
	}
	gmv := s.min.points(fGMV, base, base+30_000)
	if len(gmv) != 1 || gmv[0][1] != 39800 {
		t.Errorf("gmv per minute = %v, want one minute of 39800", gmv)
	}
}

// TestCrashRestartExact kills the processor mid-stream (it can neither
// checkpoint nor release its lease) and lets a second one take over: the
// numbers equal an uninterrupted run's exactly.
// The stream's entries are one event each, packed, or both in turn.
func TestCrashRestartExact(t *testing.T) {
	packed := func(t *testing.T, rdb redis.UniversalClient, room string, evs []livedeck.Event) {
		appendPacked(t, rdb, room, evs, 3)
	}
	for name, write := range map[string]func(*testing.T, redis.UniversalClient, string, []livedeck.Event){
		"one event per entry": appendEvents,
		"packed entries":      packed,
	} {
		t.Run(name, func(t *testing.T) { testCrashRestartExact(t, write) })
	}
}

func testCrashRestartExact(t *testing.T, appendCr func(*testing.T, redis.UniversalClient, string, []livedeck.Event)) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	evs := script()
	newRoom(t, rdb, "ref")
	appendEvents(t, rdb, "ref", evs)
	newRoom(t, rdb, "cr")

	_, _, crash := startProcessor(t, srv.URL(), "doomed", fixedClock)
	half := len(evs) / 2
	appendCr(t, rdb, "cr", evs[:half])
	waitSnapshot(t, rdb, "cr", uint64(half))
	appendCr(t, rdb, "cr", evs[half:half+5])
	waitSnapshot(t, rdb, "cr", uint64(half+5)) // folded, maybe not checkpointed
	crash()

	appendEvents(t, rdb, "cr", evs[half+5:half+7]) // the shapes mix in one stream
	appendCr(t, rdb, "cr", evs[half+7:])
	startProcessor(t, srv.URL(), "survivor", fixedClock)
	got := waitSnapshot(t, rdb, "cr", uint64(len(evs)))
	ref := waitSnapshot(t, rdb, "ref", uint64(len(evs)))
	if got.Seq != ref.Seq || got.GMV != ref.GMV || got.OrdersCreated != ref.OrdersCreated || got.OrdersPaid != ref.OrdersPaid ||
		got.OrdersRefunded != ref.OrdersRefunded || got.OrdersCancelled != ref.OrdersCancelled || got.UV != ref.UV ||
		got.Comments != ref.Comments || got.SKUs["A"] != ref.SKUs["A"] || got.SKUs["B"] != ref.SKUs["B"] {
		t.Errorf("after crash and takeover:\n got %+v\nwant %+v", got, ref)
	}
}

// TestTwoInstances shares rooms between two processors on one Redis: each
// room is processed by exactly one, and all move to the survivor when one
// stops.
func TestTwoInstances(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	rooms := []string{"a", "b", "c", "d"}
	for _, r := range rooms {
		newRoom(t, rdb, r)
	}
	p1, stop1, _ := startProcessor(t, srv.URL(), "p1", fixedClock)
	p2, _, _ := startProcessor(t, srv.URL(), "p2", fixedClock)

	deadline := time.Now().Add(15 * time.Second)
	for {
		o1, o2 := p1.Owned(), p2.Owned()
		if len(o1)+len(o2) == len(rooms) && len(o1) == 2 && len(o2) == 2 && disjoint(o1, o2) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rooms not shared: p1 %v, p2 %v", o1, o2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	evs := script()
	for _, r := range rooms {
		appendEvents(t, rdb, r, evs[:10])
	}
	for _, r := range rooms {
		waitSnapshot(t, rdb, r, 10)
	}
	stop1()
	for _, r := range rooms {
		appendEvents(t, rdb, r, evs[10:])
	}
	for time.Now().Before(deadline.Add(15 * time.Second)) {
		if len(p2.Owned()) == len(rooms) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if o := p2.Owned(); len(o) != len(rooms) {
		t.Fatalf("survivor owns %v, want all rooms", o)
	}
	for _, r := range rooms {
		got := waitSnapshot(t, rdb, r, uint64(len(evs)))
		if got.Seq != uint64(len(evs)) || got.GMV != 39800 || got.OrdersCreated != 3 {
			t.Errorf("room %s counted wrong after move: seq %d gmv %d created %d", r, got.Seq, got.GMV, got.OrdersCreated)
		}
	}
}

// check is one metric's measured and hand-computed value.
type check struct {
	name      string
	got, want float64
}

func disjoint(a, b []string) bool {
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if m[x] {
			return false
		}
	}
	return true
}

func TestSeriesStore(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	newRoom(t, rdb, "s1")
	evs := script()
	appendEvents(t, rdb, "s1", evs)
	startProcessor(t, srv.URL(), "i1", fixedClock)
	waitSnapshot(t, rdb, "s1", uint64(len(evs)))
	store := &SeriesStore{RDB: rdb, Now: fixedClock}
	ctx := context.Background()
	var pts [][2]int64
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) { // the series is read from the checkpoint
		pts, _ = store.Series(ctx, "s1", "gmv", "1m", base)
		if len(pts) == 1 && pts[0][1] == 39800 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(pts) != 1 || pts[0] != [2]int64{base, 39800} {
		t.Fatalf("gmv per minute = %v", pts)
	}
	online, err := store.Series(ctx, "s1", "online", "1s", base)
	if err != nil || len(online) != 31 || online[10][1] != 300 || online[30][1] != 300 {
		t.Fatalf("online per second = %v, %v", online, err)
	}
	if _, err := store.Series(ctx, "s1", "nope", "1s", base); livedeck.ErrorCode(err) != livedeck.EINVALID {
		t.Fatalf("unknown metric: %v", err)
	}
}
