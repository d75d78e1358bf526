package live

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/redisx"
)

// paidShow is a scripted show with ad spend, cart adds and attributed
// orders, sent through ingest in two batches. The second batch retries
// the first (all duplicates), corrects a spend report, re-sends a report
// under a new id, and brings an older report late. TestPaidTrafficExact
// checks the numbers computed by hand in the comments.
func paidShow() (first, second string) {
	at := func(sec int) int64 { return base + int64(sec)*1000 }
	var b1 []string
	add := func(dst *[]string, format string, args ...any) { *dst = append(*dst, fmt.Sprintf(format, args...)) }
	for i := 1; i <= 10; i++ { // exposures: A 10, B 4 → 14
		add(&b1, `{"id":"x%d","type":"product_exposure","ts":%d,"sku":"A"}`, i, at(1))
	}
	for i := 11; i <= 14; i++ {
		add(&b1, `{"id":"x%d","type":"product_exposure","ts":%d,"sku":"B"}`, i, at(1))
	}
	for i := 1; i <= 5; i++ { // clicks: A 5, B 2 → 7
		add(&b1, `{"id":"k%d","type":"product_click","ts":%d,"sku":"A","user_id":"u%d"}`, i, at(2), i)
	}
	for i := 6; i <= 7; i++ {
		add(&b1, `{"id":"k%d","type":"product_click","ts":%d,"sku":"B","user_id":"u%d"}`, i, at(2), i)
	}
	for i := 1; i <= 4; i++ { // 4 views
		add(&b1, `{"id":"en%d","type":"enter","ts":%d,"user_id":"u%d"}`, i, at(0), i)
	}
	// Cart adds: A 2 (one of 2 units), B 1 so far.
	add(&b1, `{"id":"ca1","type":"cart_add","ts":%d,"sku":"A","user_id":"u1","qty":2}`, at(3))
	add(&b1, `{"id":"ca2","type":"cart_add","ts":%d,"sku":"A","user_id":"u2"}`, at(3))
	add(&b1, `{"id":"ca3","type":"cart_add","ts":%d,"sku":"B","user_id":"u3"}`, at(3))
	order := func(dst *[]string, id, o, u, sku string, qty, amount int64, status, channel string, sec int) {
		ch := ""
		if channel != "" {
			ch = fmt.Sprintf(`,"channel":%q`, channel)
		}
		add(dst, `{"id":%q,"type":"order","ts":%d,"user_id":%q,"order_id":%q,"sku":%q,"qty":%d,"amount":%d,"status":%q%s}`,
			id, at(sec), u, o, sku, qty, amount, status, ch)
	}
	// o1: qianchuan 10000 paid. o2: douplus (named at payment) 10000 paid.
	// o3: qianchuan 5000 paid, then refunded. o4: created and cancelled.
	order(&b1, "o1c", "o1", "u1", "A", 1, 10000, "created", "qianchuan", 20)
	order(&b1, "o1p", "o1", "u1", "A", 1, 10000, "paid", "", 21)
	order(&b1, "o2c", "o2", "u2", "A", 1, 10000, "created", "", 22)
	order(&b1, "o2p", "o2", "u2", "A", 1, 10000, "paid", "douplus", 23)
	order(&b1, "o3c", "o3", "u3", "B", 1, 5000, "created", "qianchuan", 24)
	order(&b1, "o3p", "o3", "u3", "B", 1, 5000, "paid", "qianchuan", 25)
	order(&b1, "o4c", "o4", "u4", "A", 2, 20000, "created", "qianchuan", 26)
	order(&b1, "o4x", "o4", "u4", "A", 2, 20000, "cancelled", "", 27)
	// Spend: qianchuan plan-1 3000 and plan-2 2000 for the first minute;
	// douplus 2500, without a period (its period is its ts).
	add(&b1, `{"id":"s1","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"plan-1","period":%d,"amount":3000}`, at(60), at(0))
	add(&b1, `{"id":"s2","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"plan-2","period":%d,"amount":2000}`, at(60), at(0))
	add(&b1, `{"id":"s3","type":"ad_spend","ts":%d,"channel":"douplus","amount":2500}`, at(30))
	first = "[" + strings.Join(b1, ",") + "]"

	b2 := append([]string(nil), b1...) // the retried batch: all duplicates
	// plan-1's first minute corrected to 4000 (+1000).
	add(&b2, `{"id":"s4","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"plan-1","period":%d,"amount":4000}`, at(90), at(0))
	// s1 again under a new id, older than the correction: no change.
	add(&b2, `{"id":"s1-again","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"plan-1","period":%d,"amount":3000}`, at(60), at(0))
	// s3 again under a new id, the same report: it replaces itself.
	add(&b2, `{"id":"s3-again","type":"ad_spend","ts":%d,"channel":"douplus","period":%d,"amount":2500}`, at(30), at(30))
	// One more cart add of B; the refund of o3.
	add(&b2, `{"id":"ca4","type":"cart_add","ts":%d,"sku":"B","user_id":"u4"}`, at(40))
	order(&b2, "o3r", "o3", "u3", "B", 1, 5000, "refunded", "", 40)
	second = "[" + strings.Join(b2, ",") + "]"
	return first, second
}

