package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
)

// shopMapping is the mapping of a made-up shop's order webhook: a
// payload {"events":[…]} whose events carry a topic, an event id and the
// order with its total as a decimal string of yuan. totalExpr is the
// amount expression, so a test can save a mapping that misses a shape.
func shopMapping(totalExpr string) string {
	return `{"format":"mapping","products":{"p-100":"LIP-01"},"mapping":{
	  "messages":"msg.events","id":"msg.event_id","kind":"msg.topic",
	  "rules":[{"when":"msg.topic in ['order.created','order.paid','order.refunded']","type":"order","fields":{
	    "order_id":"msg.order.no","user_id":"msg.order.buyer","sku":"msg.order.product","qty":"msg.order.qty",
	    "amount":` + jsonString(totalExpr) + `,"status":"trimPrefix(msg.topic, 'order.')"}}]}}`
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestShopWebhookThroughMapping is the mapping's acceptance test, through
// the public API only: a mapping for a made-up shop turns its payloads
// into orders that move GMV exactly; a bad mapping is refused with
// located errors; a payload the mapping cannot read lands in the
// dead-letter stream and counts once replayed with the fixed mapping.
func TestShopWebhookThroughMapping(t *testing.T) {
	a, _, _ := startApp(t)
	c := apiClient{t: t, base: "http://" + a.Addr()}
	if code, body := c.do("POST", "/api/v1/rooms", "application/json",
		`{"id":"shop1","title":"t","currency":"CNY","products":[{"sku":"LIP-01","name":"口红","price":19990,"stock":100},{"sku":"X-2","name":"x","price":5900,"stock":100}]}`); code/100 != 2 {
		t.Fatalf("create room: %d %s", code, body)
	}

	// A bad mapping: every problem located by path (and column in the expression).
	code, body := c.do("PUT", "/api/v1/rooms/shop1/connectors/myshop", "application/json",
		strings.Replace(shopMapping("minor(msg.order.total, currency"), `"type":"order"`, `"type":"orders"`, 1))
	var refused struct {
		Error    struct{ Code string }
		Problems []struct {
			Path    string
			Column  int
			Message string
		}
	}
	if err := json.Unmarshal([]byte(body), &refused); err != nil || code != 400 || refused.Error.Code != "invalid" || len(refused.Problems) != 1 {
		t.Fatalf("bad mapping: %d %s", code, body)
	}
	if p := refused.Problems[0]; p.Path != "mapping.rules[0].type" {
		t.Fatalf("problem %+v, want mapping.rules[0].type", p)
	}
	code, body = c.do("PUT", "/api/v1/rooms/shop1/connectors/myshop", "application/json", shopMapping("minor(msg.order.total, currency"))
	if err := json.Unmarshal([]byte(body), &refused); err != nil || code != 400 || len(refused.Problems) != 1 ||
		refused.Problems[0].Path != "mapping.rules[0].fields.amount" || refused.Problems[0].Column != 31 {
		t.Fatalf("bad expression: %d %s", code, body)
	}

	// The first mapping reads totals as decimal strings only.
	if code, body := c.do("PUT", "/api/v1/rooms/shop1/connectors/myshop", "application/json", shopMapping("minor(msg.order.total, currency)")); code != 200 {
		t.Fatalf("save mapping: %d %s", code, body)
	}
	payload := `{"events":[
	  {"event_id":"ev1","topic":"order.created","order":{"no":"A1","buyer":"c9","product":"p-100","qty":1,"total":"199.90"}},
	  {"event_id":"ev2","topic":"order.paid","order":{"no":"A1","buyer":"c9","product":"p-100","qty":1,"total":"199.90"}},
	  {"event_id":"ev3","topic":"cart.updated","cart":{"items":3}},
	  {"event_id":"ev4","topic":"order.paid","order":{"no":"A2","buyer":"c7","product":"X-2","qty":1,"total":{"amount":"59.00","currency":"CNY"}}}
	]}`
	type answer struct {
		Accepted, Duplicates, Ignored int
		DeadLettered                  int `json:"dead_lettered"`
		Rejected                      []map[string]any
	}
	deliver := func() answer {
		t.Helper()
		code, body := c.do("POST", "/api/v1/rooms/shop1/events?format=mapping&source=myshop", "application/json", payload)
		var ans answer
		if err := json.Unmarshal([]byte(body), &ans); err != nil || code != 200 {
			t.Fatalf("deliver: %d %s", code, body)
		}
		return ans
	}
	if got := deliver(); got.Accepted != 2 || got.Duplicates != 0 || got.Ignored != 1 || got.DeadLettered != 1 || len(got.Rejected) != 0 {
		t.Fatalf("first delivery: %+v", got)
	}
	// The shop redelivers: the orders count once.
	if got := deliver(); got.Accepted != 0 || got.Duplicates != 2 || got.Ignored != 1 || got.DeadLettered != 1 {
		t.Fatalf("redelivery: %+v", got)
	}
	gmv := func(want, paid int64) {
		t.Helper()
		var snap livedeck.Snapshot
		eventually(t, "GMV "+itoa(want), func() bool {
			_, b := c.do("GET", "/api/v1/rooms/shop1/metrics", "", "")
			_ = json.Unmarshal([]byte(b), &snap)
			return snap.GMV == want
		})
		if snap.OrdersPaid != paid {
			t.Errorf("paid orders %d at GMV %d, want %d", snap.OrdersPaid, want, paid)
		}
	}
	gmv(19990, 1)

	// The unreadable order is a dead letter, once per delivery, with why.
	_, body = c.do("GET", "/api/v1/rooms/shop1/dead-letters?source=myshop", "", "")
	var dls []struct {
		ID, Source, Format, Reason, Raw, Kind string
		MessageID                             string `json:"message_id"`
		Index                                 int
	}
	if err := json.Unmarshal([]byte(body), &dls); err != nil || len(dls) != 2 {
		t.Fatalf("dead letters: %s", body)
	}
	if d := dls[0]; d.Source != "myshop" || d.Format != "mapping" || d.Index != 3 || d.MessageID != "ev4" || d.Kind != "order.paid" ||
		!strings.Contains(d.Reason, "fields.amount") || !strings.Contains(d.Raw, `"59.00"`) {
		t.Fatalf("dead letter %+v", d)
	}
	stats := func() map[string]any {
		_, body := c.do("GET", "/api/v1/rooms/shop1/connectors/myshop", "", "")
		var conn struct{ Stats map[string]any }
		_ = json.Unmarshal([]byte(body), &conn)
		return conn.Stats
	}
	before := stats()
	for k, want := range map[string]float64{"messages": 8, "accepted": 2, "duplicates": 2, "ignored": 2, "dead_letters": 2, "per_min": 8} {
		if before[k] != want {
			t.Errorf("stats %s = %v, want %v (%v)", k, before[k], want, before)
		}
	}

	// Fix the mapping; try the sample: the events it would store, nothing stored.
	fixed := shopMapping(`minor(type(msg.order.total) == "map" ? msg.order.total.amount : msg.order.total, currency)`)
	if code, body := c.do("PUT", "/api/v1/rooms/shop1/connectors/myshop", "application/json", fixed); code != 200 {
		t.Fatalf("save fixed mapping: %d %s", code, body)
	}
	code, body = c.do("POST", "/api/v1/rooms/shop1/connectors/myshop/try", "application/json", payload)
	var tried struct {
		Signature string
		Messages  []struct {
			ID      string
			Ignored bool
			Error   string
			Events  []livedeck.Event
		}
	}
	if err := json.Unmarshal([]byte(body), &tried); err != nil || code != 200 || len(tried.Messages) != 4 || tried.Signature != "not checked" {
		t.Fatalf("try: %d %s", code, body)
	}
	if m := tried.Messages[3]; m.Error != "" || len(m.Events) != 1 || m.Events[0].Amount != 5900 || m.Events[0].OrderID != "myshop:A2" || m.Events[0].ID != "map:myshop:ev4" {
		t.Fatalf("tried message 3: %+v", m)
	}
	if !tried.Messages[2].Ignored {
		t.Fatalf("tried message 2 not ignored: %+v", tried.Messages[2])
	}
	if after := stats(); after["messages"] != before["messages"] || after["accepted"] != before["accepted"] {
		t.Fatalf("try changed the stats: %v → %v", before, after)
	}
	_, body = c.do("GET", "/api/v1/rooms/shop1/dead-letters?source=myshop", "", "")
	if n := strings.Count(body, `"id"`); n != 2 {
		t.Fatalf("try changed the dead letters: %s", body)
	}

	// Replay: both dead letters now map; the order counts once.
	code, body = c.do("POST", "/api/v1/rooms/shop1/dead-letters/replay", "application/json", `{"source":"myshop"}`)
	var rep struct{ Replayed, Accepted, Duplicates, Failed, Remaining int }
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != 200 ||
		rep != (struct{ Replayed, Accepted, Duplicates, Failed, Remaining int }{2, 1, 1, 0, 0}) {
		t.Fatalf("replay: %d %s", code, body)
	}
	gmv(19990+5900, 2)
	if _, body := c.do("GET", "/api/v1/rooms/shop1/dead-letters?source=myshop", "", ""); body != "[]\n" && body != "[]" {
		t.Fatalf("dead letters after replay: %s", body)
	}
}
