package live

import (
	"fmt"
	"testing"

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
	if empty := NewState("e", nil).Snapshot(base); empty.ViewersAgeSeconds != -1 || empty.Sources != nil {
		t.Errorf("no events: viewers age %v, sources %v", empty.ViewersAgeSeconds, empty.Sources)
	}
}
