package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shopSpec is the mapping of a made-up shop's order webhook, as an admin
// types it into the connector page (YAML). amountLine is its line of the
// amount expression.
const shopSpec = `messages: msg.events
id: msg.event_id
kind: msg.topic
rules:
  - when: msg.topic in ['order.created', 'order.paid']
    type: order
    fields:
      order_id: msg.order.no
      user_id: msg.order.buyer
      sku: msg.order.product
      qty: msg.order.qty
      amount: minor(msg.order.total, currency)
      status: trimPrefix(msg.topic, 'order.')
`

const amountLine = 12

// shopPayload: a paid order of product p-100 for ¥199.00, and a cart
// update the mapping has no rule for.
const shopPayload = `{"events":[
  {"event_id":"ev1","topic":"order.paid","order":{"no":"A1","buyer":"c9","product":"p-100","qty":1,"total":"199.00"}},
  {"event_id":"ev2","topic":"cart.updated","cart":{"items":3}}]}`

// setValue types a whole value into an input, textarea or select the way
// a user's edit ends: the value set, then input and change events.
func setValue(t *testing.T, ctx context.Context, testid, value string) {
	t.Helper()
	v, _ := json.Marshal(value)
	js := fmt.Sprintf(`(() => { const el = document.querySelector('[data-testid=%q]'); if (!el) return false;
		el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true })()`, testid, v)
	if ok, err := get(ctx, 5*time.Second, chromedp.Evaluate[bool](js)); err != nil || !ok {
		t.Fatalf("set %s: %v (found %v)", testid, err, ok)
	}
}

func click(t *testing.T, ctx context.Context, testid string) {
	t.Helper()
	if err := do(ctx, 10*time.Second, chromedp.Click(sel(testid))); err != nil {
		screenshot(t, ctx, "failed-click-"+testid)
		t.Fatalf("click %s: %v", testid, err)
	}
}

func valueOf(testid string) string {
	return fmt.Sprintf(`(document.querySelector('[data-testid=%q]')||{}).value||''`, testid)
}

