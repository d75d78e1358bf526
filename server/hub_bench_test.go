package server

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkHubBroadcast is the fan-out of one signal to every client of a
// room: the hub's hand-off to the workers and the workers queueing it for
// each client (clients still greeting: queue, not write), per client count.
func BenchmarkHubBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprint(n, "clients"), func(b *testing.B) {
			h := NewHub(HubConfig{FanoutWorkers: 2}, nil, nil, newTestRegistry(), nil)
			s := &hubState{h: h, clients: map[*client]struct{}{}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
			r := &hubRoom{clients: map[*client]struct{}{}, changed: true, budget: h.metricsBudget()}
			s.rooms["r1"] = r
			cs := make([]*client, n)
			for i := range cs {
				cs[i] = &client{h: h, view: viewOperator, rooms: []string{"r1"}, worker: i % 2, flushing: true}
				s.clients[cs[i]], r.clients[cs[i]] = struct{}{}, struct{}{}
			}
			m := newOutMsg("cue", "r1", "1732280000000-0", []byte(`{"kind":"cue"}`), time.Now())
			var buf []byte
			for b.Loop() {
				s.deliver(m, time.Now())
				for _, jobs := range h.jobs {
					buf = (<-jobs).run(buf)
				}
				for _, c := range cs {
					c.backlog = c.backlog[:0]
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/client")
		})
	}
}

// BenchmarkHubClientWrite is a fan-out worker framing a shared message
// with one client's seq and writing it to its loopback websocket.
func BenchmarkHubClientWrite(b *testing.B) {
	ws, peer := loopbackWS(b)
	go func() {
		for {
			if _, _, err := peer.NextReader(); err != nil {
				return
			}
		}
	}()
	h := NewHub(HubConfig{SendQueue: 1 << 20}, nil, nil, newTestRegistry(), nil)
	c := &client{h: h, conn: ws, sock: socketOf(ws)}
	data := []byte(`{"room":"r1","seq":123456,"online":15321,"uv":88211,"gmv":129900000,"orders_paid":5210,"conversion":0.0591}`)
	m := newOutMsg(typeMetrics, "r1", "", data, time.Now())
	b.SetBytes(int64(len(m.head) + len(m.body) + 12))
	var buf []byte
	for b.Loop() {
		buf = c.deliver(m, buf)
	}
	for c.isFlushing() { // a full socket buffer handed the rest to a flusher
		time.Sleep(time.Millisecond)
	}
	if c.isKicked() {
		b.Fatal("client kicked")
	}
}

func (c *client) isFlushing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushing
}
