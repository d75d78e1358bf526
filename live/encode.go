package live

import (
	"strconv"
	"unicode/utf8"

	"github.com/livedeck/livedeck"
)

// The processor encodes a comment per comment event and an order per order
// step, on the hot path: these encoders give the bytes encoding/json gives
// (FuzzEncode holds them to it), without reflection.

// appendComment appends c's JSON as json.Marshal(&c) writes it.
func appendComment(dst []byte, c *livedeck.Comment) []byte {
	dst = appendJSONString(append(dst, `{"id":`...), c.ID)
	dst = strconv.AppendInt(append(dst, `,"ts":`...), c.TS, 10)
	dst = appendJSONString(append(dst, `,"user_id":`...), c.UserID)
	dst = appendJSONString(append(dst, `,"nickname":`...), c.Nickname)
	dst = appendJSONString(append(dst, `,"text":`...), c.Text)
	if c.Class != "" {
		dst = appendJSONString(append(dst, `,"class":`...), c.Class)
	}
	return append(dst, '}')
}

// appendOrder appends o's JSON as json.Marshal(o) writes it.
func appendOrder(dst []byte, o *order) []byte {
	dst = appendJSONString(append(dst, `{"s":`...), string(o.Status))
	dst = appendJSONString(append(dst, `,"k":`...), o.SKU)
	dst = strconv.AppendInt(append(dst, `,"q":`...), o.Qty, 10)
	dst = strconv.AppendInt(append(dst, `,"a":`...), o.Amount, 10)
	if o.UserID != "" {
		dst = appendJSONString(append(dst, `,"u":`...), o.UserID)
	}
	if o.Paid {
		dst = append(dst, `,"p":true`...)
	}
	if o.Channel != "" {
		dst = appendJSONString(append(dst, `,"ch":`...), o.Channel)
	}
	return append(dst, '}')
}

// appendJSONString quotes s as encoding/json does by default: <, > and &
// escaped for HTML, U+2028 and U+2029 escaped for JavaScript, each byte of
// invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	done := 0 // s[:done] is in dst
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[done:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(append(dst, s[done:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(append(dst, s[done:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		done = i
	}
	return append(append(dst, s[done:]...), '"')
}
