package rules

import (
	"fmt"
	"time"

	"github.com/livedeck/livedeck"
)

// Outcome is what a backtest says would have happened.
type Outcome struct {
	At     int64  `json:"at"` // Unix ms, event time
	Rule   string `json:"rule"`
	Kind   string `json:"kind"` // cue, alert, tier, gift, webhook, resolved
	Detail string `json:"detail"`
	// Signal is what the live engine would have emitted (cues, alerts and
	// tier changes), for a review built from the backtest.
	Signal *livedeck.Signal `json:"-"`
}

// Backtester evaluates a rule set against a recorded broadcast in memory:
// the same decisions (state machine, tiers, what they cause) and quotas as
// the engine, no side effects.
type Backtester struct {
	c      *Compiled
	loc    *time.Location
	states map[string]*ruleState
	slots  []*ruleState // states in the order of the rules
	conds  []condResult
	d      decision
	tier   *livedeck.Tier
	quotas map[string]map[string]bool
	start  int64 // first step: `minute` counts from it
	begun  bool
}

// NewBacktester starts a backtest of c; loc is for active windows.
func NewBacktester(c *Compiled, loc *time.Location) *Backtester {
	if loc == nil {
		loc = time.Local
	}
	b := &Backtester{c: c, loc: loc, states: map[string]*ruleState{}, quotas: map[string]map[string]bool{},
		conds: make([]condResult, len(c.rules))}
	for _, r := range c.rules {
		st := &ruleState{Hash: r.hash, Cues: r.cueSig, State: Inactive}
		b.states[r.Name], b.slots = st, append(b.slots, st)
	}
	return b
}

// Step evaluates every rule at now against snap and the orders applied since
// the last step, and returns what fired.
func (b *Backtester) Step(now int64, snap *livedeck.Snapshot, orders []livedeck.OrderChange) []Outcome {
	if !b.begun {
		b.start, b.begun = now, true
	}
	env := NewEnv(snap, tierName(b.tier))
	env.Minute = int((now - b.start) / 60000)
	for i, r := range b.c.rules {
		b.conds[i].valid = false
		if r.On() {
			b.conds[i].conditions(r, &env, allFields, true)
		}
	}
	decide(&decideInput{rules: b.c.rules, states: b.slots, conds: b.conds, env: &env, skus: snap.SKUs, now: now, tier: b.tier, loc: b.loc}, &b.d)
	var out []Outcome
	for _, f := range b.d.effects {
		r := b.c.rules[max(f.rule, 0)]
		switch {
		case f.kind == effWebhook:
			out = append(out, Outcome{At: now, Rule: f.sig.Rule, Kind: "webhook", Detail: "webhook " + f.hook.URL})
		case f.kind == effTier:
			detail := "no tier"
			if f.tier != nil {
				detail = "tier " + f.tier.Name
			}
			sig := f.sig
			out = append(out, Outcome{At: now, Rule: sig.Rule, Kind: livedeck.SignalTier, Detail: detail, Signal: &sig})
			b.tier = f.tier
		case f.sig.Cue != nil && !f.sig.Cue.Update:
			sig := f.sig
			out = append(out, Outcome{At: now, Rule: r.Name, Kind: livedeck.SignalCue, Detail: "cue: " + sig.Cue.Text, Signal: &sig})
		case f.sig.Alert != nil && f.what == livedeck.SignalAlert:
			sig := f.sig
			out = append(out, Outcome{At: now, Rule: r.Name, Kind: livedeck.SignalAlert,
				Detail: "alert (" + sig.Alert.Severity + "): " + sig.Alert.Message, Signal: &sig})
		}
	}
	for i, r := range b.c.rules {
		if r.gifts && r.On() && b.conds[i].matched {
			for _, a := range r.Actions {
				if a.Gift != nil {
					out = append(out, b.gifts(now, r.Name, a.Gift, orders)...)
				}
			}
		}
		if b.d.was(i, b.slots[i]).State == Firing && b.slots[i].State == Inactive {
			out = append(out, Outcome{At: now, Rule: r.Name, Kind: "resolved"})
		}
	}
	return out
}

func (b *Backtester) gifts(now int64, rule string, g *GiftAction, orders []livedeck.OrderChange) []Outcome {
	won := b.quotas[g.Quota]
	if won == nil {
		won = map[string]bool{}
		b.quotas[g.Quota] = won
	}
	var out []Outcome
	for _, o := range orders {
		if o.To != livedeck.OrderPaid || (g.SKU != "" && o.SKU != g.SKU) || won[o.OrderID] || int64(len(won)) >= g.Limit {
			continue
		}
		won[o.OrderID] = true
		out = append(out, Outcome{At: now, Rule: rule, Kind: livedeck.SignalGift, Detail: fmt.Sprintf("%s #%d to order %s", g.Quota, len(won), o.OrderID)})
	}
	return out
}
