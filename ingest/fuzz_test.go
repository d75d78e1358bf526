package ingest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/livedeck/livedeck"
)

// FuzzDecodeEvents feeds arbitrary bodies to the decoder. Whatever the
// input, it must not panic, and when the body is accepted: every item is
// either an event or a rejection (in order, each index once), every event
// encodes to JSON that decodes back to the same event, and no event shares
// memory with the body (the request's buffer is reused).
func FuzzDecodeEvents(f *testing.F) {
	for _, rt := range roundTrips {
		f.Add([]byte("[" + rt.in + "]"))
	}
	f.Add([]byte(`{"id":"a","type":"like","ts":1732280000000}` + "\n" + `{"id":"a","type":"order","ts":"2024-11-22T20:00:00Z","amount":1.5}`))
	f.Add([]byte(`[1,"x",null,{},[],{"id":"\u0000","type":"enter","ts":-1}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		var b batch
		err := decodeEvents(body, 100, &b)
		for i := range body {
			body[i] = 'x'
		}
		if err != nil {
			if c := livedeck.ErrorCode(err); c != livedeck.EINVALID && c != livedeck.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		if len(b.events)+len(b.rejected) != b.items || len(b.index) != len(b.events) {
			t.Fatalf("%d items but %d events and %d rejections", b.items, len(b.events), len(b.rejected))
		}
		seen := map[int]bool{}
		for _, i := range b.index {
			seen[i] = true
		}
		for _, r := range b.rejected {
			if seen[r.Index] || r.Index < 0 || r.Index >= b.items || r.Reason == "" {
				t.Fatalf("bad rejection %+v", r)
			}
			seen[r.Index] = true
		}
		var again batch
		if err := decodeEvents(orig, 100, &again); err != nil || !reflect.DeepEqual(again.events, b.events) {
			t.Fatalf("events changed when the body was overwritten (%v)", err)
		}
		for i := range b.events {
			ev := &b.events[i]
			stored := AppendEvent(nil, ev)
			var back, fast livedeck.Event
			if err := json.Unmarshal(stored, &back); err != nil {
				t.Fatalf("event %+v encodes to bad JSON: %v", ev, err)
			}
			if !reflect.DeepEqual(&back, ev) {
				t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", back, *ev)
			}
			// Readers of the stream decode with DecodeStored: same result.
			if err := livedeck.DecodeStored(stored, &fast); err != nil || !reflect.DeepEqual(&fast, ev) {
				t.Fatalf("DecodeStored(%s) = %+v, %v; want %+v", stored, fast, err, *ev)
			}
		}
	})
}
