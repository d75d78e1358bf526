package connector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// maxMessages bounds the messages of one delivery.
const maxMessages = 10_000

// jsonOpts are the decoding options of every adapter: platforms repeat
// names now and then and send odd bytes in nicknames; neither should cost
// a message (texts are cleaned in finish).
var jsonOpts = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// splitMessages reads a body that is a JSON array of messages, NDJSON (JSON
// values one after another) or one JSON object, and returns each message's
// bytes.
func splitMessages(body []byte) ([]jsontext.Value, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsonOpts)
	var out []jsontext.Value
	switch dec.PeekKind() {
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return nil, notJSON(err)
		}
		for dec.PeekKind() != ']' {
			v, err := dec.ReadValue()
			if err != nil {
				return nil, notJSON(err)
			}
			if out, err = appendMessage(out, body, dec, v); err != nil {
				return nil, err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, notJSON(err)
		}
		if _, err := dec.ReadToken(); err != io.EOF {
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "not JSON: unexpected data after the array")
		}
		return out, nil
	case '{':
		for {
			v, err := dec.ReadValue()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, notJSON(err)
			}
			if v.Kind() != '{' {
				return nil, livedeck.Errorf(livedeck.EINVALID, "", "NDJSON line %d: each line must be one JSON object", len(out)+1)
			}
			if out, err = appendMessage(out, body, dec, v); err != nil {
				return nil, err
			}
		}
	case 0:
		if _, err := dec.ReadToken(); err == io.EOF {
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "empty body")
		} else {
			return nil, notJSON(err)
		}
	}
	return nil, livedeck.Errorf(livedeck.EINVALID, "", "body must be a JSON array of messages, NDJSON or one JSON object")
}

// appendMessage adds the value just read to out as a slice of body (the
// decoder's own buffer is reused by its next read), found by the input
// offset: no copy.
func appendMessage(out []jsontext.Value, body []byte, dec *jsontext.Decoder, v jsontext.Value) ([]jsontext.Value, error) {
	if len(out) >= maxMessages {
		return nil, livedeck.Errorf(livedeck.ETOOLARGE, "", "more than %d messages in one delivery: split it", maxMessages)
	}
	end := int(dec.InputOffset())
	start := end - len(v)
	if start < 0 || end > len(body) || !bytes.Equal(body[start:end], v) {
		return append(out, bytes.Clone(v)), nil // not where expected: copy
	}
	return append(out, jsontext.Value(body[start:end:end])), nil
}

func notJSON(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return livedeck.Errorf(livedeck.EINVALID, "", "not JSON at byte %d: %v", se.ByteOffset, se.Err)
	}
	return livedeck.Errorf(livedeck.EINVALID, "", "not JSON: %v", err)
}

// readers are reused across deliveries: a decoder's state (its stack and
// name sets) is most of what a fresh one allocates.
var readers = sync.Pool{New: func() any { return &msgReader{dec: jsontext.NewDecoder(new(bytes.Buffer))} }}

// decodeEach reads every message of a body (a JSON array of messages,
// NDJSON or one JSON object) straight into a T, cleared for each, and maps
// it with one, filling Index, Raw and the event times of what it returns.
// It is one pass over the body: platform messages are large and the
// decoding is most of an adapter's cost. err is the message's own decoding
// error (a field of the wrong type): the message is still handed over, as
// far as it was read, so that an adapter may ignore messages it does not
// map whatever their fields. A syntax error anywhere refuses the whole
// delivery.
//
// read, if not nil, is the format's own reader of a message into a T
// (fastread.go): it gives exactly what unmarshaling would, or fails; then
// the message is read to its end and unmarshaled from its bytes, so that
// an odd message decodes, and fails, as it always did. A body refused
// with a reader is read again without: the decoder words a syntax error
// by the call that meets it, and a refusal should say what it always
// said.
func decodeEach[T any](d *Delivery, read func(r *msgReader, w *T) error, one func(w *T, err error, m *Message)) ([]Message, error) {
	msgs, err := decodeAll(d, read, one)
	if err != nil && read != nil {
		return decodeAll(d, nil, one)
	}
	return msgs, err
}

