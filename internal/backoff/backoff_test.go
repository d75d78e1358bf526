package backoff

import (
	"testing"
	"time"
)

func TestDelayGrowsWithinBounds(t *testing.T) {
	tests := []struct {
		p       Policy
		attempt int
		lo, hi  time.Duration
	}{
		{Policy{}, 0, 500 * time.Millisecond, time.Second},
		{Policy{}, 1, time.Second, 2 * time.Second},
		{Policy{}, 3, 4 * time.Second, 8 * time.Second},
		{Policy{}, 40, 15 * time.Second, 30 * time.Second},
		{Policy{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}, 2, 20 * time.Millisecond, 40 * time.Millisecond},
		{Policy{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}, 9, 25 * time.Millisecond, 50 * time.Millisecond},
		{Policy{Min: time.Second, Max: time.Millisecond}, 5, 500 * time.Millisecond, time.Second}, // Max below Min: Min wins
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := tt.p.Delay(tt.attempt)
			if d < tt.lo || d > tt.hi {
				t.Fatalf("%+v attempt %d: %s not in [%s, %s]", tt.p, tt.attempt, d, tt.lo, tt.hi)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("%+v attempt %d: no jitter, always %v", tt.p, tt.attempt, seen)
		}
	}
}