func paidClock() time.Time { return time.UnixMilli(base + 120_000) }

func TestPaidTrafficExact(t *testing.T) {
	for name, start := range targets(t) {
		t.Run(name, func(t *testing.T) { testPaidTrafficExact(t, start(t)) })
	}
}

// testPaidTrafficExact sends the first batch, lets the processor fold and
// checkpoint it, kills the processor, sends the second batch and checks a
// successor's numbers against hand-computed ones: the correction of plan-1
// must find the report it replaces in Redis.
func testPaidTrafficExact(t *testing.T, tg redisTarget) {
	ctx := context.Background()
	rdb := tg.rdb
	svc, err := ingest.New(rdb, prometheus.NewRegistry(), ingest.Config{WriteTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	room := "paid"
	if _, err := svc.Rooms().Create(ctx, livedeck.Room{ID: room, Title: "t", Products: []livedeck.Product{
		{SKU: "A", Name: "a", Price: 10000, Stock: 50}, {SKU: "B", Name: "b", Price: 5000, Stock: 50},
	}}); err != nil {
		t.Fatal(err)
	}
	first, second := paidShow()
	res, err := svc.IngestJSON(ctx, room, "test", []byte(first))
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("first batch: %+v %v", res, err)
	}
	_, _, crash := startProcessor(t, tg.url, "doomed", paidClock)
	snap := waitSnapshot(t, rdb, room, uint64(res.Accepted))
	waitCheckpoint(t, rdb, room, snap.LastID)
	if snap.Spend != 7500 || snap.CartAdds != 3 {
		t.Errorf("after the first batch: spend %d cart adds %d, want 7500 and 3", snap.Spend, snap.CartAdds)
	}
	crash()

	res2, err := svc.IngestJSON(ctx, room, "test", []byte(second))
	if err != nil || len(res2.Rejected) > 0 || res2.Duplicates != res.Accepted || res2.Accepted != 5 {
		t.Fatalf("second batch: %+v %v, want %d duplicates and 5 accepted", res2, err, res.Accepted)
	}
	startProcessor(t, tg.url, "survivor", paidClock)
	got := waitSnapshot(t, rdb, room, uint64(res.Accepted+res2.Accepted))

	// Spend 4000 (plan-1, corrected) + 2000 (plan-2) + 2500 (douplus) = 8500.
	// GMV 10000 + 10000 + 5000 − 5000 = 20000; qianchuan 10000 + 5000 − 5000,
	// douplus 10000. Buyers u1, u2, u3 (u3 paid before the refund).
	checks := []check{
		{"spend", float64(got.Spend), 8500},
		{"spend_per_min", got.SpendPerMin, 8500.0 / 5}, // every change within the 5 minutes before 12:02
		{"gmv", float64(got.GMV), 20000},
		{"roi", got.ROI, 20000.0 / 8500},
		{"views", float64(got.Views), 4},
		{"gpm", got.GPM, 20000.0 * 1000 / 4},
		{"cost_per_buyer", got.CostPerBuyer, 8500.0 / 3},
		{"cart_adds", float64(got.CartAdds), 4},
		{"cart_rate", got.CartRate, 4.0 / 7},
		{"funnel.exposures", float64(got.Funnel.Exposures), 14},
		{"funnel.clicks", float64(got.Funnel.Clicks), 7},
		{"funnel.carts", float64(got.Funnel.Carts), 4},
		{"funnel.orders", float64(got.Funnel.Orders), 4},
		{"funnel.paid", float64(got.Funnel.Paid), 3},
		{"funnel_rates.click", got.FunnelRates.Click, 0.5},
		{"funnel_rates.cart", got.FunnelRates.Cart, 4.0 / 7},
		{"funnel_rates.order", got.FunnelRates.Order, 1},
		{"funnel_rates.paid", got.FunnelRates.Paid, 0.75},
		{"A.cart_adds", float64(got.SKUs["A"].CartAdds), 2},
		{"A.cart_rate", got.SKUs["A"].CartRate, 2.0 / 5},
		{"B.cart_adds", float64(got.SKUs["B"].CartAdds), 2},
		{"B.cart_rate", got.SKUs["B"].CartRate, 1},
		{"qianchuan.spend", float64(got.Channels["qianchuan"].Spend), 6000},
		{"qianchuan.gmv", float64(got.Channels["qianchuan"].GMV), 10000},
		{"qianchuan.orders", float64(got.Channels["qianchuan"].Orders), 2},
		{"qianchuan.roi", got.Channels["qianchuan"].ROI, 10000.0 / 6000},
		{"douplus.spend", float64(got.Channels["douplus"].Spend), 2500},
		{"douplus.gmv", float64(got.Channels["douplus"].GMV), 10000},
		{"douplus.roi", got.Channels["douplus"].ROI, 4},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(got.Channels) != 2 {
		t.Errorf("channels %v, want qianchuan and douplus", got.Channels)
	}

	// The per-minute series holds each report's change at its ts: 2500 in
	// the first minute (douplus at 0:30), 3000 + 2000 + 1000 in the second.
	store := &SeriesStore{RDB: rdb, Now: paidClock}
	var pts [][2]int64
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pts, _ = store.Series(ctx, room, "spend", "1m", base)
		if len(pts) == 2 && pts[1][1] == 6000 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(pts) != 2 || pts[0] != [2]int64{base, 2500} || pts[1] != [2]int64{base + 60_000, 6000} {
		t.Errorf("spend per minute = %v", pts)
	}
}

// waitCheckpoint waits until the room's checkpoint has folded up to id.
func waitCheckpoint(t *testing.T, rdb redis.UniversalClient, room, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if got, _ := rdb.HGet(context.Background(), redisx.Room(room).State(), "last_id").Result(); got == id {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("room %s: checkpoint never reached %s", room, id)
}

// TestSpendReplaceOrder: the report in force for a key is the one with the
// greatest ts, whatever the order the reports arrive in; on equal ts the
// later in the stream wins.
func TestSpendReplaceOrder(t *testing.T) {
	rep := func(id string, sec, amount int64) livedeck.Event {
		return livedeck.Event{ID: id, Type: livedeck.EventAdSpend, TS: base + sec*1000, Channel: "c", Campaign: "p", Period: base, Amount: amount}
	}
	for _, tc := range []struct {
		name string
		evs  []livedeck.Event
		want int64
	}{
		{"in order", []livedeck.Event{rep("a", 10, 100), rep("b", 20, 150)}, 150},
		{"correction first", []livedeck.Event{rep("b", 20, 150), rep("a", 10, 100)}, 150},
		{"equal ts: the later wins", []livedeck.Event{rep("a", 10, 100), rep("b", 10, 90)}, 90},
		{"corrected to zero", []livedeck.Event{rep("a", 10, 100), rep("b", 20, 0)}, 0},
		{"other periods add up", []livedeck.Event{rep("a", 10, 100), {ID: "c", Type: livedeck.EventAdSpend, TS: base + 20_000, Channel: "c", Campaign: "p", Period: base + 10_000, Amount: 40}}, 140},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewState("r", nil)
			for i := range tc.evs {
				s.Fold(&tc.evs[i], fmt.Sprintf("%d-0", i+1), nil)
			}
			snap := s.Snapshot(base + 30_000)
			if snap.Spend != tc.want || snap.Channels["c"].Spend != tc.want {
				t.Errorf("spend %d (channel %d), want %d", snap.Spend, snap.Channels["c"].Spend, tc.want)
			}
			if got := s.min.sum(base/minuteMs-1, base/minuteMs, fSpend); got != tc.want {
				t.Errorf("spend series sums to %d, want %d", got, tc.want)
			}
		})
	}
}
