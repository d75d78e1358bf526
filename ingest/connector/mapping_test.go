package connector

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

func shopSettings(t *testing.T) *Settings {
	t.Helper()
	b, err := os.ReadFile("testdata/shop_mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if ps := s.Check(); ps != nil {
		t.Fatalf("shop settings refused: %v", ps)
	}
	return &s
}

func decodeMapping(t *testing.T, s *Settings, body string) []Message {
	t.Helper()
	a, _ := Lookup(FormatMapping)
	d := &Delivery{Body: []byte(body), Room: "r", Source: "shop", Received: time.UnixMilli(1_760_000_000_000)}
	msgs, err := a.Decode(d, s)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return msgs
}

func TestMappingShopOrders(t *testing.T) {
	s := shopSettings(t)
	body := `{"events":[
	 {"event_id":"e1","topic":"order.created","at":1760000001,"order":{"no":9001,"buyer":"u7","product":"p-100","qty":2,"total":"199.90"}},
	 {"event_id":"e2","topic":"order.paid","at":"2025-10-09T08:53:22Z","order":{"no":9001,"buyer":"u7","product":"p-100","qty":2,"total":199.9}},
	 {"event_id":"e3","topic":"cart.updated"},
	 {"event_id":"e4","topic":"order.paid","order":{"no":9002,"buyer":"u8","product":"X-2","qty":1,"total":"0.125"}},
	 {"topic":"order.paid"},
	 {"event_id":"e6","topic":"order.refunded","order":{"no":9001,"buyer":"u7","product":"p-100","qty":2,"total_fen":19990}}
	]}`
	msgs := decodeMapping(t, s, body)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want 6", len(msgs))
	}
	want := []struct {
		id, kind string
		ev       *livedeck.Event
		ignored  bool
		err      string
	}{
		{"e1", "order.created", &livedeck.Event{ID: "map:shop:e1", Type: "order", TS: 1_760_000_001_000, UserID: "shop:u7", OrderID: "shop:9001", SKU: "LIP-01", Qty: 2, Amount: 19990, Status: "created"}, false, ""},
		{"e2", "order.paid", &livedeck.Event{ID: "map:shop:e2", Type: "order", TS: 1_760_000_002_000, UserID: "shop:u7", OrderID: "shop:9001", SKU: "LIP-01", Qty: 2, Amount: 19990, Status: "paid"}, false, ""},
		{"e3", "cart.updated", nil, true, ""},
		{"e4", "order.paid", nil, false, "rules[0].fields.amount: minor: amount \"0.125\" has more than 2 decimals"},
		{"", "", nil, false, "id: "},
		{"e6", "order.refunded", &livedeck.Event{ID: "map:shop:e6", Type: "order", TS: 1_760_000_000_000, UserID: "shop:u7", OrderID: "shop:9001", SKU: "LIP-01", Qty: 2, Amount: 19990, Status: "refunded"}, false, ""},
	}
	for i, w := range want {
		m := msgs[i]
		if m.Index != i || m.ID != w.id || m.Kind != w.kind || m.Ignored != w.ignored {
			t.Errorf("message %d: index %d id %q kind %q ignored %v, want id %q kind %q ignored %v (err %v)", i, m.Index, m.ID, m.Kind, m.Ignored, w.id, w.kind, w.ignored, m.Err)
		}
		switch {
		case w.err != "":
			if m.Err == nil || !strings.Contains(m.Err.Error(), w.err) {
				t.Errorf("message %d: err %v, want %q", i, m.Err, w.err)
			}
			if len(m.Raw) == 0 {
				t.Errorf("message %d: no raw bytes kept for the dead letter", i)
			}
		case w.ev != nil:
			if m.Err != nil || len(m.Events) != 1 {
				t.Fatalf("message %d: err %v, %d events", i, m.Err, len(m.Events))
			}
			got := m.Events[0]
			if got.ID != w.ev.ID || got.TS != w.ev.TS || got.UserID != w.ev.UserID || got.OrderID != w.ev.OrderID ||
				got.SKU != w.ev.SKU || got.Qty != w.ev.Qty || got.Amount != w.ev.Amount || got.Status != w.ev.Status {
				t.Errorf("message %d: event %+v, want %+v", i, got, *w.ev)
			}
		}
	}
}

