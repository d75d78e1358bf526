package rules

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestPlaybookPaidTrafficOnRedis runs the playbook's ROI guard and
// cart-rate cue through the engine on a real Redis: the guard waits its
// 10 minutes, names the channel under target with its ROI and spend (not
// the one above it), and resolves when the channel recovers; the cue
// names the product viewers click but do not add.
func TestPlaybookPaidTrafficOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	svc := NewService(rdb, EngineConfig{Location: utc}, NewMetrics(prometheus.NewRegistry()))
	if _, _, err := svc.Put(ctx, "paid", Playbook(), "test", ""); err != nil {
		t.Fatal(err)
	}
	const start = int64(1_800_000_000_000)
	low := map[string]livedeck.ChannelStats{
		"qianchuan": {Spend: 60000, GMV: 72000, ROI: 1.2},
		"douplus":   {Spend: 90000, GMV: 270000, ROI: 3},
	}
	recovered := map[string]livedeck.ChannelStats{
		"qianchuan": {Spend: 80000, GMV: 160000, ROI: 2},
		"douplus":   {Spend: 90000, GMV: 270000, ROI: 3},
	}
	skus := map[string]livedeck.SKUStats{
		"A": {Clicks: 150, CartAdds: 3, CartRate: 0.02, Stock: 100},
		"B": {Clicks: 150, CartAdds: 15, CartRate: 0.1, Stock: 100},
	}
	steps := []struct {
		sec      int64
		channels map[string]livedeck.ChannelStats
		guard    State
	}{
		{0, low, Pending},
		{300, low, Pending},
		{599, low, Pending},
		{600, low, Firing},
		{660, recovered, Inactive},
	}
	for _, st := range steps {
		u := livedeck.Update{Room: "paid", Now: start + st.sec*1000, Snapshot: livedeck.Snapshot{
			Online: 100, Channels: st.channels, SKUs: skus}}
		if err := svc.Engine.evaluate(ctx, u); err != nil {
			t.Fatal(err)
		}
		states, err := svc.States(ctx, "paid")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s.Rule == "roi-guard" && s.State != st.guard {
				t.Errorf("at %ds roi-guard is %s, want %s", st.sec, s.State, st.guard)
			}
		}
	}
	h, err := svc.Store.History(ctx, "paid", 100)
	if err != nil {
		t.Fatal(err)
	}
	var alerts, cues []string
	for _, s := range h {
		switch {
		case s.Alert != nil && s.Rule == "roi-guard":
			alerts = append(alerts, s.Alert.Message)
		case s.Cue != nil && s.Rule == "cart-rate-low":
			cues = append(cues, s.Cue.Text)
		}
	}
	if want := "投放ROI低于1.5：qianchuan ROI 1.20，消耗¥600.00，考虑暂停或调整计划"; len(alerts) != 1 || alerts[0] != want {
		t.Errorf("roi-guard alerts %q, want one: %q", alerts, want)
	}
	if want := "讲解 A 的卖点、材质和尺码，提醒加购"; len(cues) != 1 || cues[0] != want {
		t.Errorf("cart-rate-low cues %q, want one: %q", cues, want)
	}
}
