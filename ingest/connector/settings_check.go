package connector

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Bounds of a connector's settings.
const (
	maxProducts   = 10_000 // product id → SKU entries
	maxProductKey = 128    // bytes of a platform product id
)

var (
	giftRatePattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,9})?$`)
	skuPattern      = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// Check reports every problem of s: an unknown format, a currency that is
// not an ISO 4217 code, a gift rate that is not a positive decimal, SKUs
// LiveDeck would refuse, and, for format "mapping", every fault of the
// mapping, located. A nil result means s may be saved.
func (s *Settings) Check() Problems {
	var ps Problems
	if _, ok := Lookup(s.Format); !ok {
		ps.add("format", 0, "unknown format %q: want one of %s", s.Format, strings.Join(Formats(), ", "))
	}
	if s.Currency != "" {
		if _, err := CurrencyExponent(s.Currency); err != nil {
			ps.add("currency", 0, "%v", err)
		}
	}
	if s.GiftRate != "" && (!giftRatePattern.MatchString(s.GiftRate) || strings.Trim(s.GiftRate, "0.") == "") {
		ps.add("gift_rate", 0, "want a positive decimal such as \"1\" or \"0.5\" (minor units per platform coin), got %q", s.GiftRate)
	}
	if len(s.Products) > maxProducts {
		ps.add("products", 0, "at most %d product ids", maxProducts)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Products)) {
		sku := s.Products[id]
		switch {
		case id == "" || len(id) > maxProductKey:
			ps.add("products", 0, "product ids are 1-%d bytes, got %q", maxProductKey, id)
		case !skuPattern.MatchString(sku):
			ps.add("products."+id, 0, "SKU %q: want 1-64 letters, digits, '_', '.' or '-'", sku)
		}
	}
	switch {
	case s.Format == FormatMapping && s.Mapping == nil:
		ps.add("mapping", 0, "format mapping needs a mapping: {\"id\": …, \"rules\": [...]}")
	case s.Format == FormatMapping:
		_, mps := compileMapping(s.Mapping)
		ps = append(ps, mps...)
	case s.Mapping != nil:
		ps.add("mapping", 0, "only format mapping takes a mapping; %s maps its platform's messages itself", s.Format)
	}
	return ps
}
