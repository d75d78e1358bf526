package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// wsInstance is one LiveDeck server with a running hub, over loopback HTTP.
type wsInstance struct {
	hs  *httptest.Server
	srv *Server
	hub *Hub
	reg *prometheus.Registry
	rdb redis.UniversalClient
}

// startWSInstance serves the routes with a hub on the Redis at url.
func startWSInstance(t testing.TB, url string, hc HubConfig, sc Config) *wsInstance {
	t.Helper()
	rdb, err := redisx.Open(url, redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blocking, err := redisx.Open(url, redisx.Options{PoolSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	hub := NewHub(hc, rdb, blocking, reg, log)
	srv, err := New(sc, Deps{Redis: rdb, Registry: reg, Logger: log, Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); _ = hub.Run(ctx) }()
	hs := httptest.NewServer(specChecked(t, srv.Handler()))
	t.Cleanup(func() {
		hub.Shutdown()
		cancel()
		<-ran
		hs.Close()
		blocking.Close()
		rdb.Close()
	})
	return &wsInstance{hs: hs, srv: srv, hub: hub, reg: reg, rdb: rdb}
}

func (in *wsInstance) wsURL(query string) string {
	return "ws" + strings.TrimPrefix(in.hs.URL, "http") + "/ws?" + query
}

// evictions reads the evictions counter for reason.
func (in *wsInstance) evictions(reason string) float64 {
	return testutil.ToFloat64(in.hub.m.evictions.WithLabelValues(reason))
}

// envelope is a server message as the console decodes it.
type envelope struct {
	Type string          `json:"type"`
	Room string          `json:"room"`
	Seq  uint64          `json:"seq"`
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// wsClient is a console connection that checks the seq of every message.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	seq  uint64
}

func dialWS(t testing.TB, url string, hdr http.Header) *wsClient {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(url, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}
}

// next reads one message; the test fails on a seq gap or after 10 s.
func (c *wsClient) next() envelope {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read (after seq %d): %v", c.seq, err)
	}
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		c.t.Fatalf("message %s: %v", b, err)
	}
	if e.Seq != c.seq+1 {
		c.t.Fatalf("seq %d after %d: %s", e.Seq, c.seq, b)
	}
	c.seq = e.Seq
	return e
}

// expect reads one message and checks its type and room.
func (c *wsClient) expect(typ, room string) envelope {
	c.t.Helper()
	e := c.next()
	if e.Type != typ || e.Room != room {
		c.t.Fatalf("got %s for room %q (%s), want %s for room %q", e.Type, e.Room, e.Data, typ, room)
	}
	return e
}

// closeCode reads until the connection ends and returns the close code
// (or -1 without a close frame).
func (c *wsClient) closeCode() int {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, _, err := c.conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			return -1
		}
	}
}

func addRoom(t testing.TB, rdb redis.UniversalClient, id string) {
	t.Helper()
	if err := rdb.SAdd(context.Background(), redisx.RoomsKey, id).Err(); err != nil {
		t.Fatal(err)
	}
}

func publishLive(t testing.TB, rdb redis.UniversalClient, room string, m livedeck.LiveMessage) {
	t.Helper()
	b, _ := json.Marshal(m)
	if err := rdb.Publish(context.Background(), redisx.Room(room).Live(), b).Err(); err != nil {
		t.Fatal(err)
	}
}

// addSignal appends a signal the way the rules engine does and returns its id.
func addSignal(t testing.TB, rdb redis.UniversalClient, sig livedeck.Signal) string {
	t.Helper()
	b, _ := json.Marshal(sig)
	id, err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: redisx.Room(sig.Room).Signals(), Values: []any{"s", b}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func cue(room, key string) livedeck.Signal {
	return livedeck.Signal{Kind: livedeck.SignalCue, Room: room, Rule: "r", At: time.Now().UnixMilli(),
		Cue: &livedeck.Cue{Key: key, Text: "库存只剩 " + key, Priority: 1, NeedsAck: true}}
}

func alert(room, key string) livedeck.Signal {
	return livedeck.Signal{Kind: livedeck.SignalAlert, Room: room, Rule: "r", At: time.Now().UnixMilli(),
		Alert: &livedeck.Alert{Key: key, Severity: "warning", Message: "oversold " + key}}
}

func decode[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func newTestRegistry() *prometheus.Registry { return prometheus.NewRegistry() }
