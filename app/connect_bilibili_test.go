package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/ingest/pull"
	"github.com/livedeck/livedeck/ingest/pull/danmaku"
	"github.com/livedeck/livedeck/ingest/pull/forward"
	"github.com/livedeck/livedeck/internal/backoff"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
	"github.com/livedeck/livedeck/server"
)

// runAppAt runs the whole app on addr against redisURL until stop is called.
func runAppAt(t *testing.T, redisURL, addr string) (stop func()) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := Config{RedisURL: redisURL, Instance: "t1", Server: server.Config{Addr: addr}}
	cfg.Auth.AdminToken = testToken
	cfg.Auth.Limits.APIPerIP = redis_rate.PerSecond(100000)
	cfg.Auth.Limits.IngestPerCred = redis_rate.PerSecond(100000)
	var a *App
	var err error
	for try := 0; try < 50; try++ { // the previous instance's port may take a moment to free
		if a, err = New(context.Background(), cfg, log); err == nil || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done; a.Close() }) }
	t.Cleanup(stop)
	return stop
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// counter reads a counter of reg by name.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			var sum float64
			for _, m := range mf.Metric {
				sum += m.GetCounter().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// expected is what the session's messages map to, by the bilibili adapter.
type expected struct {
	events, comments, likes, follows, shares, views, gifts, giftValue int64
	online                                                            int64
}

func expectedOf(t *testing.T, s *danmaku.Session) expected {
	t.Helper()
	a, ok := connector.Lookup("bilibili")
	if !ok {
		t.Fatal("no bilibili adapter")
	}
	var e expected
	for _, f := range s.Frames {
		for _, c := range f.Cmds {
			msgs, err := a.Decode(&connector.Delivery{Body: c, Room: "r", Received: time.Now()}, &connector.Settings{})
			if err != nil || len(msgs) != 1 || msgs[0].Err != nil {
				t.Fatalf("fixture message %s: %v %+v", c, err, msgs)
			}
			for _, ev := range msgs[0].Events {
				e.events++
				switch ev.Type {
				case livedeck.EventComment:
					e.comments++
				case livedeck.EventLike:
					e.likes += ev.Count
				case livedeck.EventFollow:
					e.follows++
				case livedeck.EventShare:
					e.shares++
				case livedeck.EventEnter:
					e.views++
				case livedeck.EventGift:
					e.gifts++
					e.giftValue += ev.Value
				case livedeck.EventViewers:
					e.online = *ev.Online
				}
			}
		}
	}
	return e
}

// TestBilibiliConnectorEndToEnd plays the recorded session (plain, zlib
// and brotli frames) from a local danmaku server through the Bilibili
// connector into a running LiveDeck, dropping the danmaku connection a
// third of the way and restarting LiveDeck (same Redis) two thirds of the
// way, and checks that every message was forwarded and counted exactly
// once: in the room's Redis stream and in its live metrics.
func TestBilibiliConnectorEndToEnd(t *testing.T) {
	rs := redistest.Start(t)
	addr := freeAddr(t)
	stopApp := runAppAt(t, rs.URL(), addr)
	c := apiClient{t: t, base: "http://" + addr}
	if code, body := c.do("POST", "/api/v1/rooms", "application/json", `{"id":"bili1","title":"B站","currency":"CNY"}`); code/100 != 2 {
		t.Fatalf("create room: %d %s", code, body)
	}
	session, err := DemoBilibiliSession()
	if err != nil {
		t.Fatal(err)
	}
	want := expectedOf(t, session)
	if want.comments == 0 || want.likes == 0 || want.gifts == 0 || want.follows == 0 || want.shares == 0 || want.views == 0 || want.online == 0 {
		t.Fatalf("the session lacks a kind of message: %+v", want)
	}

	srv := &danmaku.Server{RoomID: 21452505, Key: "k", IdleTimeout: 2 * time.Second}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	reg := prometheus.NewRegistry()
	fast := backoff.Policy{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond}
	conn := &pull.Bilibili{
		Danmaku:  danmaku.Config{RoomID: 21452505, URL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/sub", Key: "k", Heartbeat: 500 * time.Millisecond, ReadTimeout: 10 * time.Second, Backoff: fast},
		Forward:  forward.Config{Server: "http://" + addr, Room: "bili1", Source: "bili-main", Token: testToken, MaxBatch: 16, AckTimeout: 5 * time.Second, Backoff: fast},
		Report:   -1,
		Registry: reg,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	connDone := make(chan error, 1)
	go func() { connDone <- conn.Run(ctx) }()

	// Commands in the first n frames, to know when the client has read them.
	upTo := func(n int) float64 {
		k := 0
		for _, f := range session.Frames[:n] {
			k += len(f.Cmds)
		}
		return float64(k)
	}
	frames := len(session.Frames)
	restarted := make(chan struct{})
	err = session.Play(ctx, srv, danmaku.PlayOptions{Speed: 25, Loops: 1, Sent: func(n int) {
		switch n {
		case frames / 3: // the danmaku connection drops once all sent so far is read
			eventually(t, "the client reads the first third", func() bool { return counter(t, reg, "livedeck_danmaku_commands_total") == upTo(n) })
			srv.Drop()
		case 2 * frames / 3: // LiveDeck goes away mid-stream and comes back on the same Redis
			stopApp()
			go func() {
				time.Sleep(700 * time.Millisecond)
				runAppAt(t, rs.URL(), addr)
				close(restarted)
			}()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	<-restarted
	total := float64(session.Commands())
	eventually(t, "every message forwarded", func() bool { return counter(t, reg, "livedeck_forward_messages_forwarded_total") == total })

	// Redis: each event once.
	rdb := rs.Client(t)
	entries, err := rdb.XRange(context.Background(), redisx.Room("bili1").Events(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	stored := 0
	for _, m := range entries {
		evs, err := livedeck.DecodeEntry(m.Values, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ids[ev.ID] {
				t.Errorf("event %s stored twice", ev.ID)
			}
			ids[ev.ID] = true
		}
		stored += len(evs)
	}
	if int64(stored) != want.events {
		t.Fatalf("stream holds %d events, the session maps to %d", stored, want.events)
	}

	// The room's live metrics, folded from the stream across the restart.
	var snap livedeck.Snapshot
	eventually(t, "metrics fold every event", func() bool {
		_, body := c.do("GET", "/api/v1/rooms/bili1/metrics", "", "")
		return json.Unmarshal([]byte(body), &snap) == nil && int64(snap.Seq) == want.events
	})
	got := expected{events: int64(snap.Seq), comments: snap.Comments, likes: snap.Likes, follows: snap.Follows, shares: snap.Shares,
		views: snap.Views, gifts: want.gifts, giftValue: snap.GiftValue, online: snap.Online}
	if got != want {
		t.Fatalf("metrics %+v, want %+v", got, want)
	}

	// The faults happened: a danmaku reconnect, LiveDeck reconnects, and
	// messages sent again (the restart caught some in flight or queued).
	if n := counter(t, reg, "livedeck_danmaku_reconnects_total"); n < 1 {
		t.Errorf("danmaku reconnects %v", n)
	}
	if n := counter(t, reg, "livedeck_forward_reconnects_total"); n < 1 {
		t.Errorf("forward reconnects %v", n)
	}
	t.Logf("%d messages, %d events; retried %v, duplicate events %v", session.Commands(), want.events,
		counter(t, reg, "livedeck_forward_messages_retried_total"), counter(t, reg, "livedeck_forward_events_duplicate_total"))
	cancel()
	if err := <-connDone; err != nil {
		t.Fatal(err)
	}
}
