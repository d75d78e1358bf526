package live

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestLiveMessageSameAsEncodingJSON checks the published message assembled
// from encoded parts is what encoding/json makes of a LiveMessage.
func TestLiveMessageSameAsEncodingJSON(t *testing.T) {
	snap := livedeck.Snapshot{Room: "r", Online: 12, GMV: 19900, SKUs: map[string]livedeck.SKUStats{"A": {Clicks: 3}}}
	for _, tc := range []struct {
		name     string
		comments []livedeck.Comment
	}{
		{"no comments", nil},
		{"one", []livedeck.Comment{{ID: "c1", Text: "想要"}}},
		{"markup and quotes", []livedeck.Comment{{ID: "c1", Text: `<img src=x onerror="alert(1)">`}, {ID: "c2", Nickname: "小红", Class: livedeck.ClassIntent}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(livedeck.LiveMessage{Metrics: &snap, Comments: tc.comments})
			if err != nil {
				t.Fatal(err)
			}
			snapJSON, _ := json.Marshal(&snap)
			parts := make([][]byte, len(tc.comments))
			for i := range tc.comments {
				parts[i], _ = json.Marshal(&tc.comments[i])
			}
			if got := liveMessage(snapJSON, parts); string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestLegacyGroupRemoved checks that a room whose stream still has the
// consumer group of earlier builds is folded from its checkpoint and the
// group is removed, so its pending list stops growing.
func TestLegacyGroupRemoved(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	newRoom(t, rdb, "old")
	evs := script()
	appendEvents(t, rdb, "old", evs[:3])
	if err := rdb.XGroupCreate(ctx, redisx.Room("old").Events(), legacyGroup, "$").Err(); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, rdb, "old", evs[3:])
	startProcessor(t, srv.URL(), "p", fixedClock)
	waitSnapshot(t, rdb, "old", uint64(len(evs)))
	groups, err := rdb.XInfoGroups(ctx, redisx.Room("old").Events()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 0 {
		t.Errorf("consumer groups left on the stream: %+v", groups)
	}
}

// TestReadsGrowWhileBehind: a room found far behind is read in growing
// reads — 2,000 events, then 4,000, 8,000, 16,000 — not 15 reads of
// 2,000, and every event is folded once.
func TestReadsGrowWhileBehind(t *testing.T) {
	rs := redistest.Start(t)
	rdb := rs.Client(t)
	newRoom(t, rdb, "behind")
	evs := make([]livedeck.Event, 30_000)
	for i := range evs {
		evs[i] = livedeck.Event{ID: fmt.Sprint("l", i), Type: livedeck.EventLike, TS: base + int64(i), UserID: "u", Count: 1}
	}
	// One event per entry: a read's count of entries is its count of events.
	pipe := rdb.Pipeline()
	for i := range evs {
		b, _ := json.Marshal(&evs[i])
		pipe.XAdd(context.Background(), &redis.XAddArgs{Stream: redisx.Room("behind").Events(), Values: []any{"e", b}})
	}
	if _, err := pipe.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	p, _, _ := startProcessorWith(t, rs.URL(), Config{Instance: "a", Now: fixedClock}, prometheus.NewRegistry(), nil)
	snap := waitSnapshot(t, rdb, "behind", 30_000)
	if snap.Seq != 30_000 || snap.Likes != 30_000 {
		t.Fatalf("folded %d events, %d likes; want 30000 each", snap.Seq, snap.Likes)
	}
	if n := testutil.ToFloat64(p.m.batches); n != 4 {
		t.Errorf("%v reads folded, want 4 (2,000 + 4,000 + 8,000 + 16,000 events)", n)
	}
}
