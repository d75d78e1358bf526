package livedeck

import (
	"bytes"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeStoredFast reads the one shape ingest writes — a flat object of
// known names with string or integer values, no whitespace, nothing after
// it — in a single pass over b. It reports false for anything else
// (unknown names, null, nesting, repeated names, bad UTF-8, syntax errors),
// and then DecodeStored's general decoder decides: so the fast path never
// accepts what the general one refuses, nor reads a value differently.
func decodeStoredFast(b []byte, ev *Event) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	var seen uint32
	i := 1
	if b[i] == '}' {
		return i == len(b)-1
	}
	for {
		name, next, ok := scanString(b, i)
		if !ok || next >= len(b) || b[next] != ':' {
			return false
		}
		f := storedField(name)
		if f < 0 || seen&(1<<f) != 0 {
			return false // unknown or repeated: the general decoder's call
		}
		seen |= 1 << f
		i = next + 1
		if i >= len(b) {
			return false
		}
		if fieldIsNumber(f) {
			n, next, ok := scanInt(b, i)
			if !ok {
				return false
			}
			_, p := storedRef(ev, f)
			*p = n
			i = next
		} else {
			raw, next, ok := scanString(b, i)
			if !ok {
				return false
			}
			s, ok := storedString(f, raw)
			if !ok {
				return false
			}
			p, _ := storedRef(ev, f)
			*p = s
			i = next
		}
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i == len(b)-1
		default:
			return false
		}
	}
}

// scanString reads the JSON string starting at b[i]. It returns its
// contents (escapes left in), the index after the closing quote, and
// whether the string is plain JSON: no control characters, valid UTF-8.
func scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	ascii := true
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, false
			}
			return s, j + 1, true
		case c == '\\':
			j++ // the escaped character cannot end the string
		case c < 0x20:
			return nil, 0, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, 0, false
}

// scanInt reads a JSON integer (no fraction, no exponent, no leading zero)
// that fits an int64.
func scanInt(b []byte, i int) (int64, int, bool) {
	neg := b[i] == '-'
	if neg {
		i++
	}
	start := i
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > (1<<63)/10 {
			return 0, 0, false
		}
		n = n*10 + uint64(b[i]-'0')
	}
	switch {
	case i == start, i-start > 1 && b[start] == '0':
		return 0, 0, false
	case i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E'):
		return 0, 0, false
	case neg && n > 1<<63, !neg && n > 1<<63-1:
		return 0, 0, false
	}
	if neg {
		return -int64(n), i, true // -(1<<63) wraps to itself, as wanted
	}
	return int64(n), i, true
}

// storedString converts a string's raw contents, sharing the constant for
// the common event types and statuses instead of allocating.
func storedString(f int, raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\\') >= 0 {
		q := make([]byte, 0, len(raw)+2)
		q = append(append(append(q, '"'), raw...), '"')
		out, err := jsontext.AppendUnquote(nil, q)
		if err != nil {
			return "", false
		}
		return string(out), true
	}
	switch f {
	case fType:
		for _, t := range storedTypes {
			if string(t) == string(raw) {
				return string(t), true
			}
		}
	case fStatus:
		for _, s := range storedStatuses {
			if string(s) == string(raw) {
				return string(s), true
			}
		}
	}
	return string(raw), true
}

var (
	storedTypes    = append([]EventType{EventStock}, PublicEventTypes...)
	storedStatuses = []OrderStatus{OrderCreated, OrderPaid, OrderCancelled, OrderRefunded}
)

// The fields of a stored event, by the bit each takes in a seen-set.
const (
	fID = iota
	fType
	fSource
	fUserID
	fNickname
	fText
	fGift
	fSKU
	fOrderID
	fStatus
	fChannel
	fCampaign
	fTS // the integer fields from here on
	fOnline
	fCount
	fValue
	fQty
	fAmount
	fPeriod
	fStock
)

func fieldIsNumber(f int) bool { return f >= fTS }

// storedField numbers a stored event's field by its name, -1 if unknown.
func storedField(name []byte) int {
	switch string(name) {
	case "id":
		return fID
	case "type":
		return fType
	case "ts":
		return fTS
	case "source":
		return fSource
	case "user_id":
		return fUserID
	case "online":
		return fOnline
	case "nickname":
		return fNickname
	case "text":
		return fText
	case "count":
		return fCount
	case "gift":
		return fGift
	case "value":
		return fValue
	case "sku":
		return fSKU
	case "order_id":
		return fOrderID
	case "qty":
		return fQty
	case "amount":
		return fAmount
	case "status":
		return fStatus
	case "channel":
		return fChannel
	case "campaign":
		return fCampaign
	case "period":
		return fPeriod
	case "stock":
		return fStock
	}
	return -1
}

// storedRef points at field f of ev: a string or an integer. Online and
// Stock get fresh storage, since their presence is what they say.
func storedRef(ev *Event, f int) (*string, *int64) {
	switch f {
	case fID:
		return &ev.ID, nil
	case fType:
		return (*string)(&ev.Type), nil
	case fSource:
		return &ev.Source, nil
	case fUserID:
		return &ev.UserID, nil
	case fNickname:
		return &ev.Nickname, nil
	case fText:
		return &ev.Text, nil
	case fGift:
		return &ev.Gift, nil
	case fSKU:
		return &ev.SKU, nil
	case fOrderID:
		return &ev.OrderID, nil
	case fStatus:
		return (*string)(&ev.Status), nil
	case fChannel:
		return &ev.Channel, nil
	case fCampaign:
		return &ev.Campaign, nil
	case fTS:
		return nil, &ev.TS
	case fOnline:
		ev.Online = new(int64)
		return nil, ev.Online
	case fCount:
		return nil, &ev.Count
	case fValue:
		return nil, &ev.Value
	case fQty:
		return nil, &ev.Qty
	case fAmount:
		return nil, &ev.Amount
	case fPeriod:
		return nil, &ev.Period
	case fStock:
		ev.Stock = new(int64)
		return nil, ev.Stock
	}
	return nil, nil
}
