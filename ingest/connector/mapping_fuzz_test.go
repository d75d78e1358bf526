package connector

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// FuzzMappingSpec feeds settings JSON (as PUT …/connectors/{source}
// receives it) to the checker and compiler. Whatever the input: no panic;
// settings either pass or are refused with located problems; a mapping
// that passes decodes a sample without panicking, and every message is
// exactly one of events, ignored or error.
func FuzzMappingSpec(f *testing.F) {
	for _, seed := range []string{
		`{"format":"mapping","mapping":{"id":"msg.id","rules":[{"type":"like","fields":{}}]}}`,
		`{"format":"mapping","mapping":{"messages":"msg.items","id":"msg.id","kind":"msg.t","rules":[{"when":"msg.t == 'c'","type":"comment","fields":{"user_id":"msg.u","text":"msg.x"}}]}}`,
		`{"format":"mapping","mapping":{"id":"msg.id","rules":[{"type":"order","fields":{"order_id":"msg.o","user_id":"msg.u","sku":"msg.s","qty":"1","amount":"minor(msg.p, currency)","status":"'paid'"}}]}}`,
		`{"format":"mapping","mapping":{"id":"map(msg.a, map(msg.b, #))","rules":[]}}`,
		`{"format":"mapping","currency":"XXX","gift_rate":"0","mapping":{"id":"(","rules":[{"type":"nope"}]}}`,
	} {
		f.Add([]byte(seed))
	}
	sample := []byte(`{"id":7,"t":"c","u":"v","x":"hi","items":[{"id":1,"t":"c","u":"a","x":"y"}],"o":"o1","s":"A","p":"1.50","a":[1,2],"b":[3]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Settings
		if json.Unmarshal(b, &s) != nil {
			return
		}
		ps := s.Check()
		for _, p := range ps {
			if p.Path == "" || p.Message == "" || p.Column < 0 {
				t.Fatalf("problem without a place or a reason: %+v", p)
			}
		}
		if len(ps) > 0 || s.Format != FormatMapping {
			return
		}
		if s.Currency == "" {
			s.Currency = "CNY"
		}
		msgs, err := mappingAdapter{}.Decode(&Delivery{Body: sample, Source: "src", Received: time.UnixMilli(1_760_000_000_000)}, &s)
		if err != nil {
			if c := livedeck.ErrorCode(err); c != livedeck.EINVALID && c != livedeck.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		for i := range msgs {
			checkOneOf(t, i, &msgs[i])
		}
	})
}

// FuzzDecodeMapping feeds payloads to the made-up shop's mapping: no
// panic, messages in order, each exactly one of events, ignored or error,
// money never anything but integer minor units, ids derived from the
// source.
func FuzzDecodeMapping(f *testing.F) {
	b, err := os.ReadFile("testdata/shop_mapping.json")
	if err != nil {
		f.Fatal(err)
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"events":[{"event_id":"e1","topic":"order.paid","at":1760000001,"order":{"no":9001,"buyer":"u7","product":"p-100","qty":2,"total":"199.90"}}]}`,
		`{"events":[{"event_id":"e3","topic":"cart.updated"}]}`,
		`{"events":[{"topic":"order.paid"}]}` + "\n" + `{"events":"x"}`,
		`{"events":[{"event_id":"e6","topic":"order.refunded","order":{"no":1,"total_fen":1.5}}]}`,
		`[1,2,3]`, `{"events":[null,true,"s",{}]}`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs, err := mappingAdapter{}.Decode(&Delivery{Body: body, Source: "shop", Received: time.UnixMilli(1_760_000_000_000)}, &s)
		if err != nil {
			if c := livedeck.ErrorCode(err); c != livedeck.EINVALID && c != livedeck.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		for i := range msgs {
			m := &msgs[i]
			checkOneOf(t, i, m)
			for _, ev := range m.Events {
				if ev.ID != IDPrefixMapping+"shop:"+m.ID {
					t.Fatalf("message %d: event id %q not derived from message id %q", i, ev.ID, m.ID)
				}
			}
		}
	})
}

func checkOneOf(t *testing.T, i int, m *Message) {
	t.Helper()
	n := 0
	if len(m.Events) > 0 {
		n++
	}
	if m.Ignored {
		n++
	}
	if m.Err != nil {
		n++
	}
	if n != 1 || m.Index != i {
		t.Fatalf("message %d (index %d): %d events, ignored %v, err %v: want exactly one", i, m.Index, len(m.Events), m.Ignored, m.Err)
	}
	if m.Err != nil && len(m.Raw) == 0 {
		t.Fatalf("message %d: an error without the raw message to keep", i)
	}
}
