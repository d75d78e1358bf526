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
	gifts  []giftOp               // quota steps in stream order, written in that order
	tiers  map[string]string      // order id → tier name in effect at its creation
	limits []livedeck.OrderChange // order steps not yet counted toward buyer limits
}

// recordOrderTiers notes the tier in effect when each new order was first
// seen, for per-tier GMV in reviews. An order keeps its first tier.
func (e *Engine) recordOrderTiers(ctx context.Context, u *livedeck.Update, rr *roomRules) error {
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
