package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// negative matches a stock shown as a negative number.
var negative = regexp.MustCompile(`[-−]\s*\d`)

// TestDemoShowsTheProduct starts the stack as `livedeck demo` does (demo
// rooms with the built-in playbook, the simulator at 200 events/s) and
// watches a newcomer's screens: within 90 s of start the host view has
// shown a cue and a price tier, and the operator dashboard gift winners and
// an alert; at no moment does any stock on either page read negative.
func TestDemoShowsTheProduct(t *testing.T) {
	begin := time.Now()
	st := startStack(t, stackOpts{rate: 200, seed: true})
	host, op := browser(t), browser(t)
	login(t, host, st.URL+"/#/host?room=demo-beauty", "demo-host", st.Logins["demo-host"], "host-view")
	login(t, op, st.URL+"/#/operator?rooms=demo-beauty", "demo-operator", st.Logins["demo-operator"], "operator-view")

	const hostJS = `JSON.stringify({
		cue: (document.querySelector('[data-testid="cue-current"]')||{dataset:{}}).dataset.state || '',
		cueText: (document.querySelector('[data-testid="cue-text"]')||{}).textContent || '',
		tier: (document.querySelector('[data-testid="tier-current"]')||{dataset:{}}).dataset.active || '',
		coupon: (document.querySelector('[data-testid="tier-coupon"]')||{}).textContent || '',
		stock: [(document.querySelector('[data-testid="stock-value"]')||{}).textContent || ''],
	})`
	const opJS = `JSON.stringify({
		gifts: document.querySelectorAll('[data-testid="gift-item"]').length,
		alerts: Array.from(document.querySelectorAll('[data-testid="alert-item"] .alert-msg')).map(e => e.textContent),
		stock: Array.from(document.querySelectorAll('[data-testid^="sku-stock-"]')).map(e => e.textContent),
	})`
	type hostState struct {
		Cue, CueText, Tier, Coupon string
		Stock                      []string
	}
	type opState struct {
		Gifts  int
		Alerts []string
		Stock  []string
	}
	seen := map[string]string{}
	deadline := begin.Add(90 * time.Second)
	for len(seen) < 4 {
		if time.Now().After(deadline) {
			screenshot(t, host, "demo-host-90s")
			screenshot(t, op, "demo-operator-90s")
			t.Fatalf("after 90 s the newcomer has seen only %v; want a cue, a tier, gift winners and an alert", seen)
		}
		var h hostState
		var o opState
		if v, err := get(host, 5*time.Second, chromedp.Evaluate[string](hostJS)); err == nil {
			_ = json.Unmarshal([]byte(v), &h)
		}
		if v, err := get(op, 5*time.Second, chromedp.Evaluate[string](opJS)); err == nil {
			_ = json.Unmarshal([]byte(v), &o)
		}
		for _, s := range append(h.Stock, o.Stock...) {
			if negative.MatchString(s) {
				screenshot(t, host, "demo-host-negative")
				screenshot(t, op, "demo-operator-negative")
				t.Fatalf("a stock reads %q", s)
			}
		}
		at := time.Since(begin).Round(time.Second).String()
		mark := func(what, detail string, ok bool) {
			if _, done := seen[what]; !done && ok {
				seen[what] = at + " " + detail
			}
		}
		mark("cue", h.CueText, h.Cue == "active" || h.Cue == "needs-ack")
		mark("tier", h.Coupon, h.Tier == "true")
		mark("gifts", "", o.Gifts > 0)
		mark("alert", strings.Join(o.Alerts, " | "), len(o.Alerts) > 0)
		time.Sleep(250 * time.Millisecond)
	}
	for what, when := range seen {
		t.Logf("%-5s seen at %s", what, when)
	}
	screenshot(t, host, "demo-host")
	screenshot(t, op, "demo-operator")

	// The review of the running show: its product table's stock column.
	if err := do(op, 30*time.Second, chromedp.Navigate(st.URL+"/#/review?room=demo-beauty"),
		chromedp.WaitVisible(`[data-testid="review-view"][data-ready="1"]`)); err != nil {
		screenshot(t, op, "demo-review-failed")
		t.Fatalf("review page: %v", err)
	}
	cells := waitText(t, op, `Array.from(document.querySelectorAll('[data-testid="review-sku-row"] td:last-child')).map(e => e.textContent).join('|')`,
		10*time.Second, func(s string) bool { return s != "" })
	for _, s := range strings.Split(cells, "|") {
		if negative.MatchString(s) {
			t.Fatalf("the review's stock reads %q", s)
		}
	}
	t.Logf("review stock column: %s", cells)
}
