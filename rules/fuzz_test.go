package rules

import (
	"regexp"
	"strconv"
	"testing"
)

// quoted finds the string literals of an expression.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)

// FuzzParseRules feeds arbitrary bytes to the rule-set parser and compiler:
// they may refuse anything, but never panic, and what compiles evaluates.
func FuzzParseRules(f *testing.F) {
	f.Add(Playbook())
	f.Add([]byte("rules:\n- name: a\n  when: online >= 500\n  actions: [{cue: {text: '{{.Online}}'}}]\n"))
	f.Add([]byte(`{"rules":[{"name":"a","when":"uv_value < 1.5","for":"30s","actions":[{"alert":{"severity":"info","message":"x"}}]}]}`))
	f.Add([]byte("rules:\n- {name: a, when: 'skus[\"X\"].ctr < 0.03', actions: [{tier: {name: t}}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = positions(data)
		_ = AsYAML(data)
		rs, err := Parse(data)
		if err != nil {
			return
		}
		c, _ := Compile(rs, DefaultBanned)
		if c == nil {
			return
		}
		for i, r := range c.rules {
			// Every string the conditions name may be a SKU: with each one
			// in the room, a compiled condition must evaluate (an unknown
			// SKU is the one error a room's own products can cause).
			env := Env{Online: 600, SKUs: map[string]*SKU{"A": {CTR: 0.01}}, Sources: map[string]Source{}}
			for _, q := range quoted.FindAllString(r.When+" "+r.Clear, -1) {
				if u, err := strconv.Unquote(q); err == nil {
					env.SKUs[u] = &SKU{}
				} else {
					env.SKUs[q[1:len(q)-1]] = &SKU{}
				}
			}
			st := &ruleState{}
			m, err := run(r.when, &env)
			if err != nil {
				t.Fatalf("rule %q compiled, but when %q fails: %v", r.Name, r.When, err)
			}
			cl, err := run(r.clear, &env)
			if err != nil {
				t.Fatalf("rule %q compiled, but clear %q fails: %v", r.Name, r.Clear, err)
			}
			st.step(r, 1, m, cl, gate{inWindow: true})
			for j, a := range r.Actions {
				_ = describe(a, c.rules[i].texts[j], env)
			}
		}
	})
}
