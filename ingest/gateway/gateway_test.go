package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/internal/redistest"
)

// newTestService is a gateway over a fresh redis-server with room r1 (CNY).
func newTestService(t *testing.T) *Service {
	t.Helper()
	rdb := redistest.Start(t).Client(t)
	reg := prometheus.NewRegistry()
	ing, err := ingest.New(rdb, reg, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ing.Rooms().Create(context.Background(), livedeck.Room{ID: "r1", Title: "t", Currency: "CNY",
		Products: []livedeck.Product{{SKU: "A", Name: "a", Price: 100, Stock: 10}}}); err != nil {
		t.Fatal(err)
	}
	return New(rdb, ing, reg, Config{})
}

func likes(text string) PutRequest {
	return PutRequest{Settings: connector.Settings{Format: connector.FormatMapping, Mapping: &connector.MappingSpec{
		ID: "msg.id", Rules: []connector.MappingRule{{Type: "like", Fields: map[string]string{"user_id": "msg.u", "count": text}}}}}}
}

// TestSecretRotation: a replaced secret verifies for the overlap, then not.
func TestSecretRotation(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	now := time.UnixMilli(1_767_225_600_000)
	s.now = func() time.Time { return now }
	for _, secret := range []string{"one", "two"} {
		if _, err := s.Put(ctx, "r1", "shop", PutRequest{Settings: connector.Settings{Format: "shopify"}, Secret: secret}, "t"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Put(ctx, "r1", "shop", PutRequest{Settings: connector.Settings{Format: "shopify", Currency: "USD"}}, "t"); err != nil {
		t.Fatal(err) // no secret sent: both kept
	}
	sv, _, _ := s.Load(ctx, "r1", "shop")
	if got := sv.secrets(now.UnixMilli()); len(got) != 2 || got[0] != "two" || got[1] != "one" {
		t.Fatalf("during the overlap: %v", got)
	}
	if got := sv.secrets(now.Add(time.Hour + time.Millisecond).UnixMilli()); len(got) != 1 || got[0] != "two" {
		t.Fatalf("after the overlap: %v", got)
	}
	if _, err := s.Put(ctx, "nope", "shop", PutRequest{Settings: connector.Settings{Format: "shopify"}}, "t"); livedeck.ErrorCode(err) != livedeck.ENOTFOUND {
		t.Fatalf("unknown room: %v", err)
	}
}

func TestResolve(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "r1", "shop", PutRequest{Settings: connector.Settings{Format: "shopify"}}, "t"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		source, format string
		ok             bool
		code, route    string
	}{
		{"", "", false, "", ""},
		{"api", "", false, "", ""},
		{"shop", "", true, "", "shop/shopify"},
		{"shop", "shopify", true, "", "shop/shopify"},
		{"shop", "mapping", false, livedeck.EINVALID, ""},
		{"", "bilibili", true, "", "bilibili/bilibili"},
		{"bili-main", "bilibili", true, "", "bili-main/bilibili"},
		{"x", "myspace", false, livedeck.EINVALID, ""},
	} {
		r, ok, err := s.Resolve(ctx, "r1", tc.source, tc.format)
		if ok != tc.ok || livedeck.ErrorCode(err) != tc.code || (ok && r.Source+"/"+r.Adapter.Name() != tc.route) {
			t.Errorf("Resolve(%q, %q) = %+v, %v, %v", tc.source, tc.format, r, ok, err)
		}
	}
}

// TestDeadLettersPagedAndReplayedByID: listing pages by id; replaying some
// ids leaves the others.
func TestDeadLettersPagedAndReplayedByID(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "r1", "m", likes("msg.n"), "t"); err != nil {
		t.Fatal(err)
	}
	r, _, err := s.Resolve(ctx, "r1", "m", "")
	if err != nil {
		t.Fatal(err)
	}
	body := `[{"id":1,"u":"a","n":"x"},{"id":2,"u":"b","n":"y"},{"id":3,"u":"c","n":"z"},{"id":4,"u":"d","n":2}]`
	res, err := s.Deliver(ctx, r, &connector.Delivery{Body: []byte(body), Received: time.Now()})
	if err != nil || res.Accepted != 1 || res.DeadLettered != 3 {
		t.Fatalf("deliver: %+v %v", res, err)
	}
	page, err := s.DeadLetters(ctx, "r1", "m", 2, "")
	if err != nil || len(page) != 2 || page[0].MessageID != "1" || page[1].MessageID != "2" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	rest, err := s.DeadLetters(ctx, "r1", "m", 2, page[1].ID)
	if err != nil || len(rest) != 1 || rest[0].MessageID != "3" {
		t.Fatalf("second page: %+v %v", rest, err)
	}
	if other, _ := s.DeadLetters(ctx, "r1", "other", 0, ""); len(other) != 0 {
		t.Fatalf("another source's: %+v", other)
	}
	for _, bad := range []struct {
		count int
		after string
	}{{2000, ""}, {-1, ""}, {1, "yesterday"}} {
		if _, err := s.DeadLetters(ctx, "r1", "", bad.count, bad.after); livedeck.ErrorCode(err) != livedeck.EINVALID {
			t.Errorf("count %d after %q: %v", bad.count, bad.after, err)
		}
	}
	if _, err := s.Put(ctx, "r1", "m", likes(`int(msg.n) ?? 1`), "t"); err != nil {
		t.Fatal(err)
	}
	// Still failing: "x" is no number. Replaying one id leaves the rest.
	rep, err := s.Replay(ctx, "r1", "m", []string{page[0].ID})
	if err != nil || rep.Replayed != 0 || rep.Failed != 1 || rep.Remaining != 3 {
		t.Fatalf("replay of a still failing one: %+v %v", rep, err)
	}
	if _, err := s.Put(ctx, "r1", "m", likes(`1`), "t"); err != nil {
		t.Fatal(err)
	}
	rep, err = s.Replay(ctx, "r1", "m", []string{page[0].ID, rest[0].ID})
	if err != nil || rep.Replayed != 2 || rep.Accepted != 2 || rep.Failed != 0 || rep.Remaining != 1 {
		t.Fatalf("replay by ids: %+v %v", rep, err)
	}
	st, _, err := s.stats(ctx, "r1", "m")
	if err != nil || st.Messages != 4 || st.Accepted != 3 || st.DeadLetters != 3 || st.Replayed != 2 {
		t.Fatalf("stats %+v %v", st, err)
	}
	if _, err := s.Replay(ctx, "r1", "m", []string{"nope"}); livedeck.ErrorCode(err) != livedeck.EINVALID {
		t.Fatalf("bad id: %v", err)
	}
}

// TestDeleteSeenSource: a source that delivered without saved settings is
// listed, and deleting it takes it off the list.
func TestDeleteSeenSource(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	r, ok, err := s.Resolve(ctx, "r1", "bili-main", "bilibili")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, err := s.Deliver(ctx, r, &connector.Delivery{Body: []byte(`{"cmd":"STOP_LIVE_ROOM_LIST","data":{}}`), Received: time.Now()}); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, "r1")
	if err != nil || len(list) != 1 || list[0].Saved || list[0].Format != "bilibili" || list[0].Stats.Messages != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := s.Delete(ctx, "r1", "bili-main"); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(ctx, "r1"); len(list) != 0 {
		t.Fatalf("after delete: %+v", list)
	}
	if err := s.Delete(ctx, "r1", "bili-main"); livedeck.ErrorCode(err) != livedeck.ENOTFOUND {
		t.Fatalf("second delete: %v", err)
	}
}

