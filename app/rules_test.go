package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// apiClient is a tiny client of the public API for these tests.
type apiClient struct {
	t    *testing.T
	base string
}

func (c apiClient) do(method, path, ctype, body string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := authed(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c apiClient) events(room string, lines ...string) {
	c.t.Helper()
	if code, body := c.do("POST", "/api/v1/rooms/"+room+"/events", "application/x-ndjson", strings.Join(lines, "\n")); code != 200 {
		c.t.Fatalf("events: %d %s", code, body)
	}
}

// eventually polls f until it is true or 15 s pass.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func viewers(id string, n int) string {
	return fmt.Sprintf(`{"id":%q,"type":"viewers","ts":%d,"online":%d}`, id, time.Now().UnixMilli(), n)
}

func history(c apiClient, room string) []livedeck.Signal {
	_, body := c.do("GET", "/api/v1/rooms/"+room+"/rules/history", "", "")
	var h []livedeck.Signal
	_ = json.Unmarshal([]byte(body), &h)
	return h
}

func hasCue(h []livedeck.Signal, text string) bool {
	for _, s := range h {
		if s.Cue != nil && s.Cue.Text == text {
			return true
		}
	}
	return false
}

// TestRulesLive changes a threshold through the API mid-stream: the next
// evaluation uses it; an invalid set is refused precisely and the running
// one keeps working; the tier follows online with hysteresis.
func TestRulesLive(t *testing.T) {
	a, _, _ := startApp(t)
	c := apiClient{t, "http://" + a.Addr()}
	if code, body := c.do("POST", "/api/v1/rooms", "application/json", `{"id":"live1","title":"t","currency":"CNY","products":[{"sku":"A","name":"a","price":19900,"stock":100}]}`); code/100 != 2 {
		t.Fatalf("room: %d %s", code, body)
	}
	plan := func(threshold int) string {
		return fmt.Sprintf(`rules:
- name: big-crowd
  when: online >= %d
  actions: [{cue: {text: "在线{{.Online}}人，上福利"}}]
- name: tier-500
  when: online >= 500
  clear: online < 450
  actions: [{tier: {name: tier-500, coupon: 满199减20, threshold: 19900, discount: 2000}}]
`, threshold)
	}
	if code, body := c.do("PUT", "/api/v1/rooms/live1/rules", "application/yaml", plan(1000)); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	c.events("live1", viewers("v1", 800))
	eventually(t, "tier-500 at 800 online", func() bool {
		_, body := c.do("GET", "/api/v1/rooms/live1/pricing", "", "")
		return strings.Contains(body, `"name":"tier-500"`) && strings.Contains(body, "满199减20")
	})
	if hasCue(history(c, "live1"), "在线800人，上福利") {
		t.Fatal("cue fired below the threshold")
	}

	// A typo is refused with the rule and position; version 1 stays.
	code, body := c.do("PUT", "/api/v1/rooms/live1/rules", "application/yaml", strings.Replace(plan(700), "online >= 700", "onlne >= 700", 1))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"rule":"big-crowd"`) || !strings.Contains(body, `"column":1`) {
		t.Fatalf("invalid rules: %d %s", code, body)
	}
	if _, body := c.do("GET", "/api/v1/rooms/live1/rules", "", ""); !strings.Contains(body, `"version":1`) {
		t.Fatalf("running rules changed: %s", body)
	}

	// Lower the threshold while the show runs: the next evaluation uses it.
	if code, body := c.do("PUT", "/api/v1/rooms/live1/rules", "application/yaml", plan(700)); code != 200 || !strings.Contains(body, `"version":2`) {
		t.Fatalf("put rules v2: %d %s", code, body)
	}
	eventually(t, "the cue at the new threshold", func() bool { return hasCue(history(c, "live1"), "在线800人，上福利") })

	// Hysteresis: 460 keeps the tier, 440 clears it.
	c.events("live1", viewers("v2", 460))
	time.Sleep(300 * time.Millisecond)
	if _, body := c.do("GET", "/api/v1/rooms/live1/pricing", "", ""); !strings.Contains(body, "tier-500") {
		t.Fatalf("tier dropped inside the hysteresis band: %s", body)
	}
	c.events("live1", viewers("v3", 440))
	eventually(t, "tier cleared below 450", func() bool {
		_, body := c.do("GET", "/api/v1/rooms/live1/pricing", "", "")
		return strings.Contains(body, `"tier":null`)
	})
	// Rollback to version 1 is a new version 3 with version 1's source.
	code, body = c.do("POST", "/api/v1/rooms/live1/rules/rollback", "application/json", `{"version":1}`)
	var v struct {
		Version int64  `json:"version"`
		Source  string `json:"source"`
	}
	if json.Unmarshal([]byte(body), &v); code != 200 || v.Version != 3 || !strings.Contains(v.Source, "online >= 1000") {
		t.Fatalf("rollback: %d %s", code, body)
	}
}

// TestFirst50Gifts posts 5,000 paid orders from 20 goroutines, each sent
// twice, under a first-50 free sample rule: exactly 50 gifts, 1 to 50.
func TestFirst50Gifts(t *testing.T) {
	a, _, _ := startApp(t)
	c := apiClient{t, "http://" + a.Addr()}
	c.do("POST", "/api/v1/rooms", "application/json", `{"id":"g1","title":"t","currency":"CNY","products":[{"sku":"A","name":"a","price":100,"stock":100000}]}`)
	if code, body := c.do("PUT", "/api/v1/rooms/g1/rules", "application/yaml",
		"rules:\n- name: sample\n  when: 'true'\n  actions: [{gift: {quota: free-sample, limit: 50}}]\n"); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range 5 {
				var lines []string
				for i := range 50 {
					n := g*250 + batch*50 + i
					lines = append(lines, fmt.Sprintf(`{"id":"p%d","type":"order","ts":%d,"user_id":"u%d","order_id":"o%d","sku":"A","qty":1,"amount":100,"status":"paid"}`, n, time.Now().UnixMilli(), n, n))
				}
				body := strings.Join(lines, "\n")
				for range 2 { // a retried batch: duplicates
					req, _ := http.NewRequest("POST", c.base+"/api/v1/rooms/g1/events", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-ndjson")
					if resp, err := authed(req); err == nil {
						resp.Body.Close()
					}
				}
			}
		}()
	}
	wg.Wait()
	eventually(t, "all 5,000 orders folded", func() bool {
		_, body := c.do("GET", "/api/v1/rooms/g1/metrics", "", "")
		var s livedeck.Snapshot
		_ = json.Unmarshal([]byte(body), &s)
		return s.OrdersPaid == 5000
	})
	time.Sleep(300 * time.Millisecond) // the last evaluation after the fold
	_, body := c.do("GET", "/api/v1/rooms/g1/gifts?quota=free-sample", "", "")
	var gifts []livedeck.Gift
	if err := json.Unmarshal([]byte(body), &gifts); err != nil {
		t.Fatal(err, body)
	}
	seen := map[string]bool{}
	for i, g := range gifts {
		if g.N != int64(i+1) || seen[g.OrderID] {
			t.Fatalf("gift %d: %+v (duplicate order %v)", i, g, seen[g.OrderID])
		}
		seen[g.OrderID] = true
	}
	if len(gifts) != 50 {
		t.Fatalf("%d gifts, want exactly 50", len(gifts))
	}
	code, csvBody := c.do("GET", "/api/v1/rooms/g1/gifts?quota=free-sample&format=csv", "", "")
	if code != 200 || strings.Count(csvBody, "\n") != 51 {
		t.Fatalf("csv: %d, %d lines", code, strings.Count(csvBody, "\n"))
	}
}

// TestIngestStalledAlert: a connector that stops sending viewer counts
// raises the stall alert once its silence passes the rule's limit, and the
// rule clears when counts resume.
func TestIngestStalledAlert(t *testing.T) {
	a, _, _ := startApp(t)
	c := apiClient{t, "http://" + a.Addr()}
	c.do("POST", "/api/v1/rooms", "application/json", `{"id":"st1","title":"t","currency":"CNY","products":[{"sku":"A","name":"a","price":100,"stock":10}]}`)
	if code, body := c.do("PUT", "/api/v1/rooms/st1/rules", "application/yaml",
		"rules:\n- name: connector-stalled\n  when: viewers_age_seconds > 1.5\n  actions: [{alert: {severity: critical, message: \"viewer counts silent for {{printf \\\"%.0f\\\" .ViewersAgeSeconds}} s\"}}]\n"); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	c.events("st1", viewers("s1", 300))
	sent := time.Now()
	eventually(t, "the stall alert", func() bool {
		for _, s := range history(c, "st1") {
			if s.Alert != nil && s.Rule == "connector-stalled" {
				return true
			}
		}
		return false
	})
	if waited := time.Since(sent); waited < 1500*time.Millisecond {
		t.Fatalf("alert after %s of silence, before the 1.5 s limit", waited)
	}
	state := func() string {
		v, _ := a.Redis().HGet(context.Background(), "ld:{st1}:rules:state", "connector-stalled").Result()
		return v
	}
	// The alert is in the history a moment before the rule's state is saved.
	eventually(t, "the rule's state saved as firing", func() bool { return strings.Contains(state(), `"s":"firing"`) })
	c.events("st1", viewers("s2", 310))
	eventually(t, "the rule clearing when counts resume", func() bool { return strings.Contains(state(), `"s":"inactive"`) })
}

// TestGiftRefundCSV: through the HTTP API, a refunded winner of a quota
// with the default policy is revoked and its place refilled by the next
// paid order in line; under on_refund: keep it keeps its place marked
// refunded. The JSON and the CSV export say so, the operator gets one
// alert, and cells an integrator controls cannot run as formulas.
func TestGiftRefundCSV(t *testing.T) {
	a, _, _ := startApp(t)
	c := apiClient{t, "http://" + a.Addr()}
	c.do("POST", "/api/v1/rooms", "application/json", `{"id":"gr","title":"t","currency":"CNY","products":[{"sku":"A","name":"a","price":100,"stock":1000}]}`)
	if code, body := c.do("PUT", "/api/v1/rooms/gr/rules", "application/yaml",
		"rules:\n- name: sample\n  when: 'true'\n  actions:\n  - gift: {quota: sample, limit: 2}\n  - gift: {quota: mirror, limit: 2, on_refund: keep}\n"); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	order := func(id, user, status string) string {
		return fmt.Sprintf(`{"id":"%s-%s","type":"order","ts":%d,"user_id":%q,"order_id":%q,"sku":"A","qty":1,"amount":100,"status":%q}`,
			id, status, time.Now().UnixMilli(), user, id, status)
	}
	// One batch per step: the paid steps arrive in this order.
	c.events("gr", order("o1", "=HYPERLINK(\"http://x\")", "paid"))
	c.events("gr", order("o2", "u2", "paid"))
	c.events("gr", order("@o3", "u3", "paid"))
	eventually(t, "two winners", func() bool { return strings.Count(c.csv("gr", "sample"), "\n") == 3 })
	c.events("gr", order("o1", "=HYPERLINK(\"http://x\")", "refunded"))
	eventually(t, "the refill", func() bool { return strings.Count(c.csv("gr", "sample"), "\n") == 4 })

	rows, err := csv.NewReader(strings.NewReader(c.csv("gr", "sample"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(rows))
	for _, r := range rows {
		if len(r) != 8 {
			t.Fatalf("csv row %q: want 8 columns", r)
		}
		if r[6] != "" && r[6] != "refunded_at" {
			r[6] = "T"
		}
		got = append(got, strings.Join(r, ","))
	}
	want := []string{
		"quota,n,order_id,user_id,sku,status,refunded_at,replaces",
		`sample,1,o1,'=HYPERLINK("http://x"),A,revoked,T,`,
		"sample,1,'@o3,u3,A,won,,o1",
		"sample,2,o2,u2,A,won,,",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sample CSV:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	eventually(t, "the kept winner marked refunded", func() bool { return strings.Contains(c.csv("gr", "mirror"), "refunded") })
	rows, _ = csv.NewReader(strings.NewReader(c.csv("gr", "mirror"))).ReadAll()
	if len(rows) != 3 || rows[1][2] != "o1" || rows[1][5] != "refunded" || rows[2][2] != "o2" || rows[2][5] != "won" {
		t.Errorf("mirror CSV under keep: %q", rows)
	}

	_, body := c.do("GET", "/api/v1/rooms/gr/gifts?quota=sample", "", "")
	var gifts []livedeck.Gift
	if err := json.Unmarshal([]byte(body), &gifts); err != nil {
		t.Fatal(err, body)
	}
	if len(gifts) != 3 || gifts[0].Status != livedeck.GiftRevoked || gifts[0].RefundedAt == 0 || gifts[1].Replaces != "o1" || gifts[1].Status != "" {
		t.Errorf("sample JSON: %s", body)
	}
	alerts := 0
	for _, s := range history(c, "gr") {
		if s.Alert != nil && strings.HasPrefix(s.Alert.Key, "gift-revoked:") {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("%d revocation alerts, want 1 (the kept winner raises none)", alerts)
	}
}

func (c apiClient) csv(room, quota string) string {
	c.t.Helper()
	code, body := c.do("GET", "/api/v1/rooms/"+room+"/gifts?quota="+quota+"&format=csv", "", "")
	if code != 200 {
		c.t.Fatalf("gifts csv: %d %s", code, body)
	}
	return body
}
