package sim

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livedeck/livedeck"
)

// Config is a simulation run: how many rooms, how fast, how long.
type Config struct {
	Rooms      int             // number of rooms sim-1..sim-N; zero means 1 (ignored when RoomList is set)
	RoomList   []livedeck.Room // rooms to broadcast in instead (the demo's); created if missing
	RoomPrefix string          // zero means "sim"
	Rate       int             // events per second over all rooms; zero means 1000
	Duration   time.Duration   // how long to send; zero means until ctx ends
	ShowLength time.Duration   // the arc of a show; zero means Duration, or 10 min if that is zero
	Batch      int             // events per request; zero means 100
	Seed       uint64          // same seed, same shows
	Duplicates float64         // share of events sent twice, 0..1
	OutOfOrder float64         // share of events delivered late within a batch, 0..1
	Start      time.Time       // event time of the start; zero means now
	RunID      string          // part of every event id; zero means derived from Start
	Oversell   time.Duration   // show time of the scripted oversell scene in every room; zero means none
}

// Stats count a run's outcome. Fields are updated atomically while it runs.
type Stats struct {
	Sent, Accepted, Duplicates, Rejected, Retries, Failed atomic.Int64
}

// Run broadcasts every room into sink until Duration passes or ctx ends,
// writing a progress line each second (and a summary) to progress if not
// nil. Batches the server refuses for overload or outage are retried: the
// server dedupes them, so nothing counts twice.
func Run(ctx context.Context, cfg Config, sink Sink, progress io.Writer) (*Stats, error) {
	cfg = defaults(cfg)
	rooms := cfg.RoomList
	if len(rooms) == 0 {
		for i := range cfg.Rooms {
			rooms = append(rooms, Room(fmt.Sprintf("%s-%d", cfg.RoomPrefix, i+1), cfg.Seed))
		}
	}
	for _, r := range rooms {
		if err := sink.EnsureRoom(ctx, r); err != nil {
			return nil, fmt.Errorf("room %s: %w", r.ID, err)
		}
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	st := &Stats{}
	perRoom := float64(cfg.Rate) / float64(len(rooms))
	begin := time.Now()
	var wg sync.WaitGroup
	for _, r := range rooms {
		show := NewShow(r, ShowConfig{Seed: cfg.Seed, Rate: perRoom, Length: cfg.ShowLength, Start: cfg.Start,
			RunID: cfg.RunID, Duplicates: cfg.Duplicates, OutOfOrder: cfg.OutOfOrder, Oversell: cfg.Oversell})
		wg.Go(func() { broadcast(ctx, sink, r.ID, show, perRoom, cfg.Batch, begin, st) })
	}
	done := make(chan struct{})
	var reporter sync.WaitGroup
	if progress != nil {
		reporter.Go(func() { report(progress, st, begin, done) })
	}
	wg.Wait()
	close(done)
	reporter.Wait() // the summary must not interleave with a last progress line
	if progress != nil {
		el := time.Since(begin)
		fmt.Fprintf(progress, "done in %s: sent %d (%.0f/s) accepted %d duplicates %d rejected %d retries %d failed batches %d\n",
			el.Round(time.Millisecond), st.Sent.Load(), float64(st.Sent.Load())/el.Seconds(), st.Accepted.Load(),
			st.Duplicates.Load(), st.Rejected.Load(), st.Retries.Load(), st.Failed.Load())
	}
	return st, nil
}

func defaults(cfg Config) Config {
	if cfg.Rooms <= 0 {
		cfg.Rooms = 1
	}
	if cfg.RoomPrefix == "" {
		cfg.RoomPrefix = "sim"
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 1000
	}
	if cfg.ShowLength <= 0 {
		cfg.ShowLength = cfg.Duration
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now()
	}
	return cfg
}

// broadcast paces one room: at any moment it has sent about rate × elapsed
// events, in batches of at most batch, one batch at a time so the room's
// events arrive in show order (apart from deliberate late ones).
func broadcast(ctx context.Context, sink Sink, room string, show *Show, rate float64, batch int, begin time.Time, st *Stats) {
	var buf []livedeck.Event
	sent := 0
	for ctx.Err() == nil {
		due := int(time.Since(begin).Seconds()*rate) - sent
		if due <= 0 {
			wait := time.Duration(float64(min(batch, 1+int(rate/10))) / rate * float64(time.Second))
			select {
			case <-ctx.Done():
			case <-time.After(min(wait, 100*time.Millisecond)):
			}
			continue
		}
		buf = show.Next(buf[:0], min(due, batch))
		Send(ctx, sink, room, buf, st)
		sent += len(buf)
		// Stock levels after the events just sent: the host restocks what
		// ran low (and the oversell scene's recount).
		for _, r := range show.Restocks() {
			if err := sink.SetStock(ctx, room, r.SKU, r.Stock); err != nil && ctx.Err() == nil {
				st.Failed.Add(1)
			}
		}
	}
}

// Send delivers one batch, retrying while the failure is retryable, and
// counts the outcome in st.
func Send(ctx context.Context, sink Sink, room string, evs []livedeck.Event, st *Stats) {
	backoff := 50 * time.Millisecond
	for {
		res, err := sink.Send(ctx, room, evs)
		if err == nil {
			st.Sent.Add(int64(len(evs)))
			st.Accepted.Add(int64(res.Accepted))
			st.Duplicates.Add(int64(res.Duplicates))
			st.Rejected.Add(int64(len(res.Rejected)))
			return
		}
		retry, after := Retryable(err)
		if !retry || ctx.Err() != nil {
			if ctx.Err() == nil {
				st.Failed.Add(1)
			}
			return
		}
		st.Retries.Add(1)
		if after <= 0 {
			after = backoff
			backoff = min(backoff*2, 2*time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(after):
		}
	}
}

func report(w io.Writer, st *Stats, begin time.Time, done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		n := st.Sent.Load()
		fmt.Fprintf(w, "%4ds sent %d (%d/s) accepted %d duplicates %d rejected %d retries %d failed %d\n",
			int(time.Since(begin).Seconds()), n, n-last, st.Accepted.Load(), st.Duplicates.Load(),
			st.Rejected.Load(), st.Retries.Load(), st.Failed.Load())
		last = n
	}
}
