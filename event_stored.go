package livedeck

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// storedDecoder is a reusable decoder: every reader of a room's stream
// decodes each event (live metrics, reviews, export), so it is worth not
// allocating one per event.
type storedDecoder struct {
	buf bytes.Buffer
	dec *jsontext.Decoder
}

var storedDecoders = sync.Pool{New: func() any {
	d := &storedDecoder{}
	d.dec = jsontext.NewDecoder(&d.buf)
	return d
}}

// DecodeStored parses one event as a room's stream holds it: the JSON that
// ingest wrote after validation. It reads the fields by name without
// reflection: the shape ingest writes in one pass (decodeStoredFast), any
// other JSON object with a general decoder. Unknown names are skipped, so
// entries written by a later version still decode.
func DecodeStored(b []byte, ev *Event) error {
	*ev = Event{}
	if decodeStoredFast(b, ev) {
		return nil
	}
	d := storedDecoders.Get().(*storedDecoder)
	defer storedDecoders.Put(d)
	d.buf = *bytes.NewBuffer(b) // the decoder reads a Buffer's bytes in place
	d.dec.Reset(&d.buf)
	defer func() { // do not keep b alive in the pool
		d.buf = bytes.Buffer{}
		d.dec.Reset(&d.buf)
	}()
	*ev = Event{} // the fast path may have filled part of it
	if err := decodeStored(d.dec, ev); err != nil {
		return fmt.Errorf("stored event: %w", err)
	}
	return nil
}

func decodeStored(dec *jsontext.Decoder, ev *Event) error {
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("want an object, got %v", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		name, err := readName(dec)
		if err != nil {
			return err
		}
		f := storedField(name)
		if f < 0 {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		s, n := storedRef(ev, f)
		v, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch {
		case s != nil && v.Kind() == '"':
			*s = v.String()
		case n != nil && v.Kind() == '0':
			*n = v.Int()
		case v.Kind() == 'n': // null: the zero value, as encoding/json does
			if n == ev.Online {
				ev.Online = nil
			}
			if n == ev.Stock {
				ev.Stock = nil
			}
		default:
			return fmt.Errorf("field %q: unexpected %v", name, v.Kind())
		}
	}
	_, err := dec.ReadToken()
	return err
}

// readName reads an object member's name without allocating, unless it
// holds escapes (ingest never writes any, but a hand-edited entry might).
func readName(dec *jsontext.Decoder) ([]byte, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], nil
	}
	return jsontext.AppendUnquote(nil, raw)
}
