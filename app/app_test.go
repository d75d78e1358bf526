package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/server"
)

// startApp runs the whole app in-process against a real redis-server.
func startApp(t *testing.T) (*App, context.CancelFunc, chan error) {
	t.Helper()
	return startAppWith(t, nil)
}

// startAppWith is startApp with a change to the configuration.
func startAppWith(t *testing.T, change func(*Config)) (*App, context.CancelFunc, chan error) {
	t.Helper()
	srv := redistest.Start(t)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := Config{RedisURL: srv.URL(), Instance: "t1", Server: server.Config{Addr: "127.0.0.1:0"}}
	if change != nil {
		change(&cfg)
	}
	cfg.Auth.AdminToken = testToken
	// Tests fire hundreds of requests a second from one address.
	cfg.Auth.Limits.APIPerIP = redis_rate.PerSecond(100000)
	cfg.Auth.Limits.IngestPerCred = redis_rate.PerSecond(100000)
	a, err := New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	return a, cancel, done
}

// testToken is the bootstrap admin token of the apps these tests start.
const testToken = "test-admin-token-0123456789abcdef0123456789"

// authed sends req with the admin token.
func authed(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+testToken)
	return http.DefaultClient.Do(req)
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	resp, err := authed(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestAppServesHealthMetricsAndRooms(t *testing.T) {
	a, _, _ := startApp(t)
	base := "http://" + a.Addr()
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}

	ctx := context.Background()
	if err := a.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	fctx, stop := context.WithCancel(ctx)
	go a.Simulate(fctx, 500)
	deadline := time.Now().Add(20 * time.Second)
	var snap livedeck.Snapshot
	for time.Now().Before(deadline) {
		_, body := get(t, base+"/api/v1/rooms/demo-beauty/metrics")
		_ = json.Unmarshal(body, &snap)
		if snap.Seq > 20 && snap.Online > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if snap.Seq <= 20 || snap.Online == 0 || snap.UV == 0 {
		t.Fatalf("metrics did not move: %+v", snap)
	}
	code, body := get(t, base+"/api/v1/rooms")
	var rooms []map[string]any
	if code != 200 || json.Unmarshal(body, &rooms) != nil || len(rooms) != 2 {
		t.Fatalf("rooms list %d %s", code, body)
	}
	if code, body := get(t, base+"/api/v1/rooms/nope/metrics"); code != 404 || !strings.Contains(string(body), `"field":"room"`) {
		t.Fatalf("unknown room: %d %s", code, body)
	}
	if code, _ := get(t, base+"/api/v1/rooms/demo-beauty/series?metric=online&step=1s"); code != 200 {
		t.Fatalf("series %d", code)
	}
	if code, body := get(t, base+"/api/v1/rooms/demo-beauty/series?metric=online&step=5s"); code != 400 || !strings.Contains(string(body), `"field":"step"`) {
		t.Fatalf("bad step: %d %s", code, body)
	}

	// /metrics passes promtool, the Prometheus project's own linter.
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{"go_goroutines", "livedeck_http_requests_total", "livedeck_live_events_folded_total"} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not on PATH (make test installs it: scripts/deps.sh)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(metrics)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestGracefulShutdown(t *testing.T) {
	a, cancel, done := startApp(t)
	if code, _ := get(t, "http://"+a.Addr()+"/readyz"); code != 200 {
		t.Fatal("not ready")
	}
	cancel()
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not shut down within 10 s")
	}
	if _, err := http.Get("http://" + a.Addr() + "/healthz"); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string
	}{
		{"empty", "", "no Redis"},
		{"scheme", "http://127.0.0.1:6379", "scheme must be"},
		{"unreachable", "redis://127.0.0.1:1", "unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), Config{RedisURL: tc.url, Server: server.Config{Addr: "127.0.0.1:0"}}, slog.Default())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestIngestToMetrics goes through the public API only: create a room, post
// events (one duplicate, one bad), read the folded numbers back.
func TestIngestToMetrics(t *testing.T) {
	a, _, _ := startApp(t)
	base := "http://" + a.Addr()
	post := func(path, ctype, body string) (int, string) {
		code, b, _ := call(t, http.MethodPost, base+path, ctype, body)
		return code, b
	}
	code, body := post("/api/v1/rooms", "application/json",
		`{"id":"show1","title":"秋冬上新","currency":"CNY","products":[{"sku":"coat","name":"大衣","price":89900,"stock":10}]}`)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create room: %d %s", code, body)
	}
	now := time.Now().UnixMilli()
	events := strings.Join([]string{
		`{"id":"1","type":"viewers","ts":` + itoa(now) + `,"online":520}`,
		`{"id":"2","type":"comment","ts":` + itoa(now) + `,"user_id":"u1","nickname":"小红","text":"想要"}`,
		`{"id":"3","type":"order","ts":` + itoa(now) + `,"user_id":"u1","order_id":"o1","sku":"coat","qty":1,"amount":89900,"status":"paid"}`,
		`{"id":"3b","type":"order","ts":` + itoa(now) + `,"user_id":"u1","order_id":"o1","sku":"coat","qty":1,"amount":89900,"status":"paid"}`,
		`{"id":"4","type":"order","ts":` + itoa(now) + `,"user_id":"u1","order_id":"o2","sku":"coat","qty":1,"amount":899.5,"status":"paid"}`,
	}, "\n")
	code, body = post("/api/v1/rooms/show1/events", "application/x-ndjson", events)
	var res struct {
		Accepted   int `json:"accepted"`
		Duplicates int `json:"duplicates"`
		Rejected   []struct {
			Index int    `json:"index"`
			Field string `json:"field"`
		} `json:"rejected"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 {
		t.Fatalf("post events: %d %s", code, body)
	}
	if res.Accepted != 3 || res.Duplicates != 1 || len(res.Rejected) != 1 || res.Rejected[0].Index != 4 || res.Rejected[0].Field != "amount" {
		t.Fatalf("ingest result = %s", body)
	}
	deadline := time.Now().Add(10 * time.Second)
	var snap livedeck.Snapshot
	for time.Now().Before(deadline) {
		_, b := get(t, base+"/api/v1/rooms/show1/metrics")
		_ = json.Unmarshal(b, &snap)
		if snap.Seq >= 3 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if snap.Online != 520 || snap.GMV != 89900 || snap.OrdersPaid != 1 || snap.IntentPerMin != 1 || snap.SKUs["coat"].Stock != 9 {
		t.Fatalf("snapshot after ingest = %+v", snap)
	}
}

// call sends an authenticated request and returns status, body and headers.
func call(t *testing.T, method, url, ctype, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := authed(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
