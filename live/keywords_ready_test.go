package live

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-ego/gse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestKeywordsCountedWhenDictionaryLoadsLate starts a processor whose
// segmentation dictionary is held back, with comments already waiting in
// the room's stream. Checkpointing them before the dictionary is ready
// would keep them with no keywords, never to be counted after a restart:
// the checkpoint must wait, then hold every keyword.
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
	dict := newDictionary(func() (*gse.Segmenter, error) {
		<-gate // the dictionary is slow to load (about 2 s for the real one)
		var s gse.Segmenter
		err := s.LoadDictStr("福袋 1000 n\n想要 1000 v\n上链接 1000 v")
		return &s, err
	})
	startProcessorWith(t, srv.URL(), Config{Instance: "kw-1"}, prometheus.NewRegistry(), func(p *Processor) { p.text.dict = dict })

	// Processing goes on while the dictionary loads, but no checkpoint
	// may be written: it would hold these comments without keywords.
	waitSnapshot(t, rdb, "kw", 3)
	time.Sleep(300 * time.Millisecond) // several checkpoint intervals
	if n, _ := rdb.Exists(ctx, redisx.Room("kw").State()).Result(); n > 0 {
		t.Errorf("checkpoint written before the segmenter was ready: %v", checkpointedKeywords(t, rdb, "kw"))
	}
	close(gate)

	want := map[string]int64{"福袋": 3, "想要": 1, "上链接": 1}
	var got map[string]int64
	deadline := time.Now().Add(15 * time.Second)
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
