package ingest

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// AppendEvent appends the stored JSON form of ev to dst: the same fields,
// names and omissions as encoding/json gives livedeck.Event, without
// reflection (it runs once per event on the hot path). Strings are valid
// UTF-8 after validation, so quoting cannot fail.
func AppendEvent(dst []byte, ev *livedeck.Event) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, ev.ID)
	dst = append(dst, `,"type":`...)
	dst = appendString(dst, string(ev.Type))
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, ev.TS, 10)
	dst = appendOptString(dst, `,"source":`, ev.Source)
	dst = appendOptString(dst, `,"user_id":`, ev.UserID)
	if ev.Online != nil {
		dst = append(dst, `,"online":`...)
		dst = strconv.AppendInt(dst, *ev.Online, 10)
	}
	dst = appendOptString(dst, `,"nickname":`, ev.Nickname)
	dst = appendOptString(dst, `,"text":`, ev.Text)
	dst = appendOptInt(dst, `,"count":`, ev.Count)
	dst = appendOptString(dst, `,"gift":`, ev.Gift)
	dst = appendOptInt(dst, `,"value":`, ev.Value)
	dst = appendOptString(dst, `,"sku":`, ev.SKU)
	dst = appendOptString(dst, `,"order_id":`, ev.OrderID)
	dst = appendOptInt(dst, `,"qty":`, ev.Qty)
	dst = appendOptInt(dst, `,"amount":`, ev.Amount)
	dst = appendOptString(dst, `,"status":`, string(ev.Status))
	dst = appendOptString(dst, `,"channel":`, ev.Channel)
	dst = appendOptString(dst, `,"campaign":`, ev.Campaign)
	dst = appendOptInt(dst, `,"period":`, ev.Period)
	if ev.Stock != nil {
		dst = append(dst, `,"stock":`...)
		dst = strconv.AppendInt(dst, *ev.Stock, 10)
	}
	return append(dst, '}')
}

func appendString(dst []byte, s string) []byte {
	out, err := jsontext.AppendQuote(dst, s)
	if err != nil { // invalid UTF-8 is replaced, never dropped silently
		out, _ = jsontext.AppendQuote(dst, strings.ToValidUTF8(s, "\uFFFD"))
	}
	return out
}

func appendOptString(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendString(append(dst, key...), s)
}

func appendOptInt(dst []byte, key string, n int64) []byte {
	if n == 0 {
		return dst
	}
	return strconv.AppendInt(append(dst, key...), n, 10)
}
