package redisx

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/internal/redistest"
)

// Answers (values, missing keys, error replies) are not failures; calls to a
// Redis that is gone are, and so is a timed-out call.
func TestMetricsCountFailures(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	c, err := Open(srv.URL(), Options{DialTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m.Instrument(c, "main")
	failed := func() float64 { return testutil.ToFloat64(m.errors.WithLabelValues("main")) }
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		call func() error
		want float64
	}{
		{"set", func() error { return c.Set(ctx, "k", "v", 0).Err() }, 0},
		{"missing key", func() error { return c.Get(ctx, "nope").Err() }, 0},
		{"error reply", func() error { return c.LPush(ctx, "k", "x").Err() }, 0},
		{"empty blocking read", func() error { return c.BLPop(ctx, 10*time.Millisecond, "empty").Err() }, 0},
		{"pipeline", func() error {
			_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error { p.Get(ctx, "nope"); return nil })
			return err
		}, 0},
		{"cancelled", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return c.Get(cctx, "k").Err()
		}, 0},
		{"timeout", func() error {
			tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			return c.BLPop(tctx, time.Second, "empty").Err()
		}, 1},
	} {
		before := failed()
		_ = tc.call()
		if got := failed() - before; got != tc.want {
			t.Errorf("%s: counted %v failures, want %v", tc.name, got, tc.want)
		}
	}

	srv.Stop()
	before := failed()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("ping answered with Redis stopped")
	}
	if failed() <= before {
		t.Error("a ping to a stopped Redis was not counted")
	}
	m.Probed(false)
	if got := testutil.ToFloat64(m.up); got != 0 {
		t.Errorf("up = %v after a failed probe", got)
	}
	m.Probed(true)
	if got := testutil.ToFloat64(m.up); got != 1 {
		t.Errorf("up = %v after an answered probe", got)
	}
	if n, err := testutil.GatherAndCount(reg, "livedeck_redis_up", "livedeck_redis_errors_total"); err != nil || n != 2 {
		t.Errorf("gathered %d series (%v), want up and errors_total{client=main}", n, err)
	}
}
