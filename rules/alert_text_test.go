package rules

import (
	"context"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestPlaybookAlertTexts, as reproduced: alert texts read "下降-41%" and
// did not name the product they were about. The playbook's alerts now say
// how much a number fell without its sign, in Chinese and English, name
// their window, and the stock alert names its product from the line-up.
func TestPlaybookAlertTexts(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	setRoomProducts(t, rdb, "at", livedeck.Product{SKU: "A", Name: "口红", Price: 9900, Stock: 100},
		livedeck.Product{SKU: "B", Name: "面霜", Price: 19900, Stock: 100})
	if _, _, err := svc.Put(ctx, "at", Playbook(), "test", ""); err != nil {
		t.Fatal(err)
	}
	snap := livedeck.Snapshot{Online: 300, OnlineChangePct: -41.4, GMVPerMinPrev: 300000, GMVChangePct: -41.2,
		SKUs: map[string]livedeck.SKUStats{"A": {Stock: 8, UnitsSold: 30}, "B": {Stock: 40, UnitsSold: 5}}}
	mustEval(t, svc, livedeck.Update{Room: "at", Now: caseStart, Snapshot: snap})
	h, err := svc.Store.History(ctx, "at", 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*livedeck.Alert{}
	for _, s := range h {
		if s.Alert != nil {
			got[s.Rule] = s.Alert
		}
	}
	for rule, want := range map[string][3]string{
		"online-drop":       {"在线人数60秒内下降41%，现300人", "Viewers fell 41% within 60 s, 300 now", ""},
		"gmv-falling":       {"近1分钟GMV比上一分钟下降41%", "GMV in the last minute fell 41% against the minute before", ""},
		"stock-safety-line": {"口红（A）库存剩8件，已到安全线10件：考虑切换预售", "口红 (A) has 8 left, at its safety line of 10: consider switching it to pre-sale", "A"},
	} {
		a := got[rule]
		if a == nil {
			t.Errorf("%s: no alert (all: %v)", rule, got)
			continue
		}
		if a.Message != want[0] || a.Messages["en"] != want[1] || a.SKU != want[2] {
			t.Errorf("%s: %q / %q / sku %q\nwant %q / %q / sku %q", rule, a.Message, a.Messages["en"], a.SKU, want[0], want[1], want[2])
		}
	}
}

func TestPct(t *testing.T) {
	for v, want := range map[float64]string{-41.4: "41", -41.6: "42", 15: "15", 0: "0", -0.4: "0"} {
		if got := pct(v); got != want {
			t.Errorf("pct(%v) = %s, want %s", v, got, want)
		}
	}
}
