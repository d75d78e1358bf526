package forward

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts a forwarder's work. Register once per registry.
type Metrics struct {
	Forwarded  prometheus.Counter // messages acknowledged by LiveDeck
	Retried    prometheus.Counter // messages sent again after a failed or unacknowledged send
	Rejected   prometheus.Counter // acknowledged messages LiveDeck named as rejected
	Refused    prometheus.Counter // messages never sent: not JSON, or refused alone as invalid or too large
	Accepted   prometheus.Counter // events LiveDeck accepted
	Duplicates prometheus.Counter // events LiveDeck had already
	Reconnects prometheus.Counter // connections to LiveDeck that failed or ended and were made again
	Queue      prometheus.Gauge   // messages held, not yet acknowledged
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "forward", Name: name, Help: help})
	}
	m := &Metrics{
		Forwarded:  c("messages_forwarded_total", "Messages acknowledged by LiveDeck's ingest websocket."),
		Retried:    c("messages_retried_total", "Messages sent again after a send that failed or was not acknowledged."),
		Rejected:   c("messages_rejected_total", "Acknowledged messages that LiveDeck rejected (see its dead letters)."),
		Refused:    c("messages_refused_total", "Messages never forwarded: not JSON, or refused on their own as invalid or too large."),
		Accepted:   c("events_accepted_total", "Events LiveDeck accepted from forwarded messages."),
		Duplicates: c("events_duplicate_total", "Events LiveDeck already had (a retry or a redelivery)."),
		Reconnects: c("reconnects_total", "Connections to LiveDeck that failed or ended and were made again."),
		Queue: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "forward", Name: "queue_messages",
			Help: "Messages held in memory until LiveDeck acknowledges them."}),
	}
	if reg != nil {
		reg.MustRegister(m.Forwarded, m.Retried, m.Rejected, m.Refused, m.Accepted, m.Duplicates, m.Reconnects, m.Queue)
	}
	return m
}
