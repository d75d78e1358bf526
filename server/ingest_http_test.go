package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// ingestServer serves the routes over loopback HTTP with an ingest service
// on the Redis at url.
func ingestServer(t testing.TB, url string, cfg ingest.Config) (*httptest.Server, *ingest.Service) {
	t.Helper()
	rdb, err := redisx.Open(url, redisx.Options{ReadTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	reg := prometheus.NewRegistry()
	svc, err := ingest.New(rdb, reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{}, Deps{Redis: rdb, Registry: reg, Ingest: svc})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(specChecked(t, srv.Handler()))
	t.Cleanup(hs.Close)
	return hs, svc
}

// call sends one request and decodes a JSON answer into out (if not nil).
func call(t testing.TB, method, url, ctype, body string, out any) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp
}

const roomJSON = `{"id":"r1","title":"美妆专场","currency":"CNY","products":[{"sku":"A","name":"口红","price":19900,"stock":300}]}`

func TestIngestHTTP(t *testing.T) {
	hs, _ := ingestServer(t, redistest.Start(t).URL(), ingest.Config{MaxBodyBytes: 64 << 10, MaxBatchEvents: 100})
	if r := call(t, "POST", hs.URL+"/api/v1/rooms", "application/json", roomJSON, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("create room: %d", r.StatusCode)
	}
	events := hs.URL + "/api/v1/rooms/r1/events"
	like := `{"id":"l1","type":"like","ts":1732280000000}`
	cases := []struct {
		name, url, ctype, body string
		status                 int
		want                   ingest.Result
	}{
		{"array", events, "application/json", "[" + like + `,{"id":"o","type":"order","ts":1,"amount":1.5}]`, 200,
			ingest.Result{Accepted: 1, Rejected: []ingest.Rejection{{Index: 1, Field: "amount"}}}},
		{"retry counts once", events, "application/json", "[" + like + "]", 200, ingest.Result{Duplicates: 1}},
		{"ndjson with source", events + "?source=webhook", "application/x-ndjson", `{"id":"n1","type":"share","ts":1732280000000,"user_id":"u"}` + "\n" + `{"id":"n2","type":"follow","ts":1732280000000,"user_id":"u"}` + "\n", 200,
			ingest.Result{Accepted: 2}},
		{"not JSON", events, "application/json", "<html>", 400, ingest.Result{}},
		{"bad source", events + "?source=a%20b", "application/json", "[]", 400, ingest.Result{}},
		{"unknown room", hs.URL + "/api/v1/rooms/nope/events", "application/json", "[" + like + "]", 404, ingest.Result{}},
		{"too many events", events, "application/json", "[" + strings.Repeat(like+",", 100) + like + "]", 413, ingest.Result{}},
		{"too many bytes", events, "application/json", "[" + strings.Repeat(" ", 64<<10) + "]", 413, ingest.Result{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got struct {
				ingest.Result
				Error *errorDetail `json:"error"`
			}
			r := call(t, "POST", c.url, c.ctype, c.body, &got)
			if r.StatusCode != c.status {
				t.Fatalf("status %d, want %d (%+v)", r.StatusCode, c.status, got.Error)
			}
			if c.status != 200 {
				if got.Error == nil || got.Error.Message == "" {
					t.Errorf("error body without a message: %+v", got)
				}
				return
			}
			if got.Accepted != c.want.Accepted || got.Duplicates != c.want.Duplicates || len(got.Rejected) != len(c.want.Rejected) {
				t.Fatalf("result %+v, want %+v", got.Result, c.want)
			}
			if got.Rejected == nil {
				t.Error("rejected is null, want []")
			}
			for i, w := range c.want.Rejected {
				if g := got.Rejected[i]; g.Index != w.Index || g.Field != w.Field || g.Reason == "" {
					t.Errorf("rejection %+v, want index %d field %s with a reason", g, w.Index, w.Field)
				}
			}
		})
	}
}

// TestIngestHTTPOverload holds one batch in a paused Redis so the only slot
// is taken: the next batch gets 429 with Retry-After.
func TestIngestHTTPOverload(t *testing.T) {
	rs := redistest.Start(t)
	hs, svc := ingestServer(t, rs.URL(), ingest.Config{MaxInFlightBatches: 1})
	call(t, "POST", hs.URL+"/api/v1/rooms", "application/json", roomJSON, nil)
	admin := rs.Client(t)
	ctx := context.Background()
	if err := admin.Do(ctx, "CLIENT", "PAUSE", "60000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	held := make(chan int, 1)
	go func() {
		r, err := http.Post(hs.URL+"/api/v1/rooms/r1/events", "application/json", strings.NewReader(`[{"id":"h","type":"like","ts":1732280000000}]`))
		if err != nil {
			held <- 0
			return
		}
		r.Body.Close()
		held <- r.StatusCode
	}()
	for {
		if _, ev := svc.InFlight(); ev > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	r := call(t, "POST", hs.URL+"/api/v1/rooms/r1/events", "application/json", `[{"id":"n","type":"like","ts":1732280000000}]`, nil)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("status %d Retry-After %q, want 429 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if err := admin.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
	if st := <-held; st != http.StatusOK {
		t.Errorf("held batch: status %d, want 200", st)
	}
}

// TestIngestHTTPRedisDown: 503 with Retry-After while Redis is down, then
// the same server ingests again once Redis is back.
func TestIngestHTTPRedisDown(t *testing.T) {
	rs := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	hs, _ := ingestServer(t, rs.URL(), ingest.Config{WriteTimeout: 5 * time.Second})
	call(t, "POST", hs.URL+"/api/v1/rooms", "application/json", roomJSON, nil)
	body := `[{"id":"d","type":"like","ts":1732280000000}]`
	rs.Stop()
	var res ingest.Result
	r := call(t, "POST", hs.URL+"/api/v1/rooms/r1/events", "application/json", body, &res)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || res.Accepted != 0 {
		t.Fatalf("status %d Retry-After %q accepted %d, want 503, a Retry-After, nothing accepted", r.StatusCode, r.Header.Get("Retry-After"), res.Accepted)
	}
	rs.Restart(t)
	r = call(t, "POST", hs.URL+"/api/v1/rooms/r1/events", "application/json", body, &res)
	if r.StatusCode != http.StatusOK || res.Accepted != 1 {
		t.Fatalf("after restart: status %d %+v, want 200 and 1 accepted", r.StatusCode, res)
	}
}

func TestIngestWebsocket(t *testing.T) {
	hs, _ := ingestServer(t, redistest.Start(t).URL(), ingest.Config{})
	call(t, "POST", hs.URL+"/api/v1/rooms", "application/json", roomJSON, nil)
	wsURL := "ws" + strings.TrimPrefix(hs.URL, "http") + "/api/v1/rooms/r1/ingest?source=connector"

	if _, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http")+"/api/v1/rooms/nope/ingest", nil); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Fatalf("unknown room: err %v resp %v, want a 404 before the upgrade", err, resp)
	}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, http.Header{"Origin": {"https://evil.example"}}); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: err %v, want 403", err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	msgs := []struct {
		body               string
		accepted, dups, rj int
		code               string
	}{
		{`[{"id":"w1","type":"like","ts":1732280000000},{"id":"w2","type":"gift","ts":1732280000000,"user_id":"u","gift":"rose","value":0.5}]`, 1, 0, 1, ""},
		{`{"id":"w1","type":"like","ts":1732280000000}`, 0, 1, 0, ""},
		{`not json`, 0, 0, 0, livedeck.EINVALID},
		{`{"id":"w3","type":"enter","ts":"2024-11-22T20:00:00+08:00","user_id":"u"}`, 1, 0, 0, ""},
	}
	for i, m := range msgs {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(m.body)); err != nil {
			t.Fatal(err)
		}
		var ack ingestAck
		if err := ws.ReadJSON(&ack); err != nil {
			t.Fatal(err)
		}
		errCode := ""
		if ack.Error != nil {
			errCode = ack.Error.Code
		}
		if ack.Seq != int64(i+1) || ack.Accepted != m.accepted || ack.Duplicates != m.dups || len(ack.Rejected) != m.rj || errCode != m.code {
			t.Errorf("message %d: ack %+v, want seq %d accepted %d duplicates %d rejected %d error %q", i, ack, i+1, m.accepted, m.dups, m.rj, m.code)
		}
	}
}

