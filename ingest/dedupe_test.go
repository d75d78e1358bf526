package ingest

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestDedupeWindow pins the clock the script uses and checks, for several
// windows and for an id first seen at the start, middle and end of a
// bucket, that the id is a duplicate across the next bucket boundary and
// for the whole window, and new again once its bucket stops being
// consulted, when the write unlinks that bucket (it would expire a day
// later).
func TestDedupeWindow(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	day := int64(bucketWidth / time.Second)
	// Tomorrow's bucket: every time below is in the future, so no bucket
	// expires while the test runs.
	base := time.Now().Unix()/day*day + day
	cases := []struct {
		window time.Duration
		n      int64 // buckets consulted
	}{
		{24 * time.Hour, 2},
		{36 * time.Hour, 3},
		{48 * time.Hour, 3},
		{72 * time.Hour, 4},
	}
	offsets := []int64{0, day / 2, day - 1} // first seen this far into its bucket
	for _, c := range cases {
		s := newService(t, rdb, Config{DedupeWindow: c.window})
		if s.w.buckets.n != c.n {
			t.Fatalf("window %s consults %d buckets, want %d", c.window, s.w.buckets.n, c.n)
		}
		win := int64(c.window / time.Second)
		for _, off := range offsets {
			room := fmt.Sprintf("window-%d-%d", win, off)
			createRoom(t, s, room)
			first := base + off
			forget := base + c.n*day // the bucket's last consulted second + 1
			if forget <= first+win {
				t.Fatalf("window %s, offset %d: forgotten at %d, before the window ends at %d", c.window, off, forget, first+win)
			}
			steps := []struct {
				at       int64
				accepted int
			}{
				{first, 1},
				{first + 1, 0}, // the next bucket when off = day-1
				{base + day, 0},
				{first + win, 0},
				{forget - 1, 0},
				{forget, 1},
			}
			bucket := redisx.Room(room).Dedupe(base)
			for _, st := range steps {
				if st.at == forget {
					exp, err := rdb.ExpireTime(ctx, bucket).Result()
					if err != nil || int64(exp/time.Second) != forget+day {
						t.Errorf("window %s: bucket expires at %v (%v), want %d", c.window, exp, err, forget+day)
					}
				}
				s.w.clock = func() time.Time { return time.Unix(st.at, 0) }
				res, err := s.Ingest(ctx, room, "", likes("x"))
				if err != nil {
					t.Fatal(err)
				}
				if res.Accepted != st.accepted || res.Accepted+res.Duplicates != 1 {
					t.Errorf("window %s, first seen %d s into a bucket, %+d s later: %+v, want %d accepted",
						c.window, off, st.at-first, res, st.accepted)
				}
			}
			if n, err := rdb.Exists(ctx, bucket).Result(); err != nil || n != 0 {
				t.Errorf("window %s: bucket out of the window still there (%v)", c.window, err)
			}
		}
	}
}

// TestDedupeUnlinkMixedWindows: while instances run with different
// windows (a rolling change of --dedupe-window), a writer with the shorter
// window does not unlink a bucket the longer window still consults.
func TestDedupeUnlinkMixedWindows(t *testing.T) {
	rdb := open(t, redistest.Start(t).URL())
	ctx := context.Background()
	day := int64(bucketWidth / time.Second)
	base := time.Now().Unix()/day*day + day                           // tomorrow: nothing expires during the test
	long := newService(t, rdb, Config{DedupeWindow: 72 * time.Hour})  // 4 buckets
	short := newService(t, rdb, Config{DedupeWindow: 48 * time.Hour}) // 3 buckets
	createRoom(t, long, "mixed")
	bucket := redisx.Room("mixed").Dedupe(base)
	steps := []struct {
		s        *Service
		at       int64
		id       string
		accepted int
		kept     bool // the first bucket still there after the write
	}{
		{long, base, "x", 1, true},
		{short, base + 3*day, "y", 1, true}, // out of short's window, not of long's
		{long, base + 3*day, "x", 0, true},
		{short, base + 4*day, "z", 1, true}, // short unlinks only the bucket just out of its window
		{long, base + 4*day, "x", 1, false}, // out of both windows
	}
	for i, st := range steps {
		st.s.w.clock = func() time.Time { return time.Unix(st.at, 0) }
		res, err := st.s.Ingest(ctx, "mixed", "", likes(st.id))
		if err != nil || res.Accepted != st.accepted {
			t.Fatalf("step %d: %+v %v, want %d accepted", i, res, err, st.accepted)
		}
		if n, err := rdb.Exists(ctx, bucket).Result(); err != nil || (n == 1) != st.kept {
			t.Errorf("step %d: first bucket exists %d (%v), want %v", i, n, err, st.kept)
		}
	}
}

