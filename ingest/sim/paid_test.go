package sim

import (
	"fmt"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
)

// TestShowPaidTraffic folds a whole simulated show into live metrics: the
// show reports spend for both channels (with some corrections), attributes
// orders to them, and lands on a plausible ROI (1–6, overall and per
// channel) and cart rate (5–12 %).
func TestShowPaidTraffic(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			evs := events(seed, 60000, 0, 0) // 5 minutes at 200 events/s
			st := live.NewState("r", nil)
			reports, corrections := 0, 0
			periods := map[string]bool{}
			for i := range evs {
				ev := &evs[i]
				if ev.Type == livedeck.EventAdSpend {
					reports++
					k := fmt.Sprint(ev.Channel, ev.Campaign, ev.Period)
					if periods[k] {
						corrections++
					}
					periods[k] = true
				}
				st.Fold(ev, fmt.Sprintf("%d-0", i+1), nil)
			}
			snap := st.Snapshot(evs[len(evs)-1].TS)
			if reports < 8 || corrections == 0 && seed == 1 {
				t.Errorf("%d spend reports, %d corrections", reports, corrections)
			}
			if snap.ROI < 1 || snap.ROI > 6 {
				t.Errorf("ROI %.2f (GMV %d, spend %d), want 1..6", snap.ROI, snap.GMV, snap.Spend)
			}
			for name, c := range snap.Channels {
				if c.ROI < 1 || c.ROI > 6 || c.Orders == 0 {
					t.Errorf("%s: ROI %.2f over %d orders (GMV %d, spend %d), want 1..6", name, c.ROI, c.Orders, c.GMV, c.Spend)
				}
			}
			if len(snap.Channels) != 2 {
				t.Errorf("channels %v", snap.Channels)
			}
			if snap.CartRate < 0.05 || snap.CartRate > 0.12 {
				t.Errorf("cart rate %.3f (%d cart adds of %d clicks), want 0.05..0.12", snap.CartRate, snap.CartAdds, snap.Funnel.Clicks)
			}
			t.Logf("ROI %.2f, qianchuan %.2f, douplus %.2f, cart rate %.1f%%, %d reports (%d corrections)",
				snap.ROI, snap.Channels["qianchuan"].ROI, snap.Channels["douplus"].ROI, snap.CartRate*100, reports, corrections)
		})
	}
}
