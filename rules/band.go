package rules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// bandMetric is what a band may watch: a name, or one product's or
// source's number.
var bandMetric = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\[\s*"[^"\\]+"\s*\]\.[a-z_][a-z0-9_]*)?$`)

// expandBand writes a rule's band as its when, clear and keep_firing_for,
// or lists why it cannot.
func expandBand(r *Rule) Problems {
	b := r.Band
	var probs Problems
	bad := func(field, code string, args map[string]string, format string, a ...any) {
		probs = append(probs, Problem{Rule: r.Name, Field: field, Message: fmt.Sprintf(format, a...), Code: code, Args: args})
	}
	if r.When != "" || r.Clear != "" {
		bad("band", "", nil, "a band replaces when and clear: write one or the other")
	}
	if b.Hold != 0 && r.KeepFiringFor != 0 {
		bad("band.hold", "", nil, "hold is the band's keep_firing_for: write one or the other")
	}
	if !bandMetric.MatchString(b.Metric) {
		bad("band.metric", "", nil, "a band watches one number, e.g. online or skus[\"A\"].stock, not %q", b.Metric)
	}
	if (b.LeaveBelow == nil) == (b.LeaveAbove == nil) {
		bad("band", "", nil, "a band leaves below a number (leave_below, for a metric that rises) or above one (leave_above, for one that falls): exactly one of them")
	}
	if len(probs) > 0 {
		return probs
	}
	enter := num(b.Enter)
	if b.LeaveBelow != nil {
		if *b.LeaveBelow > b.Enter {
			bad("band.leave_below", "band_flaps", map[string]string{"metric": b.Metric, "enter": enter, "leave": num(*b.LeaveBelow)},
				"leave_below %s is above enter %s: between them the rule would enter and leave at every evaluation; leave below a number at or under %s",
				num(*b.LeaveBelow), enter, enter)
			return probs
		}
		r.When, r.Clear = b.Metric+" >= "+enter, b.Metric+" < "+num(*b.LeaveBelow)
	} else {
		if *b.LeaveAbove < b.Enter {
			bad("band.leave_above", "band_flaps", map[string]string{"metric": b.Metric, "enter": enter, "leave": num(*b.LeaveAbove)},
				"leave_above %s is under enter %s: between them the rule would enter and leave at every evaluation; leave above a number at or over %s",
				num(*b.LeaveAbove), enter, enter)
			return probs
		}
		r.When, r.Clear = b.Metric+" <= "+enter, b.Metric+" > "+num(*b.LeaveAbove)
	}
	if b.Hold != 0 {
		r.KeepFiringFor = b.Hold
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// span is the set of values of one metric a simple condition holds for:
// comparisons of the metric with numbers, joined by &&.
type span struct {
	metric     string
	lo, hi     float64
	loIn, hiIn bool // the bound itself is in the span
}

// spanOf is the span of a condition, if it is that simple.
func spanOf(src string) (span, bool) {
	tree, err := parser.Parse(src)
	if err != nil {
		return span{}, false
	}
	return nodeSpan(tree.Node)
}

func nodeSpan(n ast.Node) (span, bool) {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return span{}, false
	}
	if b.Operator == "&&" || b.Operator == "and" {
		l, ok1 := nodeSpan(b.Left)
		r, ok2 := nodeSpan(b.Right)
		if !ok1 || !ok2 || l.metric != r.metric {
			return span{}, false
		}
		return l.intersect(r), true
	}
	op, metric, v := b.Operator, b.Left, constant(b.Right)
	if v == nil { // 500 <= online
		metric, v = b.Right, constant(b.Left)
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}[op]
	}
	name := metricName(metric)
	if v == nil || name == "" {
		return span{}, false
	}
	s := span{metric: name, lo: math.Inf(-1), hi: math.Inf(1)}
	switch op {
	case ">":
		s.lo = *v
	case ">=":
		s.lo, s.loIn = *v, true
	case "<":
		s.hi = *v
	case "<=":
		s.hi, s.hiIn = *v, true
	case "==":
		s.lo, s.hi, s.loIn, s.hiIn = *v, *v, true, true
	default:
		return span{}, false
	}
	return s, true
}

// metricName is a metric as written in rules (online, skus["A"].stock),
// "" if n is not one.
func metricName(n ast.Node) string {
	switch m := n.(type) {
	case *ast.IdentifierNode:
		return m.Value
	case *ast.MemberNode:
		prop, ok := m.Property.(*ast.StringNode)
		base := metricName(m.Node)
		if !ok || base == "" {
			return ""
		}
		if _, top := m.Node.(*ast.IdentifierNode); top {
			return base + "[" + strconv.Quote(prop.Value) + "]"
		}
		return base + "." + prop.Value
	}
	return ""
}

// constant is a number literal's value (a negative one included), or nil.
func constant(n ast.Node) *float64 {
	var v float64
	switch c := n.(type) {
	case *ast.IntegerNode:
		v = float64(c.Value)
	case *ast.FloatNode:
		v = c.Value
	case *ast.UnaryNode:
		if c.Operator != "-" {
			return nil
		}
		p := constant(c.Node)
		if p == nil {
			return nil
		}
		v = -*p
	default:
		return nil
	}
	return &v
}

