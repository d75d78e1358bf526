package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkHubBroadcast is the hub's fan-out of one signal to every client
// of a room (queue, not write), per client count.
func BenchmarkHubBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprint(n, "clients"), func(b *testing.B) {
			h := NewHub(HubConfig{}, nil, nil, newTestRegistry(), nil)
			s := &hubState{h: h, clients: map[*client]struct{}{}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
			r := &hubRoom{clients: map[*client]struct{}{}, budget: h.metricsBudget()}
			s.rooms["r1"] = r
			cs := make([]*client, n)
			for i := range cs {
				cs[i] = &client{h: h, view: viewOperator, rooms: []string{"r1"}, send: make(chan *outMsg, 1)}
				s.clients[cs[i]], r.clients[cs[i]] = struct{}{}, struct{}{}
			}
			m := newOutMsg("cue", "r1", "1732280000000-0", []byte(`{"kind":"cue"}`), time.Now())
			for b.Loop() {
				s.deliver(m, time.Now())
				for _, c := range cs {
					<-c.send
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/client")
		})
	}
}

// BenchmarkHubClientWrite is one write pump framing a shared message with
// its own seq and writing it to a loopback websocket.
func BenchmarkHubClientWrite(b *testing.B) {
	conns := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{WriteBufferPool: &sync.Pool{}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := up.Upgrade(w, r, nil); err == nil {
			conns <- ws
		}
	}))
	b.Cleanup(hs.Close)
	peer, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { peer.Close() })
	go func() {
		for {
			if _, _, err := peer.NextReader(); err != nil {
				return
			}
		}
	}()
	h := NewHub(HubConfig{}, nil, nil, newTestRegistry(), nil)
	c := &client{h: h, conn: <-conns}
	b.Cleanup(func() { c.conn.Close() })
	data := []byte(`{"room":"r1","seq":123456,"online":15321,"uv":88211,"gmv":129900000,"orders_paid":5210,"conversion":0.0591}`)
	m := newOutMsg(typeMetrics, "r1", "", data, time.Now())
	b.SetBytes(int64(len(m.head) + len(m.body) + 12))
	for b.Loop() {
		if err := c.write(m); err != nil {
			b.Fatal(err)
		}
	}
}
