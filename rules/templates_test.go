package rules

import (
	"strings"
	"testing"
)

// TestTemplates: every playbook rule is offered as a template of its own
// that compiles alone.
func TestTemplates(t *testing.T) {
	ts := Templates()
	rs, _ := Parse(Playbook())
	if len(ts) != len(rs.Rules) {
		t.Fatalf("%d templates, %d rules in the playbook", len(ts), len(rs.Rules))
	}
	for i, tp := range ts {
		one, err := Parse([]byte(tp.YAML))
		if err != nil {
			t.Fatalf("template %s: %v\n%s", tp.Name, err, tp.YAML)
		}
		if c, probs := Compile(one, nil); c == nil || len(one.Rules) != 1 || one.Rules[0].Name != rs.Rules[i].Name {
			t.Fatalf("template %s: %v\n%s", tp.Name, probs, tp.YAML)
		}
		if tp.Description == "" || strings.Contains(tp.Description, "\n") {
			t.Errorf("template %s has no description", tp.Name)
		}
	}
}
