package review

import (
	"sort"

	"github.com/livedeck/livedeck"
)

// tierSpan is a stretch of the show under one tier.
type tierSpan struct {
	from int64
	tier *livedeck.Tier // nil: no tier
}

// spans turns the tier signals into the tiers in effect from the first
// event on; before the first tier signal no tier is in effect.
func (b *Builder) spans() []tierSpan {
	out := []tierSpan{{from: b.from}}
	for _, s := range b.signals {
		if s.Kind != livedeck.SignalTier {
			continue
		}
		t := s.Tier
		if t != nil && t.Name == "" {
			t = nil
		}
		if s.At <= b.from {
			out[0].tier = t
			continue
		}
		out = append(out, tierSpan{from: s.At, tier: t})
	}
	return out
}

// tierAt is the name of the tier in effect at ts.
func tierAt(spans []tierSpan, ts int64) string {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].from > ts }) - 1
	if i < 0 || spans[i].tier == nil {
		return ""
	}
	return spans[i].tier.Name
}

type tierAcc struct {
	TierResult
	first            int64
	buyers, visitors map[int32]struct{}
	clicks           int64
}

// tiers attributes orders to the tier in effect when they were created (as
// the live engine recorded it, or by time) and visitors to the tier in
// effect when they were seen.
func (b *Builder) tiers() []TierResult {
	spans := b.spans()
	acc := map[string]*tierAcc{}
	get := func(name string, first int64) *tierAcc {
		a := acc[name]
		if a == nil {
			a = &tierAcc{TierResult: TierResult{Tier: name}, first: first,
				buyers: map[int32]struct{}{}, visitors: map[int32]struct{}{}}
			acc[name] = a
		}
		return a
	}
	for i, sp := range spans {
		end := b.to
		if i+1 < len(spans) {
			end = min(spans[i+1].from, b.to)
		}
		name := ""
		if sp.tier != nil {
			name = sp.tier.Name
		}
		a := get(name, sp.from)
		if sp.tier != nil && sp.tier.Coupon != "" {
			a.Coupon = sp.tier.Coupon
		}
		if end > sp.from {
			a.Seconds += (end - sp.from) / 1000
		}
	}
	for _, v := range b.visits {
		get(tierAt(spans, v.ts), v.ts).visitors[v.user] = struct{}{}
	}
	for _, p := range b.pays {
		name, ok := b.orderTier[p.order]
		if !ok {
			created := p.ts
			if o := b.orders[p.order]; o != nil {
				created = o.created
			}
			name = tierAt(spans, created)
		}
		a := get(name, p.ts)
		a.GMV += p.amount
		if p.paid {
			a.Orders++
			if p.user >= 0 {
				a.buyers[p.user] = struct{}{}
			}
		}
	}
	// Spend, cart adds and clicks count toward the tier in effect at their
	// event time.
	for _, s := range b.spends {
		get(tierAt(spans, s.ts), s.ts).Spend += s.amount
	}
	for _, ts := range b.carts {
		get(tierAt(spans, ts), ts).CartAdds++
	}
	for _, ts := range b.clicks {
		get(tierAt(spans, ts), ts).clicks++
	}
	list := make([]*tierAcc, 0, len(acc))
	for _, a := range acc {
		if a.Seconds == 0 && a.Orders == 0 && len(a.visitors) == 0 {
			continue
		}
		a.ROI = ratio(float64(a.GMV), a.Spend)
		a.CartRate = ratio(float64(a.CartAdds), a.clicks)
		a.Buyers, a.Visitors = int64(len(a.buyers)), int64(len(a.visitors))
		a.Conversion = ratio(float64(a.Buyers), a.Visitors)
		if a.Seconds > 0 {
			a.GMVPerMin = float64(a.GMV) * 60 / float64(a.Seconds)
		}
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].first != list[j].first {
			return list[i].first < list[j].first
		}
		return list[i].Tier < list[j].Tier
	})
	out := make([]TierResult, len(list))
	for i, a := range list {
		out[i] = a.TierResult
	}
	return out
}
