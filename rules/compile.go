package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"text/template"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// Problem is one thing wrong (or worth a warning) in a rule set, located
// well enough for a producer to fix it.
type Problem struct {
	Rule    string `json:"rule,omitempty"`
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`        // within the expression
	Column  int    `json:"column,omitempty"`      // within the expression
	Source  int    `json:"source_line,omitempty"` // line in the rule file
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"` // saved anyway, e.g. a banned advertising word
	// Code names the kind of problem for consoles that show it in their
	// own language, with Args filling the message (Message is English).
	Code string            `json:"code,omitempty"`
	Args map[string]string `json:"args,omitempty"`
}

func (p Problem) String() string {
	if p.Source > 0 {
		return fmt.Sprintf("line %d: %s", p.Source, p.Text())
	}
	return p.Text()
}

// Text is the problem without its line in the file.
func (p Problem) Text() string {
	pos := ""
	if p.Line > 0 {
		pos = fmt.Sprintf(" (line %d, column %d)", p.Line, p.Column)
	}
	return fmt.Sprintf("rule %q: %s%s: %s", p.Rule, p.Field, pos, p.Message)
}

// Problems are a rule set's errors and warnings.
type Problems []Problem

// Errors are the problems that refuse the rule set.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps.Errors() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// compiled is a rule ready to evaluate.
type compiled struct {
	Rule
	when, clear *vm.Program
	whenFn      func(*Env) bool                 // when as Go closures, nil if it runs in expr's VM (native.go)
	clearFn     func(*Env) bool                 // the same for clear
	texts       []*template.Template            // per action: the cue text or alert message template
	hash        string                          // of the rule's definition, to tell an edit from an unchanged rule
	cueSig      string                          // fingerprint per action (cues only, "" for others), comma-separated
	gifts       bool                            // has a gift action
	tier        *livedeck.Tier                  // the tier it sets, nil if none; shared, never changed
	picks       []*vm.Program                   // per action: a cue's or alert's for_sku, filter(sku_list, {…})
	langs       []map[string]*template.Template // per action: an alert's messages in other languages
	window      *window
	deps        uint64 // Env fields when and clear read (bits of envFields)
}

// Compiled is a rule set ready to evaluate.
type Compiled struct {
	Set    RuleSet
	rules  []*compiled
	byName map[string]*compiled
	quotas []quota // gift quotas, in the order the set first names them
}

// index is the position of the rule called name, -1 if none.
func (c *Compiled) index(name string) int {
	for i, r := range c.rules {
		if r.Name == name {
			return i
		}
	}
	return -1
}

// rule returns the rule called name, or nil.
func (c *Compiled) rule(name string) *compiled { return c.byName[name] }

var (
	namePattern  = regexp.MustCompile(`^[\p{L}\p{N}_ .:/-]{1,64}$`)
	quotaPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// Compile checks and compiles a rule set: every condition is type-checked
// against Env, every template parsed. Warnings (banned advertising words)
// do not stop compilation; errors do.
func Compile(rs *RuleSet, banned []string) (*Compiled, Problems) {
	var probs Problems
	c := &Compiled{Set: *rs, byName: map[string]*compiled{}}
	seen := map[string]bool{}
	var pos []map[string]int // located only when there are problems
	for i, r := range rs.Rules {
		cr, rprobs := compileRule(i, r, seen, banned)
		if len(rprobs) > 0 && pos == nil {
			pos = positions(rs.src)
		}
		for j := range rprobs {
			rprobs[j].Source = sourceLine(pos, i, rprobs[j])
		}
		probs = append(probs, rprobs...)
		c.rules = append(c.rules, cr)
		c.byName[cr.Name] = cr
	}
	var qprobs Problems
	c.quotas, qprobs = collectQuotas(c.rules)
	probs = append(probs, qprobs...)
	if len(probs.Errors()) == 0 {
		locate := func() []map[string]int { // only when there is something to say
			if pos == nil {
				pos = positions(rs.src)
			}
			return pos
		}
		oprobs := tierOverlaps(c, locate)
		for j := range oprobs {
			oprobs[j].Source = sourceLine(pos, c.index(oprobs[j].Rule), oprobs[j])
		}
		probs = append(probs, oprobs...)
	}
	if len(probs.Errors()) > 0 {
		return nil, probs
	}
	return c, probs
}

// compileRule checks and compiles rule i; seen holds the names so far.
func compileRule(i int, r Rule, seen map[string]bool, banned []string) (*compiled, Problems) {
	var probs Problems
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Rule: r.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case r.Name == "":
		r.Name = fmt.Sprintf("#%d", i+1)
		bad("name", "every rule needs a name")
	case !namePattern.MatchString(r.Name):
		bad("name", "1-64 letters, digits, spaces or _ . : / -")
	case seen[r.Name]:
		bad("name", "two rules are called %q", r.Name)
	}
	seen[r.Name] = true
	cr := &compiled{Rule: r}
	if r.Band != nil {
		probs = append(probs, expandBand(&r)...)
		cr.Rule = r
	}
	condField := map[bool]string{false: "when", true: "band"}[r.Band != nil]
	switch p, err := compileCond(r.When); {
	case r.When == "" && r.Band == nil:
		bad("when", "a condition is required, e.g. online >= 500")
	case r.When == "": // the band's own problem says why
	case err != nil:
		probs = append(probs, condProblem(r.Name, condField, err))
	default:
		cr.when = p
	}
	if r.Clear != "" {
		if p, err := compileCond(r.Clear); err != nil {
			probs = append(probs, condProblem(r.Name, map[bool]string{false: "clear", true: "band"}[r.Band != nil], err))
		} else {
			cr.clear = p
		}
	}
	if cr.when != nil && cr.clear != nil {
		probs = append(probs, flapping(&r)...)
	}
	if r.MaxFires < 0 {
		bad("max_fires", "must be 0 (no limit) or more")
	}
	if r.Active != "" {
		w, err := parseWindow(r.Active)
		if err != nil {
			bad("active", "%v", err)
		}
		cr.window = w
	}
	if len(r.Actions) == 0 {
		bad("actions", "a rule needs at least one action")
	}
	for j, a := range r.Actions {
		t, aprobs := checkAction(r.Name, fmt.Sprintf("actions[%d]", j), a, banned)
		probs = append(probs, aprobs...)
		cr.texts = append(cr.texts, t)
		var pick *vm.Program
		if a.Cue != nil {
			pick = checkPick(a.Cue, func(f, format string, args ...any) {
				probs = append(probs, Problem{Rule: r.Name, Field: fmt.Sprintf("actions[%d]", j) + f, Message: fmt.Sprintf(format, args...)})
			})
		}
		var langs map[string]*template.Template
		if a.Alert != nil {
			var aprobs Problems
			pick, langs, aprobs = checkAlert(r.Name, fmt.Sprintf("actions[%d]", j), a.Alert)
			probs = append(probs, aprobs...)
		}
		cr.picks = append(cr.picks, pick)
		cr.langs = append(cr.langs, langs)
	}
	cr.deps = dependsOn(cr.when) | dependsOn(cr.clear)
	cr.whenFn, cr.clearFn = nativeCond(cr.when), nativeCond(cr.clear)
	cr.hash = fingerprint(r, 8)
	sums := make([]string, len(r.Actions))
	for j, a := range r.Actions {
		if a.Cue != nil {
			sums[j] = fingerprint(a.Cue, 4)
		}
		cr.gifts = cr.gifts || a.Gift != nil
	}
	cr.cueSig = strings.Join(sums, ",")
	if t := cr.tierAction(); t != nil {
		cr.tier = t.tier()
	}
	return cr, probs
}

