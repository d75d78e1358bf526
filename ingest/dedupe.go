package ingest

import (
	"time"

	"github.com/livedeck/livedeck/redisx"
)

// bucketWidth is the span of one dedupe bucket. It is fixed, not derived
// from the window, so that changing --dedupe-window keeps the buckets
// already written: only how many are consulted changes.
const bucketWidth = 24 * time.Hour

// buckets is how events are deduplicated: each room has a Redis set per
// day (ld:{room}:dedupe:<day start, Unix s>) holding the dedupe key of every
// event first seen that day. An event is a duplicate if its key is in the
// current set or in one of the n-1 before it. A set stops being consulted
// n days after it starts; the first write after that unlinks it (freed in
// the background), and it expires a day later if no write comes.
//
// With n = 1 + ⌈window/width⌉, an id first seen at time t lands in the
// bucket starting at s, t - width < s ≤ t, which is consulted until
// s + n·width > t + window: an id is remembered for at least the window and
// at most n widths (48 to 72 h for the default window of 48 h). A set member
// costs less than a key with its own TTL, and a chunk checks all its events
// with one SMISMEMBER per bucket and records them with one SADD.
//
// The current bucket is chosen by the Redis server's clock, so instances
// with skewed clocks agree; the server declares (as the script's KEYS) the
// n+2 buckets around its own clock, which covers any skew under a day.
type buckets struct {
	width int64 // seconds
	n     int64 // buckets consulted: the current one and n-1 before it
}

func newBuckets(window time.Duration) buckets {
	w := int64(bucketWidth / time.Second)
	win := int64((window + time.Second - 1) / time.Second)
	return buckets{width: w, n: 1 + (win+w-1)/w}
}

// declare appends to keys the buckets a script may touch when the server's
// clock reads now: from n buckets before now's bucket to the one after it,
// oldest first. It returns the start of the first.
func (b buckets) declare(keys []string, room redisx.Keys, now time.Time) ([]string, int64) {
	sec := now.Unix()
	first := sec - sec%b.width - b.n*b.width
	for i := range b.n + 2 {
		keys = append(keys, room.Dedupe(first+i*b.width))
	}
	return keys, first
}
