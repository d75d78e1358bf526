package server

import (
	"encoding/json"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/livedeck/livedeck"
)

// TestHealthOfRestingRoom: a room whose numbers stopped because it is at
// rest (closed past its grace period) is not reported delayed; one that
// stopped while processed is, and a room that wakes is watched again.
func TestHealthOfRestingRoom(t *testing.T) {
	s := &hubState{h: &Hub{cfg: HubConfig{ProcessingLag: 5 * time.Second}}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
	r := &hubRoom{clients: map[*client]struct{}{}, budget: rate.NewLimiter(rate.Inf, 1)}
	s.rooms["a"] = r
	start := time.Now()
	for _, tc := range []struct {
		name    string
		resting bool
		want    string
	}{
		{"processed, then silent", false, "delayed"},
		{"at rest, then silent", true, "ok"},
		{"woken by a late event, then silent", false, "delayed"},
	} {
		snap, _ := json.Marshal(livedeck.Snapshot{Room: "a", Seq: 3, Resting: tc.resting})
		s.deliver(newOutMsg(typeMetrics, "a", "", snap, start), start)
		if got := s.healthOf(r, start.Add(time.Minute)).Status; got != tc.want {
			t.Errorf("%s: health %q, want %q", tc.name, got, tc.want)
		}
	}
}
