package e2e

import (
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
