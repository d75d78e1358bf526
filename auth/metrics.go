package auth

import "github.com/prometheus/client_golang/prometheus"

// Metrics count authentication outcomes. No user or room labels.
type Metrics struct {
	logins  *prometheus.CounterVec
	denied  *prometheus.CounterVec
	limited *prometheus.CounterVec
}

// NewMetrics registers the auth counters on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "auth", Name: "logins_total",
			Help: "Console logins by result: ok, failed or rate_limited."}, []string{"result"}),
		denied: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "auth", Name: "denied_total",
			Help: "Requests refused by reason: unauthenticated, forbidden, csrf, origin, no_policy."}, []string{"reason"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "auth", Name: "rate_limited_total",
			Help: "Requests refused by a rate limit, by limit class."}, []string{"class"}),
	}
	for _, c := range []string{ClassLogin, ClassAPI, ClassIngest} {
		m.limited.WithLabelValues(c) // at zero from the start: increase() sees the first one
	}
	if reg != nil {
		reg.MustRegister(m.logins, m.denied, m.limited)
	}
	return m
}

// Denied counts a refused request.
func (m *Metrics) Denied(reason string) { m.denied.WithLabelValues(reason).Inc() }
