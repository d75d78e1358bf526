package livedeck

import (
	"reflect"
	"testing"
)

func TestDecodeEntry(t *testing.T) {
	like := `{"id":"l","type":"like","ts":2,"count":3}`
	order := `{"id":"o","type":"order","ts":3,"order_id":"o","status":"paid","amount":5}`
	wantLike := Event{ID: "l", Type: EventLike, TS: 2, Count: 3}
	wantOrder := Event{ID: "o", Type: EventOrder, TS: 3, OrderID: "o", Status: OrderPaid, Amount: 5}
	for _, tc := range []struct {
		name   string
		fields map[string]any
		want   []Event
		err    bool
	}{
		{"version 1", map[string]any{"e": like}, []Event{wantLike}, false},
		{"packed", map[string]any{"v": "2", "b": like + "\n" + order}, []Event{wantLike, wantOrder}, false},
		{"packed, one event", map[string]any{"v": "2", "b": order}, []Event{wantOrder}, false},
		{"packed, a bad line is left out", map[string]any{"v": "2", "b": like + "\n{\n" + order}, []Event{wantLike, wantOrder}, true},
		{"packed, empty", map[string]any{"v": "2", "b": ""}, nil, false},
		{"version 1, bad", map[string]any{"e": "{"}, nil, true},
		{"unknown version", map[string]any{"v": "3", "b": like}, nil, true},
		{"neither", map[string]any{"x": like}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := EntryLen(tc.fields); tc.err == false && n != len(tc.want) && len(tc.want) > 0 {
				t.Errorf("EntryLen = %d, want %d", n, len(tc.want))
			}
			prev := []Event{{ID: "kept"}}
			got, err := DecodeEntry(tc.fields, prev)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want one: %v", err, tc.err)
			}
			if want := append([]Event{{ID: "kept"}}, tc.want...); !reflect.DeepEqual(got, want) {
				t.Errorf("events = %+v, want %+v", got, want)
			}
		})
	}
}
