package rules

import (
	"context"
	"fmt"

	"github.com/livedeck/livedeck"
)

// commit carries out a decision's effects in order, each signal once under
// its dedupe key. A rule whose effect could not be written goes back to
// its state before the decision and its later effects are skipped, so the
// next evaluation decides it again and writes under the same keys; a tier
// change belongs to the rule that causes it.
func (e *Engine) commit(ctx context.Context, u *livedeck.Update, rr *roomRules, d *decision) error {
	var errs []error
	rr.undone = resized(rr.undone, len(d.moved))
	clear(rr.undone)
	for _, f := range d.effects {
		if f.rule >= 0 && rr.undone[f.rule] {
			continue
		}
		var err error
		switch f.kind {
		case effWebhook:
			if err = e.hooks.send(ctx, e.m, u.Room, f.key, f.hook, f.sig.Rule, u.Now, u.Snapshot); err == nil {
				continue
			}
		case effTier:
			set := f.tier
			if set == nil {
				set = &livedeck.Tier{}
			}
			if _, err = e.store.emit(ctx, u.Room, f.key, f.sig, set); err == nil {
				rr.tier = f.tier
			}
		default:
			_, err = e.store.emit(ctx, u.Room, f.key, f.sig, nil)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %s: %s: %w", f.sig.Rule, f.what, err))
			if f.rule >= 0 {
				rr.undone[f.rule] = true
				if d.moved[f.rule] {
					*rr.slots[f.rule] = d.before[f.rule]
				}
				d.quiet[f.rule] = unknown // its state is not what the decision left
			}
			continue
		}
		e.m.firings.WithLabelValues(f.what).Inc()
	}
	for i, fired := range d.fired {
		if fired && !rr.undone[i] {
			e.m.firings.WithLabelValues("fired").Inc()
		}
	}
	e.m.evaluations.Add(float64(d.evaluated))
	if d.resolved > 0 {
		e.m.firings.WithLabelValues("resolved").Add(float64(d.resolved))
	}
	if d.blocked > 0 {
		e.m.firings.WithLabelValues("blocked").Add(float64(d.blocked))
	}
	if d.held > 0 {
		e.m.firings.WithLabelValues("held").Add(float64(d.held))
	}
	return join(errs)
}