// TestDedupeRetriedCall loses the reply to a batch's pipeline after Redis
// has run it, so the Redis client sends the same script calls again: the
// counts must still be exact and every new event appended once.
func TestDedupeRetriedCall(t *testing.T) {
	srv := redistest.Start(t)
	proxy := startDropProxy(t, srv.Addr())
	rdb := open(t, "redis://"+proxy.addr())
	s := newService(t, rdb, Config{ChunkSize: 2})
	ctx := context.Background()
	room := "retried"
	createRoom(t, s, room)
	if _, err := s.Ingest(ctx, room, "", likes("old")); err != nil { // loads the script
		t.Fatal(err)
	}
	// Three chunks: [a old] [b a] [c].
	batch := likes("a", "old", "b", "a", "c")
	proxy.dropNextReply()
	res, err := s.Ingest(ctx, room, "", batch)
	if err != nil {
		t.Fatal(err)
	}
	if proxy.armed.Load() {
		t.Fatal("no reply was dropped: the test did not exercise a retry")
	}
	if res.Accepted != 3 || res.Duplicates != 2 {
		t.Errorf("result %+v, want 3 accepted and 2 duplicates", res)
	}
	var ids []string
	for _, ev := range stream(t, srv.Client(t), room) {
		ids = append(ids, ev.ID)
	}
	if got := strings.Join(ids, " "); got != "old a b c" {
		t.Errorf("stream holds %s, want old a b c", got)
	}
	res, err = s.Ingest(ctx, room, "", batch) // the client retries the batch
	if err != nil || res.Accepted != 0 || res.Duplicates != 5 {
		t.Errorf("retried batch: %+v %v, want 5 duplicates", res, err)
	}
}

func TestBuckets(t *testing.T) {
	day := int64(bucketWidth / time.Second)
	b := newBuckets(48 * time.Hour)
	now := time.Unix(100*day+5, 0)
	keys, first := b.declare(nil, redisx.Room("r"), now)
	if first != 97*day || len(keys) != 5 || keys[0] != "ld:{r}:dedupe:"+fmt.Sprint(97*day) || keys[4] != "ld:{r}:dedupe:"+fmt.Sprint(101*day) {
		t.Errorf("declare at day 100: first %d keys %v, want days 97..101", first, keys)
	}
	if n := newBuckets(24*time.Hour + time.Nanosecond).n; n != 3 {
		t.Errorf("a window just over a day consults %d buckets, want 3", n)
	}
}

func likes(ids ...string) []livedeck.Event {
	evs := make([]livedeck.Event, len(ids))
	for i, id := range ids {
		evs[i] = livedeck.Event{ID: id, Type: livedeck.EventLike, TS: 1732280000000, Count: 1}
	}
	return evs
}

// dropProxy passes TCP traffic to a Redis server. Once armed, it closes
// the client connection that would receive the next reply instead of
// passing the reply on: the command ran, and the client retries it.
type dropProxy struct {
	ln    net.Listener
	to    string
	armed atomic.Bool
}

func startDropProxy(t *testing.T, to string) *dropProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{ln: ln, to: to}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
	return p
}

func (p *dropProxy) addr() string   { return p.ln.Addr().String() }
func (p *dropProxy) dropNextReply() { p.armed.Store(true) }

func (p *dropProxy) pipe(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.to)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		_, _ = io.Copy(s, c)
		s.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			if p.armed.CompareAndSwap(true, false) {
				return
			}
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
