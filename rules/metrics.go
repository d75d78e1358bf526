package rules

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the engine's Prometheus metrics; no room or rule labels.
type Metrics struct {
	evaluations prometheus.Counter
	firings     *prometheus.CounterVec
	errors      prometheus.Counter
	missed      prometheus.Counter
	dropped     prometheus.Counter
	duration    prometheus.Histogram
	webhooks    *prometheus.CounterVec
	// hookFailures counts failed webhook attempts by failure code.
	hookFailures *prometheus.CounterVec
}

// NewMetrics registers the engine's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		evaluations: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "evaluations_total",
			Help: "Rule evaluations."}),
		firings: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "firings_total",
			Help: "Rule firings and signals by kind (fired, resolved, blocked, cue, alert, tier, gift, revoked)."}, []string{"kind"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "evaluation_errors_total",
			Help: "Room evaluations that failed (e.g. Redis unavailable); the next tick tries again."}),
		missed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "missed_evaluations_total",
			Help: "Evaluations that did not happen on time: a room's evaluations more than two intervals apart count the intervals skipped. Not caught up."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "retries_dropped_total",
			Help: "Gift assignments dropped because a room's retry queue was full during a long Redis outage."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "livedeck", Subsystem: "rules", Name: "evaluation_duration_seconds",
			Help: "Time to evaluate one room's rules.", Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25}}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "webhooks_total",
			Help: "Outbound webhook deliveries by result: queued (in Redis), ok, retry (an attempt failed, tried again later), failed (retries used up, alert raised), dropped (the room's queue was full, alert raised)."}, []string{"result"}),
		hookFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "rules", Name: "webhook_failures_total",
			Help: "Failed outbound webhook attempts by code (timeout, refused, reset, dns, tls, blocked, network, secret, unavailable, http_4xx, http_5xx, …)."}, []string{"code"}),
	}
	// Known labels at zero from the start, so increase() sees the first
	// failure and dashboards show every series.
	for _, k := range []string{"fired", "resolved", "blocked", "held", "cue", "alert", "tier", "gift", "revoked"} {
		m.firings.WithLabelValues(k)
	}
	for _, r := range []string{"queued", "ok", "retry", "failed", "dropped"} {
		m.webhooks.WithLabelValues(r)
	}
	reg.MustRegister(m.evaluations, m.firings, m.errors, m.missed, m.dropped, m.duration, m.webhooks, m.hookFailures)
	return m
}
