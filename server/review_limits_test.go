package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/review"
)

// TestReviewBusyAnswers503: with the instance's one review build slot
// taken by a live room's review, a review of another room is answered 503
// with Retry-After and a reason, and the waiting request then gets its
// review. (Before the bound, every request started a build of its own.)
func TestReviewBusyAnswers503(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ing, err := ingest.New(rdb, reg, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"big", "small"} {
		if _, err := ing.Rooms().Create(ctx, livedeck.Room{ID: id, Title: id}); err != nil {
			t.Fatal(err)
		}
	}
	started, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	rs := &review.Store{RDB: rdb, Limits: review.Limits{MaxBuilds: 1}, OnBuild: func(room string) {
		if room == "big" {
			once.Do(func() { close(started) })
			<-gate
		}
	}}
	srv, err := New(Config{}, Deps{Redis: rdb, Registry: reg, Logger: log, Ingest: ing, Review: rs})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- get("/api/v1/rooms/big/review?window=7") }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first review never started building")
	}
	rec := get("/api/v1/rooms/small/review")
	var body errorBody
	decodeJSONTest(t, rec.Body.Bytes(), &body)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" || body.Error.Code != livedeck.EUNAVAILABLE || body.Error.Message == "" {
		t.Fatalf("review while building another: %d Retry-After %q %s, want 503, Retry-After 5 and a reason", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	close(gate)
	if rec := <-first; rec.Code != http.StatusOK {
		t.Fatalf("the first review: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/api/v1/rooms/small/review"); rec.Code != http.StatusOK {
		t.Fatalf("review once the slot is free: %d %s", rec.Code, rec.Body)
	}
}
