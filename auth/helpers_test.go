package auth

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// newTestService runs a service on a fresh redis-server, with cheap bcrypt.
func newTestService(t *testing.T, cfg Config) *Service {
	t.Helper()
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.MinCost
	}
	s, err := New(redistest.Start(t).Client(t), cfg, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clock is a settable now for the service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func withClock(s *Service, start time.Time) *clock {
	c := &clock{t: start}
	s.now = c.now
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := livedeck.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

var ctx = context.Background()
