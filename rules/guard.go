package rules

import (
	"fmt"
	"regexp"

	"github.com/livedeck/livedeck"
)

// A tier's coupon "满T减D" on an item priced P: a buyer who adds units
// until the spend reaches T pays, per unit, P − D/n with n = ceil(T/P).
// That per-unit price is what the product's floor and maximum discount
// are checked against — the 满199减50 on a 23-yuan item case.
func unitPrice(price, threshold, discount int64) (perUnit float64, units int64) {
	units = 1
	if threshold > price && price > 0 {
		units = (threshold + price - 1) / price
	}
	return float64(price) - float64(discount)/float64(units), units
}

// guardTier lists why a tier would sell a product below its guardrails:
// under its floor price, with a rebate above its maximum discount, or
// below zero. SKU-scoped tiers check that product only.
func guardTier(rule string, t *TierAction, products []livedeck.Product) []Problem {
	if t == nil || t.Discount == 0 {
		return nil
	}
	var out []Problem
	for _, p := range products {
		if t.SKU != "" && p.SKU != t.SKU {
			continue
		}
		per, n := unitPrice(p.Price, t.Threshold, t.Discount)
		bad := func(format string, args ...any) {
			out = append(out, Problem{Rule: rule, Field: "tier", Message: fmt.Sprintf("%s (%s, price %s): %s would bring it to %s per unit (%d unit(s) to reach %s): ",
				p.SKU, p.Name, yuan(p.Price), couponText(t), yuan(int64(per)), n, yuan(t.Threshold)) + fmt.Sprintf(format, args...)})
		}
		switch {
		case per < 0:
			bad("the rebate is larger than the price")
		case p.FloorPrice > 0 && per < float64(p.FloorPrice):
			bad("below its floor price %s", yuan(p.FloorPrice))
		case p.MaxDiscount > 0 && float64(p.Price)-per > float64(p.MaxDiscount):
			bad("a discount of %s per unit, more than its maximum %s", yuan(int64(float64(p.Price)-per)), yuan(p.MaxDiscount))
		}
	}
	return out
}

func couponText(t *TierAction) string {
	if t.Coupon != "" {
		return t.Coupon
	}
	return fmt.Sprintf("spend %s get %s off", yuan(t.Threshold), yuan(t.Discount))
}

// yuan formats minor units as ¥12.34.
func yuan(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, minor/100, minor%100)
}

// GuardSet checks every tier of a rule set against a room's products.
func GuardSet(c *Compiled, products []livedeck.Product) Problems {
	var out Problems
	for _, r := range c.rules {
		for _, a := range r.Actions {
			out = append(out, guardTier(r.Name, a.Tier, products)...)
		}
	}
	return out
}

// skuRef finds the SKUs a condition names: skus["A"] or skus['A'].
var skuRef = regexp.MustCompile(`skus\s*\[\s*["'\x60]([^"'\x60]+)["'\x60]\s*\]`)

// unknownSKUs warns of SKUs a rule names that the room's line-up lacks: a
// typo there never matches (or, in an action, never applies). Warnings
// only, since products may be added later; none without a line-up.
func unknownSKUs(c *Compiled, products []livedeck.Product) Problems {
	if len(products) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, p := range products {
		have[p.SKU] = true
	}
	var out Problems
	warn := func(rule, field, sku string) {
		if sku != "" && !have[sku] {
			out = append(out, Problem{Rule: rule, Field: field, Warning: true, Code: "unknown_sku", Args: map[string]string{"sku": sku},
				Message: fmt.Sprintf("the room has no product %q", sku)})
		}
	}
	for _, r := range c.rules {
		for _, f := range [][2]string{{"when", r.When}, {"clear", r.Clear}} {
			for _, m := range skuRef.FindAllStringSubmatch(f[1], -1) {
				warn(r.Name, f[0], m[1])
			}
		}
		for i, a := range r.Actions {
			field := fmt.Sprintf("actions[%d]", i)
			switch {
			case a.Cue != nil:
				warn(r.Name, field+".cue.sku", a.Cue.SKU)
			case a.Tier != nil:
				warn(r.Name, field+".tier.sku", a.Tier.SKU)
			case a.Gift != nil:
				warn(r.Name, field+".gift.sku", a.Gift.SKU)
			}
		}
	}
	return out
}
