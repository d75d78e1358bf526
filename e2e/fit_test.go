package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// catalogueEntry matches one message of src/messages/*.ts, single- or
// double-quoted.
var catalogueEntry = regexp.MustCompile(`(?m)^\s*'([^']+)':\s*(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")`)

// catalogueTexts reads a messages file: key → text.
func catalogueTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "console", "src", "messages", lang+".ts"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range catalogueEntry.FindAllStringSubmatch(string(b), -1) {
		v := m[2] + m[3]
		out[m[1]] = strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`).Replace(v)
	}
	if len(out) < 100 {
		t.Fatalf("%s.ts: only %d messages read", lang, len(out))
	}
	return out
}

var (
	placeholder = regexp.MustCompile(`\{\w+\}`)
	cjk         = regexp.MustCompile(`\p{Han}`)
	latinWord   = regexp.MustCompile(`[A-Za-z]{3,}`)
)

// foreignFragments are the pieces of lang's messages (split at their
// {placeholders}) that cannot be the other language's words: none appears
// in any message of the other language. Chinese pieces have two or more
// Han characters; English ones a word of three letters or more.
func foreignFragments(own, other map[string]string, chinese bool) []string {
	var all strings.Builder
	for _, v := range other {
		all.WriteString(v)
		all.WriteByte('\n')
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range own {
		for _, f := range placeholder.Split(v, -1) {
			f = strings.TrimSpace(strings.Trim(strings.TrimSpace(f), ".,:;·—–()（）：，。/…!?！？“”\"'"))
			if seen[f] || strings.Contains(all.String(), f) {
				continue
			}
			if (chinese && len(cjk.FindAllString(f, -1)) >= 2) || (!chinese && latinWord.MatchString(f) && !cjk.MatchString(f)) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// dataSelectors hold what the show and its people wrote (comments,
// product and room names, cue and tier texts, rules, alerts from rules),
// which may be in either language.
var dataSelectors = []string{
	".feed", ".cloud", ".sku-name", ".sku-id", ".wall-title", ".cue-text", ".next-list", ".missed-list",
	".tier-coupon", ".tier-name", ".wall-tier-text", ".wall-cue-text", ".alert-msg", ".gifts", ".rule-editor",
	".rule-list", ".template-list", ".version-list", "[data-testid=rule-history]", "[data-testid^=room-row-] > td:nth-child(3)",
	"[data-testid=current-room]", ".note", "[data-testid^=review-talk]", "[data-testid^=review-cue]", "[data-testid^=review-marker]",
	"[data-testid=review-title]",
}

// fitJS reports, for the page as shown: elements whose text is wider than
// their box, and the page text (data removed) as one string.
const fitJS = `(() => {
	const boxes = Array.from(document.querySelectorAll('.kpi-value, .wall-value, .kpi-label, .table th, .table td, .table-wrap, .card-title, .chart .card-title, .tab, .nav-link, .btn, .badge, .wall-title, .wall-label, .page-title, .tier-coupon, .cue-timer, .stock-value, .funnel-label'));
	const over = boxes.filter((e) => e.getClientRects().length && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
		.map((e) => (e.dataset.testid || e.className) + ' «' + e.textContent.trim().slice(0, 40) + '» ' + e.scrollWidth + '>' + e.clientWidth);
	const clone = document.body.cloneNode(true);
	clone.querySelectorAll(%s).forEach((e) => e.remove());
	clone.querySelectorAll('[hidden], script, style').forEach((e) => e.remove());
	// Text node by text node, so words of neighbouring elements stay apart.
	const walk = document.createTreeWalker(clone, NodeFilter.SHOW_TEXT);
	const parts = [];
	while (walk.nextNode()) parts.push(walk.currentNode.textContent);
	return JSON.stringify({ over, text: parts.join('\n') });
})()`

type fitReport struct {
	Over []string
	Text string
}

// TestEveryViewFitsInBothLanguages: each view at 1280, 1600 and 1920 px,
// in Chinese and in English, with a live show: no KPI value, table cell,
// chart title or button has text wider than its box, and no text from the
// other language's catalogue shows outside the show's own data.
func TestEveryViewFitsInBothLanguages(t *testing.T) {
	st := startStack(t, stackOpts{seed: true, rate: 200})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", overlayRules); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	en, zh := catalogueTexts(t, "en"), catalogueTexts(t, "zh")
	foreign := map[string][]string{"zh-CN": foreignFragments(en, zh, false), "en": foreignFragments(zh, en, true)}
	sels, _ := json.Marshal(strings.Join(dataSelectors, ", "))
	js := fmt.Sprintf(fitJS, sels)

	// The check itself finds the other language's text.
	if got := foreignIn("实时 · Online viewers · 12", "zh-CN", foreign["zh-CN"]); !slices.Contains(got, "Online viewers") {
		t.Fatalf("an English title on a Chinese page is found as %q", got)
	}
	if got := foreignIn("Live · 在线人数 · 12", "en", foreign["en"]); !slices.Contains(got, "在线人数") {
		t.Fatalf("a Chinese title on an English page is found as %q", got)
	}

	ctx := browser(t)
	login(t, ctx, st.URL+"/#/rooms", "demo-admin", st.Logins["demo-admin"], "rooms-view")
	time.Sleep(8 * time.Second) // a few minutes' worth of show in the charts and tables
	views := []struct{ name, hash, ready string }{
		{"rooms", "#/rooms", "rooms-view"},
		{"operator", "#/operator?rooms=demo-beauty,demo-fashion", "operator-view"},
		{"host", "#/host?room=demo-beauty", "host-view"},
		{"producer", "#/producer?room=demo-beauty", "producer-view"},
		{"review", "#/review?room=demo-beauty", "review-view"},
		{"wall", "#/wall?rooms=demo-beauty,demo-fashion", "wall-view"},
		{"connectors", "#/connectors?room=demo-beauty", "connectors-view"},
	}
	checked := 0
	for _, lang := range []string{"zh-CN", "en"} {
		for _, width := range []int64{1280, 1600, 1920} {
			for _, v := range views {
				name := fmt.Sprintf("%s-%s-%d", v.name, lang, width)
				// The language is read when the page loads: set it, then load the view afresh.
				if err := do(ctx, 30*time.Second,
					chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`localStorage.setItem('livedeck.lang', %q)`, lang)),
					chromedp.EmulateViewport(width, 1000),
					chromedp.Navigate(st.URL+"/"+v.hash),
					chromedp.Reload(),
					chromedp.WaitVisible(sel(v.ready)),
				); err != nil {
					screenshot(t, ctx, "failed-fit-"+name)
					t.Fatalf("%s: %v", name, err)
				}
				time.Sleep(1500 * time.Millisecond) // data and fonts in
				raw := waitText(t, ctx, js, 10*time.Second, func(string) bool { return true })
				var r fitReport
				if err := json.Unmarshal([]byte(raw), &r); err != nil {
					t.Fatal(err)
				}
				found := foreignIn(r.Text, lang, foreign[lang])
				// And the page is in its language: several of its own catalogue's texts show.
				other := map[string]string{"zh-CN": "en", "en": "zh-CN"}[lang]
				if own := foreignIn(r.Text, other, foreign[other]); len(own) < 3 {
					screenshot(t, ctx, "failed-fit-"+name)
					t.Errorf("%s: the page is not in %s: only %q of its texts show", name, lang, own)
				}
				if len(r.Over) > 0 || len(found) > 0 {
					screenshot(t, ctx, "failed-fit-"+name)
					t.Errorf("%s: text wider than its box: %q; other language's text: %q\n(page text: %.600s)", name, r.Over, found, r.Text)
				}
				checked++
			}
		}
	}
	t.Logf("%d view × width × language pages checked; %d English and %d Chinese catalogue fragments looked for", checked, len(foreign["zh-CN"]), len(foreign["en"]))
}

// foreignIn lists the fragments of the other language found in a page's
// text in lang: Chinese ones anywhere, English ones as whole words.
func foreignIn(text, lang string, fragments []string) []string {
	var found []string
	for _, f := range fragments {
		if lang == "en" && strings.Contains(text, f) {
			found = append(found, f)
		}
		if lang == "zh-CN" && regexp.MustCompile(`\b`+regexp.QuoteMeta(f)+`\b`).MatchString(text) {
			found = append(found, f)
		}
	}
	return found
}
