package rules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"text/template"

	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// langPattern is a language an alert's messages may be given in: en, zh,
// zh-CN.
var langPattern = regexp.MustCompile(`^[a-z]{2}(-[A-Za-z]{2,4})?$`)

// checkAlert compiles an alert's for_sku and its messages in other
// languages.
func checkAlert(rule, field string, a *AlertAction) (*vm.Program, map[string]*template.Template, Problems) {
	var probs Problems
	bad := func(f, format string, args ...any) {
		probs = append(probs, Problem{Rule: rule, Field: field + f, Message: fmt.Sprintf(format, args...)})
	}
	var pick *vm.Program
	if a.ForSKU != "" {
		p, err := compilePick(a.ForSKU)
		if err != nil {
			bad(".alert.for_sku", "%v", err)
		}
		pick = p
	}
	var langs map[string]*template.Template
	for _, lang := range sortedKeys(a.Messages) {
		f := ".alert.messages." + lang
		if !langPattern.MatchString(lang) {
			bad(f, "a language such as en or zh, not %q", lang)
			continue
		}
		t, err := compileText(field+f, a.Messages[lang])
		if err != nil {
			bad(f, "template: %v", err)
			continue
		}
		if langs == nil {
			langs = map[string]*template.Template{}
		}
		langs[lang] = t
	}
	return pick, langs, probs
}

// alertOf is rule r's alert action j as operators see it now: its
// message and those in other languages, about the product its for_sku
// picks (by name from the line-up).
func alertOf(r *compiled, j int, key string, env Env, products []livedeck.Product) *livedeck.Alert {
	a := r.Actions[j].Alert
	al := &livedeck.Alert{Key: key, Severity: a.Severity}
	if j < len(r.picks) && r.picks[j] != nil {
		if k := pickAny(r.picks[j], &env); k != nil {
			p := *k
			if p.Name = productName(products, p.ID); p.Name == "" {
				p.Name = p.ID
			}
			env.Product, al.SKU = &p, p.ID
		}
	}
	al.Message = render(r.texts[j], env, a.Message)
	if j < len(r.langs) && len(r.langs[j]) > 0 {
		al.Messages = make(map[string]string, len(r.langs[j]))
		for lang, t := range r.langs[j] {
			al.Messages[lang] = render(t, env, a.Messages[lang])
		}
	}
	return al
}

// pickAny is the product a for_sku condition matches with the least stock
// (sold out included: an alert may be about that), nil if none.
func pickAny(p *vm.Program, env *Env) *SKU {
	if env.machine == nil {
		env.machine = &vm.VM{}
	}
	out, err := env.machine.Run(p, env)
	if err != nil {
		return nil
	}
	list, _ := out.([]any)
	var best *SKU
	for _, v := range list {
		if k, ok := v.(*SKU); ok && (best == nil || k.Stock < best.Stock || (k.Stock == best.Stock && k.ID < best.ID)) {
			best = k
		}
	}
	return best
}

// pct is, for texts, a change in percent as a size without its sign,
// rounded: {{pct .GMVChangePct}} gives 41 for −41.3, so a text says
// 下降41% or fell 41%, never 下降-41%.
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(math.Abs(math.Round(v)), 'f', 0, 64)
}
