package rules

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestWebhook delivers a firing to a shop endpoint that fails once: it is
// retried with the same idempotency key and a valid HMAC signature; an
// endpoint that never answers 2xx raises an operator alert.
func TestWebhook(t *testing.T) {
	var (
		mu     sync.Mutex
		calls  []*http.Request
		bodies []string
	)
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls, bodies = append(calls, r), append(bodies, string(b))
		n := len(calls)
		mu.Unlock()
		if n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer shop.Close()
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer dead.Close()

	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc := NewService(rdb, EngineConfig{}, NewMetrics(prometheus.NewRegistry()))
	svc.Engine.hooks.wait = 10 * time.Millisecond // the same five tries, sooner
	go svc.Engine.Run(ctx)
	plan := "rules:\n- name: shop\n  when: online >= 500\n  actions: [{webhook: {url: " + shop.URL + ", secret: s3cret}}]\n" +
		"- name: broken\n  when: online >= 500\n  actions: [{webhook: {url: " + dead.URL + "}}]\n"
	if _, _, err := svc.Put(ctx, "w", []byte(plan), "test", ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: "w", Now: time.Now().UnixMilli(), Snapshot: livedeck.Snapshot{Online: 600}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook delivered %d times, want a failure then a success", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	first, second := calls[0], calls[1]
	body := bodies[1]
	mu.Unlock()
	if k := first.Header.Get("Idempotency-Key"); k == "" || k != second.Header.Get("Idempotency-Key") {
		t.Errorf("idempotency keys %q and %q", k, second.Header.Get("Idempotency-Key"))
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(second.Header.Get("X-LiveDeck-Timestamp") + "." + body))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); second.Header.Get("X-LiveDeck-Signature") != want {
		t.Errorf("signature %q, want %q", second.Header.Get("X-LiveDeck-Signature"), want)
	}
	// The endpoint that always fails: after its retries, an alert.
	for {
		h, _ := svc.Store.History(ctx, "w", 100)
		for _, s := range h {
			if s.Alert != nil && strings.Contains(s.Alert.Message, dead.URL) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no alert for the failing webhook")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
