package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// linksJS lists the navigation's and the demo-beauty row's view links.
const linksJS = `Array.from(document.querySelectorAll('[data-testid^="nav-"], [data-testid$="-demo-beauty"]'))
	.filter((a) => a.tagName === 'A').map((a) => a.dataset.testid).sort().join(',')`

// TestRolesSeeOnlyTheirDoors: a host is offered only the views a host may
// open, and one opened anyway says why in the page's language with the way
// back, not the raw API error or an empty dashboard; an operator's room
// list links only to the views an operator may open.
func TestRolesSeeOnlyTheirDoors(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	host := browser(t)
	login(t, host, st.URL+"/#/producer?room=demo-beauty", "demo-host", st.Logins["demo-host"], "forbidden")
	if got := waitText(t, host, linksJS, 5*time.Second, func(string) bool { return true }); got != "nav-host,nav-rooms" {
		t.Fatalf("a host is offered %s", got)
	}
	text := waitText(t, host, textOf("page"), 5*time.Second, func(s string) bool { return s != "" })
	if !strings.Contains(text, "Only an admin or producer can edit the rules.") || strings.Contains(text, "may not") {
		t.Fatalf("the refused producer view says %q", text)
	}
	if _, err := get(host, 5*time.Second, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('[data-testid="lang-switch"]'); s.value = 'zh-CN'; s.dispatchEvent(new Event('change')); return true })()`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, host, textOf("page"), 5*time.Second, func(s string) bool {
		return strings.Contains(s, "只有管理员或制片可以编辑规则。") && strings.Contains(s, "返回直播间列表")
	})
	if err := do(host, 10*time.Second, chromedp.Navigate(st.URL+"/#/operator?rooms=demo-beauty"), chromedp.WaitVisible(sel("forbidden"))); err != nil {
		t.Fatal(err)
	}
	if n := waitText(t, host, `document.querySelectorAll('[data-testid="operator-view"], [data-testid^="kpi-"]').length + ''`, time.Second, func(string) bool { return true }); n != "0" {
		t.Fatalf("the refused dashboard still draws %s of its parts", n)
	}
	screenshot(t, host, "forbidden-zh")

	op := browser(t)
	login(t, op, st.URL+"/#/rooms", "demo-operator", st.Logins["demo-operator"], "rooms-view")
	got := waitText(t, op, linksJS, 10*time.Second, func(s string) bool { return strings.Contains(s, "room-host-demo-beauty") })
	if got != "nav-rooms,room-host-demo-beauty,room-operator-demo-beauty,room-review-demo-beauty" {
		t.Fatalf("an operator is offered %s", got)
	}
}
