package ingest

import (
	"bytes"
	"errors"
	"io"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// batch is a decoded request: the valid events in batch order, the batch
// index of each, and the rejected items.
type batch struct {
	events   []livedeck.Event
	index    []int
	rejected []Rejection
	items    int // items seen, valid or not
}

func (b *batch) reset() {
	clear(b.events) // their strings hold the whole body they came from
	b.events, b.index, b.rejected, b.items = b.events[:0], b.index[:0], b.rejected[:0], 0
}

func (b *batch) reject(i int, field, reason string) {
	b.rejected = append(b.rejected, Rejection{Index: i, Field: field, Reason: reason})
}

// decodeEvents parses body — a JSON array of events, or NDJSON (objects one
// after another) — into b, validating each event. It fails the whole body
// only when it is not JSON (EINVALID) or holds more than max items
// (ETOOLARGE); a bad event is recorded in b.rejected and the rest go on.
func decodeEvents(body []byte, max int, b *batch) error {
	// Bad UTF-8 and repeated names are judged per event (str checks UTF-8;
	// the last of repeated names wins), not as a failure of the whole body.
	dec := &decoder{
		Decoder: jsontext.NewDecoder(bytes.NewBuffer(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)),
		src:     string(body),
	}
	switch dec.PeekKind() {
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return syntaxError(err)
		}
		for dec.PeekKind() != ']' {
			if err := decodeItem(dec, max, b); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return syntaxError(err)
		}
		if _, err := dec.ReadToken(); err != io.EOF {
			return livedeck.Errorf(livedeck.EINVALID, "", "not JSON: unexpected data after the array")
		}
		return nil
	case '{':
		for {
			switch dec.PeekKind() {
			case '{':
				if err := decodeItem(dec, max, b); err != nil {
					return err
				}
			case 0:
				if _, err := dec.ReadToken(); err != io.EOF {
					return syntaxError(err)
				}
				return nil
			default:
				return livedeck.Errorf(livedeck.EINVALID, "", "NDJSON line %d: each line must be one JSON object", b.items+1)
			}
		}
	case 0:
		_, err := dec.ReadToken()
		if err == io.EOF {
			return livedeck.Errorf(livedeck.EINVALID, "", "empty body: send a JSON array of events or NDJSON")
		}
		return syntaxError(err)
	default:
		return livedeck.Errorf(livedeck.EINVALID, "", "body must be a JSON array of events or NDJSON objects")
	}
}

func syntaxError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return livedeck.Errorf(livedeck.EINVALID, "", "not JSON: body ends early")
	}
	return livedeck.Errorf(livedeck.EINVALID, "", "not JSON: %v", err)
}

// decoder reads one body. src is the body copied once into a string: the
// strings of the events (ids, names, texts) are slices of it, one
// allocation per body rather than one per field.
type decoder struct {
	*jsontext.Decoder
	src string
}

// decodeItem reads one array element or NDJSON value.
func decodeItem(dec *decoder, max int, b *batch) error {
	i := b.items
	if i >= max {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "more than %d events in one batch: split it", max)
	}
	b.items++
	if dec.PeekKind() != '{' {
		if err := dec.SkipValue(); err != nil {
			return syntaxError(err)
		}
		b.reject(i, "", "an event must be a JSON object")
		return nil
	}
	b.events = append(b.events, livedeck.Event{})
	ev := &b.events[len(b.events)-1]
	field, reason, err := decodeObject(dec, ev)
	if err != nil {
		return err
	}
	if reason == "" {
		field, reason = validate(ev)
	}
	if reason != "" {
		b.events = b.events[:len(b.events)-1]
		b.reject(i, field, reason)
		return nil
	}
	b.index = append(b.index, i)
	return nil
}

// decodeObject fills ev from one JSON object. A field of the wrong kind is
// reported as (field, reason) and the rest of the object is still consumed;
// err is set only for a syntax error, which fails the whole body.
func decodeObject(dec *decoder, ev *livedeck.Event) (field, reason string, err error) {
	if _, err := dec.ReadToken(); err != nil {
		return "", "", syntaxError(err)
	}
	var scratch [64]byte
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return "", "", syntaxError(err)
		}
		nb := unquoteName(scratch[:0], name)
		v, err := dec.ReadValue()
		if err != nil {
			return "", "", syntaxError(err)
		}
		if reason != "" {
			continue // keep consuming; the first fault is reported
		}
		if r := dec.setField(ev, nb, v); r != "" {
			field, reason = string(nb), r
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", "", syntaxError(err)
	}
	return field, reason, nil
}

