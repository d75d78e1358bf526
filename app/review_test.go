package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/review"
)

// TestCloseBuildsReview runs a short broadcast through the whole app: a tier
// rule fires on the live numbers, orders are recorded under the tier the
// buyer saw, and closing the room builds a review whose per-tier GMV, cue
// count and headline match what was sent. The review then stays available,
// is rebuilt when a late refund arrives, and exports as CSV and HTML.
func TestCloseBuildsReview(t *testing.T) {
	a, _, _ := startApp(t)
	base := "http://" + a.Addr()
	do := func(method, path, ctype, body string) (int, string, http.Header) {
		return call(t, method, base+path, ctype, body)
	}
	must := func(code int, body string, _ http.Header) string {
		t.Helper()
		if code != http.StatusOK && code != http.StatusCreated {
			t.Fatalf("%d %s", code, body)
		}
		return body
	}
	for _, id := range []string{"eve", "morning"} {
		must(do("POST", "/api/v1/rooms", "application/json",
			`{"id":"`+id+`","title":"晚场","currency":"CNY","products":[{"sku":"coat","name":"大衣","price":19900,"stock":50}]}`))
	}
	must(do("PUT", "/api/v1/rooms/eve/rules", "application/yaml", `rules:
- name: crowd
  when: online >= 500
  actions: [{tier: {name: t500, coupon: 满199减20, threshold: 19900, discount: 2000}}, {cue: {text: 上链接}}]
`))
	now := time.Now().UnixMilli()
	send := func(lines ...string) {
		t.Helper()
		must(do("POST", "/api/v1/rooms/eve/events", "application/x-ndjson", strings.Join(lines, "\n")))
	}
	order := func(id, user, status string, amount int64) string {
		return fmt.Sprintf(`{"id":"%s-%s","type":"order","ts":%d,"user_id":"%s","order_id":"%s","sku":"coat","qty":1,"amount":%d,"status":"%s"}`,
			id, status, now, user, id, amount, status)
	}
	// Before the tier: one paid order.
	send(`{"id":"v1","type":"viewers","ts":`+itoa(now)+`,"online":300}`,
		`{"id":"c1","type":"comment","ts":`+itoa(now)+`,"user_id":"u9","nickname":"九","text":"包邮吗？"}`,
		order("o1", "u1", "created", 19900), order("o1", "u1", "paid", 19900))
	waitFor(t, 10*time.Second, func() bool {
		_, b, _ := do("GET", "/api/v1/rooms/eve/metrics", "", "")
		return strings.Contains(b, `"orders_paid":1`)
	})
	// The tier fires; orders created after it count toward it.
	send(`{"id":"v2","type":"viewers","ts":` + itoa(now+1) + `,"online":800}`)
	waitFor(t, 10*time.Second, func() bool {
		_, b, _ := do("GET", "/api/v1/rooms/eve/pricing", "", "")
		return strings.Contains(b, "t500")
	})
	send(order("o2", "u2", "created", 17900), order("o2", "u2", "paid", 17900),
		order("o3", "u3", "created", 17900), order("o3", "u3", "paid", 17900))
	waitFor(t, 10*time.Second, func() bool {
		_, b, _ := do("GET", "/api/v1/rooms/eve/metrics", "", "")
		return strings.Contains(b, `"orders_paid":3`)
	})

	var rv review.Review
	body := must(do("POST", "/api/v1/rooms/eve/close", "", ""))
	if err := json.Unmarshal([]byte(body), &rv); err != nil {
		t.Fatal(err)
	}
	gmv := map[string]int64{}
	for _, tr := range rv.Tiers {
		gmv[tr.Tier] = tr.GMV
	}
	if rv.Status != "closed" || rv.Headline.GMV != 19900+2*17900 || rv.Headline.Orders != 3 || rv.Headline.UV != 4 || rv.Headline.PeakOnline != 800 {
		t.Fatalf("headline = %+v (status %s)", rv.Headline, rv.Status)
	}
	if gmv[""] != 19900 || gmv["t500"] != 2*17900 {
		t.Fatalf("GMV per tier = %v, want none 19900 and t500 35800 (tiers %+v)", gmv, rv.Tiers)
	}
	if len(rv.Cues) != 1 || rv.Cues[0].Rule != "crowd" || rv.Cues[0].Firings != 1 || len(rv.Questions) != 1 {
		t.Fatalf("cues %+v, questions %+v", rv.Cues, rv.Questions)
	}

	// Kept: GET returns the saved review until a late refund arrives.
	var again review.Review
	_ = json.Unmarshal([]byte(must(do("GET", "/api/v1/rooms/eve/review", "", ""))), &again)
	if again.Built != rv.Built {
		t.Fatalf("review rebuilt without new events: built %d then %d", rv.Built, again.Built)
	}
	send(order("o3", "u3", "refunded", 17900))
	waitFor(t, 10*time.Second, func() bool {
		_ = json.Unmarshal([]byte(must(do("GET", "/api/v1/rooms/eve/review", "", ""))), &again)
		return again.Headline.GMV == 19900+17900
	})

	// Exports and comparison.
	code, csvBody, h := do("GET", "/api/v1/rooms/eve/review?format=csv", "", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(csvBody, "t500,满199减20") {
		t.Fatalf("csv export: %d %s %q", code, h.Get("Content-Type"), csvBody)
	}
	code, html, h := do("GET", "/api/v1/rooms/eve/review?format=html&compare=morning", "", "")
	if code != 200 || !strings.Contains(h.Get("Content-Disposition"), "eve-review.html") || !strings.Contains(html, `id="comparison"`) ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("html export: %d %v", code, h)
	}
	var cmp review.Comparison
	_ = json.Unmarshal([]byte(must(do("GET", "/api/v1/rooms/eve/review?compare=morning", "", ""))), &cmp)
	if cmp.Earlier == nil || cmp.Earlier.Room != "morning" || cmp.Change.GMV != again.Headline.GMV {
		t.Fatalf("comparison = %+v", cmp)
	}

	// Bad input is refused with the field named.
	for _, c := range []struct{ path, field string }{
		{"/api/v1/rooms/eve/review?window=0", "window"},
		{"/api/v1/rooms/eve/review?format=pdf", "format"},
		{"/api/v1/rooms/eve/review?compare=eve", "compare"},
		{"/api/v1/rooms/eve/review?compare=nosuch", "compare"},
	} {
		code, body, _ := do("GET", c.path, "", "")
		if code/100 != 4 || !strings.Contains(body, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want a 4xx naming %s", c.path, code, body, c.field)
		}
	}
	if code, _, _ := do("GET", "/api/v1/rooms/nosuch/review", "", ""); code != http.StatusNotFound {
		t.Errorf("review of an unknown room: %d, want 404", code)
	}
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
