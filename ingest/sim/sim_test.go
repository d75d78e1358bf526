package sim

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

var start = time.Date(2024, 11, 22, 20, 0, 0, 0, time.FixedZone("CST", 8*3600))

func events(seed uint64, n int, dup, ooo float64) []livedeck.Event {
	show := NewShow(Room("r", seed), ShowConfig{Seed: seed, Rate: 200, Length: time.Duration(n/200) * time.Second,
		Start: start, RunID: "t", Duplicates: dup, OutOfOrder: ooo})
	var out []livedeck.Event
	for len(out) < n {
		out = show.Next(out, 100)
	}
	return out
}

func TestShowDeterministic(t *testing.T) {
	a, b, c := events(7, 2000, 0.05, 0.05), events(7, 2000, 0.05, 0.05), events(8, 2000, 0.05, 0.05)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different shows")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same show")
	}
}

// TestShowIngests sends a whole show arc through the in-process sink into
// real Redis: every event is valid, duplicates are caught, and the show has
// what a broadcast has.
func TestShowIngests(t *testing.T) {
	rdb, err := redisx.Open(redistest.Start(t).URL(), redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	svc, err := ingest.New(rdb, prometheus.NewRegistry(), ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sink := &ServiceSink{Service: svc}
	ctx := context.Background()
	room := Room("r", 3)
	if err := sink.EnsureRoom(ctx, room); err != nil {
		t.Fatal(err)
	}
	evs := events(3, 24000, 0.02, 0.02)
	var accepted, dups int
	for lo := 0; lo < len(evs); lo += 500 {
		res, err := sink.Send(ctx, room.ID, evs[lo:min(lo+500, len(evs))])
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rejected) > 0 {
			t.Fatalf("rejected %+v", res.Rejected[0])
		}
		accepted, dups = accepted+res.Accepted, dups+res.Duplicates
	}
	if dups == 0 || accepted+dups != len(evs) {
		t.Errorf("accepted %d duplicates %d of %d", accepted, dups, len(evs))
	}

	types := map[livedeck.EventType]int{}
	statuses := map[livedeck.OrderStatus]int{}
	texts := strings.Builder{}
	late := 0
	for i, ev := range evs {
		types[ev.Type]++
		if ev.Type == livedeck.EventOrder {
			statuses[ev.Status]++
		}
		texts.WriteString(ev.Text)
		if i > 0 && ev.TS < evs[i-1].TS {
			late++
		}
	}
	for _, ty := range livedeck.PublicEventTypes {
		if types[ty] == 0 {
			t.Errorf("no %s event in a whole show", ty)
		}
	}
	for _, s := range []livedeck.OrderStatus{"created", "paid", "cancelled", "refunded"} {
		if statuses[s] == 0 {
			t.Errorf("no %s order", s)
		}
	}
	for _, want := range []string{"上链接", "多少钱", "<img src=x onerror=alert(1)>", "how much?"} {
		if !strings.Contains(texts.String(), want) {
			t.Errorf("no comment %q", want)
		}
	}
	if late == 0 {
		t.Error("no out-of-order delivery")
	}
}

// TestShowFlashSales: orders per event are denser inside flash sales.
func TestShowFlashSales(t *testing.T) {
	show := NewShow(Room("r", 1), ShowConfig{Seed: 1, Rate: 100, Length: 400 * time.Second, Start: start, RunID: "f"})
	var in, inOrders, out, outOrders int
	var buf []livedeck.Event
	for range 400 {
		f, _ := show.Flash()
		buf = show.Next(buf[:0], 100)
		for _, ev := range buf {
			isOrder := ev.Type == livedeck.EventOrder
			if f >= 0 {
				in++
				if isOrder {
					inOrders++
				}
			} else {
				out++
				if isOrder {
					outOrders++
				}
			}
		}
	}
	if in == 0 || float64(inOrders)/float64(in) < 2*float64(outOrders)/float64(out) {
		t.Errorf("orders: %d of %d in flash sales, %d of %d outside; want at least twice as dense", inOrders, in, outOrders, out)
	}
}

// TestShowFunnel checks the product funnel is one a real room could have:
// for every product, more exposures than clicks and more clicks than
// orders created; few payments refunded.
func TestShowFunnel(t *testing.T) {
	type funnel struct{ exposures, clicks, orders int }
	per := map[string]*funnel{}
	var paid, refunded int
	for _, ev := range events(5, 60000, 0, 0) {
		switch ev.Status {
		case livedeck.OrderPaid:
			paid++
		case livedeck.OrderRefunded:
			refunded++
		}
		f := per[ev.SKU]
		if f == nil {
			f = &funnel{}
			per[ev.SKU] = f
		}
		switch {
		case ev.Type == livedeck.EventProductExposure:
			f.exposures++
		case ev.Type == livedeck.EventProductClick:
			f.clicks++
		case ev.Type == livedeck.EventOrder && ev.Status == livedeck.OrderCreated:
			f.orders++
		}
	}
	delete(per, "")
	if len(per) == 0 {
		t.Fatal("no product events")
	}
	// Refunds during the show are a small share of payments.
	if paid == 0 || float64(refunded)/float64(paid) > 0.10 {
		t.Errorf("%d of %d paid orders refunded; want at most 10 %%", refunded, paid)
	}
	for sku, f := range per {
		if ctr := float64(f.clicks) / float64(f.exposures); f.exposures == 0 || ctr < 0.03 || ctr > 0.4 {
			t.Errorf("%s: %d clicks of %d exposures; want a click-through rate between 3%% and 40%%", sku, f.clicks, f.exposures)
		}
		if f.orders >= f.clicks {
			t.Errorf("%s: %d orders from %d clicks; want fewer orders than clicks", sku, f.orders, f.clicks)
		}
	}
}