func (s span) intersect(o span) span {
	if o.lo > s.lo || (o.lo == s.lo && !o.loIn) {
		s.lo, s.loIn = o.lo, o.loIn
	}
	if o.hi < s.hi || (o.hi == s.hi && !o.hiIn) {
		s.hi, s.hiIn = o.hi, o.hiIn
	}
	return s
}

func (s span) empty() bool {
	return s.lo > s.hi || (s.lo == s.hi && !(s.loIn && s.hiIn))
}

// contains reports whether every value of o is in s.
func (s span) contains(o span) bool {
	return s.intersect(o) == o
}

// String is the span in words: "online ≥ 500", "online from 500 to under 550".
func (s span) String() string {
	lo, hi := "", ""
	if !math.IsInf(s.lo, -1) {
		lo = map[bool]string{true: " ≥ ", false: " > "}[s.loIn] + num(s.lo)
	}
	if !math.IsInf(s.hi, 1) {
		hi = map[bool]string{true: " ≤ ", false: " < "}[s.hiIn] + num(s.hi)
	}
	switch {
	case lo != "" && hi != "" && s.lo == s.hi:
		return s.metric + " = " + num(s.lo)
	case lo != "" && hi != "":
		return s.metric + lo + " and" + hi
	}
	return s.metric + lo + hi
}

// flapping lists a rule whose clear can hold while its when does: the rule
// would fire and clear again at every evaluation while the metric stays
// in between (when: online >= 500 with clear: online < 550 at 520).
func flapping(r *Rule) Problems {
	if r.Clear == "" || r.Band != nil { // a band is checked as it is expanded
		return nil
	}
	w, ok1 := spanOf(r.When)
	c, ok2 := spanOf(r.Clear)
	if !ok1 || !ok2 || w.metric != c.metric {
		return nil
	}
	both := w.intersect(c)
	if both.empty() {
		return nil
	}
	return Problems{{Rule: r.Name, Field: "clear", Code: "clear_overlaps_when",
		Args: map[string]string{"when": r.When, "clear": r.Clear, "both": both.String()},
		Message: fmt.Sprintf("clear %q holds while when %q does (%s): the rule would fire and clear again at every evaluation there; clear must hold only where when does not",
			r.Clear, r.When, both)}}
}

// tierOverlaps warns of tier rules on one metric whose conditions hold
// together in a way that makes the winner unclear: the same priority
// (which applies depends on their order), or a tier that never takes
// effect because another, of higher priority, holds whenever it does.
func tierOverlaps(c *Compiled, locate func() []map[string]int) Problems {
	type tierSpan struct {
		i int
		r *compiled
		s span
	}
	var ts []tierSpan
	for i, r := range c.rules {
		if r.tier == nil || !r.On() {
			continue
		}
		if s, ok := spanOf(r.When); ok {
			ts = append(ts, tierSpan{i, r, s})
		}
	}
	var out Problems
	line := func(i int) string {
		if pos := locate(); i < len(pos) && pos[i][""] > 0 {
			return fmt.Sprintf("line %d", pos[i][""])
		}
		return fmt.Sprintf("rule %d", i+1)
	}
	for x, a := range ts {
		for _, b := range ts[x+1:] {
			if a.s.metric != b.s.metric || a.s.intersect(b.s).empty() {
				continue
			}
			args := map[string]string{"other": b.r.Name, "other_line": line(b.i), "when": a.s.String(), "other_when": b.s.String(),
				"priority": strconv.Itoa(a.r.Priority), "other_priority": strconv.Itoa(b.r.Priority)}
			switch {
			case a.r.Priority == b.r.Priority:
				out = append(out, Problem{Rule: a.r.Name, Field: "priority", Warning: true, Code: "tier_same_priority", Args: args,
					Message: fmt.Sprintf("tiers %s (%s) and %s (%s, %s) both apply for %s at the same priority %d: which one takes effect depends on their order; give the higher tier the higher priority",
						a.r.Name, a.s, b.r.Name, line(b.i), b.s, a.s.intersect(b.s), a.r.Priority)})
			case a.s.contains(b.s) && a.r.Priority > b.r.Priority:
				out = append(out, shadowed(b.r, a.r, b.s, a.s, line(a.i)))
			case b.s.contains(a.s) && b.r.Priority > a.r.Priority:
				out = append(out, shadowed(a.r, b.r, a.s, b.s, line(b.i)))
			}
		}
	}
	return out
}

// shadowed is the warning that tier r never takes effect: by, of higher
// priority, holds whenever r does.
func shadowed(r, by *compiled, s, bs span, byLine string) Problem {
	return Problem{Rule: r.Name, Field: "priority", Warning: true, Code: "tier_never_wins",
		Args: map[string]string{"other": by.Name, "other_line": byLine, "when": s.String(), "other_when": bs.String(),
			"priority": strconv.Itoa(r.Priority), "other_priority": strconv.Itoa(by.Priority)},
		Message: fmt.Sprintf("tier %s (%s, priority %d) never takes effect: %s (%s, %s, priority %d) also holds whenever it does and wins",
			r.Name, s, r.Priority, by.Name, byLine, bs, by.Priority)}
}
