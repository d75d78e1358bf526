package live

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/redisx"
)

// TestKeywordsCountedWhenDictionaryLoadsLate: comments are folded and
// checkpointed while the segmentation dictionary is still loading; the
// instance then dies, and another takes the room from that checkpoint once
// the dictionary is ready. Every keyword must be counted once: a
// checkpoint that kept the comments without their keywords would lose
// them for good.
func TestKeywordsCountedWhenDictionaryLoadsLate(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	newRoom(t, rdb, "kw")
	now := time.Now().UnixMilli()
	comment := func(id, text string) livedeck.Event {
		return livedeck.Event{ID: id, Type: livedeck.EventComment, TS: now, UserID: "u-" + id, Text: text}
	}
	appendEvents(t, rdb, "kw", []livedeck.Event{comment("c1", "福袋福袋"), comment("c2", "想要福袋"), comment("c3", "上链接")})

	gate := make(chan struct{})
	dict := newDictionary(func() (*segment.Dict, error) {
		<-gate // the dictionary is slow to load (it took seconds with gse's)
		return segment.Build([]segment.Word{{Text: "福袋", Freq: 1000}, {Text: "想要", Freq: 1000}, {Text: "上链接", Freq: 1000}}), nil
	})
	useDict := func(p *Processor) { p.text.dict = dict }
	_, _, crash := startProcessorWith(t, srv.URL(), Config{Instance: "kw-1"}, prometheus.NewRegistry(), useDict)
	waitSnapshot(t, rdb, "kw", 3)
	waitUntil(t, "checkpoint of the comments", 10*time.Second, func() bool {
		id, _ := rdb.HGet(ctx, redisx.Room("kw").State(), "last_id").Result()
		return id != ""
	})
	crash() // no last checkpoint, no lease released: a failover

	close(gate)
	startProcessorWith(t, srv.URL(), Config{Instance: "kw-2"}, prometheus.NewRegistry(), useDict)
	want := map[string]int64{"福袋": 3, "想要": 1, "上链接": 1}
	var got map[string]int64
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		got = checkpointedKeywords(t, rdb, "kw")
		if len(got) >= len(want) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for w, n := range want {
		if got[w] != n {
			t.Errorf("checkpointed keyword %q counted %d times, want %d (all: %v)", w, got[w], n, got)
		}
	}
}

// checkpointedKeywords sums the keyword counts of room's checkpoint.
func checkpointedKeywords(t *testing.T, rdb redis.UniversalClient, room string) map[string]int64 {
	t.Helper()
	blob, err := rdb.HGet(context.Background(), redisx.Room(room).State(), "blob").Bytes()
	if err != nil {
		return nil
	}
	var c core
	if err := json.Unmarshal(blob, &c); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	sum := map[string]int64{}
	for _, words := range c.KeywordMins {
		for w, n := range words {
			sum[w] += n
		}
	}
	return sum
}
