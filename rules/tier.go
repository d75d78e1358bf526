package rules

import (
	"context"
	"fmt"

	"github.com/livedeck/livedeck"
)

// tierAction is the rule's tier action, if any.
func (r *compiled) tierAction() *TierAction {
	for _, a := range r.Actions {
		if a.Tier != nil {
			return a.Tier
		}
	}
	return nil
}

func (t *TierAction) tier() *livedeck.Tier {
	return &livedeck.Tier{Name: t.Name, Coupon: t.Coupon, Threshold: t.Threshold, Discount: t.Discount, SKU: t.SKU}
}

// setTier makes the highest-priority firing tier rule's tier the active
// one, writing the change once.
func (e *Engine) setTier(ctx context.Context, u livedeck.Update, rr *roomRules, winner *compiled) error {
	var want *livedeck.Tier
	if winner != nil {
		want = winner.tierAction().tier()
	}
	if sameTier(rr.tier, want) {
		return nil
	}
	if want != nil {
		if blocked, err := e.guardFiring(ctx, u, rr, winner, want); blocked || err != nil {
			return err
		}
	}
	// The dedupe key names the transition by both rules' firings, so a
	// replay writes it once and a later, similar change is new.
	from, to, set := tierRule(rr), "none", &livedeck.Tier{}
	sig := livedeck.Signal{Kind: livedeck.SignalTier, Room: u.Room, At: u.Now, Tier: &livedeck.Tier{}}
	if want != nil {
		to, set = rr.states[winner.Name].key(winner.Name, -1), want
		sig.Rule, sig.Tier = winner.Name, want
	}
	if _, err := e.store.emit(ctx, u.Room, "t:"+from+">"+to, sig, set); err != nil {
		return fmt.Errorf("tier: %w", err)
	}
	rr.tier = want
	e.m.firings.WithLabelValues(livedeck.SignalTier).Inc()
	return nil
}

// soldOut reports whether sku (if any) has no stock left in the snapshot.
func soldOut(s livedeck.Snapshot, sku string) bool {
	if sku == "" {
		return false
	}
	k, ok := s.SKUs[sku]
	return ok && k.Stock <= 0
}

// guardFiring re-checks a tier against the line-up as it is now (prices
// and guardrails change mid-show) and the live stock: a tier that would
// break a guardrail, or promote a sold-out product, is not set; operators
// get an alert instead, once per firing.
func (e *Engine) guardFiring(ctx context.Context, u livedeck.Update, rr *roomRules, winner *compiled, want *livedeck.Tier) (bool, error) {
	probs := guardTier(winner.Name, winner.tierAction(), rr.products)
	msg := ""
	switch {
	case len(probs) > 0:
		msg = "tier blocked by guardrail: " + probs[0].Message
	case soldOut(u.Snapshot, want.SKU):
		msg = fmt.Sprintf("tier %s blocked: %s is sold out", want.Name, want.SKU)
	default:
		return false, nil
	}
	e.m.firings.WithLabelValues("blocked").Inc()
	key := "g:" + rr.states[winner.Name].key(winner.Name, -1)
	sig := livedeck.Signal{Kind: livedeck.SignalAlert, Room: u.Room, Rule: winner.Name, At: u.Now,
		Alert: &livedeck.Alert{Key: key, Severity: "critical", Message: msg}}
	if _, err := e.store.emit(ctx, u.Room, key, sig, nil); err != nil {
		return true, fmt.Errorf("guardrail alert: %w", err)
	}
	return true, nil
}

// tierRule names the firing whose tier is active: "none", or the rule
// that sets a tier of that name.
func tierRule(rr *roomRules) string {
	if rr.tier == nil {
		return "none"
	}
	for _, r := range rr.set.rules {
		if t := r.tierAction(); t != nil && t.Name == rr.tier.Name {
			if st := rr.states[r.Name]; st != nil {
				return st.key(r.Name, -1)
			}
			return r.Name
		}
	}
	return rr.tier.Name
}

func sameTier(a, b *livedeck.Tier) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
