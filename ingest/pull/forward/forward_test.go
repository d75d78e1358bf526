package forward

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedeck/livedeck/internal/backoff"
)

// fakeLiveDeck speaks the ingest websocket: each text message is a JSON
// array of {"id":…} objects, answered in order. It keeps the ids it stored
// (a retry of a stored id is a duplicate), and behave decides, per batch,
// to fail it or to drop the connection before or after storing it.
type fakeLiveDeck struct {
	mu      sync.Mutex
	stored  []string
	seen    map[string]bool
	batches int
	behave  func(n int, ids []string) (act string, ack Ack) // n counts batches from 1
	token   string
	conns   atomic.Int64
}

func (s *fakeLiveDeck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.token || r.URL.Path != "/api/v1/rooms/r1/ingest" || r.URL.Query().Get("format") != "bilibili" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	s.conns.Add(1)
	for seq := int64(1); ; seq++ {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var objs []struct{ ID string }
		if err := json.Unmarshal(msg, &objs); err != nil {
			panic(fmt.Sprintf("not a JSON array: %s", msg))
		}
		ids := make([]string, len(objs))
		for i, o := range objs {
			ids[i] = o.ID
		}
		s.mu.Lock()
		s.batches++
		act, ack := "store", Ack{}
		if s.behave != nil {
			act, ack = s.behave(s.batches, ids)
		}
		if act == "store" || act == "store-drop" {
			for _, id := range ids {
				if s.seen[id] {
					ack.Duplicates++
					continue
				}
				s.seen[id] = true
				s.stored = append(s.stored, id)
				ack.Accepted++
			}
		}
		s.mu.Unlock()
		if act == "drop" || act == "store-drop" {
			return // the connection ends before the acknowledgement
		}
		ack.Seq = seq
		b, _ := json.Marshal(ack)
		if ws.WriteMessage(websocket.TextMessage, b) != nil {
			return
		}
	}
}

func (s *fakeLiveDeck) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.stored...)
}

