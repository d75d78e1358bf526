package rules

import (
	"context"
	"fmt"
	"text/template"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// evaluate runs one evaluation of a room: every rule's state machine, its
// firings, gifts for newly paid orders, the winning tier, the tier each new
// order was created under, and the changed states.
func (e *Engine) evaluate(ctx context.Context, u livedeck.Update) error {
	rr := e.lock(u.Room)
	defer rr.mu.Unlock()
	wall := e.clock()
	e.missed(rr, wall)
	if err := e.refresh(ctx, rr, u.Room, u.Now); err != nil {
		return err
	}
	rr.lastEval = wall
	env := &rr.env
	changed := env.update(&u.Snapshot, tierName(rr.tier), minutes(rr.start, u.Now))
	var errs []error
	var winner *compiled
	var removed []string
	if rr.slots == nil { // a new set or state: line the states up with the rules
		rr.slots = make([]*ruleState, len(rr.set.rules))
		for i, r := range rr.set.rules {
			rr.slots[i] = rr.stateOf(r)
		}
		removed = rr.prune()
		rr.conds = make([]condResult, len(rr.set.rules))
	}
	if e.rerun {
		changed = allFields
	}
	for i, r := range rr.set.rules {
		st := rr.slots[i]
		if err := e.evalRule(ctx, u, rr, r, st, &rr.conds[i], changed); err != nil {
			errs = append(errs, err)
		}
		if st.State == Firing && hasTier(r) && (winner == nil || r.Priority > winner.Priority) {
			winner = r
		}
	}
	// Orders of this batch were created before any tier change it causes.
	if err := e.recordOrderTiers(ctx, u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.checkBuyerLimits(ctx, u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.setTier(ctx, u, rr, winner); err != nil {
		errs = append(errs, err)
	}
	e.refunds(u, rr)
	if err := e.flushGifts(ctx, u, rr); err != nil {
		errs = append(errs, err)
	}
	if err := e.saveStates(ctx, u.Room, rr, removed); err != nil {
		errs = append(errs, err)
	}
	return join(errs)
}

// stateOf returns r's state, starting afresh for a new or changed rule.
func (rr *roomRules) stateOf(r *compiled) *ruleState {
	st := rr.states[r.Name]
	if st == nil || st.Hash != r.hash {
		st = &ruleState{Hash: r.hash, State: Inactive, Since: rr.version}
		rr.states[r.Name] = st
		rr.dirty[r.Name] = true
	}
	return st
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
// reports whether it ran them.
func (c *condResult) conditions(r *compiled, env *Env, changed uint64) bool {
	if c.valid && changed&r.deps == 0 {
		return false
	}
	matched, err := run(r.when, env)
	c.matched, c.err, c.valid = matched, "", true
	if err != nil {
		c.err = err.Error()
	}
	c.cleared = false
	if r.clear != nil {
		c.cleared, _ = run(r.clear, env)
	}
	return true
}

// evalRule steps one rule and carries out its firing. A firing whose
// signals could not be written is undone, so the next evaluation fires it
// again under the same dedupe keys. changed are the Env fields that
// changed since the room's last evaluation.
func (e *Engine) evalRule(ctx context.Context, u livedeck.Update, rr *roomRules, r *compiled, st *ruleState, c *condResult, changed uint64) error {
	before := *st
	defer func() {
		if *st != before {
			rr.dirty[r.Name] = true
		}
	}()
	if !r.On() {
		st.State, st.ActiveAt, st.ClearedAt = Inactive, 0, 0
		c.valid = false
		return nil
	}
	if c.conditions(r, &rr.env, changed) {
		rr.condRuns++
	}
	matched := c.matched
	st.Err = c.err
	fired, resolved := st.step(r, u.Now, matched, c.cleared, gate{inWindow: r.window.contains(time.UnixMilli(u.Now), e.loc)})
	e.m.evaluations.Inc()
	var err error
	if fired {
		if err = e.fire(ctx, u, r, st, rr.env); err != nil {
			*st = before
		}
	}
	if resolved {
		e.m.firings.WithLabelValues("resolved").Inc()
	}
	if matched {
		e.gifts(u, rr, r)
	}
	return err
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

func hasTier(r *compiled) bool { return r.tierAction() != nil }

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

// fire carries out a rule's cue, alert and webhook actions once per firing.
func (e *Engine) fire(ctx context.Context, u livedeck.Update, r *compiled, st *ruleState, env Env) error {
	for i, a := range r.Actions {
		key := st.key(r.Name, i)
		sig := livedeck.Signal{Room: u.Room, Rule: r.Name, At: u.Now}
		switch {
		case a.Cue != nil && soldOut(u.Snapshot, a.Cue.SKU):
			e.m.firings.WithLabelValues("blocked").Inc()
			continue // no cue for a product with nothing left to sell
		case a.Cue != nil:
			sig.Kind = livedeck.SignalCue
			sig.Cue = &livedeck.Cue{Key: key, Text: render(r.texts[i], env, a.Cue.Text), Priority: max(a.Cue.Priority, r.Priority),
				TTLms: a.Cue.TTL.D().Milliseconds(), NeedsAck: a.Cue.NeedsAck, SKU: a.Cue.SKU, Kind: a.Cue.Kind}
		case a.Alert != nil:
			sig.Kind = livedeck.SignalAlert
			sig.Alert = &livedeck.Alert{Key: key, Severity: a.Alert.Severity, Message: render(r.texts[i], env, a.Alert.Message)}
		case a.Webhook != nil:
			// At least once: a retried firing queues it again under the
			// same Idempotency-Key, which the receiver dedupes.
			e.hooks.send(e.m, u.Room, key, a.Webhook, r.Name, u.Now, u.Snapshot)
			continue
		default:
			continue // tiers are settled after all rules; gifts per order
		}
		if _, err := e.store.emit(ctx, u.Room, "s:"+key, sig, nil); err != nil {
			return fmt.Errorf("rule %s: emit: %w", r.Name, err)
		}
		e.m.firings.WithLabelValues(sig.Kind).Inc()
	}
	e.m.firings.WithLabelValues("fired").Inc()
	return nil
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
