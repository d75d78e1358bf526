package forward

import (
	"context"
	"sync"
)

// queue holds messages in order until they are acknowledged. It is bounded:
// put waits for room. Every change closes the current changed channel, so
// waiters (a full put, an idle sender, drain) wake up and look again.
type queue struct {
	mu      sync.Mutex
	msgs    [][]byte
	max     int
	changed chan struct{}
}

func newQueue(max int) *queue { return &queue{max: max, changed: make(chan struct{})} }

// signal wakes every waiter; mu must be held.
func (q *queue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// put appends msg, waiting while the queue is full.
func (q *queue) put(ctx context.Context, msg []byte) error {
	for {
		q.mu.Lock()
		if len(q.msgs) < q.max {
			q.msgs = append(q.msgs, msg)
			q.signal()
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// peek returns the oldest messages, at most n of them and at most maxBytes
// of them together (always at least one), without removing them, and a
// channel closed at the next change.
func (q *queue) peek(n, maxBytes int) ([][]byte, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	size, i := 0, 0
	for ; i < len(q.msgs) && i < n; i++ {
		size += len(q.msgs[i]) + 1
		if i > 0 && size > maxBytes {
			break
		}
	}
	return q.msgs[:i:i], q.changed
}

// drop removes the n oldest messages (acknowledged ones).
func (q *queue) drop(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.msgs[:n])
	q.msgs = q.msgs[n:]
	if len(q.msgs) == 0 {
		q.msgs = nil // let the backing array go
	}
	q.signal()
}

// len is the number of messages held.
func (q *queue) len() (int, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs), q.changed
}
