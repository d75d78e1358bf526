package rules

import (
	"context"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// playbookShow is a scripted show, one update per second: each tick's
// numbers and the paid orders folded since the last.
type showTick struct {
	at        int64 // seconds into the show; zero: one second after the previous tick
	online    int64
	change    float64
	stock     int64
	intent    float64
	intentPct float64
	paid      int
	more      func(s *livedeck.Snapshot) // further numbers of this tick
}

var playbookShow = []showTick{
	{online: 300, stock: 50},
	{online: 520, stock: 50},                            // tier-500 and its cue
	{online: 470, stock: 50},                            // hysteresis: tier-500 stays
	{online: 2100, stock: 20, paid: 30},                 // tier-2000 wins; 30 samples
	{online: 2050, stock: 3, paid: 30},                  // 最后3组; 20 more samples: quota full
	{online: 1700, change: -19, stock: 3},               // online drop: cue and alert
	{online: 1700, stock: 3, intent: 30, intentPct: 80}, // 上链接
	// From here on: UV value and CTR low (they must hold 60 s and 30 s),
	// an abuse surge, GMV falling, and the viewer count going silent.
	{at: 10, online: 1700, stock: 3, more: lowUVValueAndCTR},
	{at: 40, online: 1700, stock: 3, more: lowUVValueAndCTR}, // ctr-low fires (30 s held)
	{at: 70, online: 1700, stock: 3, more: lowUVValueAndCTR}, // uv-value-low fires (60 s held)
	{at: 71, online: 1700, stock: 3, more: func(s *livedeck.Snapshot) { s.AbusePerMin, s.AbuseChangePct = 25, 150 }},
	{at: 72, online: 1700, stock: 3, more: func(s *livedeck.Snapshot) { s.GMVPerMinPrev, s.GMVChangePct = 300000, -60 }},
	{at: 73, online: 1700, stock: 3, more: func(s *livedeck.Snapshot) { s.ViewersAgeSeconds = 45 }},
}

func lowUVValueAndCTR(s *livedeck.Snapshot) {
	s.UV, s.UVValue = 800, 90
	s.SKUs["B"] = livedeck.SKUStats{Exposures: 400, Clicks: 4, CTR: 0.01, Stock: 200}
}

func playbookUpdates(room string) []livedeck.Update {
	var out []livedeck.Update
	order := 0
	sec := int64(-1)
	for _, tk := range playbookShow {
		sec++
		if tk.at > 0 {
			sec = tk.at
		}
		u := livedeck.Update{Room: room, Now: 1_800_000_000_000 + sec*1000, Snapshot: livedeck.Snapshot{
			Online: tk.online, OnlineChangePct: tk.change, IntentPerMin: tk.intent, IntentChangePct: tk.intentPct,
			SKUs: map[string]livedeck.SKUStats{"A": {Stock: tk.stock, UnitsSold: 10, Exposures: 10}}}}
		if tk.more != nil {
			tk.more(&u.Snapshot)
		}
		for range tk.paid {
			order++
			u.Orders = append(u.Orders, livedeck.OrderChange{OrderID: fmt.Sprintf("o%d", order), SKU: "A", From: livedeck.OrderCreated, To: livedeck.OrderPaid})
		}
		out = append(out, u)
	}
	return out
}

// TestPlaybookOnRedis runs every template of the built-in playbook through
// the real engine against a real Redis: the right signals, once each, and
// none again when a fresh engine (a restart, or another instance) sees the
// same updates.
func TestPlaybookOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	svc := NewService(rdb, EngineConfig{Location: utc}, NewMetrics(prometheus.NewRegistry()))
	if _, _, err := svc.Put(ctx, "show", Playbook(), "test", ""); err != nil {
		t.Fatal(err)
	}
	ups := playbookUpdates("show")
	const firstPart = 7 // the ticks before the long waits
	for _, u := range ups[:firstPart] {
		if err := svc.Engine.evaluate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	count := func() map[string]int {
		h, err := svc.Store.History(ctx, "show", 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, s := range h {
			switch {
			case s.Cue != nil:
				n["cue:"+s.Cue.Text]++
			case s.Alert != nil:
				n["alert:"+s.Rule]++
			case s.Tier != nil:
				n["tier:"+s.Tier.Name]++
			case s.Gift != nil:
				n["gift"]++
			}
		}
		return n
	}
	before := count()
	// A fresh engine on the same Redis — a restart, or the room moving to
	// another instance — sees the same updates again (a processor replays
	// what followed its last checkpoint): nothing repeats.
	again := NewService(rdb, EngineConfig{Location: utc}, NewMetrics(prometheus.NewRegistry()))
	for _, u := range ups[:firstPart] {
		if err := again.Engine.evaluate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if after := count(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("replay on a fresh engine changed the signals:\n before %v\n after  %v", before, after)
	}
	for _, u := range ups[firstPart:] {
		if err := again.Engine.evaluate(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{
		"cue:在线破520人！满199减20券已开，快去领": 1,
		"cue:在线2100人！升级满199减50":      1,
		"tier:tier-2000":             1,
		"cue:最后3组！":                  1,
		"cue:福袋/抽奖走起，留住观众":           1,
		"alert:online-drop":          1,
		"cue:上链接！":                   1,
		"gift":                       50,
		"alert:stock-safety-line":    1,
		"cue:库存紧张，下一批预售":             1,
		"cue:左滑看详情":                  1,
		"cue:关注领券":                   1,
		"alert:abuse-surge":          1,
		"cue:感谢大家支持，有问题私信客服，我们认真处理": 1,
		"alert:gmv-falling":       1,
		"alert:connector-stalled": 1,
	}
	got := count()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d signals, want %d (all: %v)", k, got[k], v, got)
		}
	}
	// tier-2000's minimum hold ended below its clear line; tier-500 still
	// holds, and going back to it is a transition of its own.
	if tier, _ := svc.Store.Tier(ctx, "show"); tier == nil || tier.Name != "tier-500" {
		t.Errorf("active tier %+v, want tier-500", tier)
	}
	if got["tier:tier-500"] != 2 {
		t.Errorf("%d tier-500 signals, want 2 (up from none, back down from tier-2000)", got["tier:tier-500"])
	}
}
