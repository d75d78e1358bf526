package rules

import (
	"fmt"
	"testing"

	"github.com/livedeck/livedeck"
)

// TestPlaybookBacktest drives the built-in playbook through a scripted
// show, one snapshot per second, and checks which templates fire when.
func TestPlaybookBacktest(t *testing.T) {
	rs, _ := Parse(Playbook())
	c, probs := Compile(rs, nil)
	if c == nil {
		t.Fatal(probs)
	}
	bt := NewBacktester(c, utc)
	type tick struct {
		online    int64
		change    float64
		stock     int64
		intent    float64
		intentPct float64
		paid      int // new paid orders this tick
	}
	script := []tick{
		{online: 300, stock: 50},
		{online: 520, stock: 50},                            // tier-500
		{online: 470, stock: 50},                            // hysteresis: stays
		{online: 2100, stock: 20, paid: 30},                 // tier-2000 wins; 30 samples
		{online: 2050, stock: 3, paid: 30},                  // 最后3组; 20 more samples, quota full
		{online: 1700, change: -19, stock: 3},               // online drop: 福袋 + alert; tier-2000 held (keep_firing_for 60s)
		{online: 1700, stock: 3, intent: 30, intentPct: 80}, // 上链接
	}
	got := map[string]int64{}
	order := 0
	for i, tk := range script {
		now := int64(i) * 1000
		snap := livedeck.Snapshot{Online: tk.online, OnlineChangePct: tk.change, IntentPerMin: tk.intent, IntentChangePct: tk.intentPct,
			SKUs: map[string]livedeck.SKUStats{"A": {Stock: tk.stock, UnitsSold: 10, Exposures: 10}}}
		var orders []livedeck.OrderChange
		for range tk.paid {
			order++
			orders = append(orders, livedeck.OrderChange{OrderID: fmt.Sprintf("o%d", order), SKU: "A", To: livedeck.OrderPaid})
		}
		for _, f := range bt.Step(now, &snap, orders) {
			key := f.Kind + ":" + f.Rule + ":" + f.Detail
			if f.Kind == livedeck.SignalGift {
				key = "gift"
			}
			if _, ok := got[key]; !ok {
				got[key] = now
			}
			if f.Kind == livedeck.SignalGift {
				got["gifts"]++
			}
		}
	}
	for _, w := range []struct {
		key string
		at  int64
	}{
		{"tier:tier-500:tier tier-500", 1000},
		{"cue:tier-500:cue: 在线破520人！满199减20券已开，快去领", 1000},
		{"tier:tier-2000:tier tier-2000", 3000},
		{"cue:stock-last-3:cue: 最后3组！", 4000},
		{"cue:online-drop:cue: 福袋/抽奖走起，留住观众", 5000},
		{"alert:online-drop:alert (warning): 在线人数60秒内下降19%，现1700人", 5000},
		{"tier:tier-500:tier tier-500", 1000},
		{"cue:intent-spike:cue: 上链接！", 6000},
		{"gift", 3000},
	} {
		at, ok := got[w.key]
		if !ok || at != w.at {
			t.Errorf("%s at %d ms (fired: %v), want at %d ms", w.key, at, ok, w.at)
		}
	}
	if got["gifts"] != 50 {
		t.Errorf("%d samples given, want exactly 50", got["gifts"])
	}
	if tierName(bt.tier) != "tier-2000" {
		t.Errorf("tier at the end = %q, want tier-2000: below its clear line, but within its 60 s minimum hold", tierName(bt.tier))
	}
}
