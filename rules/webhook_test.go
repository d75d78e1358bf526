package rules

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// loopback allows the test receivers, which listen on 127.0.0.1.
var loopback = AddrPolicy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

// fastHooks delivers soon and gives up soon.
func fastHooks(p AddrPolicy) WebhookConfig {
	return WebhookConfig{Policy: p, Timeout: 2 * time.Second, Tries: 3, Backoff: 10 * time.Millisecond, Lease: 4 * time.Second, Poll: 20 * time.Millisecond}
}

func hookService(t *testing.T, rdb redis.UniversalClient, cfg WebhookConfig) (*Service, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	return NewService(rdb, EngineConfig{Webhooks: cfg}, NewMetrics(reg)), reg
}

// runEngine starts svc's engine (webhook delivery) until the returned stop.
func runEngine(svc *Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Engine.Run(ctx) }()
	return func() { cancel(); <-done }
}

// receiver is a shop endpoint that records requests and de-duplicates by
// delivery id, answering with status(n) for the n-th request (1-based).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []*http.Request
	bodies []string
	seen   map[string]int // delivery id → requests answered 2xx
}

func newReceiver(t *testing.T, status func(n int, r *http.Request) int) *receiver {
	rc := &receiver{seen: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls, rc.bodies = append(rc.calls, r), append(rc.bodies, string(b))
		n := len(rc.calls)
		rc.mu.Unlock()
		code := status(n, r)
		if code < 300 {
			rc.mu.Lock()
			rc.seen[r.Header.Get(HeaderDelivery)]++
			rc.mu.Unlock()
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.calls)
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fire(t *testing.T, svc *Service, room string) {
	t.Helper()
	if err := svc.Engine.evaluate(context.Background(), livedeck.Update{Room: room, Now: time.Now().UnixMilli(), Snapshot: livedeck.Snapshot{Online: 600}}); err != nil {
		t.Fatal(err)
	}
}

func alerts(t *testing.T, svc *Service, room string) []string {
	h, err := svc.Store.History(context.Background(), room, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range h {
		if s.Alert != nil {
			out = append(out, s.Alert.Message)
		}
	}
	return out
}

func createSecret(t *testing.T, svc *Service, name, value string) {
	t.Helper()
	if _, err := svc.Secrets.Create(context.Background(), name, value); err != nil {
		t.Fatal(err)
	}
}

// TestWebhook delivers a firing to a shop endpoint that fails once: it is
// retried with the same delivery id and idempotency key and a valid HMAC
// signature made with the named secret; an endpoint that never answers 2xx
// raises an operator alert that names a short code, not the address.
func TestWebhook(t *testing.T) {
	shop := newReceiver(t, func(n int, _ *http.Request) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	dead := newReceiver(t, func(int, *http.Request) int { return http.StatusInternalServerError })
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	svc, reg := hookService(t, rdb, fastHooks(loopback))
	defer runEngine(svc)()
	const key = "0123456789abcdef-shop-key"
	createSecret(t, svc, "shop-hook", key)
	plan := "rules:\n- name: shop\n  when: online >= 500\n  actions: [{webhook: {url: " + shop.URL + ", secret: shop-hook}}]\n" +
		"- name: broken\n  when: online >= 500\n  actions: [{webhook: {url: " + dead.URL + "}}]\n"
	if _, _, err := svc.Put(ctx, "w", []byte(plan), "test", ""); err != nil {
		t.Fatal(err)
	}
	fire(t, svc, "w")
	waitFor(t, "a failure then a success", 10*time.Second, func() bool { return shop.count() >= 2 })
	shop.mu.Lock()
	first, second, body := shop.calls[0], shop.calls[1], shop.bodies[1]
	shop.mu.Unlock()
	if k := first.Header.Get("Idempotency-Key"); k == "" || k != second.Header.Get("Idempotency-Key") {
		t.Errorf("idempotency keys %q and %q", k, second.Header.Get("Idempotency-Key"))
	}
	if id := first.Header.Get(HeaderDelivery); id == "" || id != second.Header.Get(HeaderDelivery) {
		t.Errorf("delivery ids %q and %q, want one stable id", id, second.Header.Get(HeaderDelivery))
	}
	if a := second.Header.Get(HeaderAttempt); a != "2" {
		t.Errorf("second attempt says attempt %q", a)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(second.Header.Get("X-LiveDeck-Timestamp") + "." + body))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); second.Header.Get("X-LiveDeck-Signature") != want {
		t.Errorf("signature %q, want %q", second.Header.Get("X-LiveDeck-Signature"), want)
	}
	// The endpoint that always fails: after its tries, an alert with a
	// code and no address, and the failed metric.
	var msg string
	waitFor(t, "the failing webhook's alert", 10*time.Second, func() bool {
		for _, m := range alerts(t, svc, "w") {
			if strings.Contains(m, `"broken"`) {
				msg = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(msg, "http 500") || strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, dead.URL) {
		t.Errorf("alert %q: want the code http 500 and no address", msg)
	}
	if n := dead.count(); n != 3 {
		t.Errorf("failing endpoint called %d times, want the 3 tries", n)
	}
	if got := counter(t, reg, "livedeck_rules_webhooks_total", "failed"); got != 1 {
		t.Errorf("webhooks_total{result=failed} = %v, want 1", got)
	}
}

// counter is the value of a counter of reg with the label value given.
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
