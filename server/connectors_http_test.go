package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/auth"
)

// readHeaders reads a fixture's "Name: value" header lines.
func readHeaders(t *testing.T, path string) http.Header {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return h
}

// shopifyFixture is a recorded-shape Shopify orders/create body (two line
// items) from the adapter's fixtures.
func shopifyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../ingest/connector/testdata/shopify/orders-create.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func shopifyHeader(secret, body string) http.Header {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return http.Header{"X-Shopify-Topic": {"orders/create"}, "Content-Type": {"application/json"},
		"X-Shopify-Hmac-Sha256": {base64.StdEncoding.EncodeToString(m.Sum(nil))}}
}

type deliveryAnswer struct {
	Accepted, Duplicates, Ignored int
	DeadLettered                  int `json:"dead_lettered"`
	Rejected                      []struct {
		Index         int
		Field, Reason string
		MessageID     string `json:"message_id"`
		Kind          string
	}
}

func (f *authFixture) stats(t *testing.T, room, source string) map[string]float64 {
	t.Helper()
	rec := f.do(request{method: "GET", path: "/api/v1/rooms/" + room + "/connectors/" + source, header: bearer(f.admin)})
	var c struct{ Stats map[string]any }
	decodeJSONTest(t, rec.Body.Bytes(), &c)
	out := map[string]float64{}
	for k, v := range c.Stats {
		if n, ok := v.(float64); ok {
			out[k] = n
		}
	}
	return out
}

// TestSignedPlatformDelivery: a Shopify webhook authenticates by its HMAC
// with the source's secret and nothing else; a failure is 401 and counted;
// a replayed delivery counts once; a rotated secret keeps verifying for
// the overlap; secrets are never returned.
func TestSignedPlatformDelivery(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	put := func(body string) *httptest.ResponseRecorder {
		return f.do(request{method: "PUT", path: "/api/v1/rooms/a/connectors/shop", body: body, header: jsonHeader(bearer(f.admin))})
	}
	if rec := put(`{"format":"shopify","secret":"hush-one"}`); rec.Code != 200 || strings.Contains(rec.Body.String(), "hush") || !strings.Contains(rec.Body.String(), `"has_secret":true`) {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	body := shopifyFixture(t)
	post := func(h http.Header) *httptest.ResponseRecorder {
		return f.do(request{method: "POST", path: "/api/v1/rooms/a/events?source=shop", body: body, header: h})
	}
	var ans deliveryAnswer
	rec := post(shopifyHeader("hush-one", body))
	if decodeJSONTest(t, rec.Body.Bytes(), &ans); rec.Code != 200 || ans.Accepted != 2 || ans.Duplicates != 0 {
		t.Fatalf("signed delivery: %d %s", rec.Code, rec.Body)
	}
	rec = post(shopifyHeader("hush-one", body)) // Shopify redelivers the same signed body
	if decodeJSONTest(t, rec.Body.Bytes(), &ans); rec.Code != 200 || ans.Accepted != 0 || ans.Duplicates != 2 {
		t.Fatalf("replayed delivery: %d %s", rec.Code, rec.Body)
	}
	for name, h := range map[string]http.Header{
		"wrong secret":          shopifyHeader("guess", body),
		"unsigned":              {"X-Shopify-Topic": {"orders/create"}},
		"admin token, unsigned": bearer(f.admin),
		"signature of another":  shopifyHeader("hush-one", body+" "),
	} {
		if rec := post(h); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, rec.Code, rec.Body)
		}
	}
	st := f.stats(t, "a", "shop")
	if st["signature_failures"] != 4 || st["accepted"] != 2 || st["duplicates"] != 2 || st["messages"] != 2 {
		t.Fatalf("stats %v", st)
	}
	metrics := f.do(request{method: "GET", path: "/metrics"}).Body.String()
	if !strings.Contains(metrics, `livedeck_connector_signature_failures_total{format="shopify"} 4`) {
		t.Errorf("no signature failure counter of 4 in /metrics")
	}

	// Rotation: the new secret verifies, and so does the old one for an hour.
	if rec := put(`{"format":"shopify","secret":"hush-two"}`); rec.Code != 200 {
		t.Fatalf("rotate: %d %s", rec.Code, rec.Body)
	}
	for _, secret := range []string{"hush-two", "hush-one"} {
		if rec := post(shopifyHeader(secret, body)); rec.Code != 200 {
			t.Errorf("signed with %s after rotation: %d %s", secret, rec.Code, rec.Body)
		}
	}

	// Secrets never leave the server; a generated one is shown once.
	rec = f.do(request{method: "PUT", path: "/api/v1/rooms/a/connectors/dd", body: `{"format":"doudian","generate_secret":true}`, header: jsonHeader(bearer(f.admin))})
	var gen struct{ Secret string }
	if decodeJSONTest(t, rec.Body.Bytes(), &gen); rec.Code != 200 || !strings.HasPrefix(gen.Secret, "ldc_") {
		t.Fatalf("generate: %d %s", rec.Code, rec.Body)
	}
	for _, p := range []string{"/api/v1/rooms/a/connectors", "/api/v1/rooms/a/connectors/dd", "/api/v1/rooms/a/connectors/shop"} {
		got := f.do(request{method: "GET", path: p, header: bearer(f.admin)}).Body.String()
		for _, secret := range []string{"hush-one", "hush-two", gen.Secret} {
			if strings.Contains(got, secret) {
				t.Errorf("GET %s shows a secret: %s", p, got)
			}
		}
	}
	audit := f.do(request{method: "GET", path: "/api/v1/audit", header: bearer(f.admin)}).Body.String()
	if strings.Count(audit, "connector.put") != 3 || strings.Contains(audit, "hush") {
		t.Errorf("audit log: %s", audit)
	}
}

