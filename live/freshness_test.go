package live

import (
	"fmt"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

func TestFreshness(t *testing.T) {
	s := NewState("r", nil)
	fold := func(src string, typ livedeck.EventType, arrivedMs int64) {
		e := livedeck.Event{ID: "x", Type: typ, TS: arrivedMs, Source: src, Online: i64(10)}
		s.Fold(&e, fmt.Sprintf("%d-0", arrivedMs), nil)
	}
	fold("connector", livedeck.EventViewers, base)
	fold("connector", livedeck.EventViewers, base+10_000)
	fold("webhook", livedeck.EventLike, base+20_000)
	fold("", livedeck.EventLike, base+21_000)
	fold("webhook", livedeck.EventLike, base-120_000) // old arrival: outside the rate window
	snap := s.Snapshot(base + 45_000)
	for _, tc := range []struct {
		src    string
		age    float64
		perMin int64
	}{{"connector", 35, 2}, {"webhook", 25, 1}, {"api", 24, 1}} {
		got, ok := snap.Sources[tc.src]
		if !ok || got.AgeSeconds != tc.age || got.PerMin != tc.perMin {
			t.Errorf("source %s = %+v (present %v), want age %v per_min %d", tc.src, got, ok, tc.age, tc.perMin)
		}
	}
	if snap.ViewersAgeSeconds != 35 {
		t.Errorf("viewers age = %v, want 35", snap.ViewersAgeSeconds)
	}
	// With a 30 s limit the connector (35 s) and the online count it feeds
	// are stale; the webhook (25 s) and api (24 s) are not.
	markStale(&snap, 30*time.Second)
	if !snap.OnlineStale || !snap.Sources["connector"].Stale || snap.Sources["webhook"].Stale || snap.Sources["api"].Stale || snap.StaleAfterSeconds != 30 {
		t.Errorf("stale marks = online %v, sources %+v, after %v", snap.OnlineStale, snap.Sources, snap.StaleAfterSeconds)
	}
	markStale(&snap, 40*time.Second)
	if snap.OnlineStale || snap.Sources["connector"].Stale {
		t.Errorf("with a 40 s limit nothing is stale: online %v, connector %+v", snap.OnlineStale, snap.Sources["connector"])
	}
	if empty := NewState("e", nil).Snapshot(base); empty.ViewersAgeSeconds != -1 || empty.Sources != nil {
		t.Errorf("no events: viewers age %v, sources %v", empty.ViewersAgeSeconds, empty.Sources)
	}
}
