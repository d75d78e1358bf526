package danmaku

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedeck/livedeck/internal/backoff"
)

// collector is a Handler that keeps what it is given.
type collector struct {
	mu   sync.Mutex
	cmds []string
}

func (c *collector) handle(_ context.Context, cmd []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmds = append(c.cmds, string(cmd))
	return nil
}

func (c *collector) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.cmds...)
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// runClient runs a client against srv until the test ends.
func runClient(t *testing.T, cfg Config, h Handler) (*Client, *Metrics) {
	t.Helper()
	if cfg.Backoff == (backoff.Policy{}) {
		cfg.Backoff = backoff.Policy{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	}
	m := NewMetrics(nil)
	c, err := NewClient(cfg, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return c, m
}

func localServer(t *testing.T, s *Server) string {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/sub"
}

func cmd(i int) string { return fmt.Sprintf(`{"cmd":"DANMU_MSG","n":%d}`, i) }

// send sends commands from..to-1 in frames of three, cycling through the
// plain, zlib and brotli encodings.
func send(t *testing.T, s *Server, from, to int) {
	t.Helper()
	vers := []uint16{VerPlain, VerZlib, VerBrotli}
	for i := from; i < to; i += 3 {
		var cmds []string
		for j := i; j < min(i+3, to); j++ {
			cmds = append(cmds, cmd(j))
		}
		// A frame handed to a connection that was just dropped fails to
		// write; it goes to the next client.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.Send(ctx, mustFrame(t, vers[(i/3)%3], cmds...))
		for err != nil && ctx.Err() == nil {
			err = s.Send(ctx, mustFrame(t, vers[(i/3)%3], cmds...))
		}
		cancel()
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
}

func wantInOrder(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d commands, want %d", len(got), n)
	}
	for i, g := range got {
		if g != cmd(i) {
			t.Fatalf("command %d is %s, want %s", i, g, cmd(i))
		}
	}
}

func TestClientReceivesPlainAndCompressedFrames(t *testing.T) {
	srv := &Server{RoomID: 42, Key: "k1"}
	var col collector
	_, m := runClient(t, Config{RoomID: 42, URL: localServer(t, srv), Key: "k1"}, col.handle)
	send(t, srv, 0, 60)
	waitFor(t, "60 commands", func() bool { return len(col.got()) == 60 })
	wantInOrder(t, col.got(), 60)
	if n := testutil.ToFloat64(m.Commands); n != 60 {
		t.Errorf("commands metric %v", n)
	}
	if srv.Auths() != 1 || testutil.ToFloat64(m.Reconnects) != 0 {
		t.Errorf("auths %d reconnects %v, want one connection", srv.Auths(), testutil.ToFloat64(m.Reconnects))
	}
}

// With heartbeats every 20 ms and a server that drops clients silent for
// 400 ms, one connection lasts well past 400 ms; every heartbeat is answered.
func TestClientHeartbeatsKeepTheConnection(t *testing.T) {
	srv := &Server{IdleTimeout: 400 * time.Millisecond}
	_, m := runClient(t, Config{RoomID: 7, URL: localServer(t, srv), Heartbeat: 20 * time.Millisecond, ReadTimeout: 10 * time.Second}, (&collector{}).handle)
	waitFor(t, "40 heartbeat replies", func() bool { return testutil.ToFloat64(m.Heartbeats) >= 40 })
	if srv.Auths() != 1 || testutil.ToFloat64(m.Reconnects) != 0 {
		t.Fatalf("auths %d reconnects %v: the connection did not last", srv.Auths(), testutil.ToFloat64(m.Reconnects))
	}
	if srv.Heartbeats() < 40 {
		t.Fatalf("server saw %d heartbeats", srv.Heartbeats())
	}
}

func TestClientReconnectsAfterADroppedConnection(t *testing.T) {
	srv := &Server{RoomID: 42}
	var col collector
	_, m := runClient(t, Config{RoomID: 42, URL: localServer(t, srv)}, col.handle)
	send(t, srv, 0, 30)
	waitFor(t, "30 commands", func() bool { return len(col.got()) == 30 })
	srv.Drop()
	send(t, srv, 30, 60) // waits for the client to come back
	waitFor(t, "60 commands", func() bool { return len(col.got()) == 60 })
	wantInOrder(t, col.got(), 60)
	if srv.Auths() != 2 || testutil.ToFloat64(m.Reconnects) != 1 {
		t.Fatalf("auths %d reconnects %v, want 2 and 1", srv.Auths(), testutil.ToFloat64(m.Reconnects))
	}
}

// A handler that blocks holds the reader back: nothing is read past it,
// nothing is lost.
func TestClientBackpressure(t *testing.T) {
	srv := &Server{}
	gate := make(chan struct{})
	var col collector
	var calls atomic.Int64
	runClient(t, Config{RoomID: 1, URL: localServer(t, srv)}, func(ctx context.Context, c []byte) error {
		if calls.Add(1) == 1 {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return col.handle(ctx, c)
	})
	send(t, srv, 0, 30)
	time.Sleep(50 * time.Millisecond)
	if n := len(col.got()); n != 0 {
		t.Fatalf("%d commands passed a blocked handler", n)
	}
	close(gate)
	waitFor(t, "30 commands", func() bool { return len(col.got()) == 30 })
	wantInOrder(t, col.got(), 30)
}

func TestClientStopsOnHandlerError(t *testing.T) {
	srv := &Server{}
	boom := errors.New("boom")
	c, err := NewClient(Config{RoomID: 1, URL: localServer(t, srv)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background(), func(context.Context, []byte) error { return boom }) }()
	send(t, srv, 0, 1)
	select {
	case err := <-done:
		if !errors.Is(err, boom) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// The bootstrap: real room id from a short one, Wbi-signed getDanmuInfo,
// its key used for auth; a refused key makes the client fetch a new one.
func TestClientBootstrapAndKeyRefresh(t *testing.T) {
	srv := &Server{RoomID: 21452505, Key: "second-key"}
	var infoCalls atomic.Int64
	mux := http.NewServeMux()
	var hs *httptest.Server
	mux.Handle("/sub", srv)
	mux.HandleFunc("/room/v1/Room/get_info", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("room_id") != "510" || r.Header.Get("User-Agent") != UserAgent {
			http.Error(w, "bad request", 400)
			return
		}
		fmt.Fprint(w, `{"code":0,"msg":"ok","data":{"room_id":21452505,"short_id":510,"uid":1}}`)
	})
	mux.HandleFunc("/nav", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":-101,"message":"账号未登录","data":{"isLogin":false,"wbi_img":{"img_url":"https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png","sub_url":"https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png"}}}`)
	})
	mux.HandleFunc("/xlive/web-room/v1/index/getDanmuInfo", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		// w_rid for id=21452505&type=0&wts=1700000000 with the published
		// example keys, computed with Python's hashlib.
		if q.Get("id") != "21452505" || q.Get("wts") != "1700000000" || q.Get("w_rid") != "88326733a20d9a0418bee81ea27eb864" {
			fmt.Fprint(w, `{"code":-352,"message":"-352","data":{}}`)
			return
		}
		key := "first-key" // refused by the server; the next one is right
		if infoCalls.Add(1) > 1 {
			key = "second-key"
		}
		host, port, _ := strings.Cut(strings.TrimPrefix(hs.URL, "https://"), ":")
		fmt.Fprintf(w, `{"code":0,"message":"0","data":{"token":%q,"host_list":[{"host":%q,"port":2243,"wss_port":%s,"ws_port":2244}]}}`, key, host, port)
	})
	hs = httptest.NewTLSServer(mux)
	t.Cleanup(hs.Close)
	boot := &Bootstrap{LiveAPI: hs.URL, NavURL: hs.URL + "/nav", Client: hs.Client(), Now: func() time.Time { return time.Unix(1700000000, 0) }}
	var col collector
	runClient(t, Config{RoomID: 510, Bootstrap: boot, TLSConfig: hs.Client().Transport.(*http.Transport).TLSClientConfig}, col.handle)
	send(t, srv, 0, 3)
	waitFor(t, "3 commands", func() bool { return len(col.got()) == 3 })
	if infoCalls.Load() != 2 || srv.Auths() != 1 {
		t.Fatalf("getDanmuInfo calls %d auths %d, want 2 and 1", infoCalls.Load(), srv.Auths())
	}
}
