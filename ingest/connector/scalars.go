package connector

import (
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// idText is a platform id that arrives as a JSON number or a string. A
// number is kept as its literal text, so 19-digit ids (above 2^53) stay
// exact.
type idText string

func (t *idText) UnmarshalJSON(b []byte) error {
	v := jsontext.Value(b)
	switch v.Kind() {
	case '"':
		var s string
		if err := unquote(v, &s); err != nil {
			return err
		}
		*t = idText(s)
	case '0':
		*t = idText(b)
	case 'n':
		*t = ""
	default:
		return fmt.Errorf("want an id (number or string), got %s", kindName(v.Kind()))
	}
	return nil
}

// integer is a whole number that arrives as a JSON number or a string of
// digits (converters stringify 64-bit values). Fractions are refused.
type integer int64

func (n *integer) UnmarshalJSON(b []byte) error {
	v := jsontext.Value(b)
	lit := string(b)
	switch v.Kind() {
	case '"':
		if err := unquote(v, &lit); err != nil {
			return err
		}
		if lit == "" {
			*n = 0
			return nil
		}
	case '0':
	case 'n':
		*n = 0
		return nil
	default:
		return fmt.Errorf("want an integer, got %s", kindName(v.Kind()))
	}
	i, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %.40q", lit)
	}
	*n = integer(i)
	return nil
}

func unquote(v jsontext.Value, s *string) error {
	u, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return err
	}
	*s = string(u)
	return nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a " + k.String()
}