// fingerprint is the first n bytes of the SHA-256 of v's JSON, in hex.
func fingerprint(v any, n int) string {
	def, _ := json.Marshal(v)
	sum := sha256.Sum256(def)
	return hex.EncodeToString(sum[:n])
}

func compileCond(src string) (*vm.Program, error) {
	return expr.Compile(src, expr.Env(Env{}), expr.AsBool())
}

func condProblem(rule, field string, err error) Problem {
	p := Problem{Rule: rule, Field: field, Message: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		p.Line, p.Column, p.Message = fe.Line, fe.Column+1, fe.Message
	}
	return p
}

func checkAction(rule, field string, a Action, banned []string) (*template.Template, Problems) {
	var probs Problems
	bad := func(f, format string, args ...any) {
		probs = append(probs, Problem{Rule: rule, Field: field + f, Message: fmt.Sprintf(format, args...)})
	}
	n := 0
	var text string
	for _, set := range []bool{a.Tier != nil, a.Cue != nil, a.Alert != nil, a.Gift != nil, a.Webhook != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		bad("", "an action is exactly one of tier, cue, alert, gift, webhook")
		return nil, probs
	}
	switch {
	case a.Tier != nil:
		if a.Tier.Name == "" {
			bad(".tier.name", "a tier needs a name")
		}
		if a.Tier.Threshold < 0 || a.Tier.Discount < 0 {
			bad(".tier", "threshold and discount are minor units ≥ 0")
		}
		if a.Tier.Threshold > 0 && a.Tier.Discount >= a.Tier.Threshold {
			bad(".tier.discount", "a discount of %d on a spend of %d gives the goods away", a.Tier.Discount, a.Tier.Threshold)
		}
	case a.Cue != nil:
		text = a.Cue.Text
		if text == "" {
			bad(".cue.text", "a cue needs text")
		}
		for _, w := range bannedIn(text, banned) {
			probs = append(probs, Problem{Rule: rule, Field: field + ".cue.text", Warning: true, Code: "banned_term", Args: map[string]string{"term": w},
				Message: fmt.Sprintf("contains %q, an absolute term the advertising law bans (广告法 Art. 9(3))", w)})
		}
	case a.Alert != nil:
		text = a.Alert.Message
		switch a.Alert.Severity {
		case "info", "warning", "critical":
		default:
			bad(".alert.severity", "severity is info, warning or critical, not %q", a.Alert.Severity)
		}
		if text == "" {
			bad(".alert.message", "an alert needs a message")
		}
	case a.Gift != nil:
		checkGift(a.Gift, bad)
	case a.Webhook != nil:
		u, err := url.Parse(a.Webhook.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(".webhook.url", "want an http(s) URL")
		}
	}
	if text == "" {
		return nil, probs
	}
	t, err := compileText(field, text)
	if err != nil {
		bad("", "template: %v", err)
	}
	return t, probs
}

// compileText parses a cue or alert text and tries it on empty numbers.
func compileText(name, text string) (*template.Template, error) {
	t, err := parseText(name, text)
	if err != nil {
		return nil, err
	}
	if err := t.Execute(&boundedWriter{}, Env{SKUs: map[string]*SKU{}, Sources: map[string]Source{}, Product: &SKU{}}); err != nil && !strings.Contains(err.Error(), "index of untyped nil") && !strings.Contains(err.Error(), "map has no entry") {
		return t, err
	}
	return t, nil
}
