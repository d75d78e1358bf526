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
// amount into minor units by the currency's ISO 4217 exponent, exactly,
// with ParseMinor: "19.99" USD is 1999, "1500" JPY is 1500, "1.234" KWD is
// 1234. More decimals than the currency has is an error, never rounded.

// minorOf converts an amount (a decimal string, an integer, or a JSON
// number read as float64) into minor units of currency, exactly.
func minorOf(v any, currency string) (int64, error) {
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
		return 0, fmt.Errorf("minor: want a decimal string or number, got %s", typeName(v))
	}
	n, err := ParseMinor(text, currency)
	if err != nil {
		return 0, fmt.Errorf("minor: %w", err)
	}
	return n, nil
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
