package live

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the processor's own Prometheus metrics. No room labels.
type Metrics struct {
	events      prometheus.Counter
	batches     prometheus.Counter
	lag         prometheus.Histogram
	checkpoints *prometheus.CounterVec
	rooms       prometheus.Gauge
	known       prometheus.Gauge
	limit       prometheus.Gauge
	waiting     prometheus.Gauge
	resting     prometheus.Gauge
	leases      *prometheus.CounterVec
	renewals    prometheus.Histogram
	renewErrors prometheus.Counter
}

// NewMetrics registers the processor's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "live", Name: "events_folded_total",
			Help: "Events folded into room state."}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "live", Name: "batches_total",
			Help: "Stream reads that returned events."}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "livedeck", Subsystem: "live", Name: "publish_lag_seconds",
			Help:    "Time from an event entering the stream to its snapshot being published.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}),
		checkpoints: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "live", Name: "checkpoints_total",
			Help: "State checkpoints by result."}, []string{"result"}),
		rooms: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "rooms_owned",
			Help: "Rooms this instance processes now."}),
		known: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "rooms_known",
			Help: "Rooms registered in Redis and not at rest at this instance's last scan: each needs an owner, so the sum of rooms_owned over the instances should match."}),
		limit: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "rooms_limit",
			Help: "Most rooms this instance processes at once (--max-rooms)."}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "rooms_waiting",
			Help: "Rooms to process that no instance holds, as of this instance's last scan."}),
		resting: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "rooms_resting",
			Help: "Rooms at rest (closed past their grace period, or archived): processed by no instance."}),
		leases: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "live", Name: "lease_changes_total",
			Help: "Room leases taken, released, released as the room came to rest (rested) and lost."}, []string{"change"}),
		renewals: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "livedeck", Subsystem: "live", Name: "lease_renew_seconds",
			Help:    "Time a lease renewal took, successful or not.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}),
		renewErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "live", Name: "lease_renew_errors_total",
			Help: "Lease renewals that failed on a Redis error (the lease was kept or not yet lost)."}),
	}
	for _, c := range []string{"taken", "released", "rested", "lost"} {
		m.leases.WithLabelValues(c) // at zero from the start: increase() sees the first one
	}
	for _, r := range []string{"ok", "error"} {
		m.checkpoints.WithLabelValues(r)
	}
	reg.MustRegister(m.events, m.batches, m.lag, m.checkpoints, m.rooms, m.known, m.limit, m.waiting, m.resting, m.leases, m.renewals, m.renewErrors)
	return m
}
