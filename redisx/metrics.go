package redisx

import (
	"context"
	"errors"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Metrics say whether Redis answers this instance: calls without an answer
// by client (a fixed set of names, never a key or room) and the result of the
// last health probe.
type Metrics struct {
	errors *prometheus.CounterVec
	up     prometheus.Gauge
}

// NewMetrics registers the Redis metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "redis", Name: "errors_total",
			Help: "Redis commands, pipelines and dials that got no answer (connection refused or lost, timeout), by client."}, []string{"client"}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "redis", Name: "up",
			Help: "1 if the last Redis health probe of this instance was answered, 0 if not."}),
	}
	reg.MustRegister(m.errors, m.up)
	return m
}

// Instrument counts c's failures under the client name.
func (m *Metrics) Instrument(c redis.UniversalClient, client string) {
	c.AddHook(errorHook{m.errors.WithLabelValues(client)})
}

// Probed records a health probe: ok when Redis answered.
func (m *Metrics) Probed(ok bool) {
	if ok {
		m.up.Set(1)
	} else {
		m.up.Set(0)
	}
}

// errorHook counts failures of every command, pipeline and dial.
type errorHook struct{ failed prometheus.Counter }

var _ redis.Hook = errorHook{}

func (h errorHook) count(err error) {
	if failure(err) {
		h.failed.Inc()
	}
}

// failure tells a call Redis did not answer from one it did: redis.Nil (a
// missing key, an empty blocking read) and error replies (NOSCRIPT before a
// script is loaded, WRONGTYPE) are answers, and a cancelled call was given
// up by its caller.
func failure(err error) bool {
	var reply redis.Error
	return err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, context.Canceled) && !errors.As(err, &reply)
}

func (h errorHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		h.count(err)
		return c, err
	}
}

func (h errorHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.count(err)
		return err
	}
}

func (h errorHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.count(err)
		return err
	}
}
