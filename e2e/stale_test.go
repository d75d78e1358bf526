package e2e

import (
	"fmt"
	"testing"
	"time"
)

// staleState is what the dashboard says about the connector, in one
// string: online value | data-stale of the online KPI, the connector's row,
// the online chart and the GMV KPI.
const staleState = `(() => {
	const q = (s) => document.querySelector(s) || { dataset: {}, textContent: '' };
	const st = (s) => q(s).dataset.stale || '-';
	return [q('[data-testid="kpi-online-value"]').textContent,
		st('[data-testid="kpi-online"]'), st('[data-testid="source-row"][data-source="connector"]'),
		st('[data-testid="chart-online"]'), st('[data-testid="kpi-gmv"]')].join('|');
})()`

// TestStaleConnectorMarksDashboard: a platform connector delivers, then goes
// silent. The dashboard's sources panel shows it fresh, then stalled, with
// the online KPI and chart marked stale; the marks clear when it delivers
// again.
func TestStaleConnectorMarksDashboard(t *testing.T) {
	st := startStack(t, stackOpts{seed: true, staleAfter: 2 * time.Second})
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/operator?rooms=demo-beauty", "demo-operator", st.Logins["demo-operator"], "operator-view")

	n, last := 0, time.Time{}
	deliver := func(online int) {
		t.Helper()
		n, last = n+1, time.Now()
		now := last.UnixMilli()
		body := fmt.Sprintf(`{"id":"stale-v-%d","type":"viewers","ts":%d,"online":%d}`+"\n"+
			`{"id":"stale-c-%d","type":"comment","ts":%d,"user_id":"u1","nickname":"n","text":"hello"}`,
			n, now, online, n, now)
		// The batch names its source (docs/events.md); the server stamps it on each event.
		if code, resp := st.api(t, "POST", "/api/v1/rooms/demo-beauty/events?source=connector", "application/x-ndjson", body); code != 200 {
			t.Fatalf("post events: %d %s", code, resp)
		}
	}

	deliver(1234)
	fresh := waitText(t, ctx, staleState, 15*time.Second, func(s string) bool { return s == "1,234|0|0|0|0" })
	t.Logf("fresh: %s; sources panel: %q", fresh, waitText(t, ctx, textOf("sources-panel"), time.Second, func(string) bool { return true }))

	// The connector goes silent: past the 2 s limit everything it fed is stale.
	stale := waitText(t, ctx, staleState, 10*time.Second, func(s string) bool { return s == "1,234|1|1|1|1" })
	if d := time.Since(last); d < 1500*time.Millisecond {
		t.Fatalf("marked stale %s after the last event (%s); the limit is 2 s", d, stale)
	}
	note := waitText(t, ctx, textOf("kpi-online-stale"), 5*time.Second, func(s string) bool { return s != "" })
	t.Logf("stale after %s; online KPI says %q", time.Since(last).Round(100*time.Millisecond), note)
	screenshot(t, ctx, "operator-stale")

	// Fresh data clears the marks at once.
	deliver(1500)
	waitText(t, ctx, staleState, 5*time.Second, func(s string) bool { return s == "1,500|0|0|0|0" })
}
