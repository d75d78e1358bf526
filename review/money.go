package review

import (
	"fmt"
	"strings"
)

// decimals is the minor-unit exponent of a currency (ISO 4217); 2 unless
// listed.
var decimals = map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}

var symbols = map[string]string{"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "TWD": "NT$"}

// Money formats minor units in currency, e.g. 19900 CNY → ¥199.00.
func Money(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	unit := minorPerMajor(currency)
	d := len(fmt.Sprint(unit)) - 1
	whole := group(minor / unit)
	sym, ok := symbols[currency]
	if !ok {
		sym = currency + " "
	}
	if d == 0 {
		return sign + sym + whole
	}
	return fmt.Sprintf("%s%s%s.%0*d", sign, sym, whole, d, minor%unit)
}

// MoneyF formats a fractional amount of minor units (an average).
func MoneyF(minor float64, currency string) string {
	if minor < 0 {
		return Money(-int64(-minor+0.5), currency)
	}
	return Money(int64(minor+0.5), currency)
}

func group(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// minorPerMajor is how many minor units make one major unit of currency.
func minorPerMajor(currency string) int64 {
	d, ok := decimals[currency]
	if !ok {
		d = 2
	}
	unit := int64(1)
	for range d {
		unit *= 10
	}
	return unit
}