// TestRouteCache: routing reuses a source's connector for routeTTL. A change
// made on this instance is seen at once; one made on another instance
// within the TTL, and no sooner than the TTL ends.
func TestRouteCache(t *testing.T) {
	here := newTestService(t)
	there := New(here.rdb, here.ingest, prometheus.NewRegistry(), Config{})
	ctx := context.Background()
	now := time.UnixMilli(1_767_225_600_000)
	here.now = func() time.Time { return now }
	route := func(s *Service) string {
		t.Helper()
		r, ok, err := s.Resolve(ctx, "r1", "shop", "")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "none"
		}
		return r.Settings.Format
	}
	if got := route(here); got != "none" { // cached: no connector
		t.Fatalf("before any connector: %s", got)
	}
	for _, step := range []struct {
		by     *Service
		format string
	}{{here, "shopify"}, {there, "mapping"}} {
		req := PutRequest{Settings: connector.Settings{Format: step.format}}
		if step.format == connector.FormatMapping {
			req = likes("msg.n")
		}
		if _, err := step.by.Put(ctx, "r1", "shop", req, "t"); err != nil {
			t.Fatal(err)
		}
		if step.by == here {
			if got := route(here); got != step.format {
				t.Fatalf("after a change here: %s, want %s at once", got, step.format)
			}
			continue
		}
		prev := route(here)
		now = now.Add(routeTTL - time.Millisecond)
		if got := route(here); got != prev {
			t.Fatalf("within the TTL of a change elsewhere: %s, want the cached %s", got, prev)
		}
		now = now.Add(time.Millisecond)
		if got := route(here); got != step.format {
			t.Fatalf("at the TTL: %s, want %s", got, step.format)
		}
	}
	if err := here.Delete(ctx, "r1", "shop"); err != nil {
		t.Fatal(err)
	}
	if got := route(here); got != "none" {
		t.Fatalf("after deleting here: %s, want none at once", got)
	}
}
