package live

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestTakeoverPublishesNothingOlder: an owner dies after publishing events
// it never checkpointed. Its successor folds them again from the
// checkpoint, exactly once, but must not publish a snapshot older than the
// one consoles already show (numbers going backwards on screen) nor push
// and publish those events' comments a second time.
func TestTakeoverPublishesNothingOlder(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	evs := script()
	const shown = 10 // v1..c4: four comments among them
	newRoom(t, rdb, "tk")
	// Checkpoint never: everything the first owner folds is lost with it.
	_, _, crash := startProcessorWith(t, srv.URL(), Config{Instance: "doomed", Now: fixedClock, Checkpoint: time.Hour}, prometheus.NewRegistry(), nil)
	appendEvents(t, rdb, "tk", evs[:shown])
	waitSnapshot(t, rdb, "tk", shown)
	crash()

	ps := rdb.Subscribe(ctx, redisx.Room("tk").Live())
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, rdb, "tk", evs[shown:])
	startProcessor(t, srv.URL(), "survivor", fixedClock)

	var seqs []uint64
	var comments []string
	deadline := time.After(20 * time.Second)
	for len(seqs) == 0 || seqs[len(seqs)-1] < uint64(len(evs)) {
		select {
		case m := <-ps.Channel():
			var lm livedeck.LiveMessage
			if err := json.Unmarshal([]byte(m.Payload), &lm); err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, lm.Metrics.Seq)
			for _, c := range lm.Comments {
				comments = append(comments, c.ID)
			}
		case <-deadline:
			t.Fatalf("survivor never published seq %d; published %v", len(evs), seqs)
		}
	}
	for _, s := range seqs {
		if s < shown {
			t.Fatalf("survivor published seqs %v: below the %d consoles already showed", seqs, shown)
		}
	}
	if len(comments) != 0 {
		t.Errorf("survivor published comments %v again", comments)
	}
	stored, err := rdb.LRange(ctx, redisx.Room("tk").Comments(), 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 4 {
		t.Errorf("room keeps %d recent comments, want the 4 of the script once each: %v", len(stored), stored)
	}
}
