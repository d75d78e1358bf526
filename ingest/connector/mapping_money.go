package connector

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money in a mapping: LiveDeck's money fields (order amount, gift value)
// are integers in the currency's minor units. minor() turns a decimal
// amount into minor units by the currency's ISO 4217 exponent, exactly:
// "19.99" USD is 1999, "1500" JPY is 1500, "1.234" KWD is 1234. More
// decimals than the currency has is an error, never rounded.

// currencyExponents lists the ISO 4217 codes whose minor unit is not the
// cent-like 1/100; every code in isoCurrencies not listed has exponent 2.
var currencyExponents = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// isoCurrencies are the active ISO 4217 currency codes.
var isoCurrencies = strings.Fields(`
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD
KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO
NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD
SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV
WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`)

var knownCurrency = func() map[string]bool {
	m := make(map[string]bool, len(isoCurrencies))
	for _, c := range isoCurrencies {
		m[c] = true
	}
	return m
}()

// currencyExponent is the number of decimals of a currency's minor unit.
func currencyExponent(code string) (int, bool) {
	if !knownCurrency[code] {
		return 0, false
	}
	if e, ok := currencyExponents[code]; ok {
		return e, true
	}
	return 2, true
}

// minorOf converts an amount (a decimal string, an integer, or a JSON
// number read as float64) into minor units of currency, exactly.
func minorOf(v any, currency string) (int64, error) {
	exp, ok := currencyExponent(currency)
	if !ok {
		return 0, fmt.Errorf("minor: %q is not an ISO 4217 currency code", currency)
	}
	var text string
	switch x := v.(type) {
	case string:
		text = strings.TrimSpace(x)
	case int:
		text = strconv.Itoa(x)
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, errors.New("minor: not a number")
		}
		// The shortest text that reads back as x: the number as the JSON
		// payload wrote it, for up to 15 significant digits.
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return 0, errors.New("minor: no amount (null or missing)")
	default:
		return 0, fmt.Errorf("minor: want a decimal string or number, got %T", v)
	}
	return decimalMinor(text, exp)
}

// decimalMinor parses a plain decimal ("-12", "19.9", "0.05") into an
// integer count of 10^-exp units. Exponents, separators and more decimals
// than exp are refused.
func decimalMinor(text string, exp int) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(text, "-"):
		neg, text = true, text[1:]
	case strings.HasPrefix(text, "+"):
		text = text[1:]
	}
	whole, frac, _ := strings.Cut(text, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("minor: %q is not a plain decimal number", text)
	}
	if trimmed := strings.TrimRight(frac, "0"); len(trimmed) > exp {
		return 0, fmt.Errorf("minor: %q has more than %d decimals for this currency: refusing to round money", text, exp)
	}
	for len(frac) < exp {
		frac += "0"
	}
	digits := strings.TrimLeft(whole+frac[:exp], "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits) > 18 {
		return 0, fmt.Errorf("minor: %q is too large", text)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("minor: %q is too large", text)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// wholeOf reads an integer that is already in minor units (fen, cents):
// an integer, an integral JSON number or an integer string.
func wholeOf(v any) (int64, error) {
	if v == nil {
		return 0, errors.New("fen: no amount (null or missing)")
	}
	n, err := intOf(v)
	if err != nil {
		return 0, fmt.Errorf("fen: %s is not a whole number of minor units", typeName(v))
	}
	return n, nil
}
