package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBigScreen: from the dashboard's "Big screen" link, two rooms on a
// 1920×1080 wall display: no navigation and nothing to press, the page
// fits the screen without scrolling, KPI values are large (at least 48 px)
// and none is cut off, and the tier and cue of the moment show.
func TestBigScreen(t *testing.T) {
	st := startStack(t, stackOpts{seed: true, rate: 200})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", overlayRules); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/operator?rooms=demo-beauty,demo-fashion", "demo-operator", st.Logins["demo-operator"], "operator-view")
	// The dashboard after the login has settled (it mounts again once signed in).
	waitText(t, ctx, textOf("kpi-online-value"), 20*time.Second, func(s string) bool { return s != "" && s != "–" })
	if err := do(ctx, 20*time.Second,
		chromedp.EmulateViewport(1920, 1080),
		chromedp.Click(sel("operator-wall-link")),
		chromedp.WaitVisible(sel("wall-view")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, textOf("wall-online-demo-fashion"), 20*time.Second, func(s string) bool { return s != "" && s != "–" })
	waitText(t, ctx, textOf("wall-cue-demo-beauty"), 20*time.Second, func(s string) bool { return strings.Contains(s, "上链接！冲") })
	waitText(t, ctx, textOf("wall-tier-demo-beauty"), 10*time.Second, func(s string) bool { return strings.Contains(s, "满199减20") })
	time.Sleep(2 * time.Second) // charts fill

	var got struct {
		Controls  []string
		Header    bool
		ScrollH   float64
		MinFont   float64
		Overflows []string
		Rooms     int
	}
	v := waitText(t, ctx, `JSON.stringify({
		Controls: Array.from(document.querySelectorAll('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])'))
			.filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 80)),
		Header: !!document.querySelector('[data-testid="topbar"]').getClientRects().length,
		ScrollH: document.scrollingElement.scrollHeight,
		MinFont: Math.min(...Array.from(document.querySelectorAll('.wall-value')).map((e) => parseFloat(getComputedStyle(e).fontSize))),
		Overflows: Array.from(document.querySelectorAll('.wall-value, .wall-title, .wall-tier-text, .wall-cue-text'))
			.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.dataset.testid + ' ' + e.textContent),
		Rooms: document.querySelectorAll('[data-testid^="wall-room-"]').length,
	})`, 5*time.Second, func(string) bool { return true })
	if err := json.Unmarshal([]byte(v), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Controls) > 0 || got.Header {
		t.Fatalf("the big screen has controls %v (header shown: %v)", got.Controls, got.Header)
	}
	if got.Rooms != 2 || got.ScrollH > 1080 || got.MinFont < 48 || len(got.Overflows) > 0 {
		t.Fatalf("big screen: %+v; want 2 rooms, no scrolling past 1080 px, values ≥ 48 px, nothing cut off", got)
	}
	t.Logf("big screen: %d rooms, page height %.0f px, smallest KPI value %.0f px", got.Rooms, got.ScrollH, got.MinFont)
	screenshot(t, ctx, "big-screen")
}
