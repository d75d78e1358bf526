package rules

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// step is one order step handed to the rules, at a time (ms after caseStart).
type step struct {
	at    int64
	order string
	to    livedeck.OrderStatus
	ts    int64 // event time of the step, ms after caseStart; zero means at
}

func (s step) change() livedeck.OrderChange {
	from := livedeck.OrderCreated
	if s.to != livedeck.OrderPaid {
		from = livedeck.OrderPaid
	}
	ts := s.ts
	if ts == 0 {
		ts = s.at
	}
	return livedeck.OrderChange{OrderID: s.order, UserID: "u-" + s.order, SKU: "serum", Qty: 1, Amount: 9900,
		From: from, To: s.to, TS: caseStart + ts}
}

func paid(at int64, order string) step { return step{at: at, order: order, to: livedeck.OrderPaid} }
func refunded(at int64, order string) step {
	return step{at: at, order: order, to: livedeck.OrderRefunded}
}

// giftRow is a place as the list shows it: "n order [status] [<replaces]".
func giftRow(g livedeck.Gift) string {
	s := fmt.Sprintf("%d %s", g.N, g.OrderID)
	if g.Status != "" {
		s += " " + g.Status
	}
	if g.Replaces != "" {
		s += " <" + g.Replaces
	}
	return s
}

// TestGiftRefunds: a refunded winner is revoked and its place goes to the
// next paid order in line (or, with none in line, to the next order paid),
// once, with one operator alert; under on_refund: keep it keeps its place,
// marked refunded; event_time quotas rank by event time within settle.
func TestGiftRefunds(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		gift   string
		steps  []step
		want   []string // the gift list
		alerts []string // alert messages, oldest first
	}{
		{
			name:   "revoke and refill from the line",
			gift:   "{quota: q, limit: 3}",
			steps:  []step{paid(0, "o1"), paid(10, "o2"), paid(20, "o3"), paid(30, "o4"), paid(40, "o5"), refunded(50, "o2"), refunded(60, "o2")},
			want:   []string{"1 o1", "2 o2 revoked", "2 o4 <o2", "3 o3"},
			alerts: []string{"赠品撤销 Gift revoked: q #2, order o2 refunded; 名额转给 place passed to order o4"},
		},
		{
			name: "refund in line, then a winner with nobody in line: the next paid order",
			gift: "{quota: q, limit: 2}",
			steps: []step{paid(0, "o1"), paid(10, "o2"), paid(20, "o3"), refunded(30, "o3"), refunded(40, "o1"),
				paid(50, "o1"), paid(60, "o4"), paid(70, "o5")},
			want:   []string{"1 o1 revoked", "1 o4 <o1", "2 o2"},
			alerts: []string{"赠品撤销 Gift revoked: q #1, order o1 refunded; 名额留给下一笔付款 place open for the next paid order"},
		},
		{
			name:  "keep",
			gift:  "{quota: q, limit: 2, on_refund: keep}",
			steps: []step{paid(0, "o1"), paid(10, "o2"), paid(20, "o3"), refunded(30, "o1"), refunded(40, "o1")},
			want:  []string{"1 o1 refunded", "2 o2"},
		},
		{
			name: "arrival order: the paid step's arrival, not its event time",
			gift: "{quota: q, limit: 2}",
			steps: []step{{at: 0, order: "late-clock", to: livedeck.OrderPaid, ts: 9000},
				{at: 10, order: "b", to: livedeck.OrderPaid, ts: 1000}, {at: 20, order: "c", to: livedeck.OrderPaid, ts: 500}},
			want: []string{"1 late-clock", "2 b"},
		},
		{
			name: "event_time order within settle",
			gift: "{quota: q, limit: 2, order: event_time, settle: 5s}",
			steps: []step{{at: 0, order: "late-clock", to: livedeck.OrderPaid, ts: 9000},
				{at: 10, order: "b", to: livedeck.OrderPaid, ts: 1000}, {at: 20, order: "c", to: livedeck.OrderPaid, ts: 500},
				{at: 16000, order: "d", to: livedeck.OrderPaid, ts: 100}},
			want: []string{"1 c", "2 b"},
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			room := fmt.Sprintf("refund-%d", i)
			svc := newTestService(rdb)
			mustPut(t, svc, room, "rules:\n- name: sample\n  when: 'true'\n  actions:\n  - gift: "+tc.gift+"\n")
			tick := int64(0) // idle evaluations every second between the steps
			for _, s := range tc.steps {
				for ; tick < s.at; tick += 1000 {
					if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: room, Now: caseStart + tick}); err != nil {
						t.Fatal(err)
					}
				}
				u := livedeck.Update{Room: room, Now: caseStart + s.at, Orders: []livedeck.OrderChange{s.change()}}
				if err := svc.Engine.evaluate(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: room, Now: caseStart + 60000}); err != nil {
				t.Fatal(err)
			}
			gifts, err := svc.Gifts(ctx, room, "q")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range gifts {
				got = append(got, giftRow(g))
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("gifts:\n got  %s\n want %s", strings.Join(got, "; "), strings.Join(tc.want, "; "))
			}
			if a := alertTexts(t, svc, room); strings.Join(a, "\n") != strings.Join(tc.alerts, "\n") {
				t.Errorf("alerts:\n got  %q\n want %q", a, tc.alerts)
			}
		})
	}
}

