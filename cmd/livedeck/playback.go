package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/livedeck/livedeck"
)

// playback reads a recorded broadcast (JSONL of events, as `livedeck export`
// writes) and hands each event to fold with a stream-like id, calling tick
// once per second of event time before the events of that second — as the
// live engine evaluates rules on its ticks — and once after the last event.
// It returns the number of events.
func playback(ctx context.Context, path string, fold func(ev *livedeck.Event, id string), tick func(now int64)) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var line, n int
	var next int64
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return n, err
		}
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var ev livedeck.Event
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			return n, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if next == 0 {
			next = ev.TS - ev.TS%1000 + 1000
		}
		for ev.TS >= next {
			tick(next)
			next += 1000
		}
		n++
		fold(&ev, fmt.Sprintf("%d-%d", ev.TS, n))
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	if n > 0 {
		tick(next)
	}
	return n, nil
}
