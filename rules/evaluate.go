package rules

import (
	"context"
	"text/template"

	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// evaluate runs one evaluation of a room: the rules' conditions, the
// decision (every rule's state machine, the winning tier, what they
// cause), the tier each new order was created under, the decision's
// effects, gifts for newly paid orders, and the changed states.
func (e *Engine) evaluate(ctx context.Context, u livedeck.Update) error {
	rr := e.lock(u.Room)
	defer rr.mu.Unlock()
	wall := e.clock()
	e.missed(rr, wall)
	if err := e.refresh(ctx, rr, u.Room, u.Now, wall); err != nil {
		return err
	}
	rr.lastEval = wall
	env := &rr.env
	changed := env.update(&u.Snapshot, tierName(rr.tier), minutes(rr.start, u.Now))
	var errs []error
	var removed []string
	if rr.slots == nil { // a new set or state: line the states up with the rules
		rr.lineUp()
		removed = rr.prune()
		rr.conds = make([]condResult, len(rr.set.rules))
	}
	if e.rerun {
		changed = allFields
	}
	for i, r := range rr.set.rules {
		if !r.On() {
			rr.conds[i].valid = false
			continue
		}
		if rr.conds[i].conditions(r, env, changed, !e.rerun) {
			rr.condRuns++
		}
	}
	in := decideInput{room: u.Room, rules: rr.set.rules, states: rr.slots, conds: rr.conds, env: env, skus: u.Snapshot.SKUs,
		now: u.Now, version: rr.version, tier: rr.tier, products: rr.products, loc: e.loc, full: e.rerun}
	decide(&in, &rr.decision)
	// Orders of this batch were created before any tier change it causes.
	if err := e.recordOrderTiers(ctx, &u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.commit(ctx, &u, rr, &rr.decision); err != nil {
		errs = append(errs, err)
	}
	for i, r := range rr.set.rules {
		if r.gifts && r.On() && rr.conds[i].matched {
			e.gifts(&u, rr, r)
		}
		if rr.decision.moved[i] {
			rr.dirty[r.Name] = true
		}
	}
	if err := e.checkBuyerLimits(ctx, &u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.checkOversell(ctx, &u, rr); err != nil {
		errs = append(errs, err)
	}
	e.refunds(&u, rr)
	if err := e.flushGifts(ctx, &u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.saveStates(ctx, u.Room, rr, removed); err != nil {
		errs = append(errs, err)
	}
	return join(errs)
}

// stateOf returns r's state: the one it had, whether or not its
// definition changed since (an edit carries the state over), or a fresh
// one for a rule new to the set.
func (rr *roomRules) stateOf(r *compiled) *ruleState {
	st := rr.states[r.Name]
	if st == nil {
		st = &ruleState{Hash: r.hash, Cues: r.cueSig, State: Inactive, Since: rr.version}
		rr.states[r.Name] = st
		rr.dirty[r.Name] = true
	}
	return st
}

// lineUp lines the states up with the rules of the set, in one array in
// their order (each evaluation reads them all), each holding its rule's
// definition hash and cue fingerprints as the compiled rule's own strings
// where they are the same, so decide compares them by pointer.
func (rr *roomRules) lineUp() {
	n := len(rr.set.rules)
	states := make([]ruleState, n)
	rr.slots = make([]*ruleState, n)
	for i, r := range rr.set.rules {
		st := &states[i]
		*st = *rr.stateOf(r)
		if st.Hash == r.hash {
			st.Hash = r.hash
		}
		if st.Cues == r.cueSig {
			st.Cues = r.cueSig
		}
		rr.states[r.Name], rr.slots[i] = st, st
	}
}

// prune drops the states of rules no longer in the set.
func (rr *roomRules) prune() []string {
	var removed []string
	for name := range rr.states {
		if rr.set.rule(name) == nil {
			delete(rr.states, name)
			delete(rr.dirty, name)
			removed = append(removed, name)
		}
	}
	return removed
}

// condResult is a rule's condition results as of the room's last
// evaluation.
type condResult struct {
	valid            bool
	matched, cleared bool
	err              string // of when
}

// conditions runs the rule's when and clear, unless none of the Env
// fields they read changed since the last evaluation (changed: bits of
// envFields), in which case they would give the same results again. It
// reports whether it ran them. native: as Go closures where the rule has
// them, else in expr's VM.
func (c *condResult) conditions(r *compiled, env *Env, changed uint64, native bool) bool {
	if c.valid && changed&r.deps == 0 {
		return false
	}
	matched, err := runCond(r.when, r.whenFn, env, native)
	if c.matched, c.valid = matched, true; err != nil {
		c.err = err.Error()
	} else if c.err != "" {
		c.err = ""
	}
	c.cleared = false
	if r.clear != nil {
		c.cleared, _ = runCond(r.clear, r.clearFn, env, native)
	}
	return true
}

// runCond runs a condition: as fn, its Go closures, if native and it has
// them, else p in expr's VM.
func runCond(p *vm.Program, fn func(*Env) bool, env *Env, native bool) (bool, error) {
	if native && fn != nil {
		return fn(env), nil
	}
	return run(p, env)
}

// run evaluates a condition. env is passed by pointer: a struct value would
// be copied into an interface on every call.
func run(p *vm.Program, env *Env) (bool, error) {
	if p == nil {
		return false, nil
	}
	if env.machine == nil {
		env.machine = &vm.VM{}
	}
	out, err := env.machine.Run(p, env)
	if err != nil {
		return false, err // e.g. skus["X"] of an unknown SKU: not matched, shown to the producer
	}
	b, _ := out.(bool)
	return b, nil
}

func tierName(t *livedeck.Tier) string {
	if t == nil {
		return ""
	}
	return t.Name
}

// minutes is the whole minutes from start to now.
func minutes(start, now int64) int {
	if start <= 0 || now < start {
		return 0
	}
	return int((now - start) / 60000)
}

// render fills a cue or alert template; on a template error (an unknown
// SKU, say) the text is shown as written rather than not at all.
func render(t *template.Template, env Env, fallback string) string {
	if t == nil {
		return fallback
	}
	var w boundedWriter
	if err := t.Execute(&w, env); err != nil {
		return fallback
	}
	return w.b.String()
}
