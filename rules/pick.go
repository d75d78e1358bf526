package rules

import (
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// A cue's for_sku is a condition on one product, written as inside
// any(sku_list, {…}): the cue is about the matching product with the least
// stock left (above zero), and carries its SKU so the host sees that
// product's stock. A rule like `any(sku_list, {.stock > 0 && .stock <= 3})`
// with `for_sku: .stock > 0 && .stock <= 3` names the product running out.

// compilePick compiles a for_sku condition; nil without one.
func compilePick(src string) (*vm.Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	return expr.Compile("filter(sku_list, {"+src+"})", expr.Env(Env{}))
}

// checkPick validates a cue's for_sku.
func checkPick(c *CueAction, bad func(f, format string, args ...any)) *vm.Program {
	if c.ForSKU == "" {
		return nil
	}
	if c.SKU != "" {
		bad(".cue.for_sku", "a cue has sku or for_sku, not both")
		return nil
	}
	p, err := compilePick(c.ForSKU)
	if err != nil {
		bad(".cue.for_sku", "%v", err)
		return nil
	}
	return p
}

// cueSKU is the product the rule's action i is about: its sku, or the
// for_sku match with the least stock above zero ("" and false: none, so no
// cue).
func (r *compiled) cueSKU(i int, env *Env) (string, bool) {
	a := r.Actions[i].Cue
	if i >= len(r.picks) || r.picks[i] == nil {
		return a.SKU, true
	}
	if env.machine == nil {
		env.machine = &vm.VM{}
	}
	out, err := env.machine.Run(r.picks[i], env)
	if err != nil {
		return "", false
	}
	list, _ := out.([]any)
	var best *SKU
	for _, v := range list {
		k, ok := v.(*SKU)
		if !ok || k.Stock <= 0 {
			continue
		}
		if best == nil || k.Stock < best.Stock || (k.Stock == best.Stock && k.ID < best.ID) {
			best = k
		}
	}
	if best == nil {
		return "", false
	}
	return best.ID, true
}
