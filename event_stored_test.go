package livedeck

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

func TestDecodeStored(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		bad      bool
	}{
		{"comment", `{"id":"c1","type":"comment","ts":1764554400000,"source":"s","user_id":"u1","nickname":"小红","text":"想要 \u003cb\u003e \"1\""}`, false},
		{"viewers zero", `{"id":"v1","type":"viewers","ts":1,"online":0}`, false},
		{"order", `{"id":"o1","type":"order","ts":2,"user_id":"u","sku":"A","order_id":"o1","qty":2,"amount":39800,"status":"paid"}`, false},
		{"gift, like", `{"id":"g","type":"gift","ts":3,"gift":"玫瑰","value":100,"count":4}`, false},
		{"stock", `{"id":"s","type":"stock","ts":4,"sku":"A","stock":0}`, false},
		{"ad_spend", `{"id":"sp","type":"ad_spend","ts":5,"channel":"qianchuan","campaign":"c-1","period":4,"amount":12800}`, false},
		{"cart_add", `{"id":"ca","type":"cart_add","ts":5,"user_id":"u","sku":"A","qty":2}`, false},
		{"order with a channel", `{"id":"o2","type":"order","ts":2,"order_id":"o2","status":"paid","channel":"douplus"}`, false},
		{"unknown names are skipped", `{"id":"x","later":{"a":[1,2]},"type":"like","ts":5}`, false},
		{"null is the zero value", `{"id":"n","type":"viewers","ts":6,"online":null,"text":null}`, false},
		{"escaped name", `{"\u0069d":"e","type":"share","ts":7}`, false},
		{"not an object", `["id"]`, true},
		{"string for a number", `{"id":"a","ts":"7"}`, true},
		{"number for a string", `{"id":7}`, true},
		{"truncated", `{"id":"a","ts":`, true},
		{"empty", ``, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Event
			err := DecodeStored([]byte(tc.in), &got)
			if tc.bad {
				if err == nil {
					t.Fatalf("DecodeStored(%s) = %+v, want an error", tc.in, got)
				}
				return
			}
			var want Event
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatal(err)
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeStored(%s) = %+v, %v; encoding/json gives %+v", tc.in, got, err, want)
			}
		})
	}
}

// TestDecodeStoredReuse checks a pooled decoder leaves nothing of one event
// in the next.
func TestDecodeStoredReuse(t *testing.T) {
	var ev Event
	if err := DecodeStored([]byte(`{"id":"o","type":"order","ts":1,"order_id":"o","amount":5,"online":3}`), &ev); err != nil {
		t.Fatal(err)
	}
	if err := DecodeStored([]byte(`{"id":"l","type":"like","ts":2}`), &ev); err != nil {
		t.Fatal(err)
	}
	if want := (Event{ID: "l", Type: EventLike, TS: 2}); !reflect.DeepEqual(ev, want) {
		t.Errorf("second event = %+v, want %+v", ev, want)
	}
}

// BenchmarkDecodeStored decodes a mix of stored events; the encoding/json
// sub-benchmark is the reference.
func BenchmarkDecodeStored(b *testing.B) {
	raws := [][]byte{
		[]byte(`{"id":"abc-1-2-3","type":"comment","ts":1764554400000,"source":"bench","user_id":"u42","nickname":"观众","text":"想要！多少钱 how much? 😍"}`),
		[]byte(`{"id":"abc-1-2-4","type":"order","ts":1764554400000,"source":"bench","user_id":"u42","sku":"A","order_id":"abc-1-2-4","qty":1,"amount":19900,"status":"paid"}`),
		[]byte(`{"id":"abc-1-2-5","type":"viewers","ts":1764554400000,"source":"bench","online":12345}`),
		[]byte(`{"id":"abc-1-2-6","type":"like","ts":1764554400000,"source":"bench","user_id":"u42","count":3}`),
	}
	b.Run("DecodeStored", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var ev Event
			if err := DecodeStored(raws[i%len(raws)], &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var ev Event
			if err := json.Unmarshal(raws[i%len(raws)], &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzDecodeStored feeds arbitrary stream entries to the decoder: it must
// not panic, and whatever it accepts encoding/json must read the same way.
func FuzzDecodeStored(f *testing.F) {
	f.Add([]byte(`{"id":"c1","type":"comment","ts":1764554400000,"text":"想要"}`))
	f.Add([]byte(`{"id":"sp","type":"ad_spend","ts":1764554400000,"channel":"qianchuan","campaign":"c","period":1764554100000,"amount":500}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got Event
		if err := DecodeStored(b, &got); err != nil {
			return
		}
		// The oracle matches names exactly, as DecodeStored and the
		// encoder do; encoding/json's case-insensitive matching would read
		// {"teXt":…} as text where a stream entry never has such a name.
		var want Event
		if err := jsonv2.Unmarshal(b, &want, jsonv2.MatchCaseInsensitiveNames(false)); err != nil {
			return // e.g. a trailing value, which a stream entry never has
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeStored(%q) = %+v; encoding/json gives %+v", b, got, want)
		}
	})
}