// TestDoudianReply: 抖店 gets the answer it expects, not LiveDeck's result.
func TestDoudianReply(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	body, err := os.ReadFile("../ingest/connector/testdata/doudian/orders.json")
	if err != nil {
		t.Fatal(err)
	}
	hdr := readHeaders(t, "../ingest/connector/testdata/doudian/orders.headers")
	// The fixtures' README names the test secret the signatures were computed with.
	if rec := f.do(request{method: "PUT", path: "/api/v1/rooms/a/connectors/dd", body: `{"format":"doudian","secret":"test-app-secret"}`, header: jsonHeader(bearer(f.admin))}); rec.Code != 200 {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	rec := f.do(request{method: "POST", path: "/api/v1/rooms/a/events?source=dd", body: string(body), header: hdr})
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"code":0,"msg":"success"}` {
		t.Fatalf("doudian delivery: %d %s", rec.Code, rec.Body)
	}
	if st := f.stats(t, "a", "dd"); st["accepted"] == 0 {
		t.Fatalf("nothing accepted: %v", st)
	}
}

// TestConnectorSocketAndIgnored: the ingest websocket takes a format too;
// messages of kinds LiveDeck does not use are counted as ignored; signed
// formats are refused on the socket.
func TestConnectorSocketAndIgnored(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	spec := `{"format":"mapping","mapping":{"id":"msg.id","kind":"msg.t","rules":[{"when":"msg.t == 'like'","type":"like","fields":{"user_id":"msg.u","count":"msg.n"}}]}}`
	if rec := f.do(request{method: "PUT", path: "/api/v1/rooms/a/connectors/m1", body: spec, header: jsonHeader(bearer(f.admin))}); rec.Code != 200 {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	ws := "ws" + strings.TrimPrefix(f.hs.URL, "http") + "/api/v1/rooms/a/ingest?source=m1"
	conn, _, err := websocket.DefaultDialer.Dial(ws, bearer(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := `[{"id":1,"t":"like","u":"v1","n":3},{"id":2,"t":"gift_panel_open"},{"id":3,"t":"like","u":"v2","n":0.5}]`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	var ack struct {
		Seq               int64
		Accepted, Ignored int
		DeadLettered      int `json:"dead_lettered"`
		Error             *errorDetail
	}
	if err := conn.ReadJSON(&ack); err != nil || ack.Accepted != 1 || ack.Ignored != 1 || ack.DeadLettered != 1 || ack.Error != nil {
		t.Fatalf("ack %+v, %v", ack, err)
	}
	st := f.stats(t, "a", "m1")
	if st["ignored"] != 1 || st["dead_letters"] != 1 || st["messages"] != 3 || st["per_min"] != 3 {
		t.Fatalf("stats %v", st)
	}
	dl := f.do(request{method: "GET", path: "/api/v1/rooms/a/dead-letters?source=m1", header: bearer(f.admin)}).Body.String()
	if !strings.Contains(dl, `"message_id":"3"`) || !strings.Contains(dl, "fields.count") {
		t.Fatalf("dead letters %s", dl)
	}

	// Signed formats come by POST from their platform, never on the socket.
	_, resp, err := websocket.DefaultDialer.Dial(strings.Replace(ws, "source=m1", "format=shopify", 1), bearer(f.admin))
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("signed format on the socket: %v %v", resp, err)
	}
}
