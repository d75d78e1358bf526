package ingest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// likeIDs is n ids, prefix-0 … prefix-(n-1).
func likeIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return ids
}

// TestStreamFormats writes a room's stream in both entry shapes, one after
// the other: every event reads back once, in order, and dedupe holds
// across the shapes.
func TestStreamFormats(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	one := newService(t, rdb, Config{PackEvents: 1})
	packed := newService(t, rdb, Config{PackEvents: 40})
	createRoom(t, packed, "mixed")
	want := []livedeck.Event{}
	for i, s := range []*Service{one, packed, one, packed} {
		evs := likes(likeIDs(fmt.Sprintf("b%d", i), 100)...)
		res, err := s.Ingest(ctx, "mixed", "", evs)
		if err != nil || res.Accepted != 100 {
			t.Fatalf("batch %d: %+v, %v", i, res, err)
		}
		for j := range evs {
			evs[j].Source = DefaultSource
		}
		want = append(want, evs...)
	}
	// Sent again through the other shape's writer: all duplicates.
	for i, s := range []*Service{packed, one} {
		res, err := s.Ingest(ctx, "mixed", "", likes(likeIDs(fmt.Sprintf("b%d", i), 100)...))
		if err != nil || res.Duplicates != 100 {
			t.Fatalf("batch %d again: %+v, %v", i, res, err)
		}
	}
	if got := stream(t, rdb, "mixed"); !reflect.DeepEqual(got, want) {
		t.Fatalf("stream holds %d events, want the %d written, in order", len(got), len(want))
	}
	// 100 + 3 (40 + 40 + 20) + 100 + 3 entries.
	if n := rdb.XLen(ctx, redisx.Room("mixed").Events()).Val(); n != 206 {
		t.Errorf("stream holds %d entries, want 206", n)
	}
	// The events are read back through the decoder every reader uses.
	msgs := rdb.XRange(ctx, redisx.Room("mixed").Events(), "-", "+").Val()
	var read []livedeck.Event
	for _, m := range msgs {
		var err error
		if read, err = livedeck.DecodeEntry(m.Values, read); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(read, want) {
		t.Errorf("DecodeEntry reads %d events, want the %d written", len(read), len(want))
	}
}

// TestPackedTrim checks that the stream cap counts events, not entries,
// whatever each entry holds: never fewer than the cap, at most about
// 1.1 × the cap plus an entry — after one event per entry, after packed
// entries of 100, and after packed entries of one.
func TestPackedTrim(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	one := newService(t, rdb, Config{PackEvents: 1, StreamMaxLen: 1000})
	packed := newService(t, rdb, Config{StreamMaxLen: 1000})
	createRoom(t, packed, "trim")
	batch, written := 0, 0
	send := func(s *Service, batches, size int) {
		t.Helper()
		for range batches {
			batch++
			written += size
			if _, err := s.Ingest(ctx, "trim", "", likes(likeIDs(fmt.Sprintf("t%d", batch), size)...)); err != nil {
				t.Fatal(err)
			}
			foldedUpTo(t, rdb, "trim", "+") // a live processor keeping up
			if n := len(stream(t, rdb, "trim")); n < min(written, 1000) {
				t.Fatalf("after batch %d the stream holds %d events, below the cap of 1000", batch, n)
			}
		}
		// MAXLEN ~ and MINID ~ trim whole nodes: allow a node of version 1
		// entries (up to 100) beyond 1.1 × the cap and the last entry.
		if n := len(stream(t, rdb, "trim")); n > 1100+100+size {
			t.Errorf("after batch %d the stream holds %d events for a cap of 1000", batch, n)
		}
	}
	send(one, 15, 100)
	send(packed, 30, 100)
	send(packed, 300, 1)
	send(packed, 30, 100)
	// The marks stay few: about one per tenth of the cap, and the total.
	if n := rdb.ZCard(ctx, redisx.Room("trim").EventCount()).Val(); n > 13 {
		t.Errorf("%d trim marks, want about 11", n)
	}
}

// TestDedupeKeySeparator sends ids holding the byte that ends each dedupe
// key in the script's argument: in process only, as decoded text is
// valid UTF-8. They are still deduplicated one by one.
func TestDedupeKeySeparator(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	s := newService(t, rdb, Config{})
	createRoom(t, s, "ff")
	evs := likes("a\xffb", "a\xff", "\xff", "plain")
	for i, want := range []Result{{Accepted: 4}, {Duplicates: 4}} {
		res, err := s.Ingest(ctx, "ff", "", evs)
		if err != nil || res.Accepted != want.Accepted || res.Duplicates != want.Duplicates {
			t.Fatalf("send %d: %+v, %v; want %+v", i, res, err, want)
		}
	}
	if n := len(stream(t, rdb, "ff")); n != 4 {
		t.Errorf("stream holds %d events, want 4", n)
	}
}

// foldedUpTo writes room's live checkpoint at the stream entry at or
// before id ("+": the newest), as the live processor does.
func foldedUpTo(t *testing.T, rdb redis.UniversalClient, room, id string) string {
	t.Helper()
	ctx := context.Background()
	k := redisx.Room(room)
	last, err := rdb.XRevRangeN(ctx, k.Events(), id, "-", 1).Result()
	if err != nil || len(last) == 0 {
		t.Fatalf("entry at or before %s: %v", id, err)
	}
	if err := rdb.HSet(ctx, k.State(), "last_id", last[0].ID).Err(); err != nil {
		t.Fatal(err)
	}
	return last[0].ID
}

// TestTrimWaitsForLiveMetrics: the stream keeps every event the room's
// live processor has not folded (its checkpoint) past the cap; once a cap's
// worth is held that way, ingest refuses with 429 and writes nothing; when
// the processor catches up, trimming and ingest resume.
func TestTrimWaitsForLiveMetrics(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	s, err := New(rdb, reg, Config{StreamMaxLen: 1000, WriteTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	createRoom(t, s, "slow")
	batch := 0
	send := func() error {
		batch++
		_, err := s.Ingest(ctx, "slow", "", likes(likeIDs(fmt.Sprintf("s%d", batch), 100)...))
		return err
	}
	// No checkpoint yet: nothing may be trimmed.
	for range 15 {
		if err := send(); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
	}
	if n := len(stream(t, rdb, "slow")); n != 1500 {
		t.Fatalf("before any checkpoint the stream holds %d events, want all 1500", n)
	}
	// The processor folded the first 500: the stream may drop those only.
	mid, err := rdb.XRange(ctx, redisx.Room("slow").Events(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	ck := foldedUpTo(t, rdb, "slow", mid[4].ID)
	for range 5 {
		if err := send(); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
	}
	kept := map[string]bool{}
	for _, ev := range stream(t, rdb, "slow") {
		kept[ev.ID] = true
	}
	for b := 6; b <= batch; b++ {
		for _, id := range likeIDs(fmt.Sprintf("s%d", b), 100) {
			if !kept[id] {
				t.Fatalf("event %s, after the checkpoint %s, was trimmed", id, ck)
			}
		}
	}
	// Keep sending until a cap's worth is held past the cap: refused.
	var refused error
	for range 20 {
		if refused = send(); refused != nil {
			break
		}
	}
	var oe *OverloadError
	if !errors.As(refused, &oe) || livedeck.ErrorCode(refused) != livedeck.ERATELIMIT {
		t.Fatalf("sending on a processor a cap behind: %v, want a 429 overload", refused)
	}
	held := len(stream(t, rdb, "slow"))
	if err := send(); err == nil {
		t.Fatal("a second batch while behind was accepted")
	}
	if n := len(stream(t, rdb, "slow")); n != held {
		t.Fatalf("refused batches wrote: %d events, then %d", held, n)
	}
	if got := testutil.ToFloat64(s.m.batches.WithLabelValues("behind")); got != 2 {
		t.Errorf("batches_total{result=behind} = %v, want 2", got)
	}
	// Caught up: accepted again, and the stream trims back near the cap.
	foldedUpTo(t, rdb, "slow", "+")
	if err := send(); err != nil {
		t.Fatalf("after catching up: %v", err)
	}
	if n := len(stream(t, rdb, "slow")); n > 1100+100 {
		t.Errorf("after catching up the stream holds %d events for a cap of 1000", n)
	}
	if v, err := rdb.HExists(ctx, redisx.Room("slow").State(), "behind").Result(); err != nil || v {
		t.Errorf("'behind' still noted after catching up: %v %v", v, err)
	}
}
