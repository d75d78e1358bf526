package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
	"github.com/livedeck/livedeck/review"
)

// TestRoomLifecycle drives a room through live → closed → archived →
// deleted with the whole app on a real Redis: the closed room's lease is
// released after the grace period; a late refund after that is accepted
// and counted exactly, in the live numbers and in the review; archiving
// keeps that review and refuses further events; deleting removes every key
// of the room and revokes its host links.
func TestRoomLifecycle(t *testing.T) {
	const grace = time.Second
	a, _, _ := startAppWith(t, func(c *Config) { c.Live.ClosedGrace = grace; c.Ingest.ArchiveRetention = time.Hour })
	base := "http://" + a.Addr()
	rdb, k, ctx := a.Redis(), redisx.Room("show"), context.Background()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		code, b, _ := call(t, method, base+path, "application/json", body)
		return code, b
	}
	must := func(want int, method, path, body string) string {
		t.Helper()
		code, b := do(method, path, body)
		if code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
		}
		return b
	}
	must(201, "POST", "/api/v1/rooms", `{"id":"show","title":"晚场","products":[{"sku":"coat","name":"大衣","price":19900,"stock":50}]}`)
	var link struct {
		Secret string `json:"token"`
	}
	_ = json.Unmarshal([]byte(must(201, "POST", "/api/v1/rooms/show/host-links", `{"name":"host"}`)), &link)

	now := time.Now().UnixMilli()
	order := func(id, status string) string {
		return fmt.Sprintf(`{"id":"%s-%s","type":"order","ts":%d,"user_id":"u-%s","order_id":"%s","sku":"coat","qty":1,"amount":19900,"status":"%s"}`,
			id, status, now, id, id, status)
	}
	send := func(lines ...string) (int, string) {
		t.Helper()
		code, b, _ := call(t, "POST", base+"/api/v1/rooms/show/events", "application/x-ndjson", strings.Join(lines, "\n"))
		return code, b
	}
	if code, b := send(order("o1", "paid"), order("o2", "paid"), order("o3", "paid")); code != 200 {
		t.Fatalf("orders: %d %s", code, b)
	}
	metrics := func() livedeck.Snapshot {
		var s livedeck.Snapshot
		_ = json.Unmarshal([]byte(must(200, "GET", "/api/v1/rooms/show/metrics", "")), &s)
		return s
	}
	waitFor(t, 10*time.Second, func() bool { return metrics().GMV == 59700 })

	// Closed: processed for the grace period, then at rest, lease released.
	var rv review.Review
	_ = json.Unmarshal([]byte(must(200, "POST", "/api/v1/rooms/show/close", "")), &rv)
	if rv.Headline.GMV != 59700 {
		t.Fatalf("review at close: GMV %d, want 59700", rv.Headline.GMV)
	}
	closedAt := time.Now()
	atRest := func() bool {
		held, _ := rdb.Exists(ctx, k.Lease()).Result()
		rest, _ := rdb.SIsMember(ctx, redisx.RestingKey, "show").Result()
		return held == 0 && rest
	}
	if atRest() {
		t.Fatal("the room rested at once, before its grace period")
	}
	waitFor(t, 15*time.Second, atRest)
	if d := time.Since(closedAt); d < grace {
		t.Errorf("lease released %s after close, before the %s grace", d, grace)
	}

	// A late refund: accepted, and counted exactly in both places.
	if code, b := send(order("o2", "refunded")); code != 200 || !strings.Contains(b, `"accepted":1`) {
		t.Fatalf("late refund: %d %s", code, b)
	}
	waitFor(t, 15*time.Second, func() bool { s := metrics(); return s.GMV == 39800 && s.OrdersRefunded == 1 })
	if s := metrics(); s.OrdersPaid != 3 || s.GMV != 39800 {
		t.Errorf("live numbers after the late refund: paid %d GMV %d, want 3 and 39800", s.OrdersPaid, s.GMV)
	}
	_ = json.Unmarshal([]byte(must(200, "GET", "/api/v1/rooms/show/review", "")), &rv)
	if rv.Headline.GMV != 39800 || rv.Headline.OrdersRefunded != 1 || rv.Headline.Orders != 3 {
		t.Errorf("review after the late refund: %+v", rv.Headline)
	}
	waitFor(t, 15*time.Second, atRest) // and back to rest

	// Archived: the review is kept, events and changes refused.
	var arch struct {
		Room         livedeck.Room `json:"room"`
		Review       string        `json:"review"`
		EventsExpire int64         `json:"events_expire"`
	}
	_ = json.Unmarshal([]byte(must(200, "POST", "/api/v1/rooms/show/archive", "")), &arch)
	if arch.Room.Status != livedeck.RoomArchived || arch.Review != "/api/v1/rooms/show/review" || arch.EventsExpire < time.Now().Add(59*time.Minute).UnixMilli() {
		t.Fatalf("archive reply: %+v", arch)
	}
	if code, b := send(order("o3", "refunded")); code != 409 || !strings.Contains(b, `"field":"room"`) || !strings.Contains(b, "archived") {
		t.Fatalf("event to an archived room: %d %s", code, b)
	}
	if code, b := do("PATCH", "/api/v1/rooms/show", `{"status":"live"}`); code != 409 {
		t.Fatalf("reopening an archived room: %d %s", code, b)
	}
	if ttl, _ := rdb.TTL(ctx, k.Events()).Result(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("archived stream expires in %s, want within the 1h retention", ttl)
	}
	// The kept review survives the stream.
	if err := rdb.Del(ctx, k.Events()).Err(); err != nil {
		t.Fatal(err)
	}
	var kept review.Review
	_ = json.Unmarshal([]byte(must(200, "GET", "/api/v1/rooms/show/review", "")), &kept)
	if kept.Headline.GMV != 39800 || kept.Headline.OrdersRefunded != 1 || kept.Events != rv.Events {
		t.Errorf("kept review: %+v, %d events; want GMV 39800, 1 refund, %d events", kept.Headline, kept.Events, rv.Events)
	}

	// Deleted: every key of the room gone, its host link revoked.
	var del struct {
		Keys    int `json:"keys_deleted"`
		Revoked int `json:"host_links_revoked"`
	}
	waitFor(t, 15*time.Second, atRest)
	_ = json.Unmarshal([]byte(must(200, "DELETE", "/api/v1/rooms/show", "")), &del)
	if del.Keys < 5 || del.Revoked != 1 {
		t.Errorf("delete reply: %+v", del)
	}
	if left, err := redisx.ScanKeys(ctx, rdb, k.Match("*")); err != nil || len(left) != 0 {
		t.Errorf("keys left after delete: %v %v", left, err)
	}
	if code, b := send(order("o4", "paid")); code != 404 || !strings.Contains(b, "not found") {
		t.Fatalf("event to a deleted room: %d %s", code, b)
	}
	if code, _ := do("GET", "/api/v1/rooms/show", ""); code != 404 {
		t.Errorf("deleted room: %d, want 404", code)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/rooms/show/pricing", nil)
	req.Header.Set("Authorization", "Bearer "+link.Secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("host link of a deleted room: %v %v, want 401", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	// The audit log has both.
	audit := must(200, "GET", "/api/v1/audit", "")
	for _, act := range []string{"room.archive", "room.delete"} {
		if !strings.Contains(audit, act) {
			t.Errorf("audit log lacks %s", act)
		}
	}
}
