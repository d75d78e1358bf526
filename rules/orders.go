package rules

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

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
	if err := writeOrderTiers(ctx, e.rdb, redisx.Room(u.Room).OrderTier(), rr.retry.tiers); err != nil {
		return fmt.Errorf("order tiers: %w", unavailable(err))
	}
	clear(rr.retry.tiers)
	return nil
}

// orderTierScript records each order's tier unless it has one (HSETNX for
// many fields): one HMGET and one HSET per call instead of a command per
// order. KEYS[1] the order → tier hash; ARGV order, tier, order, tier, ...
var orderTierScript = redis.NewScript(`
local ids = {}
for i = 1, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
local have = redis.call('HMGET', KEYS[1], unpack(ids))
local set = {}
for j = 1, #ids do
  if not have[j] then
    set[#set + 1] = ARGV[2 * j - 1]
    set[#set + 1] = ARGV[2 * j]
  end
end
if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
return #set / 2`)

// tiersPerCall bounds the orders of one script call, well under Lua's
// limit on unpacked values.
const tiersPerCall = 1000

// writeOrderTiers sets each order's tier in the hash at key, keeping any
// tier an order already has (a replayed order keeps its first).
func writeOrderTiers(ctx context.Context, rdb redis.Scripter, key string, tiers map[string]string) error {
	keys := []string{key}
	args := make([]any, 0, 2*min(len(tiers), tiersPerCall))
	for id, tier := range tiers {
		args = append(args, id, tier)
		if len(args) == 2*tiersPerCall {
			if err := orderTierScript.Run(ctx, rdb, keys, args...).Err(); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	if len(args) == 0 {
		return nil
	}
	return orderTierScript.Run(ctx, rdb, keys, args...).Err()
}
