package rules

import (
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

// soldOut reports whether sku (if any) has no stock left in the snapshot.
func soldOut(skus map[string]livedeck.SKUStats, sku string) bool {
	if sku == "" {
		return false
	}
	k, ok := skus[sku]
	return ok && k.Stock <= 0
}

func sameTier(a, b *livedeck.Tier) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
