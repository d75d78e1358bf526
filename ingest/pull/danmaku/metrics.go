package danmaku

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts a client's traffic. Register once per registry.
type Metrics struct {
	Commands   prometheus.Counter
	Frames     prometheus.Counter
	Malformed  prometheus.Counter
	Heartbeats prometheus.Counter
	Reconnects prometheus.Counter
	Connected  prometheus.Gauge
}

// NewMetrics creates the client's metrics and registers them with reg (nil:
// not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "livedeck", Subsystem: "danmaku", Name: name, Help: help}
	}
	m := &Metrics{
		Commands:   prometheus.NewCounter(opts("commands_total", "Command messages received from the danmaku server.")),
		Frames:     prometheus.NewCounter(opts("frames_total", "Websocket messages received from the danmaku server.")),
		Malformed:  prometheus.NewCounter(opts("malformed_frames_total", "Websocket messages that could not be decoded and were skipped.")),
		Heartbeats: prometheus.NewCounter(opts("heartbeat_replies_total", "Heartbeat replies received.")),
		Reconnects: prometheus.NewCounter(opts("reconnects_total", "Connections to the danmaku server that ended and were made again.")),
		Connected: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "danmaku", Name: "connected",
			Help: "1 while authenticated to the danmaku server."}),
	}
	if reg != nil {
		reg.MustRegister(m.Commands, m.Frames, m.Malformed, m.Heartbeats, m.Reconnects, m.Connected)
	}
	return m
}
