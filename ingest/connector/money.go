package connector

import (
	"fmt"
	"math/bits"
	"strings"

	"golang.org/x/text/currency"
)

// maxMinor bounds every amount an adapter produces: LiveDeck's own limit
// on money in one event (10 亿元 in fen).
const maxMinor = 100_000_000_000

// isoExponent lists the ISO 4217 currencies whose minor unit is not 1/100.
// x/text's tables follow CLDR, whose digits differ from ISO 4217 for a few
// currencies (IQD, for one), so the exponent comes from this table; x/text
// only says whether a code names a currency at all.
var isoExponent = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// CurrencyExponent returns the number of decimals of a currency's minor
// unit under ISO 4217: 2 for CNY and USD, 0 for JPY, 3 for KWD.
func CurrencyExponent(code string) (int, error) {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return 0, fmt.Errorf("currency %q: want an ISO 4217 code such as CNY or USD", code)
	}
	if _, err := currency.ParseISO(code); err != nil {
		return 0, fmt.Errorf("currency %q is not an ISO 4217 code", code)
	}
	if e, ok := isoExponent[code]; ok {
		return e, nil
	}
	return 2, nil
}

// ParseMinor converts a decimal amount such as "19.99" to integer minor
// units of currency (1999 for USD), exactly: no float is involved. It
// accepts digits with at most one '.', extra decimals only when they are
// zeros ("5.000" USD), and "-0" forms as zero. It refuses exponents ("1e3"),
// signs other than a negative zero, spaces, decimals finer than the
// currency's minor unit, and amounts above LiveDeck's money limit.
func ParseMinor(amount, currencyCode string) (int64, error) {
	exp, err := CurrencyExponent(currencyCode)
	if err != nil {
		return 0, err
	}
	return parseDecimal(amount, exp)
}

func parseDecimal(amount string, exp int) (int64, error) {
	s, neg := strings.CutPrefix(amount, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("amount %q: want a plain decimal such as 19.99", amount)
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, fmt.Errorf("amount %q has more than %d decimals", amount, exp)
		}
		frac = frac[:exp]
	}
	var v int64
	for _, c := range whole + frac + strings.Repeat("0", exp-len(frac)) {
		if v > (maxMinor-int64(c-'0'))/10 {
			return 0, fmt.Errorf("amount %q is above the limit of %d minor units", amount, int64(maxMinor))
		}
		v = v*10 + int64(c-'0')
	}
	if neg && v != 0 {
		return 0, fmt.Errorf("amount %q is negative", amount)
	}
	return v, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ApplyRate values units of a platform's virtual currency (diamonds, gold
// 瓜子) at rate minor units each, rate being a decimal string such as "0.1"
// (at most 9 decimals). The product is rounded half up to a whole minor
// unit, in integer arithmetic.
func ApplyRate(units int64, rate string) (int64, error) {
	if units < 0 {
		return 0, fmt.Errorf("negative count %d", units)
	}
	whole, frac, dot := strings.Cut(rate, ".")
	if !plainRate(rate) {
		return 0, fmt.Errorf("gift rate %q: want a non-negative decimal such as 0.5", rate)
	}
	// rate = m / 10^k
	var m uint64
	for _, c := range whole + frac {
		m = m*10 + uint64(c-'0') // ≤ 21 digits: checked below
	}
	k := 0
	if dot {
		k = len(frac)
	}
	if len(whole)+len(frac) > 19 {
		return 0, fmt.Errorf("gift rate %q has too many digits", rate)
	}
	scale := uint64(1)
	for range k {
		scale *= 10
	}
	hi, lo := bits.Mul64(uint64(units), m)
	lo, carry := bits.Add64(lo, scale/2, 0)
	hi += carry
	if hi >= scale {
		return 0, fmt.Errorf("%d units at %s is above the limit of %d minor units", units, rate, int64(maxMinor))
	}
	q, _ := bits.Div64(hi, lo, scale)
	if q > maxMinor {
		return 0, fmt.Errorf("%d units at %s is above the limit of %d minor units", units, rate, int64(maxMinor))
	}
	return int64(q), nil
}

// plainRate accepts what parseDecimal accepts, with up to 9 decimals.
func plainRate(rate string) bool {
	whole, frac, dot := strings.Cut(rate, ".")
	return whole != "" && !(dot && frac == "") && digits(whole) && digits(frac) && len(frac) <= 9 && len(whole) <= 12
}