func decodeAll[T any](d *Delivery, read func(r *msgReader, w *T) error, one func(w *T, err error, m *Message)) ([]Message, error) {
	body := d.Body
	// Over a bytes.Buffer the decoder parses the body in place, no copy.
	r := readers.Get().(*msgReader)
	dec := r.dec
	dec.Reset(bytes.NewBuffer(body), jsonOpts)
	defer func() {
		dec.Reset(new(bytes.Buffer)) // keep no body alive in the pool
		readers.Put(r)
	}()
	array := false
	switch dec.PeekKind() {
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return nil, notJSON(err)
		}
		array = true
	case '{':
	case 0:
		if _, err := dec.ReadToken(); err == io.EOF {
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "empty body")
		} else {
			return nil, notJSON(err)
		}
	default:
		return nil, livedeck.Errorf(livedeck.EINVALID, "", "body must be a JSON array of messages, NDJSON or one JSON object")
	}
	base := dec.StackDepth()
	// Messages are gathered in the reader's own slice and copied out at
	// the end: growing the result as it fills was a third of what an
	// adapter allocated.
	out := r.msgs[:0]
	defer func() {
		clear(out) // keep no body or event alive in the pool
		r.msgs = out[:0]
	}()
	// One T for all messages, cleared for each: handed to read and one, a
	// T per message would be one more allocation each (what one keeps is
	// copied out of it).
	w, zero := new(T), *new(T)
	for {
		k := dec.PeekKind()
		if array && k == ']' {
			break
		}
		if !array && k != '{' {
			if k == 0 {
				if _, err := dec.ReadToken(); err != io.EOF {
					return nil, notJSON(err)
				}
				break
			}
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "NDJSON line %d: each line must be one JSON object", len(out)+1)
		}
		if k == 0 { // in an array: a syntax error
			_, err := dec.ReadToken()
			return nil, notJSON(err)
		}
		if len(out) >= maxMessages {
			return nil, livedeck.Errorf(livedeck.ETOOLARGE, "", "more than %d messages in one delivery: split it", maxMessages)
		}
		start := dec.InputOffset()
		*w = zero
		var err error
		if read != nil {
			err = read(r, w)
		} else {
			err = json.UnmarshalDecode(dec, w)
		}
		if err != nil {
			if isSyntax(err) {
				return nil, notJSON(err)
			}
			// A semantic error may leave the decoder inside the message:
			// read on to its end, so the next message starts clean.
			if dec.InputOffset() == start {
				if err := dec.SkipValue(); err != nil {
					return nil, notJSON(err)
				}
			}
			for dec.StackDepth() > base {
				if _, err := dec.ReadToken(); err != nil {
					return nil, notJSON(err)
				}
			}
			if read != nil { // decoded again, the general way, from its bytes
				*w = zero
				err = unmarshal(messageBytes(body, start, dec), w)
			} else {
				err = messageError(err, array)
			}
		}
		raw := messageBytes(body, start, dec)
		out = append(out, Message{Index: len(out), Raw: raw})
		m := &out[len(out)-1]
		one(w, err, m)
		settle(m, d.Received)
	}
	if array {
		if _, err := dec.ReadToken(); err != nil {
			return nil, notJSON(err)
		}
		if _, err := dec.ReadToken(); err != io.EOF {
			return nil, livedeck.Errorf(livedeck.EINVALID, "", "not JSON: unexpected data after the array")
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return append(make([]Message, 0, len(out)), out...), nil
}

// messageBytes is the message just read: from start (which may be at the
// comma before it) to where the decoder is.
func messageBytes(body []byte, start int64, dec *jsontext.Decoder) []byte {
	raw := bytes.TrimLeft(body[start:dec.InputOffset()], " \t\r\n,")
	return raw[:len(raw):len(raw)]
}

func isSyntax(err error) bool {
	var syn *jsontext.SyntacticError
	return errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF
}

// messageError words a decoding error of one message of a stream as
// unmarshal does for a message on its own: the pointer is the field's
// within the message (an array body's own index is dropped).
func messageError(err error, array bool) error {
	var sem *json.SemanticError
	if array && errors.As(err, &sem) {
		p := string(sem.JSONPointer)
		if i := strings.IndexByte(p[min(1, len(p)):], '/'); i >= 0 {
			p = p[i+1:]
		} else {
			p = ""
		}
		c := *sem
		c.JSONPointer = jsontext.Pointer(p)
		err = &c
	}
	return describe(err)
}

// settle enforces Message's invariant (events, ignored or an error) and
// fits its events to LiveDeck's bounds.
func settle(m *Message, received time.Time) {
	switch {
	case m.Err != nil:
		m.Events, m.Ignored = nil, false
	case len(m.Events) == 0:
		m.Ignored = true
	default:
		m.Ignored = false
		for i := range m.Events {
			finish(&m.Events[i], received)
		}
	}
}

// unmarshal decodes a message into v with the adapters' options. Its
// errors name the place in the message and say why in stable words (the
// JSON library's own messages vary on purpose).
func unmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v, jsonOpts); err != nil {
		return describe(err)
	}
	return nil
}

// describe words a decoding error for a dead letter or a rejection.
func describe(err error) error {
	var sem *json.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not JSON at byte %d: %v", syn.ByteOffset, syn.Err)
	case errors.As(err, &sem) && sem.Err != nil && sem.JSONPointer == "":
		return sem.Err
	case errors.As(err, &sem) && sem.Err != nil:
		return fmt.Errorf("at %q: %v", string(sem.JSONPointer), sem.Err)
	case errors.As(err, &sem):
		want := "another type"
		if sem.GoType != nil {
			want = sem.GoType.Kind().String()
		}
		return fmt.Errorf("at %q: want %s, got %s", string(sem.JSONPointer), want, kindName(sem.JSONKind))
	}
	return errors.New("not the expected shape")
}

// unsigned is embedded by adapters of payloads a LiveDeck connector
// forwards: no platform signature, LiveDeck's own reply.
type unsigned struct{}

func (unsigned) Signed() bool                     { return false }
func (unsigned) Verify(*Delivery, []string) error { return nil }
func (unsigned) Reply(bool) (string, []byte)      { return "", nil }

// orDefault is s, or default settings when there are none.
func orDefault(s *Settings) *Settings {
	if s == nil {
		return &Settings{}
	}
	return s
}