// TestMappingBodyShapes: without a messages expression the body is one
// message, a JSON array of them, or NDJSON.
func TestMappingBodyShapes(t *testing.T) {
	s := &Settings{Format: FormatMapping, Mapping: &MappingSpec{ID: "msg.id", Rules: []MappingRule{
		{When: "msg.t == 'c'", Type: "comment", Fields: map[string]string{"user_id": "msg.u", "text": "msg.x"}},
	}}}
	for _, tc := range []struct {
		body string
		n    int
	}{
		{`{"id":1,"t":"c","u":"a","x":"hi"}`, 1},
		{`[{"id":1,"t":"c","u":"a","x":"hi"},{"id":2,"t":"c","u":"b","x":"yo"}]`, 2},
		{"{\"id\":1,\"t\":\"c\",\"u\":\"a\",\"x\":\"hi\"}\n{\"id\":2,\"t\":\"z\"}\n", 2},
	} {
		msgs := decodeMapping(t, s, tc.body)
		if len(msgs) != tc.n || msgs[0].Events[0].ID != "map:shop:1" || msgs[0].Events[0].Text != "hi" {
			t.Errorf("%s: %+v", tc.body, msgs)
		}
	}
	a, _ := Lookup(FormatMapping)
	if _, err := a.Decode(&Delivery{Body: []byte(`{"id":`)}, s); err == nil {
		t.Error("broken JSON decoded")
	}
}

// TestMappingRefusedWithLocation: a bad mapping is refused with every
// problem located by path and column.
func TestMappingRefusedWithLocation(t *testing.T) {
	s := &Settings{Format: FormatMapping, Currency: "XYZ", GiftRate: "-1", Mapping: &MappingSpec{
		ID: "msg.id +", Rules: []MappingRule{
			{When: "msg.kind == 'o'", Type: "order", Fields: map[string]string{"order_id": "msg.no", "amount": "minor(msg.total)", "colour": "1"}},
			{Type: "parade", Fields: map[string]string{}},
			{Type: "comment", Fields: map[string]string{"user_id": "msg.u", "text": "map(msg.a, map(msg.b, #))"}},
		}}}
	ps := s.Check()
	want := []Problem{
		{Path: "currency"}, {Path: "gift_rate"},
		{Path: "mapping.id", Column: 8},
		{Path: "mapping.rules[0].fields.amount", Column: 1},
		{Path: "mapping.rules[0].fields.colour"},
		{Path: "mapping.rules[0].fields"}, // user_id, sku, qty, status missing
		{Path: "mapping.rules[1].type"},
		{Path: "mapping.rules[2].fields.text", Column: 23},
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			if p.Path == w.Path && (w.Column == 0 || p.Column == w.Column) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem at %s (column %d) in %v", w.Path, w.Column, ps)
		}
	}
	if (&Settings{Format: "nope"}).Check() == nil {
		t.Error("unknown format accepted")
	}
}

// TestMappingMoney: minor() converts exactly by the ISO 4217 exponent and
// never rounds; money fields refuse floats.
func TestMappingMoney(t *testing.T) {
	for _, tc := range []struct {
		in   any
		cur  string
		want int64
		bad  bool
	}{
		{"19.99", "USD", 1999, false}, {"19.9", "CNY", 1990, false}, {"1500", "JPY", 1500, false},
		{"1.5", "JPY", 0, true}, {"1.234", "KWD", 1234, false}, {"0.10", "EUR", 10, false},
		{19.99, "USD", 1999, false}, {math.Nextafter(0.3, 1), "USD", 0, true}, {12, "USD", 1200, false},
		{"1e3", "USD", 0, true}, {"", "USD", 0, true}, {"12.", "USD", 0, true}, {"99999999999999999999", "USD", 0, true},
		{"-3.50", "USD", 0, true}, {"1.00", "ABC", 0, true}, {nil, "USD", 0, true},
	} {
		got, err := minorOf(tc.in, tc.cur)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("minor(%v, %s) = %d, %v; want %d, bad %v", tc.in, tc.cur, got, err, tc.want, tc.bad)
		}
	}
	if _, err := moneyOf(19.99); err == nil {
		t.Error("a float amount was taken as money")
	}
}

// TestMappingTimeBudget: messages left when the budget is spent become
// dead letters, not lost and not mapped.
func TestMappingTimeBudget(t *testing.T) {
	s := &Settings{Format: FormatMapping, Mapping: &MappingSpec{ID: "msg.id", Rules: []MappingRule{{Type: "like", Fields: map[string]string{}}}}}
	cm, _ := compiledFor(s.Mapping)
	r := &mappingRun{cm: cm, d: &Delivery{Source: "x"}, s: s, deadline: time.Now().Add(-time.Second)}
	var m Message
	r.message(&m, map[string]any{"id": 1})
	if m.Err == nil || !strings.Contains(m.Err.Error(), "budget") {
		t.Fatalf("after the deadline: %+v", m)
	}
}
