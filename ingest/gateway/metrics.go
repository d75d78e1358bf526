package gateway

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the gateway's Prometheus metrics, labelled by format only
// (never by room, source or user).
type Metrics struct {
	deliveries *prometheus.CounterVec
	messages   *prometheus.CounterVec
	signatures *prometheus.CounterVec
	replayed   *prometheus.CounterVec
}

// NewMetrics registers the gateway metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "connector", Name: "deliveries_total",
			Help: "Platform deliveries through a connector format, by format and result: ok, bad_signature, invalid or failed."}, []string{"format", "result"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "connector", Name: "messages_total",
			Help: "Platform messages, by format and result: mapped, ignored (a kind LiveDeck does not use) or dead_letter."}, []string{"format", "result"}),
		signatures: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "connector", Name: "signature_failures_total",
			Help: "Deliveries refused because their platform signature did not verify, by format."}, []string{"format"}),
		replayed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "connector", Name: "dead_letters_replayed_total",
			Help: "Dead letters replayed, by format and result: mapped (removed) or failed (kept)."}, []string{"format", "result"}),
	}
	reg.MustRegister(m.deliveries, m.messages, m.signatures, m.replayed)
	return m
}
