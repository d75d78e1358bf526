package live

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// setStatus rewrites a room's record with a status and close time.
func setStatus(t *testing.T, rdb redis.UniversalClient, id, status string, closed time.Time) {
	t.Helper()
	ctx := context.Background()
	var room livedeck.Room
	b, err := rdb.Get(ctx, redisx.Room(id).Meta()).Bytes()
	if err != nil || json.Unmarshal(b, &room) != nil {
		t.Fatalf("room %s: %v", id, err)
	}
	room.Status, room.Closed = status, closed.UnixMilli()
	b, _ = json.Marshal(&room)
	if err := rdb.Set(ctx, redisx.Room(id).Meta(), b, 0).Err(); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s", what, d)
}

// TestClosedRoomRestsAfterGrace: a live room keeps its owner; a closed one
// is processed for the grace period, then checkpointed, its lease released
// and the room put to rest, where no instance takes it — until it is taken
// out of the resting set (as ingest does for a late event), when the next
// scan processes it again from its checkpoint.
func TestClosedRoomRestsAfterGrace(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	k := redisx.Room("r")
	newRoom(t, rdb, "r")
	now := time.Now().UnixMilli()
	paid := func(id, order string, st livedeck.OrderStatus) livedeck.Event {
		return livedeck.Event{ID: id, Type: livedeck.EventOrder, TS: now, UserID: "u1", OrderID: order, SKU: "A", Qty: 1, Amount: 19900, Status: st}
	}
	appendEvents(t, rdb, "r", []livedeck.Event{paid("p1", "o1", livedeck.OrderPaid), paid("p2", "o2", livedeck.OrderPaid)})
	reg := prometheus.NewRegistry()
	p, _, _ := startProcessorWith(t, srv.URL(), Config{Instance: "i1", ClosedGrace: 700 * time.Millisecond}, reg, nil)
	waitSnapshot(t, rdb, "r", 2)

	time.Sleep(1500 * time.Millisecond) // past the grace, but the room is live
	if n, _ := rdb.Exists(ctx, k.Lease()).Result(); n != 1 || len(p.Owned()) != 1 {
		t.Fatalf("live room let go: lease %d, owned %v", n, p.Owned())
	}

	closedAt := time.Now()
	setStatus(t, rdb, "r", livedeck.RoomClosed, closedAt)
	waitUntil(t, "closed room at rest", 10*time.Second, func() bool {
		n, _ := rdb.Exists(ctx, k.Lease()).Result()
		rest, _ := rdb.SIsMember(ctx, redisx.RestingKey, "r").Result()
		return n == 0 && rest && len(p.Owned()) == 0
	})
	if took := time.Since(closedAt); took < 700*time.Millisecond {
		t.Errorf("room rested %s after closing, before its grace", took)
	}
	if ph, _ := rdb.Get(ctx, k.Phase()).Result(); ph != "rest" {
		t.Errorf("phase %q, want rest", ph)
	}
	if v := testutil.ToFloat64(p.m.leases.WithLabelValues("rested")); v != 1 {
		t.Errorf("rested leases %v, want 1", v)
	}
	if snap := readSnapshot(t, rdb, "r"); !snap.Resting || snap.Seq != 2 {
		t.Errorf("snapshot at rest: resting %v seq %d, want true and 2", snap.Resting, snap.Seq)
	}
	time.Sleep(600 * time.Millisecond) // several scans: nobody takes it
	if n, _ := rdb.Exists(ctx, k.Lease()).Result(); n != 0 {
		t.Fatal("a room at rest was taken again")
	}

	// A late refund: appended, and the room taken out of the resting set.
	appendEvents(t, rdb, "r", []livedeck.Event{paid("r1", "o1", livedeck.OrderRefunded)})
	if err := rdb.SRem(ctx, redisx.RestingKey, "r").Err(); err != nil {
		t.Fatal(err)
	}
	snap := waitSnapshot(t, rdb, "r", 3)
	if snap.GMV != 19900 || snap.OrdersRefunded != 1 || snap.Resting {
		t.Errorf("after the late refund: GMV %d refunded %d resting %v, want 19900, 1, false", snap.GMV, snap.OrdersRefunded, snap.Resting)
	}
	waitUntil(t, "at rest again", 10*time.Second, func() bool {
		n, _ := rdb.Exists(ctx, k.Lease()).Result()
		rest, _ := rdb.SIsMember(ctx, redisx.RestingKey, "r").Result()
		return n == 0 && rest
	})
	blob, _ := rdb.HGet(ctx, k.State(), "last_id").Result()
	last, _ := rdb.XRevRangeN(ctx, k.Events(), "+", "-", 1).Result()
	if len(last) != 1 || blob != last[0].ID {
		t.Errorf("rested with checkpoint at %q, stream ends at %v", blob, last)
	}
}

