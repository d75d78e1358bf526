package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// foldWait bounds how long bench ingest waits for the live metrics to
// catch up once sending stops; stalled is how long a room's count may stand
// still below the events sent before the bench calls them missed.
const (
	foldWait = 3 * time.Minute
	stalled  = 3 * time.Second
)

// foldResult is when the live metrics caught up, and how many accepted
// events they never counted (a processor that fell further behind than
// the stream keeps).
type foldResult struct {
	at     time.Time
	missed int64
}

// waitFolded polls each room's live metrics until its processor has folded
// at least the events the bench had accepted into it, and returns when the
// last room got there. Ingest alone can outrun the live processor on the
// same cores; the end-to-end figure counts the time it takes to catch up.
func waitFolded(ctx context.Context, client *http.Client, server string, rooms []string, accepted []atomic.Int64) (foldResult, error) {
	ctx, cancel := context.WithTimeout(ctx, foldWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	type room struct {
		i     int
		seq   int64
		moved time.Time
	}
	var res foldResult
	left := make([]room, 0, len(rooms))
	for i := range rooms {
		left = append(left, room{i: i, seq: -1})
	}
	for {
		rest := left[:0]
		for _, r := range left {
			seq, err := foldedEvents(ctx, client, server, rooms[r.i])
			if err != nil {
				return res, err
			}
			want := accepted[r.i].Load()
			switch {
			case seq >= want:
				continue
			case seq != r.seq:
				r.seq, r.moved = seq, time.Now()
			case time.Since(r.moved) > stalled && seq > 0:
				res.missed += want - seq
				continue
			}
			rest = append(rest, r)
		}
		left = rest
		if len(left) == 0 {
			res.at = time.Now()
			if res.missed > 0 {
				res.at = res.at.Add(-stalled)
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("room %s after %s: %w", rooms[left[0].i], foldWait, ctx.Err())
		case <-tick.C:
		}
	}
}

// foldedEvents is the number of events folded into room's live metrics
// (their seq).
func foldedEvents(ctx context.Context, client *http.Client, server, room string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/api/v1/rooms/"+room+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("room %s metrics: %w", room, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("room %s metrics: %w", room, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusTooManyRequests: // no snapshot yet, or polled too often: ask again
		return 0, nil
	default:
		return 0, fmt.Errorf("room %s metrics: HTTP %d: %s", room, resp.StatusCode, b)
	}
	var m struct {
		Seq int64 `json:"seq"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return 0, fmt.Errorf("room %s metrics: %w", room, err)
	}
	return m.Seq, nil
}