// TestConnectorAdminPage: an admin adds a connector for a made-up shop's
// webhook in the console, sees the URL to paste into the shop (and that
// it works), tries a sample and sees the events it would produce, and a
// broken mapping is refused with the problem marked at its line.
func TestConnectorAdminPage(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/connectors?room=demo-beauty", "demo-admin", st.Logins["demo-admin"], "connectors-view")
	waitText(t, ctx, `Array.from(document.querySelectorAll('[data-testid="cx-format"] option')).map(o => o.value).join(',')`,
		10*time.Second, func(s string) bool { return strings.Contains(s, "mapping") && strings.Contains(s, "shopify") })
	if n := waitText(t, ctx, `document.querySelector('[data-testid="nav-connectors"]') ? 'yes' : 'no'`, time.Second, func(string) bool { return true }); n != "yes" {
		t.Fatal("an admin sees no Connectors link in the navigation")
	}

	// A broken amount expression: refused, and marked at its line.
	setValue(t, ctx, "cx-format", "mapping")
	setValue(t, ctx, "cx-source", "myshop")
	setValue(t, ctx, "cx-products", "p-100 = lipstick-01")
	setValue(t, ctx, "cx-currency", "CNY")
	setValue(t, ctx, "cx-mapping", strings.Replace(shopSpec, "minor(msg.order.total, currency)", "minor(msg.order.total, currency", 1))
	click(t, ctx, "cx-save")
	line := waitText(t, ctx, `(document.querySelector('[data-testid="cx-mapping-problem"]')||{dataset:{}}).dataset.line||''`, 10*time.Second, func(s string) bool { return s != "" })
	if line != fmt.Sprint(amountLine) {
		t.Fatalf("the amount problem is marked at line %s, want %d: %q", line, amountLine, waitText(t, ctx, textOf("cx-mapping-problems"), time.Second, func(string) bool { return true }))
	}
	if code, _ := st.api(t, "GET", "/api/v1/rooms/demo-beauty/connectors/myshop", "", ""); code != 404 {
		t.Fatalf("a refused connector was saved: GET answers %d", code)
	}

	// Fixed: saved, and the URL to paste into the shop is shown on this origin.
	setValue(t, ctx, "cx-mapping", shopSpec)
	click(t, ctx, "cx-save")
	url := waitText(t, ctx, valueOf("cx-url"), 10*time.Second, func(s string) bool { return s != "" })
	if !strings.HasPrefix(url, st.URL+"/api/v1/rooms/demo-beauty/events?") || !strings.Contains(url, "source=myshop") {
		t.Fatalf("URL to paste %q: want an absolute ingest URL on %s naming source myshop", url, st.URL)
	}
	waitText(t, ctx, `document.querySelectorAll('[data-testid="cx-row"][data-source="myshop"]').length + ''`, 10*time.Second, func(s string) bool { return s == "1" })

	// A sample tried: an order event with the SKU mapped and the money exact, the cart update ignored.
	setValue(t, ctx, "cx-try-sample", shopPayload)
	click(t, ctx, "cx-try-send")
	outcomes := waitText(t, ctx, `Array.from(document.querySelectorAll('[data-testid="cx-try-message"]')).map(m => m.dataset.outcome).join(',')`,
		10*time.Second, func(s string) bool { return s != "" })
	if outcomes != "events,ignored" {
		t.Fatalf("tried messages: %q, want events,ignored", outcomes)
	}
	events := waitText(t, ctx, textOf("cx-try-events"), time.Second, func(string) bool { return true })
	for _, want := range []string{`"type":"order"`, `"sku":"lipstick-01"`, `"amount":19900`, `"status":"paid"`} {
		if !strings.Contains(events, want) {
			t.Fatalf("tried events %s lack %s", events, want)
		}
	}
	// Trying stored nothing; the URL shown is the one that works.
	if code, body := st.api(t, "GET", "/api/v1/rooms/demo-beauty/connectors/myshop", "", ""); code != 200 || !strings.Contains(body, `"accepted":0`) {
		t.Fatalf("after a try: %d %s", code, body)
	}
	code, body := post(t, url, "Bearer "+adminToken, nil, shopPayload)
	if code != 200 || !strings.Contains(body, `"accepted":1`) || !strings.Contains(body, `"ignored":1`) {
		t.Fatalf("the shown URL answers %d %s", code, body)
	}
	if _, err := get(ctx, 5*time.Second, chromedp.Evaluate[bool](`(window.scrollTo(0, 0), true)`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "connectors")
}

// post sends body to an absolute URL with an Authorization (if any) and headers.
func post(t *testing.T, url, authz string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sourceRowJS reads one source row of the dashboard's sources panel as
// platform|age|rate|signature failures|unmapped.
func sourceRowJS(source string) string {
	return fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid="source-row"][data-source=%q]'); if (!r) return '';
		const f = (id) => (r.querySelector('[data-testid="' + id + '"]')||{}).textContent||'';
		return [f('source-platform'), f('source-age'), f('source-rate'), f('source-sig'), f('source-unmapped')].join('|') })()`, source)
}

// TestSourcesPanelShowsConnectors: traffic through ?format= reaches two
// connectors of a room; the operator's sources panel shows each by
// platform with its last message, rate, signature failures and the
// messages it ignored or dead-lettered.
func TestSourcesPanelShowsConnectors(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	specJSON, _ := json.Marshal(map[string]any{"format": "mapping", "products": map[string]string{"p-100": "lipstick-01"}, "mapping": shopSpecObject(t)})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/connectors/myshop", "application/json", string(specJSON)); code != 200 {
		t.Fatalf("put mapping connector: %d %s", code, body)
	}
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/connectors/shop", "application/json", `{"format":"shopify","secret":"shpss_e2e_secret"}`); code != 200 {
		t.Fatalf("put shopify connector: %d %s", code, body)
	}
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/operator?rooms=demo-beauty", "demo-operator", st.Logins["demo-operator"], "operator-view")
	// Saved connectors show before any traffic, waiting for a first message.
	waitText(t, ctx, sourceRowJS("shop"), 15*time.Second, func(s string) bool { return strings.HasPrefix(s, "Shopify|no message yet|") })

	// The shop's webhook: an order, a topic the mapping ignores, and a
	// total it cannot read (a dead letter).
	payload := strings.Replace(shopPayload, `]}`, `,
  {"event_id":"ev3","topic":"order.paid","order":{"no":"A2","buyer":"c7","product":"p-100","qty":1,"total":{"amount":"59.00"}}}]}`, 1)
	code, body := post(t, st.URL+"/api/v1/rooms/demo-beauty/events?format=mapping&source=myshop", "Bearer "+adminToken, nil, payload)
	if code != 200 || !strings.Contains(body, `"dead_lettered":1`) {
		t.Fatalf("shop webhook: %d %s", code, body)
	}
	// Shopify with a signature made with another secret: refused and counted, twice.
	for i := 0; i < 2; i++ {
		code, body = post(t, st.URL+"/api/v1/rooms/demo-beauty/events?source=shop", "", map[string]string{
			"X-Shopify-Topic": "orders/paid", "X-Shopify-Hmac-Sha256": "bm90IHRoZSByaWdodCBzaWduYXR1cmUAAAAAAAAAAAA=",
		}, `{"id":5500000000001,"currency":"CNY","line_items":[]}`)
		if code != 401 {
			t.Fatalf("bad Shopify signature: %d %s", code, body)
		}
	}

	myshop := waitText(t, ctx, sourceRowJS("myshop"), 20*time.Second, func(s string) bool {
		return strings.HasPrefix(s, "Custom webhook|") && strings.Contains(s, "|signature failures: 0|ignored: 1 · dead letters: 1")
	})
	f := strings.Split(myshop, "|")
	if !strings.HasSuffix(f[1], "s ago") || f[2] != "3/min" {
		t.Fatalf("myshop row %q: want a last message seconds ago and 3 messages a minute", myshop)
	}
	shop := waitText(t, ctx, sourceRowJS("shop"), 20*time.Second, func(s string) bool { return strings.Contains(s, "|signature failures: 2|") })
	t.Logf("sources panel: myshop %q; shop %q", myshop, shop)
	if alert := waitText(t, ctx, `document.querySelector('[data-source="shop"] [data-testid="source-sig"]').dataset.alert`, time.Second, func(string) bool { return true }); alert != "1" {
		t.Fatalf("signature failures are not marked: data-alert=%q", alert)
	}
	screenshot(t, ctx, "operator-sources")

	// In Chinese too.
	if _, err := get(ctx, 5*time.Second, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('[data-testid="lang-switch"]'); s.value = 'zh-CN'; s.dispatchEvent(new Event('change')); return true })()`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, sourceRowJS("myshop"), 15*time.Second, func(s string) bool {
		return strings.HasPrefix(s, "自定义 Webhook|") && strings.Contains(s, "签名失败 0 次|忽略 1 条 · 死信 1 条")
	})
	waitText(t, ctx, sourceRowJS("shop"), 5*time.Second, func(s string) bool { return strings.Contains(s, "签名失败 2 次") })
}

// shopSpecObject is shopSpec as an object, for the API.
func shopSpecObject(t *testing.T) map[string]any {
	t.Helper()
	return map[string]any{
		"messages": "msg.events", "id": "msg.event_id", "kind": "msg.topic",
		"rules": []map[string]any{{
			"when": "msg.topic in ['order.created', 'order.paid']", "type": "order",
			"fields": map[string]string{
				"order_id": "msg.order.no", "user_id": "msg.order.buyer", "sku": "msg.order.product", "qty": "msg.order.qty",
				"amount": "minor(msg.order.total, currency)", "status": "trimPrefix(msg.topic, 'order.')",
			},
		}},
	}
}
