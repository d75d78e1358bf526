package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/redisx"
)

// cmdExport writes a room's event stream as JSONL, oldest first.
func cmdExport(ctx context.Context, args []string) error {
	var url, room, out string
	fs := newFlagSet("export", "Writes a room's event stream (the normalised events, oldest first) as JSONL, for replay.")
	fs.String(&url, "redis", "LIVEDECK_REDIS_URL", "", "Redis URL (required)")
	fs.String(&room, "room", "", "", "room id (required)")
	fs.String(&out, "out", "", "-", "output file; - is standard output")
	if err := fs.parse(args); err != nil {
		return err
	}
	if url == "" || room == "" {
		return errors.New("export: --redis and --room are required")
	}
	rdb, err := redisx.New(ctx, url, redisx.Options{})
	if err != nil {
		return err
	}
	defer rdb.Close()
	w, closeOut, err := createOutput(out)
	if err != nil {
		return err
	}
	defer closeOut()
	bw := bufio.NewWriterSize(w, 1<<20)
	key, from, n := redisx.Room(room).Events(), "-", 0
	for {
		msgs, err := rdb.XRangeN(ctx, key, from, "+", 1000).Result()
		if err != nil {
			return fmt.Errorf("export room %s: %w", room, err)
		}
		for _, m := range msgs {
			if e, ok := m.Values[livedeck.EntryEvent].(string); ok {
				bw.WriteString(e)
				bw.WriteByte('\n')
				n++
			} else if m.Values[livedeck.EntryVersion] == livedeck.EntryPacked {
				b, _ := m.Values[livedeck.EntryBatch].(string)
				bw.WriteString(b) // already one event per line
				bw.WriteByte('\n')
				n += strings.Count(b, "\n") + 1
			}
		}
		if len(msgs) < 1000 {
			break
		}
		from = "(" + msgs[len(msgs)-1].ID
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported %d events of room %s\n", n, room)
	return nil
}

// cmdReplay plays a JSONL file of events into a room at --speed × the
// pace of their timestamps. Stock events become stock changes (PATCH).
func cmdReplay(ctx context.Context, args []string) error {
	var server, room string
	var batch int
	var speed float64
	var token string
	fs := newFlagSet("replay", "Plays a JSONL file of events (from export) into a room at --speed times real time; --speed 0 sends as fast as possible. Events keep their ids: replaying into the room they came from only finds duplicates.")
	fs.String(&server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.String(&room, "room", "", "", "target room id (required; must exist)")
	fs.Int(&batch, "batch", "", 100, "most events per request")
	fs.Float64Var(&speed, "speed", 1, "playback speed: 1 real time, 10 ten times faster, 0 as fast as possible")
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
	}
	if room == "" || fs.NArg() != 1 || speed < 0 {
		return errors.New("usage: livedeck replay --room R [--speed N] file.jsonl")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	r := &replayer{sink: &sim.HTTPSink{Base: server, Source: "replay", Token: token}, room: room, batch: batch, speed: speed, st: &sim.Stats{}}
	begin := time.Now()
	if err := r.run(ctx, f); err != nil {
		return err
	}
	st := r.st
	fmt.Printf("replayed %d events in %s: accepted %d duplicates %d rejected %d stock changes %d retries %d\n",
		st.Sent.Load(), time.Since(begin).Round(time.Millisecond), st.Accepted.Load(), st.Duplicates.Load(),
		st.Rejected.Load(), r.stock, st.Retries.Load())
	if st.Failed.Load() > 0 {
		return fmt.Errorf("%d batches failed", st.Failed.Load())
	}
	return nil
}

type replayer struct {
	sink  *sim.HTTPSink
	room  string
	batch int
	speed float64
	st    *sim.Stats
	stock int

	pending   []livedeck.Event
	first     int64 // ts of the first event
	wallStart time.Time
}

func (r *replayer) run(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var ev livedeck.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := r.add(ctx, ev); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return r.flush(ctx)
}

// add queues ev, first waiting until its time comes (sending what is queued
// before waiting, so the room sees events on time).
func (r *replayer) add(ctx context.Context, ev livedeck.Event) error {
	if r.wallStart.IsZero() {
		r.wallStart, r.first = time.Now(), ev.TS
	}
	if r.speed > 0 {
		due := r.wallStart.Add(time.Duration(float64(ev.TS-r.first) / r.speed * float64(time.Millisecond)))
		if wait := time.Until(due); wait > 0 {
			if err := r.flush(ctx); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	if ev.Type == livedeck.EventStock {
		if err := r.flush(ctx); err != nil {
			return err
		}
		if ev.Stock == nil {
			return nil
		}
		r.stock++
		return r.sink.SetStock(ctx, r.room, ev.SKU, *ev.Stock)
	}
	ev.Source = ""
	r.pending = append(r.pending, ev)
	if len(r.pending) >= r.batch {
		return r.flush(ctx)
	}
	return nil
}

func (r *replayer) flush(ctx context.Context) error {
	if len(r.pending) == 0 {
		return nil
	}
	sim.Send(ctx, r.sink, r.room, r.pending, r.st)
	r.pending = r.pending[:0]
	return ctx.Err()
}
