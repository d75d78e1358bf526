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
// the same state machine, tiers and quotas as the engine, no side effects.
type Backtester struct {
	c      *Compiled
	loc    *time.Location
	states map[string]*ruleState
	tier   string
	quotas map[string]map[string]bool
	start  int64 // first step: `minute` counts from it
	begun  bool
}

// NewBacktester starts a backtest of c; loc is for active windows.
func NewBacktester(c *Compiled, loc *time.Location) *Backtester {
	if loc == nil {
		loc = time.Local
	}
	return &Backtester{c: c, loc: loc, states: map[string]*ruleState{}, quotas: map[string]map[string]bool{}}
}

// Step evaluates every rule at now against snap and the orders applied since
// the last step, and returns what fired.
func (b *Backtester) Step(now int64, snap *livedeck.Snapshot, orders []livedeck.OrderChange) []Outcome {
	if !b.begun {
		b.start, b.begun = now, true
	}
	env := NewEnv(snap, b.tier)
	env.Minute = int((now - b.start) / 60000)
	var out []Outcome
	var winner *compiled
	for _, r := range b.c.rules {
		if !r.On() {
			continue
		}
		st := b.states[r.Name]
		if st == nil {
			st = &ruleState{}
			b.states[r.Name] = st
		}
		m, _ := run(r.when, &env)
		cl, _ := run(r.clear, &env)
		fired, resolved := st.step(r, now, m, cl, gate{inWindow: r.window.contains(time.UnixMilli(now), b.loc)})
		for i, a := range r.Actions {
			switch {
			case fired && (a.Cue != nil || a.Alert != nil || a.Webhook != nil):
				kind := "webhook"
				if a.Cue != nil {
					kind = livedeck.SignalCue
				} else if a.Alert != nil {
					kind = livedeck.SignalAlert
				}
				o := Outcome{At: now, Rule: r.Name, Kind: kind, Detail: describe(a, r.texts[i], env)}
				sig := &livedeck.Signal{Kind: kind, Rule: r.Name, At: now}
				switch {
				case a.Cue != nil:
					sig.Cue = &livedeck.Cue{Key: st.key(r.Name, i), Text: render(r.texts[i], env, a.Cue.Text),
						Priority: max(a.Cue.Priority, r.Priority), NeedsAck: a.Cue.NeedsAck, SKU: a.Cue.SKU, Kind: a.Cue.Kind}
					o.Signal = sig
				case a.Alert != nil:
					sig.Alert = &livedeck.Alert{Key: st.key(r.Name, i), Severity: a.Alert.Severity, Message: render(r.texts[i], env, a.Alert.Message)}
					o.Signal = sig
				}
				out = append(out, o)
			case m && a.Gift != nil:
				out = append(out, b.gifts(now, r.Name, a.Gift, orders)...)
			}
		}
		if resolved {
			out = append(out, Outcome{At: now, Rule: r.Name, Kind: "resolved"})
		}
		if st.State == Firing && hasTier(r) && (winner == nil || r.Priority > winner.Priority) {
			winner = r
		}
	}
	want := ""
	tier := &livedeck.Tier{}
	if winner != nil {
		for _, a := range winner.Actions {
			if a.Tier != nil {
				want = a.Tier.Name
				tier = a.Tier.tier()
				break
			}
		}
	}
	if want != b.tier {
		detail := "no tier"
		if want != "" {
			detail = "tier " + want
		}
		out = append(out, Outcome{At: now, Rule: ruleName(winner), Kind: livedeck.SignalTier, Detail: detail,
			Signal: &livedeck.Signal{Kind: livedeck.SignalTier, Rule: ruleName(winner), At: now, Tier: tier}})
		b.tier = want
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

func ruleName(r *compiled) string {
	if r == nil {
		return ""
	}
	return r.Name
}
