package connector

import (
	"bytes"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// DANMU_MSG's info[0][15] is {"mode": …, "extra": "<JSON text>", …}; of
// the JSON text LiveDeck needs only id_str. Both are read here token by
// token, the usual shapes without reflection and without copying the
// text more than once; anything else as unmarshal reads it, with the same
// result and the same errors.

// danmakuExtra is the JSON text in info[0][15].extra.
type danmakuExtra struct {
	IDStr   string `json:"id_str"`
	Content string `json:"content"`
}

// readMode reads info[0][15] as unmarshaling it into struct{Extra string
// `json:"extra"`} did, and the id_str of the last extra.
func (d *danmakuInfo) readMode(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		var mode struct {
			Extra string `json:"extra"`
		}
		if err := json.UnmarshalDecode(dec, &mode, jsonOpts); err != nil {
			return err
		}
		d.extraID = extraID([]byte(mode.Extra))
		return nil
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if !isName(name, "extra") {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		switch dec.PeekKind() {
		case '"':
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			d.extraID = extraIDQuoted(v)
		default:
			var extra string
			if err := json.UnmarshalDecode(dec, &extra, jsonOpts); err != nil {
				return err
			}
			d.extraID = extraID([]byte(extra))
		}
	}
	_, err := dec.ReadToken()
	return err
}

// isName tells whether the member name v (quoted) is name.
func isName(v jsontext.Value, name string) bool {
	if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return stringOf(v) == name
}

// extraIDQuoted is extraID of the text of the JSON string v.
func extraIDQuoted(v jsontext.Value) string {
	t := getTextDecoder()
	defer textDecoders.Put(t)
	text := t.buf.AvailableBuffer()
	// As stringOf: escapes resolved, invalid UTF-8 replaced.
	if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		text = append(text, inner...)
	} else {
		text, _ = jsontext.AppendUnquote(text, v)
	}
	return t.extraID(text)
}

// extraID is the id_str of the JSON text text, as unmarshaling it into
// danmakuExtra gives it; an older message has no extra, a text that is
// not JSON gives what was read of it before the fault.
func extraID(text []byte) string {
	t := getTextDecoder()
	defer textDecoders.Put(t)
	return t.extraID(append(t.buf.AvailableBuffer(), text...))
}

func (t *textDecoder) extraID(text []byte) string {
	if len(text) == 0 {
		return ""
	}
	if id, err := readExtraID(t.reset(text)); err == nil {
		return id
	}
	var extra danmakuExtra
	_ = unmarshal(text, &extra)
	return extra.IDStr
}

// readExtraID reads {"id_str": …, "content": …, …} as unmarshaling into
// danmakuExtra does, or fails.
func readExtraID(r *msgReader) (string, error) {
	id := ""
	err := r.message(danmakuExtraNames, func(i int) error {
		if i == 0 {
			return r.string(&id)
		}
		// content is not used, but one of another type failed the text.
		v, err := r.dec.ReadValue()
		if err == nil && v.Kind() != '"' && v.Kind() != 'n' {
			err = errSlow
		}
		return err
	})
	return id, err
}

var danmakuExtraNames = []string{"id_str", "content"}
