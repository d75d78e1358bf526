package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// editorLines reports, from inside the rule editor's shadow root, the text
// of every line, the lines whose text carries an error underline, the
// lines beside an error marker in the lint gutter, and the problem list.
const editorLines = `(() => {
	const host = document.querySelector('[data-testid="rule-editor"]');
	if (!host) return '{}'; // the view is (re)mounting
	const root = host.shadowRoot;
	const lines = Array.from(root.querySelectorAll('.cm-content > .cm-line'));
	const tops = lines.map((l) => l.getBoundingClientRect().top);
	const underlined = lines.flatMap((l, i) => l.querySelector('.cm-lintRange-error') ? [i + 1] : []);
	const gutter = Array.from(root.querySelectorAll('.cm-gutter-lint .cm-gutterElement'))
		.filter((g) => g.querySelector('.cm-lint-marker-error'))
		.map((g) => { const y = g.getBoundingClientRect().top; let best = 0; tops.forEach((t, i) => { if (Math.abs(t - y) < Math.abs(tops[best] - y)) best = i; }); return best + 1; });
	return JSON.stringify({ text: lines.map((l) => l.textContent), underlined, gutter,
		listed: document.querySelectorAll('[data-testid="rule-error"]').length });
})()`

type editorState struct {
	Text       []string
	Underlined []int
	Gutter     []int
	Listed     int
}

// TestEditorMarksTypoAtItsLine: the producer types a typo into a rule's
// condition; within a second of the last keystroke, without pressing
// Validate, the editor underlines the line and marks it in the gutter
// (the server's validate route, called as the producer types).
func TestEditorMarksTypoAtItsLine(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", crowdRule); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/producer?room=demo-beauty", "demo-producer", st.Logins["demo-producer"], "producer-view")
	read := func() editorState {
		var s editorState
		v, err := get(ctx, 5*time.Second, chromedp.Evaluate[string](editorLines))
		if err != nil {
			screenshot(t, ctx, "failed-editor")
			html, _ := get(ctx, 5*time.Second, chromedp.Evaluate[string](`document.querySelector('[data-testid="page"]').innerHTML.slice(0, 3000)`))
			t.Fatalf("%v\n%s", err, html)
		}
		if err := json.Unmarshal([]byte(v), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	const condLine = 3 // "  when: online >= 1000000"
	deadline := time.Now().Add(15 * time.Second)
	s := read()
	for len(s.Text) < condLine || !strings.Contains(s.Text[condLine-1], "online >= 1000000") {
		if time.Now().After(deadline) {
			t.Fatalf("the editor never showed the rules: %q", s.Text)
		}
		time.Sleep(100 * time.Millisecond)
		s = read()
	}
	time.Sleep(500 * time.Millisecond) // the load's own validation
	if s = read(); len(s.Underlined)+len(s.Gutter) != 0 {
		t.Fatalf("valid rules are marked: %+v", s)
	}

	// Click at the end of the condition's line, then type the typo: the
	// threshold written with letter O's.
	box, err := get(ctx, 5*time.Second, chromedp.Evaluate[[]float64](`(() => {
		const l = document.querySelector('[data-testid="rule-editor"]').shadowRoot.querySelectorAll('.cm-content > .cm-line')[2];
		l.scrollIntoView({block: 'center'});
		const r = l.getBoundingClientRect(); return [r.right - 2, r.top + r.height / 2];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := do(ctx, 10*time.Second,
		chromedp.MouseClickXY(box[0], box[1]),
		chromedp.KeyEvent(strings.Repeat(kb.Backspace, 7)),
		chromedp.KeyEvent("1OOO"),
	); err != nil {
		t.Fatal(err)
	}
	typed := time.Now()
	for {
		s = read()
		if contains(s.Underlined, condLine) && contains(s.Gutter, condLine) {
			break
		}
		if time.Since(typed) > time.Second {
			screenshot(t, ctx, "failed-editor-typo")
			t.Fatalf("1 s after typing, the typo's line %d is not marked: %+v", condLine, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(typed)
	if !strings.HasSuffix(s.Text[condLine-1], "online >= 1OOO") {
		t.Fatalf("the typing went elsewhere: %q", s.Text)
	}
	if len(s.Underlined) != 1 || s.Listed == 0 {
		t.Fatalf("want one underlined line and the problem listed: %+v", s)
	}
	t.Logf("typo on line %d marked %s after the last keystroke (underline %v, gutter %v)", condLine, took.Round(time.Millisecond), s.Underlined, s.Gutter)
	screenshot(t, ctx, "producer-typo")
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
