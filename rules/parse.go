package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxRuleSetBytes bounds a rule set's source.
const maxRuleSetBytes = 256 << 10

// Parse reads a rule set from YAML or JSON, told apart by the first
// character. Unknown keys are errors, so a typo such as `cooldwon:` is
// caught, with its line.
func Parse(data []byte) (*RuleSet, error) { return ParseAs(data, "") }

// ParseAs reads a rule set in format "json" or "yaml"; "" tells them apart
// by the first character. JSON is decoded strictly as JSON, for clearer
// errors.
func ParseAs(data []byte, format string) (*RuleSet, error) {
	if len(data) > maxRuleSetBytes {
		return nil, fmt.Errorf("rule set is %d bytes, more than %d", len(data), maxRuleSetBytes)
	}
	trimmed := bytes.TrimSpace(data)
	if format == "" && len(trimmed) > 0 && trimmed[0] == '{' {
		format = "json"
	}
	var rs RuleSet
	rs.src = data
	if format == "json" {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rs); err != nil {
			return nil, fmt.Errorf("rule set JSON: %w", err)
		}
		if dec.More() {
			return nil, fmt.Errorf("rule set JSON: more than one value")
		}
		return &rs, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rs); err != nil {
		if errors.Is(err, io.EOF) {
			return &rs, nil // empty document: no rules
		}
		return nil, fmt.Errorf("rule set YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &rs, nil
}

// positions maps each rule's fields to their lines in the source: per rule
// (by index), "" is the rule's own line, "when" the line its condition
// starts on, "actions[1]" that action's line. JSON is YAML, so one walk
// serves both; a source it cannot read gives none.
func positions(src []byte) []map[string]int {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	list := mapValue(doc.Content[0], "rules")
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]map[string]int, len(list.Content))
	for i, item := range list.Content {
		m := map[string]int{"": item.Line}
		for j := 0; item.Kind == yaml.MappingNode && j+1 < len(item.Content); j += 2 {
			key, val := item.Content[j].Value, item.Content[j+1]
			m[key] = val.Line
			if val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				m[key]++ // a block scalar's text starts on the next line
			}
			if key == "actions" && val.Kind == yaml.SequenceNode {
				for k, a := range val.Content {
					m[fmt.Sprintf("actions[%d]", k)] = a.Line
				}
			}
		}
		out[i] = m
	}
	return out
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// sourceLine is the line in the file of a problem with field of rule i:
// the field's own line, else its action's, else the rule's.
func sourceLine(pos []map[string]int, i int, p Problem) int {
	if i >= len(pos) {
		return 0
	}
	m := pos[i]
	field := p.Field
	if n, ok := m[field]; ok {
		if p.Line > 1 {
			n += p.Line - 1 // a multi-line condition
		}
		return n
	}
	if head, _, ok := strings.Cut(field, "."); ok {
		if n, ok := m[head]; ok {
			return n
		}
	}
	return m[""]
}

// AsYAML returns a stored rule set source as YAML: YAML as written (with
// its comments), JSON converted.
func AsYAML(src []byte) []byte {
	t := bytes.TrimSpace(src)
	if len(t) == 0 || t[0] != '{' {
		return src
	}
	rs, err := ParseAs(t, "json")
	if err != nil {
		return src
	}
	out, err := Marshal(rs)
	if err != nil {
		return src
	}
	return out
}

// Marshal writes a rule set as YAML.
func Marshal(rs *RuleSet) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(rs); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
