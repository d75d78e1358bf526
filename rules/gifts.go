package rules

import (
	"context"
	"fmt"
	"time"

	"github.com/livedeck/livedeck"
)

// quota is a gift quota as the rule set defines it; every gift action
// naming the quota must agree on it.
type quota struct {
	name     string
	rule     string // the first rule naming it: refunds are signalled under its name
	limit    int64
	sku      string
	order    string        // GiftByArrival or GiftByEventTime
	settle   time.Duration // event_time: how long to wait for late paid steps
	onRefund string        // RefundRevoke or RefundKeep
}

// defaultSettle is an event_time quota's wait for late paid steps.
const defaultSettle = 10 * time.Second

func quotaOf(rule string, g *GiftAction) quota {
	q := quota{name: g.Quota, rule: rule, limit: g.Limit, sku: g.SKU, order: g.Order, settle: g.Settle.D(), onRefund: g.OnRefund}
	if q.order == "" {
		q.order = GiftByArrival
	}
	if q.onRefund == "" {
		q.onRefund = RefundRevoke
	}
	if q.order == GiftByEventTime && q.settle == 0 {
		q.settle = defaultSettle
	}
	return q
}

// checkGift validates one gift action's own fields.
func checkGift(g *GiftAction, bad func(f, format string, args ...any)) {
	if !quotaPattern.MatchString(g.Quota) {
		bad(".gift.quota", "quota names are 1-64 letters, digits, _ . -")
	}
	if g.Limit <= 0 {
		bad(".gift.limit", "a quota needs a limit above 0")
	}
	if g.SKU != "" && !livedeck.ValidID(g.SKU) {
		bad(".gift.sku", "not a valid SKU")
	}
	switch g.Order {
	case "", GiftByArrival, GiftByEventTime:
	default:
		bad(".gift.order", "order is arrival (of the paid step in the room's stream) or event_time, not %q", g.Order)
	}
	if g.Settle != 0 && g.Order != GiftByEventTime {
		bad(".gift.settle", "settle applies to order: event_time only")
	}
	if g.Settle.D() > 10*time.Minute {
		bad(".gift.settle", "settle %s is longer than 10m: winners would wait that long", g.Settle)
	}
	switch g.OnRefund {
	case "", RefundRevoke, RefundKeep:
	default:
		bad(".gift.on_refund", "on_refund is revoke (the place goes to the next paid order) or keep, not %q", g.OnRefund)
	}
}

// collectQuotas lists the set's quotas in the order they first appear and
// refuses two gift actions that define one quota differently: the quota's
// winners are one list whatever rule gives them.
func collectQuotas(rules []*compiled) ([]quota, Problems) {
	var out []quota
	at := map[string]int{}
	var probs Problems
	for _, r := range rules {
		for i, a := range r.Actions {
			if a.Gift == nil {
				continue
			}
			q := quotaOf(r.Name, a.Gift)
			j, ok := at[q.name]
			if !ok {
				at[q.name] = len(out)
				out = append(out, q)
				continue
			}
			if p := out[j]; p.limit != q.limit || p.sku != q.sku || p.order != q.order || p.settle != q.settle || p.onRefund != q.onRefund {
				probs = append(probs, Problem{Rule: r.Name, Field: fmt.Sprintf("actions[%d].gift", i),
					Message: fmt.Sprintf("quota %q is defined differently by rule %q (limit, sku, order, settle and on_refund must match)", q.name, p.rule)})
			}
		}
	}
	return out, probs
}

// quota returns the set's definition of quota name.
func (c *Compiled) quota(name string) (quota, bool) {
	for _, q := range c.quotas {
		if q.name == name {
			return q, true
		}
	}
	return quota{}, false
}

// giftOp is one quota step, queued in stream order: a paid order joining a
// quota's line, or a refund or cancellation after payment.
type giftOp struct {
	rule   string
	q      quota
	order  livedeck.OrderChange
	refund bool
}

// gifts queues the newly paid orders of an update for the rule's quotas
// while its condition holds.
func (e *Engine) gifts(u *livedeck.Update, rr *roomRules, r *compiled) {
	for _, a := range r.Actions {
		if a.Gift == nil {
			continue
		}
		q, _ := rr.set.quota(a.Gift.Quota)
		for _, o := range u.Orders {
			if o.To == livedeck.OrderPaid && (q.sku == "" || o.SKU == q.sku) {
				rr.retry.queueGift(giftOp{rule: r.Name, q: q, order: o}, e.m)
			}
		}
	}
}

// refunds queues the refunds and cancellations after payment of an update
// for every quota of the set, whether or not its rule's condition holds.
func (e *Engine) refunds(u *livedeck.Update, rr *roomRules) {
	for _, o := range u.Orders {
		if o.From != livedeck.OrderPaid || (o.To != livedeck.OrderRefunded && o.To != livedeck.OrderCancelled) {
			continue
		}
		for _, q := range rr.set.quotas {
			if q.sku == "" || o.SKU == q.sku {
				rr.retry.queueGift(giftOp{rule: q.rule, q: q, order: o, refund: true}, e.m)
			}
		}
	}
}

func (q *retries) queueGift(g giftOp, m *Metrics) {
	if len(q.gifts) >= maxRetries {
		q.gifts = q.gifts[1:]
		m.dropped.Inc()
	}
	q.gifts = append(q.gifts, g)
}

// flushGifts writes the queued quota steps in order and stops at the first
// that fails, so the rest keep their order for the next evaluation (the
// scripts make a step written twice harmless). Then event_time quotas give
// the places whose settle time has passed, about once a second.
func (e *Engine) flushGifts(ctx context.Context, u *livedeck.Update, rr *roomRules) error {
	for i, op := range rr.retry.gifts {
		if err := e.giftStep(ctx, u.Room, op, u.Now); err != nil {
			rr.retry.gifts = append(rr.retry.gifts[:0], rr.retry.gifts[i:]...)
			return fmt.Errorf("%d gift steps waiting: %w", len(rr.retry.gifts), unavailable(err))
		}
	}
	rr.retry.gifts = rr.retry.gifts[:0]
	if u.Now-rr.admitted < 1000 {
		return nil
	}
	for _, q := range rr.set.quotas {
		if q.order != GiftByEventTime {
			continue
		}
		n, err := e.store.giftAdmit(ctx, u.Room, q, watermarkAt(q, u.Now), u.Now)
		if err != nil {
			return fmt.Errorf("quota %s: %w", q.name, unavailable(err))
		}
		e.m.firings.WithLabelValues(livedeck.SignalGift).Add(float64(n))
	}
	rr.admitted = u.Now
	return nil
}

func (e *Engine) giftStep(ctx context.Context, room string, op giftOp, now int64) error {
	if !op.refund {
		n, err := e.store.giftPay(ctx, room, op.rule, op.q, op.order, watermarkAt(op.q, now), now)
		if err != nil {
			return err
		}
		e.m.firings.WithLabelValues(livedeck.SignalGift).Add(float64(n))
		return nil
	}
	res, err := e.store.giftRefund(ctx, room, op.q, op.order.OrderID, watermarkAt(op.q, now), now)
	if err != nil {
		return err
	}
	if res.what == 3 {
		e.m.firings.WithLabelValues("revoked").Inc()
		e.m.firings.WithLabelValues(livedeck.SignalAlert).Inc()
		if res.refill != "" {
			e.m.firings.WithLabelValues(livedeck.SignalGift).Inc()
		}
	}
	return nil
}
