package review

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// paidScript is an eight-minute show with paid traffic: spend reports (one
// corrected, one stale), clicks, cart adds and orders attributed to
// channels, under three price tiers. The comments say what each event adds
// to the hand-computed figures in TestPaidTrafficReview.
func paidScript() ([]livedeck.Event, []livedeck.Signal) {
	n := 0
	ev := func(s int64, e livedeck.Event) livedeck.Event {
		n++
		e.ID, e.TS = fmt.Sprintf("e%d", n), at(s)
		return e
	}
	click := func(s int64, sku, user string) livedeck.Event {
		return ev(s, livedeck.Event{Type: livedeck.EventProductClick, SKU: sku, UserID: user})
	}
	cart := func(s int64, sku, user string) livedeck.Event {
		return ev(s, livedeck.Event{Type: livedeck.EventCartAdd, SKU: sku, UserID: user, Qty: 1})
	}
	spend := func(s int64, channel, campaign string, period, amount int64) livedeck.Event {
		return ev(s, livedeck.Event{Type: livedeck.EventAdSpend, Channel: channel, Campaign: campaign, Period: at(period), Amount: amount})
	}
	order := func(s int64, id, user, sku string, amount int64, st livedeck.OrderStatus, channel string) livedeck.Event {
		return ev(s, livedeck.Event{Type: livedeck.EventOrder, OrderID: id, UserID: user, SKU: sku, Qty: 1, Amount: amount, Status: st, Channel: channel})
	}
	online := int64(100)
	events := []livedeck.Event{
		ev(0, livedeck.Event{Type: livedeck.EventViewers, Online: &online}),
		// No tier [0, 120): 4 clicks, 1 cart add, spend 10000, o1 20000 (qianchuan).
		click(10, "A", "u1"), click(11, "A", "u2"), click(12, "A", "u3"), click(13, "A", "u4"),
		cart(20, "A", "u1"),
		spend(30, "qianchuan", "p1", 0, 10000),
		order(40, "o1", "u1", "A", 20000, livedeck.OrderCreated, "qianchuan"),
		order(50, "o1", "u1", "A", 20000, livedeck.OrderPaid, ""),
		// t1 [120, 300): 2 clicks, 2 cart adds, spend 5000 + 2000 (p1
		// corrected to 12000), o2 15000 (douplus), o3 15000 (organic).
		click(130, "B", "u5"), click(131, "B", "u6"),
		cart(140, "B", "u5"), cart(141, "B", "u6"),
		ev(150, livedeck.Event{Type: livedeck.EventAdSpend, Channel: "douplus", Period: at(150), Amount: 5000}),
		order(160, "o2", "u5", "B", 15000, livedeck.OrderCreated, "douplus"),
		order(170, "o2", "u5", "B", 15000, livedeck.OrderPaid, "douplus"),
		spend(200, "qianchuan", "p1", 0, 12000),
		spend(210, "qianchuan", "p1", 0, 11000), // its ts is set to 100 below: older than the correction
		order(250, "o3", "u6", "B", 15000, livedeck.OrderCreated, ""),
		order(260, "o3", "u6", "B", 15000, livedeck.OrderPaid, ""),
		// t2 [300, 480]: 1 click, 1 cart add, spend 8000 (p2), o4 20000 paid
		// and refunded, o5 20000 (both qianchuan).
		click(310, "A", "u7"), cart(320, "A", "u7"),
		spend(330, "qianchuan", "p2", 300, 8000),
		order(340, "o4", "u7", "A", 20000, livedeck.OrderCreated, "qianchuan"),
		order(350, "o4", "u7", "A", 20000, livedeck.OrderPaid, ""),
		order(400, "o4", "u7", "A", 20000, livedeck.OrderRefunded, ""),
		order(420, "o5", "u1", "A", 20000, livedeck.OrderCreated, "qianchuan"),
		order(430, "o5", "u1", "A", 20000, livedeck.OrderPaid, ""),
		ev(480, livedeck.Event{Type: livedeck.EventViewers, Online: &online}),
	}
	for i := range events { // the stale report arrives at 210 but was made at 100
		if events[i].Type == livedeck.EventAdSpend && events[i].Amount == 11000 {
			events[i].TS = at(100)
		}
	}
	signals := []livedeck.Signal{
		{Kind: livedeck.SignalTier, Room: "show", Rule: "tier-1", At: at(120), Tier: &livedeck.Tier{Name: "t1", Coupon: "满199减20"}},
		{Kind: livedeck.SignalTier, Room: "show", Rule: "tier-2", At: at(300), Tier: &livedeck.Tier{Name: "t2", Coupon: "满199减50"}},
		{Kind: livedeck.SignalCue, Room: "show", Rule: "cart-rate-low", At: at(300), Cue: &livedeck.Cue{Key: "cart-rate-low#1", Text: "讲解"}},
	}
	return events, signals
}