// TestRoomLimitAndWaitingMetric: an instance takes at most MaxRooms; the
// rest wait, counted by livedeck_live_rooms_waiting, until another
// instance has room for them. Rooms at rest are not waiting.
func TestRoomLimitAndWaitingMetric(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c", "d"} {
		newRoom(t, rdb, id)
	}
	if err := rdb.SAdd(ctx, redisx.RestingKey, "d").Err(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	p1, _, _ := startProcessorWith(t, srv.URL(), Config{Instance: "i1", MaxRooms: 2}, reg, nil)
	waitUntil(t, "two rooms owned, one waiting", 10*time.Second, func() bool {
		return len(p1.Owned()) == 2 && testutil.ToFloat64(p1.m.waiting) == 1
	})
	if got := testutil.ToFloat64(p1.m.limit); got != 2 {
		t.Errorf("rooms_limit %v, want 2", got)
	}
	if got := testutil.ToFloat64(p1.m.resting); got != 1 {
		t.Errorf("rooms_resting %v, want 1", got)
	}
	if n, _ := rdb.Exists(ctx, redisx.Room("d").Lease()).Result(); n != 0 {
		t.Error("a room at rest was taken")
	}
	if probs, err := testutil.GatherAndLint(reg, "livedeck_live_rooms_waiting", "livedeck_live_rooms_limit", "livedeck_live_rooms_owned"); err != nil || len(probs) > 0 {
		t.Errorf("lint: %v %v", probs, err)
	}

	p2, _, _ := startProcessorWith(t, srv.URL(), Config{Instance: "i2", MaxRooms: 2}, prometheus.NewRegistry(), nil)
	waitUntil(t, "every room owned", 10*time.Second, func() bool {
		return len(p1.Owned())+len(p2.Owned()) == 3 && testutil.ToFloat64(p1.m.waiting) == 0 && testutil.ToFloat64(p2.m.waiting) == 0
	})
}

// TestReadStatus reads status and close time from stored room records,
// whatever their titles and products say.
func TestReadStatus(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	p := &Processor{rdb: rdb}
	for _, tc := range []struct {
		name   string
		room   livedeck.Room
		status string
		closed int64
	}{
		{"live", livedeck.Room{Title: "t", Status: livedeck.RoomLive}, "live", 0},
		{"no status (older records)", livedeck.Room{Title: "t"}, "live", 0},
		{"closed", livedeck.Room{Title: "t", Status: livedeck.RoomClosed, Closed: 1796170473907}, "closed", 1796170473907},
		{"archived", livedeck.Room{Title: "t", Status: livedeck.RoomArchived, Closed: 5, Archived: 9}, "archived", 5},
		{"title that looks like fields", livedeck.Room{Title: `"status":"archived","closed":1`, Status: livedeck.RoomLive,
			Products: []livedeck.Product{{SKU: "A", Name: `"closed":7 "status":"closed"`}}}, "live", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.room.ID = "st"
			b, _ := json.Marshal(&tc.room)
			rdb.Set(context.Background(), redisx.Room("st").Meta(), b, 0)
			r := &runner{p: p, room: "st", keys: redisx.Room("st")}
			got, err := r.readStatus(context.Background())
			if err != nil || got.Status != tc.status || got.Closed != tc.closed {
				t.Errorf("readStatus = %q %d %v, want %q %d", got.Status, got.Closed, err, tc.status, tc.closed)
			}
		})
	}
	rdb.Del(context.Background(), redisx.Room("st").Meta())
	r := &runner{p: p, room: "st", keys: redisx.Room("st")}
	if _, err := r.readStatus(context.Background()); err != errRoomGone {
		t.Errorf("deleted room: %v, want errRoomGone", err)
	}
}

func readSnapshot(t *testing.T, rdb redis.UniversalClient, room string) livedeck.Snapshot {
	t.Helper()
	var snap livedeck.Snapshot
	b, err := rdb.Get(context.Background(), redisx.Room(room).Snapshot()).Bytes()
	if err != nil || json.Unmarshal(b, &snap) != nil {
		t.Fatalf("snapshot of %s: %v", room, err)
	}
	return snap
}
