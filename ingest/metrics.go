package ingest

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the ingest service's Prometheus metrics. No room labels.
type Metrics struct {
	events   *prometheus.CounterVec
	batches  *prometheus.CounterVec
	latency  prometheus.Histogram
	inflight prometheus.Gauge
}

// NewMetrics registers the ingest metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "ingest", Name: "events_total",
			Help: "Events received, by result: accepted, duplicate or rejected."}, []string{"result"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "ingest", Name: "batches_total",
			Help: "Batches received, by result: ok, invalid, too_large, not_found, overloaded, behind (the room's live metrics a stream cap behind) or unavailable."}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "livedeck", Subsystem: "ingest", Name: "batch_duration_seconds",
			Help:    "Time from a batch being admitted to its acknowledgement (decode, validate, Redis write).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1}}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "ingest", Name: "inflight_events",
			Help: "Events being validated or written now."}),
	}
	for _, r := range []string{"accepted", "duplicate", "rejected"} {
		m.events.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "invalid", "too_large", "not_found", "overloaded", "behind", "unavailable"} {
		m.batches.WithLabelValues(r) // at zero from the start: increase() sees the first one
	}
	reg.MustRegister(m.events, m.batches, m.latency, m.inflight)
	return m
}
