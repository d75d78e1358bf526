package rules

import (
	"strings"
	"testing"
)

func TestPlaybookCompiles(t *testing.T) {
	rs, err := Parse(Playbook())
	if err != nil {
		t.Fatal(err)
	}
	c, probs := Compile(rs, DefaultBanned)
	if c == nil {
		t.Fatalf("playbook: %v", probs)
	}
	if len(c.rules) < 12 {
		t.Fatalf("playbook has %d rules", len(c.rules))
	}
	// The playbook passes its own checks: 最后3组 is not an absolute term
	// for its 最, and its tiers neither flap nor overlap unclearly.
	if len(probs) != 0 {
		t.Errorf("the playbook warns about itself: %v", probs)
	}
}

// TestBannedTerms: terms, not characters, with allowed phrases taken out
// first and letters compared case-insensitively.
func TestBannedTerms(t *testing.T) {
	for text, want := range map[string]string{
		"最后3组！":      "",
		"最后一波，抓紧":    "",
		"第一次来直播间的宝宝": "",
		"第一时间发货":     "",
		"全网最低价，冲":    "最低价,全网最低",
		"销量第一的口红":    "销量第一,第一",
		"国家级非遗工艺":    "国家级",
		"100%纯棉":     "100%",
		"行业no.1":     "NO.1",
		"第一次下单的宝宝立减，第一名送礼": "第一",
	} {
		if got := strings.Join(bannedIn(text, DefaultBanned), ","); got != want {
			t.Errorf("%s: %q, want %q", text, got, want)
		}
	}
	if _, err := ParseBannedTerms([]byte("terms: [最]\n")); err == nil {
		t.Error("a one-character term was accepted")
	}
	bt, err := ParseBannedTerms(bannedTermsFile)
	if err != nil || !strings.Contains(bt.Basis, "Article 9(3)") {
		t.Errorf("built-in list: %v, basis %q", err, bt.Basis)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // substrings of the error
	}{
		{"typo in a metric", "rules:\n- name: a\n  when: onlin >= 500\n  actions: [{cue: {text: hi}}]\n", []string{"line 3: ", `rule "a"`, "when", "line 1, column 1", "onlin"}},
		{"typo in a multi-line condition", "rules:\n- name: a\n  when: |\n    online >= 500 &&\n    uv_valu < 100\n  actions: [{cue: {text: hi}}]\n", []string{"line 5: ", "line 2, column 1", "uv_valu"}},
		{"typo in JSON", `{"rules":[{"name":"a",` + "\n" + `"when":"gmv > 1 && conversoin > 0.1","actions":[{"cue":{"text":"x"}}]}]}`, []string{"line 2: ", "column 12", "conversoin"}},
		{"an action's problem on its line", "rules:\n- name: a\n  when: online > 1\n  actions:\n  - cue: {text: hi}\n  - alert: {severity: loud, message: x}\n", []string{"line 6: ", "actions[1].alert.severity"}},
		{"typo in a key", "rules:\n- name: a\n  when: online > 1\n  cooldwon: 5m\n  actions: [{cue: {text: hi}}]\n", []string{"cooldwon", "line 4"}},
		{"not a bool", "rules:\n- name: a\n  when: online + 1\n  actions: [{cue: {text: hi}}]\n", []string{`rule "a"`, "bool"}},
		{"no actions", "rules:\n- name: a\n  when: online > 1\n", []string{"at least one action"}},
		{"two rules, one name", "rules:\n- {name: a, when: 'true', actions: [{cue: {text: x}}]}\n- {name: a, when: 'true', actions: [{cue: {text: y}}]}\n", []string{"two rules"}},
		{"bad severity", "rules:\n- {name: a, when: 'true', actions: [{alert: {severity: loud, message: x}}]}\n", []string{"severity"}},
		{"gift without limit", "rules:\n- {name: a, when: 'true', actions: [{gift: {quota: s}}]}\n", []string{"limit"}},
		{"bad duration", "rules:\n- {name: a, when: 'true', for: soon, actions: [{cue: {text: x}}]}\n", []string{"duration"}},
		{"bad window", "rules:\n- {name: a, when: 'true', active: evening, actions: [{cue: {text: x}}]}\n", []string{"HH:MM"}},
		{"discount above spend", "rules:\n- {name: a, when: 'true', actions: [{tier: {name: t, threshold: 100, discount: 200}}]}\n", []string{"gives the goods away"}},
		{"bad template", "rules:\n- {name: a, when: 'true', actions: [{cue: {text: '{{.Onlin}}'}}]}\n", []string{"template"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := Parse([]byte(tc.src))
			var msg string
			if err != nil {
				msg = err.Error()
			} else if c, probs := Compile(rs, DefaultBanned); c != nil {
				t.Fatalf("compiled; problems %v", probs)
			} else {
				msg = probs.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}
