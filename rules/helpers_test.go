package rules

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

var utc = time.UTC

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// setRoomProducts stores room's record with a line-up, as ingest does.
func setRoomProducts(t testing.TB, rdb redis.UniversalClient, room string, products ...livedeck.Product) {
	t.Helper()
	b, _ := json.Marshal(livedeck.Room{ID: room, Title: room, Currency: "CNY", Products: products})
	if err := rdb.Set(context.Background(), redisx.Room(room).Meta(), b, 0).Err(); err != nil {
		t.Fatal(err)
	}
}

// evalWritesPaused evaluates u while Redis refuses writes, and fails
// unless the evaluation reports it.
func evalWritesPaused(t *testing.T, rdb redis.UniversalClient, svc *Service, u livedeck.Update) {
	t.Helper()
	ctx := context.Background()
	if err := rdb.Do(ctx, "CLIENT", "PAUSE", 300, "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	err := svc.Engine.evaluate(short, u)
	cancel()
	if err == nil {
		t.Fatal("evaluation reported no error while Redis refused writes")
	}
	if err := rdb.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
}
