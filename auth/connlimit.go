package auth

import "sync"

// ConnLimiter bounds the websocket connections one principal holds on this
// instance. A principal's limit is per instance: with N instances a user may
// hold up to N times the limit.
type ConnLimiter struct {
	mu  sync.Mutex
	max int
	n   map[string]int
}

// NewConnLimiter allows max connections per principal id.
func NewConnLimiter(max int) *ConnLimiter {
	return &ConnLimiter{max: max, n: map[string]int{}}
}

// Acquire takes a slot for id. When ok, call release exactly when the
// connection ends; calling it again does nothing.
func (l *ConnLimiter) Acquire(id string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[id] >= l.max {
		return func() {}, false
	}
	l.n[id]++
	var once sync.Once
	return func() { once.Do(func() { l.release(id) }) }, true
}

func (l *ConnLimiter) release(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[id]--; l.n[id] <= 0 {
		delete(l.n, id)
	}
}

// Count is how many connections id holds.
func (l *ConnLimiter) Count(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[id]
}
