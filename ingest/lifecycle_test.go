package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestRoomLifecycleStore walks a room through live → closed → at rest →
// woken by a late event → archived → deleted, on standalone Redis and on
// a Redis Cluster, checking what ingest accepts at each step, the
// retention archiving sets, and that delete leaves none of the room's keys
// (and no other room's key is touched).
func TestRoomLifecycleStore(t *testing.T) {
	for name, start := range map[string]func(t *testing.T) (string, redis.UniversalClient){
		"standalone": func(t *testing.T) (string, redis.UniversalClient) {
			s := redistest.Start(t)
			return s.URL(), s.Client(t)
		},
		"cluster": func(t *testing.T) (string, redis.UniversalClient) {
			c := redistest.StartCluster(t, 3)
			return c.URL(), c.Client(t)
		},
	} {
		t.Run(name, func(t *testing.T) {
			url, _ := start(t)
			testRoomLifecycleStore(t, open(t, url))
		})
	}
}

func testRoomLifecycleStore(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s := newService(t, rdb, Config{ArchiveRetention: time.Hour})
	rooms := s.Rooms()
	createRoom(t, s, "show")
	createRoom(t, s, "other")
	ts := time.Now().UnixMilli()
	order := func(id string, st livedeck.OrderStatus) livedeck.Event {
		return livedeck.Event{ID: id, Type: livedeck.EventOrder, TS: ts, UserID: "u1", OrderID: "o1", SKU: "A", Qty: 1, Amount: 19900, Status: st}
	}
	send := func(room string, evs ...livedeck.Event) error {
		_, err := s.Ingest(ctx, room, "api", evs)
		return err
	}
	for _, room := range []string{"show", "other"} {
		if err := send(room, order("p1", livedeck.OrderPaid)); err != nil {
			t.Fatal(err)
		}
	}
	k := redisx.Room("show")

	if _, err := rooms.Archive(ctx, "show", nil); code(err) != livedeck.ECONFLICT || !strings.Contains(err.Error(), "close it first") {
		t.Fatalf("archiving a live room: %v", err)
	}
	if _, err := rooms.Delete(ctx, "show", nil); code(err) != livedeck.ECONFLICT || !strings.Contains(err.Error(), "archive it first") {
		t.Fatalf("deleting a live room: %v", err)
	}
	closed, err := rooms.Close(ctx, "show")
	if err != nil || closed.Status != livedeck.RoomClosed || closed.Closed == 0 {
		t.Fatalf("close: %+v %v", closed, err)
	}

	// At rest (as the processor leaves it): a late refund is accepted and
	// takes the room out of the resting set.
	if err := rdb.Set(ctx, k.Phase(), "rest", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.SAdd(ctx, redisx.RestingKey, "show").Err(); err != nil {
		t.Fatal(err)
	}
	if err := send("show", order("r1", livedeck.OrderRefunded)); err != nil {
		t.Fatalf("late refund to a closed room: %v", err)
	}
	if rest, _ := rdb.SIsMember(ctx, redisx.RestingKey, "show").Result(); rest {
		t.Fatal("a late event left the room at rest")
	}

	kept := false
	archived, err := rooms.Archive(ctx, "show", func(_ context.Context, r livedeck.Room) error {
		if r.Status != livedeck.RoomArchived {
			t.Errorf("keep saw status %q", r.Status)
		}
		// Nothing may reach the stream any more while the review is kept.
		if err := send("show", order("late", livedeck.OrderRefunded)); code(err) != livedeck.ECONFLICT {
			t.Errorf("event while archiving: %v", err)
		}
		kept = true
		return nil
	})
	if err != nil || !kept || archived.Status != livedeck.RoomArchived || archived.Archived == 0 {
		t.Fatalf("archive: %+v kept %v: %v", archived, kept, err)
	}
	if n := len(stream(t, rdb, "show")); n != 2 {
		t.Errorf("stream holds %d events, want 2", n)
	}
	err = send("show", order("x", livedeck.OrderRefunded))
	var le *livedeck.Error
	if !errors.As(err, &le) || le.Code != livedeck.ECONFLICT || le.Field != "room" || !strings.Contains(le.Message, "archived") {
		t.Fatalf("event to an archived room: %v", err)
	}
	if err := send("show"); code(err) != livedeck.ECONFLICT {
		t.Fatalf("empty batch to an archived room: %v", err)
	}
	if _, err := rooms.Update(ctx, "show", RoomPatch{Status: ptr(livedeck.RoomLive)}); code(err) != livedeck.ECONFLICT {
		t.Fatalf("reopening an archived room: %v", err)
	}
	dedupe, err := redisx.ScanKeys(ctx, rdb, k.Match("dedupe:*"))
	if err != nil || len(dedupe) == 0 {
		t.Fatalf("dedupe sets: %v %v", dedupe, err)
	}
	for _, key := range append([]string{k.Events()}, dedupe...) {
		ttl, err := rdb.TTL(ctx, key).Result()
		if err != nil || ttl <= 0 || ttl > time.Hour {
			t.Errorf("%s expires in %s (%v), want within the 1h retention", key, ttl, err)
		}
	}
	if ttl, _ := rdb.TTL(ctx, k.Meta()).Result(); ttl != -1 {
		t.Errorf("the room's record expires (%s): only streams and dedupe sets should", ttl)
	}

	// Not yet at rest: the processor still folds its last events.
	if _, err := rooms.Delete(ctx, "show", nil); code(err) != livedeck.ECONFLICT || !strings.Contains(err.Error(), "retry") {
		t.Fatalf("deleting a room not yet at rest: %v", err)
	}
	if err := rdb.SAdd(ctx, redisx.RestingKey, "show").Err(); err != nil {
		t.Fatal(err)
	}
	before, _ := redisx.ScanKeys(ctx, rdb, k.Match("*"))
	del, err := rooms.Delete(ctx, "show", nil)
	if err != nil || del.Keys != len(before) || del.Keys < 5 {
		t.Fatalf("delete: %+v (room had %d keys: %v): %v", del, len(before), before, err)
	}
	if left, _ := redisx.ScanKeys(ctx, rdb, k.Match("*")); len(left) != 0 {
		t.Errorf("keys left after delete: %v", left)
	}
	if member, _ := rdb.SIsMember(ctx, redisx.RoomsKey, "show").Result(); member {
		t.Error("deleted room still listed")
	}
	if rest, _ := rdb.SIsMember(ctx, redisx.RestingKey, "show").Result(); rest {
		t.Error("deleted room still in the resting set")
	}
	if err := send("show", order("y", livedeck.OrderRefunded)); code(err) != livedeck.ENOTFOUND {
		t.Fatalf("event to a deleted room: %v", err)
	}
	if n := len(stream(t, rdb, "other")); n != 1 {
		t.Errorf("the other room's stream has %d events, want 1", n)
	}
}

func ptr[T any](v T) *T { return &v }
