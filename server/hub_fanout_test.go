package server

import (
	"fmt"
	"testing"
	"time"
)

// TestHubWorkerSkipsStaleMetrics: a worker that is behind skips a room's
// metrics when newer ones of that room are queued for the same clients;
// everything else, and other rooms' metrics, go out in order.
func TestHubWorkerSkipsStaleMetrics(t *testing.T) {
	m := func(typ, room string, seq uint64) *outMsg { return &outMsg{typ: typ, room: room, seq: seq} }
	tests := []struct {
		queued []*outMsg // handed to the worker before it runs
		want   string    // what its client gets
	}{
		{[]*outMsg{m(typeMetrics, "a", 1)}, "[metrics/a/1]"},
		{[]*outMsg{m(typeMetrics, "a", 1), m(typeMetrics, "a", 2)}, "[metrics/a/2]"},
		{[]*outMsg{m(typeMetrics, "a", 1), m("cue", "a", 0), m(typeMetrics, "a", 2)}, "[cue/a/0 metrics/a/2]"},
		{[]*outMsg{m(typeMetrics, "a", 1), m(typeMetrics, "b", 1), m(typeMetrics, "a", 2)}, "[metrics/b/1 metrics/a/2]"},
		{[]*outMsg{m("cue", "a", 0), m("cue", "a", 0)}, "[cue/a/0 cue/a/0]"},
	}
	for _, tc := range tests {
		h := NewHub(HubConfig{MetricsBurst: 100, FanoutWorkers: 1}, nil, nil, newTestRegistry(), nil)
		s := &hubState{h: h, clients: map[*client]struct{}{}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
		c := &client{h: h, view: viewOperator, rooms: []string{"a", "b"}, flushing: true} // greeting: messages wait in the backlog
		s.clients[c] = struct{}{}
		for _, id := range c.rooms {
			s.rooms[id] = &hubRoom{clients: map[*client]struct{}{c: {}}, changed: true, budget: h.metricsBudget()}
		}
		for _, q := range tc.queued {
			s.deliver(q, time.Now())
		}
		for len(h.jobs[0]) > 0 {
			(<-h.jobs[0]).run(nil)
		}
		var got []string
		for _, x := range c.backlog {
			got = append(got, fmt.Sprintf("%s/%s/%d", x.typ, x.room, x.seq))
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("queued %d messages: client got %v, want %s", len(tc.queued), got, tc.want)
		}
	}
}
