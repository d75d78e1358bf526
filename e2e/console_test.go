package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func sel(testid string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + testid + `"]`) }

// login opens url, answers the console's login form and waits for view.
func login(t *testing.T, ctx context.Context, url, user, pass, view string) {
	t.Helper()
	if err := do(ctx, 30*time.Second,
		chromedp.Navigate(url),
		chromedp.WaitVisible(sel("login-form")),
		chromedp.SendKeys(sel("login-username"), user),
		chromedp.SendKeys(sel("login-password"), pass),
		chromedp.Click(sel("login-submit")),
		chromedp.WaitVisible(sel(view)),
	); err != nil {
		screenshot(t, ctx, "failed-login-"+user)
		t.Fatalf("login as %s at %s: %v", user, url, err)
	}
}

// waitText polls a JavaScript expression (returning a string) until ok
// accepts it or the deadline passes.
func waitText(t *testing.T, ctx context.Context, js string, timeout time.Duration, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		v, err := get(ctx, 5*time.Second, chromedp.Evaluate[string](js))
		if err == nil {
			last = v
			if ok(v) {
				return v
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never matched; last %q", js, last)
	return ""
}

func textOf(testid string) string {
	return fmt.Sprintf(`(document.querySelector('[data-testid=%q]')||{}).textContent||''`, testid)
}

// TestConsoleLoads opens the console served by the binary.
func TestConsoleLoads(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	ctx := browser(t)
	if err := do(ctx, 30*time.Second, chromedp.Navigate(st.URL+"/"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	title, err := get(ctx, 10*time.Second, chromedp.Title())
	if err != nil || !strings.Contains(title, "LiveDeck") {
		t.Fatalf("title %q, %v", title, err)
	}
}

// TestOperatorDashboardLive logs in as an operator: KPIs move with the
// simulated show, and a comment that looks like HTML is shown as text.
func TestOperatorDashboardLive(t *testing.T) {
	st := startStack(t, stackOpts{rate: 300, seed: true})
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/operator?rooms=demo-beauty", "demo-operator", st.Logins["demo-operator"], "operator-view")

	first := waitText(t, ctx, textOf("kpi-online-value"), 15*time.Second, func(s string) bool { v := strings.TrimSpace(s); return v != "" && v != "—" && v != "–" && v != "0" })
	start := time.Now()
	next := waitText(t, ctx, textOf("kpi-online-value"), 15*time.Second, func(s string) bool { return s != first })
	t.Logf("online KPI moved from %s to %s in %s", first, next, time.Since(start).Round(time.Millisecond))

	evil := `<img src=x onerror=alert(1)>`
	body := fmt.Sprintf(`{"id":"xss-1","type":"comment","ts":%d,"user_id":"attacker","nickname":"<b>nick</b>","text":%q}`, time.Now().UnixMilli(), evil)
	if code, resp := st.api(t, "POST", "/api/v1/rooms/demo-beauty/events", "application/x-ndjson", body); code != 200 {
		t.Fatalf("post comment: %d %s", code, resp)
	}
	waitText(t, ctx, textOf("comment-feed"), 15*time.Second, func(s string) bool { return strings.Contains(s, evil) })
	imgs, err := get(ctx, 5*time.Second, chromedp.Evaluate[float64](`document.querySelectorAll('[data-testid="comment-feed"] img, [data-testid="comment-feed"] b').length`))
	if err != nil || imgs != 0 {
		t.Fatalf("comment feed holds %v HTML elements from user text (%v)", imgs, err)
	}
	time.Sleep(time.Second) // let charts fill for the screenshot
	screenshot(t, ctx, "operator")
}

const crowdRule = "rules:\n- name: crowd\n  when: online >= 1000000\n  actions: [{cue: {text: 上链接！冲, ttl: 120s, needs_ack: true}}]\n"

// TestThresholdInProducerCuesHost lowers a threshold in the producer view;
// the cue appears in the host view.
func TestThresholdInProducerCuesHost(t *testing.T) {
	st := startStack(t, stackOpts{rate: 300, seed: true})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", crowdRule); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	host := browser(t)
	login(t, host, st.URL+"/#/host?room=demo-beauty", "demo-host", st.Logins["demo-host"], "host-view")

	prod := browser(t)
	login(t, prod, st.URL+"/#/producer?room=demo-beauty", "demo-producer", st.Logins["demo-producer"], "producer-view")
	if err := do(prod, 20*time.Second, chromedp.WaitVisible(sel("rule-threshold-crowd-when-0"))); err != nil {
		t.Fatal(err)
	}
	if _, err := get(prod, 5*time.Second, chromedp.Evaluate[bool](`(() => {
		const el = document.querySelector('[data-testid="rule-threshold-crowd-when-0"]');
		el.value = '1'; el.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body := st.api(t, "GET", "/api/v1/rooms/demo-beauty/rules", "", "")
		if strings.Contains(body, `"version":3`) && strings.Contains(body, "online \\u003e= 1") {
			break
		}
		if time.Now().After(deadline) {
			screenshot(t, prod, "failed-producer")
			t.Fatalf("the producer view did not save the new threshold: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	screenshot(t, prod, "producer")
	waitText(t, host, textOf("cue-text"), 15*time.Second, func(s string) bool { return strings.Contains(s, "上链接！冲") })
	screenshot(t, host, "host")
}

// TestReconnectShowsMissedCues stops the server a host console is connected
// to; a second instance fires a cue meanwhile; when the first comes back,
// the console reconnects, resumes, and shows the cue it missed.
func TestReconnectShowsMissedCues(t *testing.T) {
	addr := freeAddr(t)
	a := startStack(t, stackOpts{addr: addr, rate: 100, seed: true})
	b := startStack(t, stackOpts{redis: a.Redis})
	host := browser(t)
	login(t, host, a.URL+"/#/host?room=demo-beauty", "demo-host", a.Logins["demo-host"], "host-view")

	a.Stop()
	rule := "rules:\n- name: lucky-bag\n  when: online >= 0\n  actions: [{cue: {text: 福袋来了, ttl: 300s, needs_ack: true}}]\n"
	if code, body := b.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", rule); code != 200 {
		t.Fatalf("put rules on the second instance: %d %s", code, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for { // the second instance takes the room over and fires
		_, body := b.api(t, "GET", "/api/v1/rooms/demo-beauty/rules/history", "", "")
		if strings.Contains(body, "福袋来了") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cue never fired on the second instance: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	startStack(t, stackOpts{redis: a.Redis, addr: addr})
	waitText(t, host, `document.body.textContent`, 30*time.Second, func(s string) bool { return strings.Contains(s, "福袋来了") })
	screenshot(t, host, "host-reconnected")
}
