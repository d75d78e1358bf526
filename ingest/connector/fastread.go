package connector

import (
	"bytes"
	"errors"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The format readers (readBiliCmd, …) read a message token by token
// straight into the struct unmarshal would fill: reflection was most of an
// adapter's cost. They handle the shapes platforms send; on anything else
// (an escaped or repeated name, a value of another type) they give up with
// errSlow and decodeEach unmarshals the message from its bytes, so that
// odd messages decode, and fail, exactly as before. FuzzReaders holds
// every reader to unmarshal's result.

// errSlow: the message is left to unmarshal.
var errSlow = errors.New("message left to the general decoder")

// msgReader is a decoder and the short strings it made lately, by a hash
// of their bytes: a message repeats its kind and ids (method and msgId
// twice in a webcast message) and a delivery its kinds and names, which
// then cost no allocation. It is pooled with its decoder.
type msgReader struct {
	dec     *jsontext.Decoder
	strs    [64]string
	msgs    []Message // decodeEach's
	scratch []byte    // a message's embedded JSON text (embedded)
}

// str is string(b), from the cache when it was made lately.
func (r *msgReader) str(b []byte) string {
	if len(b) == 0 || len(b) > 40 {
		return string(b)
	}
	// A cheap hash: a collision costs only an allocation.
	h := uint(len(b))*131 + uint(b[0])*31 + uint(b[len(b)/2])*7 + uint(b[len(b)-1])
	i := h % uint(len(r.strs))
	if s := r.strs[i]; s == string(b) {
		return s
	}
	s := string(b)
	r.strs[i] = s
	return s
}

// members reads an object value member by member: read reads the value
// of names[i]; other members are skipped. null leaves the value as it is
// (zero: a member met twice is left to unmarshal, which merges).
func (r *msgReader) members(names []string, read func(i int) error) error {
	switch r.dec.PeekKind() {
	case '{':
	case 'n':
		_, err := r.dec.ReadToken()
		return err
	default:
		return errSlow
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return err
	}
	var seen uint64
	for r.dec.PeekKind() != '}' {
		v, err := r.dec.ReadValue()
		if err != nil {
			return err
		}
		if bytes.IndexByte(v, '\\') >= 0 {
			return errSlow
		}
		i := indexName(names, v[1:len(v)-1])
		switch {
		case i < 0:
			err = r.dec.SkipValue()
		case seen&(1<<i) != 0:
			err = errSlow
		default:
			seen |= 1 << i
			err = read(i)
		}
		if err != nil {
			return err
		}
	}
	_, err := r.dec.ReadToken()
	return err
}

func indexName(names []string, name []byte) int {
	for i, n := range names {
		if n == string(name) {
			return i
		}
	}
	return -1
}

// message reads a message, which must be an object (unmarshal words what
// else it may be).
func (r *msgReader) message(names []string, read func(i int) error) error {
	if r.dec.PeekKind() != '{' {
		return errSlow
	}
	return r.members(names, read)
}

// isNull reads a null, if that is what comes.
func (r *msgReader) isNull() (bool, error) {
	if r.dec.PeekKind() != 'n' {
		return false, nil
	}
	_, err := r.dec.ReadToken()
	return true, err
}

// string reads a string member as unmarshal does: null is "".
func (r *msgReader) string(s *string) error {
	v, err := r.dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '"':
		if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			*s = r.str(inner)
		} else {
			*s = stringOf(v)
		}
	case 'n':
		*s = ""
	default:
		return errSlow
	}
	return nil
}

// stringOf is the text of a JSON string value as unmarshal gives it:
// escapes resolved, invalid UTF-8 replaced (the decoder's options let it
// through).
func stringOf(v jsontext.Value) string {
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	u, _ := jsontext.AppendUnquote(nil, v)
	return string(u)
}

// stringPtr reads a *string member: null is nil.
func (r *msgReader) stringPtr(p **string) error {
	if r.dec.PeekKind() == 'n' {
		_, err := r.dec.ReadToken()
		*p = nil
		return err
	}
	s := new(string)
	*p = s
	return r.string(s)
}

// id reads an idText member as its UnmarshalJSONFrom does.
func (r *msgReader) id(t *idText) error {
	v, err := r.dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '"':
		if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
			*t = idText(r.str(inner))
			return nil
		}
		s, err := unquoteValue(v)
		*t = idText(s)
		return err
	case '0':
		*t = idText(r.str(v))
	case 'n':
		*t = ""
	default:
		return errSlow
	}
	return nil
}

// integerPtr reads a *integer member: null is nil.
func (r *msgReader) integerPtr(p **integer) error {
	if r.dec.PeekKind() == 'n' {
		_, err := r.dec.ReadToken()
		*p = nil
		return err
	}
	n := new(integer)
	*p = n
	return n.UnmarshalJSONFrom(r.dec)
}

// decodeString reads a string as unmarshal does, a JSON string without
// reflection.
func decodeString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return json.UnmarshalDecode(dec, s, jsonOpts)
	}
	v, err := dec.ReadValue()
	if err == nil {
		*s = stringOf(v)
	}
	return err
}

// textDecoder reads JSON text carried inside a message (bilibili's extra,
// 抖店's data) from its own buffer; pooled, so that reading one allocates
// nothing.
type textDecoder struct {
	buf bytes.Buffer
	r   msgReader
}

var textDecoders = sync.Pool{New: func() any { return &textDecoder{r: msgReader{dec: jsontext.NewDecoder(new(bytes.Buffer))}} }}

func getTextDecoder() *textDecoder {
	t := textDecoders.Get().(*textDecoder)
	t.buf.Reset()
	return t
}

// reset points t's reader at text, which is t.buf's spare capacity
// (t.buf.AvailableBuffer()) with the text appended: then nothing is
// copied.
func (t *textDecoder) reset(text []byte) *msgReader {
	t.buf.Reset()
	t.buf.Write(text)
	t.r.dec.Reset(&t.buf, jsonOpts)
	return &t.r
}