func alertTexts(t *testing.T, svc *Service, room string) []string {
	t.Helper()
	h, err := svc.Store.History(context.Background(), room, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(h) - 1; i >= 0; i-- {
		if a := h[i].Alert; a != nil {
			out = append(out, a.Message)
		}
	}
	return out
}

// TestGiftRevokeUnderConcurrency: a first-50 quota over 2,000 paid orders
// from 4 engines (each order twice), then 20 winners refunded, each refund
// handed to two engines at once: exactly 50 places held, 20 revoked, each
// place refilled once by an order that was in line, one alert per
// revocation.
func TestGiftRevokeUnderConcurrency(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	engines := make([]*Service, 4)
	for i := range engines {
		engines[i] = newTestService(rdb)
	}
	mustPut(t, engines[0], "c", "rules:\n- name: sample\n  when: 'true'\n  actions:\n  - gift: {quota: q, limit: 50}\n")
	run := func(n int, f func(g int) error) {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for g := range n {
			wg.Go(func() {
				if err := f(g); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	run(8, func(g int) error {
		for n := (g % 4) * 500; n < (g%4+1)*500; n += 25 {
			u := livedeck.Update{Room: "c", Now: caseStart}
			for k := n; k < n+25; k++ {
				u.Orders = append(u.Orders, paid(0, fmt.Sprintf("o%d", k)).change())
			}
			if err := engines[g%4].Engine.evaluate(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	before, err := engines[0].Gifts(ctx, "c", "q")
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 50 {
		t.Fatalf("%d winners before refunds, want 50", len(before))
	}
	run(40, func(g int) error {
		w := before[g%20]
		return engines[g%4].Engine.evaluate(ctx, livedeck.Update{Room: "c", Now: caseStart + 1000,
			Orders: []livedeck.OrderChange{refunded(1000, w.OrderID).change()}})
	})
	after, err := engines[0].Gifts(ctx, "c", "q")
	if err != nil {
		t.Fatal(err)
	}
	holding, revoked, places := 0, 0, map[int64]int{}
	winners := map[string]bool{}
	for _, g := range before {
		winners[g.OrderID] = true
	}
	for _, g := range after {
		switch g.Status {
		case "":
			holding++
			places[g.N]++
			if g.Replaces != "" && winners[g.OrderID] {
				t.Errorf("place %d refilled by an order that already held one: %+v", g.N, g)
			}
		case livedeck.GiftRevoked:
			revoked++
		}
	}
	if holding != 50 || revoked != 20 || len(places) != 50 {
		t.Fatalf("%d holding (%d distinct places), %d revoked; want 50, 50, 20", holding, len(places), revoked)
	}
	if a := alertTexts(t, engines[0], "c"); len(a) != 20 {
		t.Fatalf("%d alerts, want one per revocation (20)", len(a))
	}
}
