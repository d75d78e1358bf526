package rules

import (
	"context"
	"fmt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// maxRetries bounds each retry queue of a room; beyond it the oldest
// entries are dropped (and counted), so a long Redis outage cannot grow
// memory without limit.
const maxRetries = 10000

// retries are a room's Redis writes that failed and are tried again on the
// next evaluation: the processor hands each order change over only once.
type retries struct {
	gifts  []pendingGift
	tiers  map[string]string      // order id → tier name in effect at its creation
	limits []livedeck.OrderChange // order steps not yet counted toward buyer limits
}

type pendingGift struct {
	rule  string
	gift  GiftAction
	order livedeck.OrderChange
}

// recordOrderTiers notes the tier in effect when each new order was first
// seen, for per-tier GMV in reviews. An order keeps its first tier.
func (e *Engine) recordOrderTiers(ctx context.Context, u livedeck.Update, rr *roomRules) error {
	name := tierName(rr.tier)
	for _, o := range u.Orders {
		if o.From == "" {
			if rr.retry.tiers == nil {
				rr.retry.tiers = map[string]string{}
			}
			if _, ok := rr.retry.tiers[o.OrderID]; !ok && len(rr.retry.tiers) < maxRetries {
				rr.retry.tiers[o.OrderID] = name
			}
		}
	}
	if len(rr.retry.tiers) == 0 {
		return nil
	}
	k := redisx.Room(u.Room)
	pipe := e.rdb.Pipeline()
	for id, tier := range rr.retry.tiers {
		pipe.HSetNX(ctx, k.OrderTier(), id, tier)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("order tiers: %w", unavailable(err))
	}
	clear(rr.retry.tiers)
	return nil
}

// gifts gives the newly paid orders of an update places in the rule's
// quotas while its condition holds. An order whose place could not be
// written is queued and tried again next evaluation: the quota script
// makes the retry harmless.
func (e *Engine) gifts(ctx context.Context, u livedeck.Update, rr *roomRules, r *compiled) {
	for _, a := range r.Actions {
		if a.Gift == nil {
			continue
		}
		for _, o := range u.Orders {
			if o.To != livedeck.OrderPaid || (a.Gift.SKU != "" && o.SKU != a.Gift.SKU) {
				continue
			}
			if err := e.giveGift(ctx, u.Room, r.Name, *a.Gift, o, u.Now); err != nil {
				rr.retry.queueGift(pendingGift{rule: r.Name, gift: *a.Gift, order: o}, e.m)
			}
		}
	}
}

func (q *retries) queueGift(g pendingGift, m *Metrics) {
	if len(q.gifts) >= maxRetries {
		q.gifts = q.gifts[1:]
		m.dropped.Inc()
	}
	q.gifts = append(q.gifts, g)
}

// retryGifts tries the queued gifts again, keeping those that fail.
func (e *Engine) retryGifts(ctx context.Context, room string, rr *roomRules) error {
	var last error
	kept := rr.retry.gifts[:0]
	for _, g := range rr.retry.gifts {
		if err := e.giveGift(ctx, room, g.rule, g.gift, g.order, g.order.TS); err != nil {
			kept, last = append(kept, g), err
		}
	}
	rr.retry.gifts = kept
	if last != nil {
		return fmt.Errorf("%d gifts waiting: %w", len(kept), last)
	}
	return nil
}

func (e *Engine) giveGift(ctx context.Context, room, rule string, g GiftAction, o livedeck.OrderChange, at int64) error {
	sig := livedeck.Signal{Kind: livedeck.SignalGift, Room: room, Rule: rule, At: at,
		Gift: &livedeck.Gift{Quota: g.Quota, OrderID: o.OrderID, UserID: o.UserID, SKU: o.SKU}}
	n, err := e.store.gift(ctx, room, sig, g.Limit)
	if err != nil {
		return fmt.Errorf("rule %s: gift: %w", rule, err)
	}
	if n > 0 {
		e.m.firings.WithLabelValues(livedeck.SignalGift).Inc()
	}
	return nil
}
