// Package backoff computes reconnect delays: exponential growth between a
// floor and a ceiling, with random jitter so that many clients cut off at
// the same moment do not all come back at the same moment.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is a reconnect delay policy. Its zero value waits 1 s, then up to
// 2 s, 4 s, … and at most 30 s.
type Policy struct {
	Min time.Duration // first delay; zero means 1 s
	Max time.Duration // ceiling; zero means 30 s
}

// Delay is the wait before retry number attempt (0 for the first retry):
// a random duration in [d/2, d] where d = Min·2^attempt, capped at Max.
func (p Policy) Delay(attempt int) time.Duration {
	lo, hi := p.bounds()
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + rand.N(half+1)
}

func (p Policy) bounds() (time.Duration, time.Duration) {
	lo, hi := p.Min, p.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 30 * time.Second
	}
	return lo, max(lo, hi)
}

// Sleep waits d, or until ctx ends; it reports whether the whole wait passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