// unquoteName returns the bytes of a quoted object name, unescaping only
// when it has escapes (names almost never do).
func unquoteName(dst []byte, q jsontext.Value) []byte {
	if bytes.IndexByte(q, '\\') < 0 {
		return q[1 : len(q)-1]
	}
	out, _ := jsontext.AppendUnquote(dst, q)
	return out
}

// setField stores one known field; unknown fields are ignored so that
// integrators may send extra data. It returns a reason if v has the wrong
// kind for the field.
func (d *decoder) setField(ev *livedeck.Event, name []byte, v jsontext.Value) string {
	if len(v) == 4 && string(v) == "null" {
		return "" // null is the same as absent
	}
	var r string
	switch string(name) {
	case "id":
		ev.ID, r = d.str(v)
	case "type":
		var s string
		s, r = d.str(v)
		ev.Type = livedeck.EventType(s)
	case "ts":
		ev.TS, r = d.timestamp(v)
	case "user_id":
		ev.UserID, r = d.str(v)
	case "online":
		var n int64
		n, r = integer(v, "a count of viewers")
		ev.Online = &n
	case "nickname":
		ev.Nickname, r = d.str(v)
	case "text":
		ev.Text, r = d.str(v)
	case "count":
		ev.Count, r = integer(v, "a count")
	case "gift":
		ev.Gift, r = d.str(v)
	case "value":
		ev.Value, r = integer(v, "an integer number of minor units (分)")
	case "sku":
		ev.SKU, r = d.str(v)
	case "order_id":
		ev.OrderID, r = d.str(v)
	case "qty":
		ev.Qty, r = integer(v, "an integer quantity")
	case "amount":
		ev.Amount, r = integer(v, "an integer number of minor units (分)")
	case "status":
		var s string
		s, r = d.str(v)
		ev.Status = livedeck.OrderStatus(s)
	case "channel":
		ev.Channel, r = d.str(v)
	case "campaign":
		ev.Campaign, r = d.str(v)
	case "period":
		ev.Period, r = d.timestamp(v)
	}
	return r
}

// str returns the string v holds, v being the value just read.
func (d *decoder) str(v jsontext.Value) (string, string) {
	if v[0] != '"' {
		return "", "must be a string"
	}
	var s string
	if bytes.IndexByte(v, '\\') < 0 {
		end := int(d.InputOffset())
		if start := end - len(v); start >= 0 && end <= len(d.src) && d.src[start:end] == string(v) {
			s = d.src[start+1 : end-1]
		} else { // not where the decoder says: never expected, but a copy is always right
			s = string(v[1 : len(v)-1])
		}
	} else {
		b, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return "", "is not valid UTF-8"
		}
		s = string(b)
	}
	if !utf8.ValidString(s) {
		return "", "is not valid UTF-8"
	}
	return s, ""
}

// integer parses a JSON number that must be an integer: money, counts and
// quantities are never fractional, so 1.5, 1.0 and 1e3 are all refused.
func integer(v jsontext.Value, what string) (int64, string) {
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return 0, "must be " + what + ", as a JSON number"
	}
	neg := v[0] == '-'
	digits := v
	if neg {
		digits = v[1:]
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, "must be " + what + ", not a decimal or exponent"
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, "is out of range"
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, ""
}

// timestamp accepts RFC 3339 text or Unix milliseconds.
func (d *decoder) timestamp(v jsontext.Value) (int64, string) {
	if v[0] == '"' {
		s, r := d.str(v)
		if r != "" {
			return 0, r
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, "must be RFC 3339 (2024-11-22T20:00:00+08:00) or Unix milliseconds"
		}
		return t.UnixMilli(), ""
	}
	return integer(v, "RFC 3339 text or Unix milliseconds")
}