// TestPaidTrafficReview checks the review's spend, ROI per channel and per
// tier, cart rates and cue effectiveness against figures worked out by
// hand from paidScript.
func TestPaidTrafficReview(t *testing.T) {
	events, signals := paidScript()
	b := NewBuilder(showRoom, nil, 2)
	for i := range events {
		b.Event(&events[i], fmt.Sprintf("%d-0", i+1))
	}
	for _, s := range signals {
		b.Signal(s)
	}
	r := b.Build(t0 + 3_600_000)

	// Spend: p1 12000 (corrected; the stale 11000 ignored) + douplus 5000 +
	// p2 8000. GMV: 20000 + 15000 + 15000 + 20000 − 20000 + 20000. Buyers
	// u1, u5, u6, u7. Cart adds 4 of 7 clicks.
	h := r.Headline
	if h.Spend != 25000 || h.GMV != 70000 || !near(h.ROI, 2.8) || !near(h.CostPerBuyer, 25000.0/4) ||
		h.CartAdds != 4 || !near(h.CartRate, 4.0/7) {
		t.Errorf("headline spend %d gmv %d roi %v cost/buyer %v carts %d cart rate %v; want 25000, 70000, 2.8, 6250, 4, 0.571",
			h.Spend, h.GMV, h.ROI, h.CostPerBuyer, h.CartAdds, h.CartRate)
	}

	// qianchuan: spend 12000 + 8000; GMV o1 + o4 − o4 + o5 = 40000, 3 paid.
	// douplus: spend 5000; GMV o2 15000.
	wantCh := []ChannelResult{
		{Channel: "qianchuan", ChannelStats: livedeck.ChannelStats{Spend: 20000, GMV: 40000, Orders: 3, ROI: 2}},
		{Channel: "douplus", ChannelStats: livedeck.ChannelStats{Spend: 5000, GMV: 15000, Orders: 1, ROI: 3}},
	}
	if fmt.Sprint(r.Channels) != fmt.Sprint(wantCh) {
		t.Errorf("channels %+v\nwant %+v", r.Channels, wantCh)
	}

	// Per tier, by event time (orders by the tier at their creation):
	// none: spend 10000, GMV 20000, 1 cart add of 4 clicks;
	// t1: spend 5000 + 2000, GMV 30000, 2 of 2; t2: spend 8000, GMV 20000, 1 of 1.
	want := []struct {
		tier       string
		spend, gmv int64
		roi        float64
		carts      int64
		cartRate   float64
	}{
		{"", 10000, 20000, 2, 1, 0.25},
		{"t1", 7000, 30000, 30000.0 / 7000, 2, 1},
		{"t2", 8000, 20000, 2.5, 1, 1},
	}
	if len(r.Tiers) != len(want) {
		t.Fatalf("tiers %+v", r.Tiers)
	}
	for i, w := range want {
		g := r.Tiers[i]
		if g.Tier != w.tier || g.Spend != w.spend || g.GMV != w.gmv || !near(g.ROI, w.roi) || g.CartAdds != w.carts || !near(g.CartRate, w.cartRate) {
			t.Errorf("tier %d = %+v\nwant %+v", i, g, w)
		}
	}

	// The cue at 5:00 with a 2-minute window: before [3:00, 5:00) spend 2000
	// (the correction), GMV 15000 (o3), no clicks; after [5:00, 7:00) spend
	// 8000, GMV 20000 − 20000 (o4 paid and refunded), 1 cart add of 1 click.
	if len(r.Cues) != 1 || r.Cues[0].Measured != 1 {
		t.Fatalf("cues %+v", r.Cues)
	}
	c := r.Cues[0]
	if !near(c.Before.ROI, 7.5) || !near(c.After.ROI, 0) || !near(c.Change.ROI, -7.5) ||
		!near(c.Before.CartRate, 0) || !near(c.After.CartRate, 1) || !near(c.Change.CartRate, 1) {
		t.Errorf("cue windows before %+v after %+v change %+v", c.Before, c.After, c.Change)
	}

	// The CSV export carries them too.
	var out strings.Builder
	if err := WriteCSV(&out, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"spend,25000", "roi,2.800000", "# channels", "qianchuan,20000,40000,3,2.000000",
		",8000,2.500000,1,1.000000", "carts,4"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("CSV lacks %q", want)
		}
	}

	// So does the HTML export: headline, channels, and each tier's ROI.
	var page strings.Builder
	if err := WriteHTML(&page, r, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">Ad spend 投放消耗</div><div class=\"v\">¥250.00<", ">ROI</div><div class=\"v\">2.80<",
		"<td>qianchuan</td><td class=\"n\">¥200.00</td><td class=\"n\">3</td><td class=\"n\">¥400.00</td><td class=\"n\">2.00</td>",
		"<td class=\"n\">¥80.00</td><td class=\"n\">2.50</td>"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML lacks %s", want)
		}
	}

	// The timeline holds each minute's spend change and cart adds.
	var spend, carts int64
	for _, m := range r.Timeline {
		spend += m.Spend
		carts += m.CartAdds
	}
	if spend != 25000 || carts != 4 || r.Timeline[3].Spend != 2000 {
		t.Errorf("timeline spend %d carts %d, minute 3 spend %d; want 25000, 4, 2000", spend, carts, r.Timeline[3].Spend)
	}
}
