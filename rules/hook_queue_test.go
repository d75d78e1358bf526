package rules

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

const hookPlan = "rules:\n- name: shop\n  when: online >= 500\n  actions: [{webhook: {url: %URL%}}]\n"

func plan(url string) []byte { return []byte(strings.ReplaceAll(hookPlan, "%URL%", url)) }

// TestWebhookSurvivesRestart: a firing queued by one server process is
// delivered by the next one after a restart (of the server and of an
// AOF-backed Redis), once, with its delivery id.
func TestWebhookSurvivesRestart(t *testing.T) {
	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	rdb := srv.Client(t)
	ctx := context.Background()
	before, _ := hookService(t, rdb, fastHooks(loopback))
	if _, _, err := before.Put(ctx, "s", plan(rc.URL), "test", ""); err != nil {
		t.Fatal(err)
	}
	fire(t, before, "s") // queued; this process stops before delivering it
	if n, _ := before.Engine.hooks.q.pending(ctx, "s"); n != 1 {
		t.Fatalf("%d deliveries pending in Redis, want 1", n)
	}
	srv.Restart(t)
	after, _ := hookService(t, rdb, fastHooks(loopback))
	defer runEngine(after)()
	waitFor(t, "the delivery after the restart", 10*time.Second, func() bool { return rc.count() >= 1 })
	time.Sleep(300 * time.Millisecond) // a second delivery would come within this
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.calls) != 1 || len(rc.seen) != 1 || rc.seen[deliveryID("s", rc.calls[0].Header.Get("Idempotency-Key")[2:])] != 1 {
		t.Fatalf("receiver got %d requests, ids %v; want one delivery with the firing's id", len(rc.calls), rc.seen)
	}
	if n, _ := after.Engine.hooks.q.pending(ctx, "s"); n != 0 {
		t.Errorf("%d deliveries still pending", n)
	}
}

// TestWebhookTakeover: an instance that dies in the middle of a delivery
// hands it over: when its lease ends a second instance delivers it, with
// the same delivery id, and the receiver counts it once.
func TestWebhookTakeover(t *testing.T) {
	hung := make(chan struct{})
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 1 {
			close(hung)
			<-r.Context().Done() // the first instance dies while the receiver is slow
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	slow := fastHooks(loopback)
	slow.Timeout, slow.Lease = 3*time.Second, 6*time.Second // it cannot give up or retry itself before it dies
	first, _ := hookService(t, rdb, slow)
	if _, _, err := first.Put(ctx, "t", plan(rc.URL), "test", ""); err != nil {
		t.Fatal(err)
	}
	stopFirst := runEngine(first)
	fire(t, first, "t")
	select {
	case <-hung:
	case <-time.After(10 * time.Second):
		t.Fatal("the first instance never posted")
	}
	stopFirst()
	second, _ := hookService(t, rdb, fastHooks(loopback))
	defer runEngine(second)()
	waitFor(t, "the second instance's delivery", 20*time.Second, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.seen) == 1
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.calls) != 2 || rc.calls[0].Header.Get(HeaderDelivery) != rc.calls[1].Header.Get(HeaderDelivery) || rc.calls[1].Header.Get(HeaderAttempt) != "2" {
		t.Fatalf("%d requests; want the abandoned one and its takeover (attempt 2) with the same delivery id", len(rc.calls))
	}
	for id, n := range rc.seen {
		if n != 1 {
			t.Errorf("delivery %s accepted %d times", id, n)
		}
	}
}

// TestWebhookQueueFull: a room with as many pending deliveries as it may
// keep drops the next one with an alert and a metric, never silently.
func TestWebhookQueueFull(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	cfg := fastHooks(AddrPolicy{})
	cfg.MaxPending = 1
	svc, reg := hookService(t, rdb, cfg) // not running: deliveries stay pending
	src := "rules:\n- name: one\n  when: online >= 500\n  actions: [{webhook: {url: \"https://93.184.216.34/a\"}}]\n" +
		"- name: two\n  when: online >= 500\n  actions: [{webhook: {url: \"https://93.184.216.34/b\"}}]\n"
	if _, _, err := svc.Put(ctx, "f", []byte(src), "test", ""); err != nil {
		t.Fatal(err)
	}
	fire(t, svc, "f")
	if got := counter(t, reg, "livedeck_rules_webhooks_total", "dropped"); got != 1 {
		t.Errorf("webhooks_total{result=dropped} = %v, want 1", got)
	}
	found := false
	for _, m := range alerts(t, svc, "f") {
		found = found || strings.Contains(m, "dropped")
	}
	if !found {
		t.Errorf("no alert for the dropped delivery: %v", alerts(t, svc, "f"))
	}
}

// TestWebhookCluster: the queue's scripts run on Redis Cluster (one hash
// slot per room) and the delivery arrives.
func TestWebhookCluster(t *testing.T) {
	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
	cl := redistest.StartCluster(t, 3)
	ctx := context.Background()
	rdb, err := redisx.New(ctx, cl.URL(), redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	svc, _ := hookService(t, rdb, fastHooks(loopback))
	defer runEngine(svc)()
	for _, room := range []string{"c1", "c2", "c3"} {
		if _, _, err := svc.Put(ctx, room, plan(rc.URL), "test", ""); err != nil {
			t.Fatal(err)
		}
		fire(t, svc, room)
	}
	waitFor(t, "three deliveries on the cluster", 15*time.Second, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.seen) == 3
	})
}
