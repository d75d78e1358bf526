package rules

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// buyerScript counts a buyer's paid units of a SKU: a payment adds the
// order's units, a cancellation or refund after payment takes them off.
// Each order step counts once, whatever the retries (its own dedupe key).
// KEYS: units seen; ARGV: sku|user, order|status, delta
var buyerScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[2], ARGV[2], 1) == 0 then
  return {0, tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')}
end
return {1, redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3])}`)

// checkBuyerLimits counts the paid units of products with a per-buyer limit
// (限购) and raises an operator alert for each paid order that takes its
// buyer over the limit. Steps that could not be written are kept and tried
// again next evaluation.
func (e *Engine) checkBuyerLimits(ctx context.Context, u *livedeck.Update, rr *roomRules) error {
	if len(u.Orders) == 0 && len(rr.retry.limits) == 0 {
		return nil // nothing to count, most evaluations
	}
	limits := map[string]int64{}
	for _, p := range rr.products {
		if p.BuyerLimit > 0 {
			limits[p.SKU] = p.BuyerLimit
		}
	}
	if len(limits) == 0 && len(rr.retry.limits) == 0 {
		return nil
	}
	for _, o := range u.Orders {
		if limits[o.SKU] == 0 || o.UserID == "" || o.Qty <= 0 {
			continue
		}
		if o.To == livedeck.OrderPaid || o.From == livedeck.OrderPaid {
			if len(rr.retry.limits) < maxRetries {
				rr.retry.limits = append(rr.retry.limits, o)
			}
		}
	}
	k := redisx.Room(u.Room)
	pending := rr.retry.limits
	rr.retry.limits = nil
	for i, o := range pending {
		delta := o.Qty
		if o.To != livedeck.OrderPaid {
			delta = -o.Qty
		}
		res, err := buyerScript.Run(ctx, e.rdb, []string{k.BuyerUnits(), k.BuyerSeen()},
			o.SKU+"|"+o.UserID, o.OrderID+"|"+string(o.To), delta).Int64Slice()
		if err != nil {
			rr.retry.limits = append(rr.retry.limits, pending[i:]...)
			return fmt.Errorf("buyer limits: %w", unavailable(err))
		}
		limit := limits[o.SKU]
		if o.To != livedeck.OrderPaid || limit == 0 || res[1] <= limit {
			continue
		}
		key := "limit:" + o.OrderID
		sig := livedeck.Signal{Kind: livedeck.SignalAlert, Room: u.Room, Rule: "buyer-limit", At: u.Now,
			Alert: &livedeck.Alert{Key: key, Severity: "warning",
				Message: fmt.Sprintf("限购 %s: buyer %s has bought %d (limit %d), order %s", o.SKU, o.UserID, res[1], limit, o.OrderID)}}
		if _, err := e.store.emit(ctx, u.Room, "s:"+key, sig, nil); err != nil {
			rr.retry.limits = append(rr.retry.limits, pending[i:]...)
			return fmt.Errorf("buyer limits: %w", err)
		}
		e.m.firings.WithLabelValues(livedeck.SignalAlert).Inc()
	}
	return nil
}
