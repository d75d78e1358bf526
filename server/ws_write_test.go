package server

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// loopbackWS is a websocket over loopback TCP: the server's end and the
// peer's.
func loopbackWS(t testing.TB) (srv, peer *websocket.Conn) {
	conns := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{WriteBufferPool: &sync.Pool{}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ws, err := up.Upgrade(w, r, nil); err == nil {
			conns <- ws
		}
	}))
	t.Cleanup(hs.Close)
	peer, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	srv = <-conns
	t.Cleanup(func() { srv.Close() })
	return srv, peer
}

// TestWSWriteFrames: messages of every frame length class (7-bit, 16-bit
// and 64-bit lengths) and a ping reach a websocket reader intact, in
// order, seq 1, 2, …: written by a fan-out worker straight to the socket
// (the large ones only in part, the rest by a flusher), and by flushers
// for a connection without a socket to write to directly (TLS, say).
func TestWSWriteFrames(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(map[bool]string{true: "socket", false: "flusher"}[direct], func(t *testing.T) {
			srv, peer := loopbackWS(t)
			h := NewHub(HubConfig{}, nil, nil, newTestRegistry(), nil)
			c := &client{h: h, conn: srv, sock: socketOf(srv), rooms: []string{"r1"}, since: []*roomSince{nil}}
			if !direct {
				c.sock.raw = nil
			} else if err := srv.NetConn().(*net.TCPConn).SetWriteBuffer(4 << 10); err != nil {
				t.Fatal(err) // a small socket buffer: large frames go out partly, the flusher writes the rest
			}
			pinged := make(chan struct{}, 1)
			peer.SetPingHandler(func(string) error { pinged <- struct{}{}; return nil })
			sizes := []int{0, 70, 80, 200, 65000, 65600, 200000}
			go func() {
				var buf []byte
				for i, n := range sizes {
					data, _ := json.Marshal(strings.Repeat("库", n/3))
					buf = c.deliver(newOutMsg(typeComment, "r1", "", data, time.Now()), buf)
					if i == 2 {
						buf = c.deliver(pingMsg, buf)
					}
				}
			}()
			for i, n := range sizes {
				_, raw, err := peer.ReadMessage()
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				var env struct {
					Type string `json:"type"`
					Room string `json:"room"`
					Seq  uint64 `json:"seq"`
					Data string `json:"data"`
				}
				if err := json.Unmarshal(raw, &env); err != nil {
					t.Fatalf("message %d (%d bytes) is not JSON: %v", i, len(raw), err)
				}
				if env.Type != typeComment || env.Room != "r1" || env.Seq != uint64(i+1) || env.Data != strings.Repeat("库", n/3) {
					t.Fatalf("message %d: type %q room %q seq %d, %d bytes of data; want comment r1 seq %d, %d bytes",
						i, env.Type, env.Room, env.Seq, len(env.Data), i+1, n/3*3)
				}
			}
			select {
			case <-pinged:
			default:
				t.Fatal("no ping")
			}
		})
	}
}
