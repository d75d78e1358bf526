package rules

import (
	"strings"
	"testing"
	"time"
)

// Cue texts that would loop, recurse or build a huge string are refused
// when the rule set is validated, naming the rule and where; the check runs
// nothing of the text's loop.
func TestCueTextLimits(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string // substrings of the problem; none means accepted
	}{
		{"fields and printf", `在线{{.Online}}人，下降{{printf "%.0f" .OnlineChangePct}}%`, nil},
		{"if and with", `{{if gt .Online 500}}破500{{else}}冲{{end}}{{with .SKUs}}有货{{end}}`, nil},
		{"range over a huge number", `{{range 1000000000000}}x{{end}}`, []string{`rule "a"`, "range", "actions[0]:1:8", "loops are not allowed"}},
		{"range nested in if", `ok {{if true}}{{range $i, $e := .SKUs}}{{$i}}{{end}}{{end}}`, []string{"range", "loops"}},
		{"define and template", `{{define "x"}}{{template "x"}}{{end}}{{template "x"}}`, []string{"define"}},
		{"template call", `{{template "a"}}`, []string{"calling templates"}},
		{"huge printf width", `{{printf "%01000000000d" 1}}`, []string{"width or precision above 64"}},
		{"printf star width", `{{printf "%*d" 1000000000 1}}`, []string{"'*'"}},
		{"output over the budget", strings.Repeat(`{{printf "%64s" "x"}}`, 70), []string{"more than 4096 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "rules:\n- name: a\n  when: online > 1\n  actions: [{cue: {text: '" + tc.text + "'}}]\n"
			rs, err := Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			c, probs := Compile(rs, DefaultBanned)
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("validation ran the text: %s", d) // a guard against hanging, not a timing target
			}
			if tc.want == nil {
				if c == nil {
					t.Fatalf("refused: %v", probs)
				}
				return
			}
			if c != nil {
				t.Fatalf("accepted %q", tc.text)
			}
			for _, w := range tc.want {
				if !strings.Contains(probs.Error(), w) {
					t.Errorf("problem %q does not say %q", probs.Error(), w)
				}
			}
		})
	}
}

func TestBoundedPrintf(t *testing.T) {
	for _, tc := range []struct {
		format string
		ok     bool
	}{
		{"%d", true}, {"%.0f", true}, {"%5.2f%%", true}, {"%64s", true}, {"%-10s|%+d", true},
		{"%65s", false}, {"%.100f", false}, {"%[1]d", false}, {"%*d", false}, {"%.*f", false},
	} {
		_, err := boundedPrintf(tc.format, 1)
		if (err == nil) != tc.ok {
			t.Errorf("boundedPrintf(%q): err %v, want ok=%v", tc.format, err, tc.ok)
		}
	}
}
