package livedeck

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeStoredGeneral is DecodeStored without its fast path: the oracle.
func decodeStoredGeneral(b []byte, ev *Event) error {
	*ev = Event{}
	return decodeStored(jsontext.NewDecoder(bytes.NewReader(b)), ev)
}

func TestDecodeStoredFast(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		fast     bool // the fast path takes it
	}{
		{"comment", `{"id":"c1","type":"comment","ts":1764554400000,"source":"s","user_id":"u1","nickname":"小红","text":"想要"}`, true},
		{"escapes", `{"id":"c1","type":"comment","ts":1,"text":"想要 \u003cb\u003e \"1\" \\ \ud83d\ude0d"}`, true},
		{"viewers zero", `{"id":"v1","type":"viewers","ts":1,"online":0}`, true},
		{"stock", `{"id":"s","type":"stock","ts":4,"sku":"A","stock":-3}`, true},
		{"int64 bounds", `{"id":"b","ts":-9223372036854775808,"amount":9223372036854775807}`, true},
		{"unknown type", `{"id":"x","type":"later_kind","ts":1}`, true},
		{"empty object", `{}`, true},
		{"out of range", `{"id":"b","ts":9223372036854775808}`, false},
		{"below range", `{"id":"b","ts":-9223372036854775809}`, false},
		{"leading zero", `{"id":"b","ts":01}`, false},
		{"fraction", `{"id":"b","ts":1.5}`, false},
		{"exponent", `{"id":"b","ts":1e3}`, false},
		{"minus alone", `{"id":"b","ts":-}`, false},
		{"null", `{"id":"n","online":null}`, false},
		{"unknown name", `{"id":"x","later":1}`, false},
		{"repeated name", `{"id":"x","id":"y"}`, false},
		{"whitespace", `{"id": "x"}`, false},
		{"trailing data", `{"id":"x"} {}`, false},
		{"bad utf-8", "{\"id\":\"\xff\"}", false},
		{"control character", "{\"id\":\"a\nb\"}", false},
		{"bad escape", `{"id":"\q"}`, false},
		{"escaped name", `{"\u0069d":"e"}`, false},
		{"number for a string", `{"id":7}`, false},
		{"truncated", `{"id":"a","ts":`, false},
		{"trailing comma", `{"id":"a",}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fast Event
			if got := decodeStoredFast([]byte(tc.in), &fast); got != tc.fast {
				t.Fatalf("fast path took it: %v, want %v", got, tc.fast)
			}
			var want, got Event
			werr := decodeStoredGeneral([]byte(tc.in), &want)
			gerr := DecodeStored([]byte(tc.in), &got)
			if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeStored = %+v, %v; the general decoder gives %+v, %v", got, gerr, want, werr)
			}
			if tc.fast && !reflect.DeepEqual(fast, want) {
				t.Errorf("fast path = %+v; the general decoder gives %+v", fast, want)
			}
		})
	}
}

// FuzzDecodeStoredFast checks that whatever the fast path accepts the
// general decoder accepts and reads the same way.
func FuzzDecodeStoredFast(f *testing.F) {
	f.Add([]byte(`{"id":"c1","type":"comment","ts":1764554400000,"source":"s","user_id":"u1","nickname":"小红","text":"想要 \"1\""}`))
	f.Add([]byte(`{"id":"o","type":"order","ts":2,"order_id":"o","qty":-2,"amount":39800,"status":"paid","stock":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Event
		if !decodeStoredFast(b, &got) {
			return
		}
		var want Event
		if err := decodeStoredGeneral(b, &want); err != nil {
			t.Fatalf("fast path took %q, the general decoder refuses it: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("fast path read %q as %+v; the general decoder as %+v", b, got, want)
		}
	})
}
