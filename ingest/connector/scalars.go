package connector

import (
	"bytes"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// The scalar types below read themselves from the decoder's stream
// (json's UnmarshalerFrom), which is much cheaper than the v1
// UnmarshalJSON form for values this small and this frequent.

// idText is a platform id that arrives as a JSON number or a string. A
// number is kept as its literal text, so 19-digit ids (above 2^53) stay
// exact.
type idText string

func (t *idText) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '"':
		s, err := unquoteValue(v)
		*t = idText(s)
		return err
	case '0':
		*t = idText(v)
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

func (n *integer) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	lit := []byte(v)
	switch v.Kind() {
	case '"':
		lit = lit[1 : len(lit)-1]
		if bytes.IndexByte(lit, '\\') >= 0 {
			s, err := unquoteValue(v)
			if err != nil {
				return err
			}
			lit = []byte(s)
		}
		if len(lit) == 0 {
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
	i, ok := parseInt(lit)
	if !ok {
		return fmt.Errorf("want an integer, got %.40q", lit)
	}
	*n = integer(i)
	return nil
}

// parseInt reads an optionally negative decimal integer that fits int64.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// flag is a boolean that decoders emit as true/false or 1/0.
type flag bool

func (f *flag) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch string(v) {
	case "true", "1":
		*f = true
	case "false", "0", "null":
		*f = false
	default:
		return fmt.Errorf("want a boolean, got %.20s", v)
	}
	return nil
}

// unquoteValue is the text of a JSON string value; without escapes it is
// the bytes between the quotes.
func unquoteValue(v jsontext.Value) (string, error) {
	if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	u, err := jsontext.AppendUnquote(nil, v)
	return string(u), err
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

// count is the number of elements of a JSON array, read without keeping
// them (抖店's s_ids: LiveDeck needs how many child orders, not which).
type count int

func (c *count) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		*c = 0
		return err
	}
	n := 0
	err := eachElement(dec, "array", func(int) error { n++; return dec.SkipValue() })
	*c = count(n)
	return err
}
