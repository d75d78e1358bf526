package live

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedeck/livedeck/internal/redistest"
)

// The operator's view of processing: every registered room is known, the
// lag stays within a read's block time while rooms keep up, and it grows
// while their reads fail.
func TestProcessingLagAndRoomsKnown(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	for _, r := range []string{"a", "b", "c"} {
		newRoom(t, rdb, r)
	}
	p, _, _ := startProcessor(t, srv.URL(), "p1", fixedClock)
	deadline := time.Now().Add(15 * time.Second)
	for len(p.Owned()) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if o := p.Owned(); len(o) != 3 {
		t.Fatalf("owns %v, want 3 rooms", o)
	}
	if got := testutil.ToFloat64(p.m.known); got != 3 {
		t.Errorf("rooms_known = %v, want 3", got)
	}
	appendEvents(t, rdb, "a", script()[:10])
	waitSnapshot(t, rdb, "a", 10)
	if lag := p.lag(time.Now()); lag > time.Second {
		t.Errorf("lag %v while every room keeps up", lag)
	}

	srv.Stop()
	time.Sleep(1500 * time.Millisecond)
	if lag := p.lag(time.Now()); lag < time.Second {
		t.Errorf("lag %v after 1.5 s without Redis, want it to grow", lag)
	}
}
