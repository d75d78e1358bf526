package rules

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestFirst50UnderConcurrency: 5,000 paid orders, each handed to the rules
// twice (a replay after a restart, a retried batch), from 20 goroutines
// spread over 4 engines — 4 instances on one Redis, as during a lease
// handover — under a "first 50 paid orders get a free sample" rule, plus a
// per-SKU quota of 10: exactly 50 and 10 gifts, places 1..N, each order at
// most once, one gift signal each.
func TestFirst50UnderConcurrency(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	engines := make([]*Service, 4)
	for i := range engines {
		engines[i] = newTestService(rdb)
	}
	mustPut(t, engines[0], "c", "rules:\n- name: sample\n  when: 'true'\n  actions:\n  - gift: {quota: free-sample, limit: 50}\n  - gift: {quota: lipstick-mirror, limit: 10, sku: lipstick}\n")
	const (
		orders     = 5000
		goroutines = 20
		batch      = 25
	)
	skus := []string{"lipstick", "serum", "mask"}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := engines[g%len(engines)]
			// Goroutines g and g+10 send the same orders: every order twice.
			part := g % (goroutines / 2)
			per := orders / (goroutines / 2)
			for start := part * per; start < (part+1)*per; start += batch {
				u := livedeck.Update{Room: "c", Now: caseStart}
				for n := start; n < start+batch; n++ {
					u.Orders = append(u.Orders, livedeck.OrderChange{OrderID: fmt.Sprintf("o%d", n), UserID: fmt.Sprintf("u%d", n),
						SKU: skus[n%len(skus)], Qty: 1, Amount: 9900, From: livedeck.OrderCreated, To: livedeck.OrderPaid})
				}
				if err := svc.Engine.evaluate(ctx, u); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for quota, want := range map[string]int{"free-sample": 50, "lipstick-mirror": 10} {
		gifts, err := engines[0].Gifts(ctx, "c", quota)
		if err != nil {
			t.Fatal(err)
		}
		if len(gifts) != want {
			t.Fatalf("%s: %d gifts, want exactly %d", quota, len(gifts), want)
		}
		seen := map[string]bool{}
		for i, g := range gifts {
			if g.N != int64(i+1) || seen[g.OrderID] || (quota == "lipstick-mirror" && g.SKU != "lipstick") {
				t.Fatalf("%s gift %d: %+v (order seen before: %v)", quota, i+1, g, seen[g.OrderID])
			}
			seen[g.OrderID] = true
		}
	}
	h, err := engines[0].Store.History(ctx, "c", 1000)
	if err != nil {
		t.Fatal(err)
	}
	signals := 0
	for _, s := range h {
		if s.Gift != nil {
			signals++
		}
	}
	if signals != 60 {
		t.Fatalf("%d gift signals, want 60", signals)
	}
}