func start(t *testing.T, fake *fakeLiveDeck, cfg Config) (*Forwarder, *Metrics) {
	t.Helper()
	fake.seen = map[string]bool{}
	fake.token = "tok"
	hs := httptest.NewServer(fake)
	t.Cleanup(hs.Close)
	cfg.Server, cfg.Room, cfg.Format, cfg.Token = hs.URL, "r1", "bilibili", "tok"
	cfg.Backoff = backoff.Policy{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	m := NewMetrics(nil)
	f, err := New(cfg, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return f, m
}

func put(t *testing.T, f *Forwarder, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := f.Put(context.Background(), fmt.Appendf(nil, `{"id":"m%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
}

func drain(t *testing.T, f *Forwarder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// wantOnceInOrder checks that ids m0..m(n-1) were stored once each, in order.
func wantOnceInOrder(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("stored %d messages, want %d", len(got), n)
	}
	for i, id := range got {
		if id != fmt.Sprintf("m%d", i) {
			t.Fatalf("message %d is %s", i, id)
		}
	}
}

func TestForwardBehaviours(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		behave     func(n int, ids []string) (string, Ack)
		retried    bool // some messages were sent more than once
		duplicates bool // LiveDeck saw some of them twice
		reconnects bool
	}{
		{name: "plain", cfg: Config{MaxBatch: 7}},
		{name: "ack lost: connection drops after storing", cfg: Config{MaxBatch: 7},
			behave: func(n int, _ []string) (string, Ack) {
				if n%3 == 0 {
					return "store-drop", Ack{}
				}
				return "store", Ack{}
			}, retried: true, duplicates: true, reconnects: true},
		{name: "connection drops before storing", cfg: Config{MaxBatch: 7},
			behave: func(n int, _ []string) (string, Ack) {
				if n%4 == 0 {
					return "drop", Ack{}
				}
				return "store", Ack{}
			}, retried: true, reconnects: true},
		{name: "unavailable and rate limited batches are sent again", cfg: Config{MaxBatch: 7},
			behave: func(n int, _ []string) (string, Ack) {
				switch n % 5 {
				case 1:
					return "fail", Ack{Error: &AckError{Code: "unavailable", Message: "redis down"}}
				case 2:
					return "fail", Ack{Error: &AckError{Code: "rate_limited", Message: "slow down"}}
				}
				return "store", Ack{}
			}, retried: true},
		{name: "no acknowledgement in time", cfg: Config{MaxBatch: 7, AckTimeout: 100 * time.Millisecond},
			behave: func(n int, _ []string) (string, Ack) {
				if n == 2 {
					time.Sleep(300 * time.Millisecond)
				}
				return "store", Ack{}
			}, retried: true, duplicates: true, reconnects: true},
		{name: "too large batches are halved", cfg: Config{MaxBatch: 16},
			behave: func(n int, ids []string) (string, Ack) {
				if len(ids) > 4 {
					return "fail", Ack{Error: &AckError{Code: "too_large", Message: "split the batch"}}
				}
				return "store", Ack{}
			}, retried: true},
		{name: "batch bytes bound", cfg: Config{MaxBatch: 100, MaxBatchBytes: 40},
			behave: func(n int, ids []string) (string, Ack) {
				if len(ids) > 3 { // {"id":"m10"} is 12 bytes: three fit in 40
					panic(fmt.Sprintf("batch of %d", len(ids)))
				}
				return "store", Ack{}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeLiveDeck{behave: tt.behave}
			f, m := start(t, fake, tt.cfg)
			put(t, f, 0, 100)
			drain(t, f)
			wantOnceInOrder(t, fake.got(), 100)
			if n := testutil.ToFloat64(m.Forwarded); n != 100 {
				t.Errorf("forwarded %v, want 100", n)
			}
			if got := testutil.ToFloat64(m.Retried) > 0; got != tt.retried {
				t.Errorf("retried %v", testutil.ToFloat64(m.Retried))
			}
			if got := testutil.ToFloat64(m.Duplicates) > 0; got != tt.duplicates {
				t.Errorf("duplicates %v", testutil.ToFloat64(m.Duplicates))
			}
			if got := testutil.ToFloat64(m.Reconnects) > 0; got != tt.reconnects {
				t.Errorf("reconnects %v", testutil.ToFloat64(m.Reconnects))
			}
			// Acknowledgements lost on the way are not counted here.
			if a := testutil.ToFloat64(m.Accepted); a != 100 && !tt.duplicates {
				t.Errorf("accepted %v", a)
			}
		})
	}
}

// A message LiveDeck refuses on its own (invalid) is found by halving the
// batch, counted, and the others go on.
func TestForwardIsolatesARefusedMessage(t *testing.T) {
	fake := &fakeLiveDeck{behave: func(n int, ids []string) (string, Ack) {
		for _, id := range ids {
			if id == "m13" {
				return "fail", Ack{Error: &AckError{Code: "invalid", Message: "not a message"}}
			}
		}
		return "store", Ack{}
	}}
	f, m := start(t, fake, Config{MaxBatch: 16})
	put(t, f, 0, 40)
	drain(t, f)
	got := fake.got()
	if len(got) != 39 || testutil.ToFloat64(m.Refused) != 1 {
		t.Fatalf("stored %d, refused %v", len(got), testutil.ToFloat64(m.Refused))
	}
	for _, id := range got {
		if id == "m13" {
			t.Fatal("m13 stored")
		}
	}
}

// While LiveDeck is unreachable nothing is lost: Put waits once the queue
// is full, and everything goes through when it comes back.
func TestForwardHoldsBackWhileLiveDeckIsDown(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	fake := &fakeLiveDeck{}
	inner := http.Handler(fake)
	fake.seen, fake.token = map[string]bool{}, "tok"
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	m := NewMetrics(nil)
	f, err := New(Config{Server: hs.URL, Room: "r1", Format: "bilibili", Token: "tok", MaxQueue: 10,
		Backoff: backoff.Policy{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}}, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	put(t, f, 0, 10)
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	err = f.Put(short, []byte(`{"id":"m10"}`))
	cancelShort()
	if !errors.Is(err, context.DeadlineExceeded) || f.Pending() != 10 {
		t.Fatalf("Put on a full queue: %v, pending %d", err, f.Pending())
	}
	if testutil.ToFloat64(m.Reconnects) < 2 {
		t.Fatalf("reconnects %v while down", testutil.ToFloat64(m.Reconnects))
	}
	down.Store(false)
	put(t, f, 10, 30) // waits for room as batches are acknowledged
	drain(t, f)
	wantOnceInOrder(t, fake.got(), 30)
}

func TestForwardRefusesNonJSON(t *testing.T) {
	f, err := New(Config{Server: "http://127.0.0.1:1", Room: "r"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Put(context.Background(), []byte(`{"cmd":`)); !errors.Is(err, ErrNotJSON) || f.Pending() != 0 {
		t.Fatalf("Put: %v, pending %d", err, f.Pending())
	}
}

func TestConfigURL(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Server: "http://127.0.0.1:8080", Room: "r 1", Format: "bilibili"}, "ws://127.0.0.1:8080/api/v1/rooms/r%201/ingest?format=bilibili&source=bilibili"},
		{Config{Server: "https://deck.example/base/", Room: "r", Format: "tiktok-live", Source: "tt-main"}, "wss://deck.example/base/api/v1/rooms/r/ingest?format=tiktok-live&source=tt-main"},
		{Config{Server: "http://h:1", Room: "r"}, "ws://h:1/api/v1/rooms/r/ingest"},
		{Config{Server: "ftp://h", Room: "r"}, ""},
		{Config{Server: "127.0.0.1:8080", Room: "r"}, ""},
	}
	for _, tt := range tests {
		got, err := tt.cfg.URL()
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("%+v: %q, %v; want %q", tt.cfg, got, err, tt.want)
		}
	}
}
