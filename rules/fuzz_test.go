package rules

import (
	"testing"
)

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
		env := Env{Online: 600, SKUs: map[string]*SKU{"A": {CTR: 0.01}}, Sources: map[string]Source{}}
		for i, r := range c.rules {
			st := &ruleState{}
			m, _ := run(r.when, &env)
			cl, _ := run(r.clear, &env)
			st.step(r, 1, m, cl, gate{inWindow: true})
			for j, a := range r.Actions {
				_ = describe(a, c.rules[i].texts[j], env)
			}
		}
	})
}
