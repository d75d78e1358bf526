package ingest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// open returns a client for url with long timeouts, so a paused Redis
// blocks a test's batch instead of failing it.
func open(t *testing.T, url string) redis.UniversalClient {
	t.Helper()
	rdb, err := redisx.Open(url, redisx.Options{ReadTimeout: time.Minute, WriteTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func newService(t *testing.T, rdb redis.UniversalClient, cfg Config) *Service {
	t.Helper()
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = time.Minute
	}
	s, err := New(rdb, prometheus.NewRegistry(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func createRoom(t *testing.T, s *Service, id string) {
	t.Helper()
	_, err := s.Rooms().Create(context.Background(), livedeck.Room{ID: id, Title: "测试 " + id, Products: []livedeck.Product{
		{SKU: "A", Name: "口红", Price: 19900, Stock: 100}, {SKU: "B", Name: "Serum", Price: 39900, Stock: 10},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// stream reads back every event of a room's stream.
func stream(t *testing.T, rdb redis.UniversalClient, room string) []livedeck.Event {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), redisx.Room(room).Events(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]livedeck.Event, 0, len(msgs))
	for _, m := range msgs {
		for _, raw := range entryEvents(t, m) {
			var ev livedeck.Event
			if err := json.Unmarshal([]byte(raw), &ev); err != nil {
				t.Fatalf("entry %s: %v", m.ID, err)
			}
			out = append(out, ev)
		}
	}
	return out
}

// entryEvents is the JSON of each event of a stream entry: field e alone
// (version 1), or v = 2 and b, the events one per line (packed).
func entryEvents(t *testing.T, m redis.XMessage) []string {
	t.Helper()
	if len(m.Values) == 1 && m.Values["e"] != nil {
		return []string{m.Values["e"].(string)}
	}
	if len(m.Values) == 2 && m.Values["v"] == "2" && m.Values["b"] != nil {
		return strings.Split(m.Values["b"].(string), "\n")
	}
	t.Fatalf("entry %s has fields %v, want e, or v = 2 and b", m.ID, m.Values)
	return nil
}

func code(err error) string { return livedeck.ErrorCode(err) }

func i64(n int64) *int64 { return &n }
