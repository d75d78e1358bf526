package rules

import (
	"context"
	"fmt"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
)

// TestGiftsOnTheDemoRedis runs a first-N quota, with a refund, on the
// embedded Redis that `livedeck demo` uses by default (miniredis, whose
// Lua reads no exponents: "1e300" as a watermark made every gift step fail
// there while real Redis took it). Real Redis covers the same in
// TestFirst50UnderConcurrency and the refund tests.
func TestGiftsOnTheDemoRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	svc := newTestService(rdb)
	mustPut(t, svc, "d", "rules:\n- name: sample\n  when: 'true'\n  actions:\n  - gift: {quota: free-sample, limit: 3}\n")
	paid := func(n int) livedeck.OrderChange {
		return livedeck.OrderChange{OrderID: fmt.Sprintf("o%d", n), UserID: fmt.Sprintf("u%d", n), SKU: "A", Qty: 1, Amount: 9900,
			From: livedeck.OrderCreated, To: livedeck.OrderPaid}
	}
	u := livedeck.Update{Room: "d", Now: caseStart}
	for n := 1; n <= 5; n++ {
		u.Orders = append(u.Orders, paid(n))
	}
	if err := svc.Engine.evaluate(ctx, u); err != nil {
		t.Fatal(err)
	}
	refund := paid(2)
	refund.From, refund.To = livedeck.OrderPaid, livedeck.OrderRefunded
	if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: "d", Now: caseStart + 1000, Orders: []livedeck.OrderChange{refund}}); err != nil {
		t.Fatal(err)
	}
	gifts, err := svc.Gifts(ctx, "d", "free-sample")
	if err != nil {
		t.Fatal(err)
	}
	var won []string
	for _, g := range gifts {
		if g.Status != "revoked" {
			won = append(won, g.OrderID)
		}
	}
	if fmt.Sprint(won) != "[o1 o4 o3]" { // by place: o4 took #2 from o2
		t.Errorf("winners %v (all %+v), want o1 o4 o3: o2 refunded and its place passed to o4", won, gifts)
	}
}
