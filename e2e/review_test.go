package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReviewExportRenders records a simulated 30-minute show, builds its
// review offline with the ready-made playbook (`livedeck review`, the
// command a producer runs), opens the exported HTML in Chromium and checks
// that its charts rendered: the timeline with online line, GMV bars and
// markers, the tier and funnel bars.
func TestReviewExportRenders(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "livedeck")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/livedeck")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run(bin, "sim", "--record", "show.jsonl", "--duration", "30m", "--rate", "10", "--seed", "7")
	plan := run(bin, "rules", "template")
	if err := os.WriteFile(filepath.Join(dir, "plan.yaml"), []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(run(bin, "review", "--events", "show.jsonl", "--rules", "plan.yaml", "--room", "show.room.json",
		"--out", "review.html", "--tz", "Asia/Shanghai")))
	page := filepath.Join(dir, "review.html")
	if b, err := os.ReadFile(page); err == nil {
		_ = os.MkdirAll(filepath.Join("..", "artifacts"), 0o755)
		_ = os.WriteFile(filepath.Join("..", "artifacts", "review.html"), b, 0o644)
	}

	ctx := browser(t)
	if err := do(ctx, 30*time.Second, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS(`[data-chart="timeline"]`))); err != nil {
		t.Fatal(err)
	}
	type box struct{ W, H float64 }
	size := func(css string) box {
		t.Helper()
		b, err := get(ctx, 5*time.Second, chromedp.Evaluate[box](`(() => { const r = document.querySelector('`+css+`').getBoundingClientRect(); return {W: r.width, H: r.height} })()`))
		if err != nil {
			t.Fatalf("%s: %v", css, err)
		}
		return b
	}
	count := func(css string) float64 {
		t.Helper()
		n, err := get(ctx, 5*time.Second, chromedp.Evaluate[float64](`document.querySelectorAll('`+css+`').length`))
		if err != nil {
			t.Fatalf("%s: %v", css, err)
		}
		return n
	}
	if b := size(`[data-chart="timeline"]`); b.W < 600 || b.H < 150 {
		t.Errorf("timeline chart is %vx%v px, want a drawn chart", b.W, b.H)
	}
	if b := size(`[data-chart="timeline"] polyline.online`); b.W < 300 {
		t.Errorf("online line spans %v px", b.W)
	}
	if n := count(`[data-chart="timeline"] rect.bar`); n < 10 {
		t.Errorf("%v GMV bars, want one per minute with sales", n)
	}
	markers, rows := count(`[data-chart="timeline"] line.marker`), count(`#markers tr`)-1
	if markers < 3 || markers != rows {
		t.Errorf("%v marker lines for %v marker rows; want the playbook's tier changes, cues and alerts on the chart", markers, rows)
	}
	if n := count(`[data-chart="gmv-per-tier"] rect.hbar`); n < 2 {
		t.Errorf("%v tier bars, want the tiers the playbook set", n)
	}
	if n := count(`#cues tr`) - 1; n < 2 {
		t.Errorf("%v cue-effectiveness rows, want the playbook's cues", n)
	}
	screenshot(t, ctx, "review-export")
}

// TestConsoleReviewPage: a producer opens the review of a running demo
// show in the console, ends the broadcast from there, and the page shows
// the closed room's review with its chart and tables.
func TestConsoleReviewPage(t *testing.T) {
	st := startStack(t, stackOpts{rate: 300, seed: true})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml",
		"rules:\n- name: warm\n  when: online >= 1\n  actions: [{tier: {name: t1, coupon: 满199减20}}, {cue: {text: 关注领券}}]\n"); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	// Some minutes of show: orders, comments, a tier. Wait for paid orders,
	// so the closed review has GMV to show however the simulator's draws fall.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := st.api(t, "GET", "/api/v1/rooms/demo-beauty/metrics", "", "")
		var m struct {
			GMV int64 `json:"gmv"`
		}
		if json.Unmarshal([]byte(body), &m) == nil && m.GMV > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no paid order in the demo show after 30 s: %s", body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/review?room=demo-beauty", "demo-producer", st.Logins["demo-producer"], "review-view")
	ready := `[data-testid="review-view"][data-ready="1"]`
	if err := do(ctx, 30*time.Second, chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		screenshot(t, ctx, "failed-review")
		t.Fatal(err)
	}
	waitText(t, ctx, `document.querySelector('[data-testid="review-status"]').dataset.status`, 5*time.Second, func(s string) bool { return s == "live" })
	if err := do(ctx, 20*time.Second,
		chromedp.Click(sel("review-end-start")),
		chromedp.WaitVisible(sel("review-end-confirm")),
		chromedp.Click(sel("review-end-confirm")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `(document.querySelector('[data-testid="review-status"]')||{dataset:{}}).dataset.status||''`, 20*time.Second, func(s string) bool { return s == "closed" })
	if err := do(ctx, 20*time.Second, chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatal(err)
	}
	gmv := waitText(t, ctx, textOf("review-kpi-gmv-value"), 10*time.Second, func(s string) bool { return strings.ContainsAny(s, "123456789") })
	points := waitText(t, ctx, `document.querySelector('[data-testid="review-chart"]').dataset.points||''`, 10*time.Second, func(s string) bool { return s != "" && s != "0" })
	rows := waitText(t, ctx, `String(document.querySelectorAll('[data-testid="review-tier-row"]').length)`, 10*time.Second, func(s string) bool { return s != "0" })
	t.Logf("closed review: GMV %s, %s chart points, %s tier rows", gmv, points, rows)
	code, body := st.api(t, "GET", "/api/v1/rooms/demo-beauty", "", "")
	if code != 200 || !strings.Contains(body, `"status":"closed"`) {
		t.Fatalf("room after ending it in the console: %d %s", code, body)
	}
	time.Sleep(500 * time.Millisecond) // let the chart settle for the screenshot
	screenshot(t, ctx, "review")
}
