package review

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestStoreBuildsFromRedis: the review built from a room's stream and
// signals in Redis equals the one folded offline from the same broadcast,
// is kept once the room is closed, and is rebuilt when a late event lands.
func TestStoreBuildsFromRedis(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	k := redisx.Room(showRoom.ID)
	events, signals := script()
	for _, ev := range events {
		b, _ := json.Marshal(ev)
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: k.Events(), Values: []any{"e", b}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range signals {
		b, _ := json.Marshal(s)
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: k.Signals(), Values: []any{"s", b}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	text := loadText(t)
	st := &Store{RDB: rdb, Text: text}
	got, err := st.Get(ctx, showRoom, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := buildOffline(t, 3)
	got.Built, want.Built = 0, 0
	if got.Source != "redis" || got.LastID == "" || got.Partial {
		t.Errorf("source %q, last id %q, partial %v", got.Source, got.LastID, got.Partial)
	}
	got.Source, got.LastID = "", ""
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("review from Redis differs from the offline one:\n%s\n%s", a, b)
	}

	// Closed with the default window: kept, served again, rebuilt on news.
	first, err := st.Get(ctx, showRoom, DefaultWindow)
	if err != nil {
		t.Fatal(err)
	}
	if saved, err := st.Load(ctx, showRoom.ID); err != nil || saved == nil || saved.Built != first.Built {
		t.Fatalf("saved review = %+v, %v", saved, err)
	}
	again, _ := st.Get(ctx, showRoom, DefaultWindow)
	if again.Built != first.Built {
		t.Errorf("review rebuilt with no new event")
	}
	late, _ := json.Marshal(livedeck.Event{ID: "late", Type: livedeck.EventOrder, TS: at(600), OrderID: "o4", UserID: "u4", SKU: "A", Qty: 1, Amount: 19900, Status: livedeck.OrderRefunded})
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: k.Events(), Values: []any{"e", late}})
	after, err := st.Get(ctx, showRoom, DefaultWindow)
	if err != nil {
		t.Fatal(err)
	}
	if after.Headline.GMV != 62000-19900 || after.Headline.OrdersRefunded != 2 {
		t.Errorf("after a late refund: GMV %d, refunded %d; want 42100, 2", after.Headline.GMV, after.Headline.OrdersRefunded)
	}
}

// TestPartialWhenTrimmed: a review is marked partial when the room's event
// stream or its signal stream lost entries to its MAXLEN. (Before the signal
// stream was checked, trimmed cues, tiers and alerts went unnoticed.)
func TestPartialWhenTrimmed(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		room             string
		eventsMax        int64 // MAXLEN on each XADD; 0: none
		signalsMax       int64
		wantPartial      bool
		wantEventsFolded int64
	}{
		{"whole", 0, 0, false, 50},
		{"events-trimmed", 10, 0, true, 10},
		{"signals-trimmed", 0, 5, true, 50},
	} {
		k := redisx.Room(tc.room)
		for i := range 50 {
			b, _ := json.Marshal(livedeck.Event{ID: "v", Type: livedeck.EventLike, TS: at(int64(i)), Count: 1})
			rdb.XAdd(ctx, &redis.XAddArgs{Stream: k.Events(), MaxLen: tc.eventsMax, Values: []any{"e", b}})
			s, _ := json.Marshal(livedeck.Signal{Kind: livedeck.SignalCue, Room: tc.room, At: at(int64(i)), Cue: &livedeck.Cue{Key: "c", Text: "hi"}})
			rdb.XAdd(ctx, &redis.XAddArgs{Stream: k.Signals(), MaxLen: tc.signalsMax, Values: []any{"s", s}})
		}
		r, err := (&Store{RDB: rdb}).Build(ctx, livedeck.Room{ID: tc.room}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Partial != tc.wantPartial || r.Events != tc.wantEventsFolded {
			t.Errorf("%s: partial %v over %d events, want %v over %d", tc.room, r.Partial, r.Events, tc.wantPartial, tc.wantEventsFolded)
		}
	}
}