func TestRoomHTTP(t *testing.T) {
	hs, _ := ingestServer(t, redistest.Start(t).URL(), ingest.Config{})
	rooms := hs.URL + "/api/v1/rooms"
	steps := []struct {
		name, method, url, body string
		status                  int
		check                   func(livedeck.Room) string
	}{
		{"create", "POST", rooms, roomJSON, 201, func(r livedeck.Room) string {
			return fmt.Sprint(r.ID == "r1" && r.Status == "live" && r.Created > 0)
		}},
		{"create again", "POST", rooms, roomJSON, 409, nil},
		{"float price", "POST", rooms, `{"id":"r2","title":"t","products":[{"sku":"A","name":"a","price":199.9,"stock":1}]}`, 400, nil},
		{"unknown field", "POST", rooms, `{"id":"r2","title":"t","colour":"red"}`, 400, nil},
		{"no title", "POST", rooms, `{"id":"r2"}`, 400, nil},
		{"get", "GET", rooms + "/r1", "", 200, func(r livedeck.Room) string { return fmt.Sprint(r.Title == "美妆专场" && len(r.Products) == 1) }},
		{"get unknown", "GET", rooms + "/nope", "", 404, nil},
		{"patch stock and title", "PATCH", rooms + "/r1", `{"title":"新标题","stock":{"A":5}}`, 200, func(r livedeck.Room) string {
			p, _ := r.Product("A")
			return fmt.Sprint(r.Title == "新标题" && p.Stock == 5)
		}},
		{"patch unknown sku", "PATCH", rooms + "/r1", `{"stock":{"Z":5}}`, 400, nil},
		{"patch negative stock", "PATCH", rooms + "/r1", `{"stock":{"A":-1}}`, 400, nil},
		{"close", "PATCH", rooms + "/r1", `{"status":"closed"}`, 200, func(r livedeck.Room) string { return fmt.Sprint(r.Status == "closed") }},
		{"patch unknown room", "PATCH", rooms + "/nope", `{"title":"x"}`, 404, nil},
	}
	for _, st := range steps {
		var room livedeck.Room
		r := call(t, st.method, st.url, "application/json", st.body, &room)
		if r.StatusCode != st.status {
			t.Errorf("%s: status %d, want %d", st.name, r.StatusCode, st.status)
			continue
		}
		if st.check != nil {
			if ok := st.check(room); ok != "true" {
				t.Errorf("%s: room %+v fails the check", st.name, room)
			}
		}
	}
}

// TestIngestSimulator runs the simulator against the HTTP routes: rooms are
// created, progress is printed, nothing is rejected.
func TestIngestSimulator(t *testing.T) {
	hs, svc := ingestServer(t, redistest.Start(t).URL(), ingest.Config{})
	var out bytes.Buffer
	st, err := sim.Run(context.Background(), sim.Config{Rooms: 2, Rate: 2000, Duration: 1500 * time.Millisecond, Seed: 1, Duplicates: 0.01}, &sim.HTTPSink{Base: hs.URL}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent.Load() == 0 || st.Rejected.Load() != 0 || st.Failed.Load() != 0 || st.Accepted.Load()+st.Duplicates.Load() != st.Sent.Load() {
		t.Errorf("stats sent %d accepted %d duplicates %d rejected %d failed %d", st.Sent.Load(), st.Accepted.Load(),
			st.Duplicates.Load(), st.Rejected.Load(), st.Failed.Load())
	}
	for _, id := range []string{"sim-1", "sim-2"} {
		if _, err := svc.Rooms().Get(context.Background(), id); err != nil {
			t.Errorf("room %s: %v", id, err)
		}
	}
	if !strings.Contains(out.String(), "done in") {
		t.Errorf("no summary in %q", out.String())
	}
}
