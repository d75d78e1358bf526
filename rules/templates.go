package rules

import (
	_ "embed"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed templates/playbook.yaml
var playbook []byte

// Playbook is the built-in template rule set: every template, as one
// YAML file with comments.
func Playbook() []byte { return playbook }

// Template is one ready-made rule a producer can load and adjust.
type Template struct {
	Name        string `json:"name"`
	Description string `json:"description"` // the comment above it in the playbook, else its condition
	YAML        string `json:"yaml"`        // a rule set holding just this rule
}

// Templates lists the playbook's rules one by one.
func Templates() []Template {
	var doc yaml.Node
	if err := yaml.Unmarshal(playbook, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	list := mapValue(doc.Content[0], "rules")
	if list == nil {
		return nil
	}
	out := make([]Template, 0, len(list.Content))
	for _, item := range list.Content {
		var r Rule
		if item.Decode(&r) != nil {
			continue
		}
		desc := strings.Join(strings.Fields(strings.ReplaceAll(item.HeadComment, "#", "")), " ")
		if desc == "" {
			desc = r.When
		}
		item.HeadComment = ""
		b, err := yaml.Marshal(map[string]any{"rules": []*yaml.Node{item}})
		if err != nil {
			continue
		}
		out = append(out, Template{Name: r.Name, Description: desc, YAML: string(b)})
	}
	return out
}
