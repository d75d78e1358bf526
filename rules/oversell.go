package rules

import (
	"context"
	"fmt"
	"sort"

	"github.com/livedeck/livedeck"
)

// checkOversell raises one critical 超卖 (oversold) alert per product that
// sold units past its stock, naming the units, whether or not the room has
// rules. The alert's dedupe key is the SKU, so a replay, a restart or a
// second instance raises it once; rr.oversold spares the write once it is
// known to be out.
func (e *Engine) checkOversell(ctx context.Context, u *livedeck.Update, rr *roomRules) error {
	if !rr.env.oversold {
		return nil // the Env holds u's products: none sold past its stock
	}
	var skus []string
	for sku, k := range u.Snapshot.SKUs {
		if k.Oversold > 0 && !rr.oversold[sku] {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	for _, sku := range skus {
		n := u.Snapshot.SKUs[sku].Oversold
		key := "oversold:" + sku
		sig := livedeck.Signal{Kind: livedeck.SignalAlert, Room: u.Room, Rule: "oversold", At: u.Now,
			Alert: &livedeck.Alert{Key: key, Severity: "critical", Message: oversoldText(sku, productName(rr.products, sku), n)}}
		fresh, err := e.store.emit(ctx, u.Room, "s:"+key, sig, nil)
		if err != nil {
			return fmt.Errorf("oversell alert: %w", err)
		}
		if fresh {
			e.m.firings.WithLabelValues(livedeck.SignalAlert).Inc()
		}
		if rr.oversold == nil {
			rr.oversold = map[string]bool{}
		}
		rr.oversold[sku] = true
	}
	return nil
}

func oversoldText(sku, name string, units int64) string {
	what := sku
	if name != "" {
		what = name + " (" + sku + ")"
	}
	return fmt.Sprintf("超卖 %s：已超出库存 %d 件 · Oversold: %s sold %d units past its stock", what, units, what, units)
}

func productName(products []livedeck.Product, sku string) string {
	for _, p := range products {
		if p.SKU == sku {
			return p.Name
		}
	}
	return ""
}
