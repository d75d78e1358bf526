package rules

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestBuyerLimits: a paid order that takes a buyer over a product's
// per-buyer limit raises one operator alert, also when the same update is
// evaluated again (a retry); a refund gives the units back; rooms without
// rules are checked too.
func TestBuyerLimits(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	room := livedeck.Room{ID: "lim", Title: "t", Currency: "CNY", Products: []livedeck.Product{
		{SKU: "flash", Name: "秒杀", Price: 990, Stock: 100, BuyerLimit: 2},
		{SKU: "free", Name: "常规", Price: 990, Stock: 100},
	}}
	b, _ := json.Marshal(room)
	if err := rdb.Set(ctx, redisx.Room("lim").Meta(), b, 0).Err(); err != nil {
		t.Fatal(err)
	}
	svc := newTestService(rdb)
	paid := func(order, user, sku string, qty int64) livedeck.OrderChange {
		return livedeck.OrderChange{OrderID: order, UserID: user, SKU: sku, Qty: qty, Amount: 990 * qty, From: livedeck.OrderCreated, To: livedeck.OrderPaid}
	}
	step := 0
	eval := func(orders ...livedeck.OrderChange) {
		t.Helper()
		step++
		u := livedeck.Update{Room: "lim", Now: time.Now().UnixMilli() + int64(step), Orders: orders}
		if err := svc.Engine.evaluate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	alerts := func() []string {
		t.Helper()
		h, err := svc.Store.History(ctx, "lim", 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range h {
			if s.Alert != nil {
				out = append(out, s.Alert.Key)
			}
		}
		return out
	}

	eval(paid("o1", "u1", "flash", 1), paid("o2", "u1", "flash", 1), paid("o9", "u2", "flash", 2), paid("f1", "u1", "free", 5))
	if got := alerts(); len(got) != 0 {
		t.Fatalf("alerts at the limit: %v, want none", got)
	}
	over := paid("o3", "u1", "flash", 1)
	eval(over)
	eval(over) // the same step again: counted and alerted once
	if got := alerts(); strings.Join(got, ",") != "limit:o3" {
		t.Fatalf("alerts = %v, want one for o3", got)
	}
	refund := over
	refund.From, refund.To = livedeck.OrderPaid, livedeck.OrderRefunded
	eval(refund, paid("o4", "u1", "flash", 1)) // back to 2, then 3 again
	if got := alerts(); strings.Join(got, ",") != "limit:o4,limit:o3" {
		t.Fatalf("alerts = %v, want o4 then o3 (newest first)", got)
	}
	units, _ := rdb.HGet(ctx, redisx.Room("lim").BuyerUnits(), "flash|u1").Int64()
	if units != 3 {
		t.Errorf("u1's paid units of flash = %d, want 3", units)
	}
}
