package rules

import (
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
)

func TestGuardTier(t *testing.T) {
	tier := &TierAction{Name: "t", Coupon: "满199减50", Threshold: 19900, Discount: 5000}
	for _, tc := range []struct {
		name    string
		product livedeck.Product
		want    string // "" means allowed
	}{
		{"no guardrails", livedeck.Product{SKU: "a", Price: 29900}, ""},
		{"above the floor", livedeck.Product{SKU: "a", Price: 29900, FloorPrice: 20000}, ""},
		// 23-yuan item: 9 units reach 199, 50/9 = 5.56 off each → 17.44 < floor 20.
		{"a 23-yuan item under 满199减50", livedeck.Product{SKU: "cheap", Name: "袜子", Price: 2300, FloorPrice: 2000}, "cheap (袜子, price ¥23.00): 满199减50 would bring it to ¥17.44 per unit (9 unit(s) to reach ¥199.00): below its floor price ¥20.00"},
		{"single item below floor", livedeck.Product{SKU: "b", Price: 19900, FloorPrice: 16000}, "below its floor price ¥160.00"},
		{"max discount", livedeck.Product{SKU: "c", Price: 25000, MaxDiscount: 3000}, "more than its maximum ¥30.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := guardTier("tier-2000", tier, []livedeck.Product{tc.product})
			switch {
			case tc.want == "" && len(got) > 0:
				t.Fatalf("refused: %v", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0].String(), tc.want) || got[0].Rule != "tier-2000"):
				t.Fatalf("got %v, want one problem saying %q", got, tc.want)
			}
		})
	}
	if got := guardTier("r", &TierAction{Name: "t", Threshold: 1000, Discount: 900}, []livedeck.Product{{SKU: "x", Price: 100}}); len(got) != 0 {
		t.Fatalf("10 units of ¥1 with ¥9 off is ¥0.10 each, allowed without guardrails: %v", got)
	}
	if got := guardTier("r", &TierAction{Name: "t", Discount: 500}, []livedeck.Product{{SKU: "x", Price: 300}}); len(got) != 1 || !strings.Contains(got[0].Message, "rebate is larger than the price") {
		t.Fatalf("a ¥5 rebate on a ¥3 item: %v", got)
	}
}
