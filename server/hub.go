package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// HubConfig tunes the console's websocket hub.
type HubConfig struct {
	Instance  string // name sent in hello; zero means the hostname
	SendQueue int    // messages queued per client before it counts as slow; zero means 128
	MaxRooms  int    // rooms per connection; zero means 20
	// A room's metrics budget: on average one metrics message per
	// MetricsInterval (zero means 100 ms, 10/s), and up to MetricsBurst
	// (zero means 3) at once after a quiet spell. Within the budget every
	// update goes out as it arrives; only a room over it has its metrics
	// coalesced (the newest wins) until the budget allows the next.
	MetricsInterval time.Duration
	MetricsBurst    int
	SignalBlock     time.Duration // XREAD BLOCK of a room's signal relay; zero means 1 s
	CloseWait       time.Duration // shutdown waits this long for close frames to go out; zero means 2 s
	HealthInterval  time.Duration // how often Redis is probed for the consoles' health state; zero means 500 ms
	ProcessingLag   time.Duration // a room whose numbers are not republished this long is shown delayed; zero means not watched
	RedisProbed     func(ok bool) // told each Redis probe's result (e.g. for a metric); nil means nobody
	AckRate         float64       // acknowledgements per second per connection (token bucket); zero means 2
	AckBurst        int           // acknowledgements a connection may send at once; zero means 10
	FanoutWorkers   int           // goroutines writing room updates to sockets; zero means 4 per GOMAXPROCS
}

func (c *HubConfig) setDefaults() {
	if c.Instance == "" {
		c.Instance, _ = os.Hostname()
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 128
	}
	if c.MaxRooms <= 0 {
		c.MaxRooms = 20
	}
	if c.MetricsInterval <= 0 {
		c.MetricsInterval = 100 * time.Millisecond
	}
	if c.MetricsBurst <= 0 {
		c.MetricsBurst = 3
	}
	if c.SignalBlock <= 0 {
		c.SignalBlock = time.Second
	}
	if c.CloseWait <= 0 {
		c.CloseWait = 2 * time.Second
	}
	if c.HealthInterval <= 0 {
		c.HealthInterval = 500 * time.Millisecond
	}
	if c.AckRate <= 0 {
		c.AckRate = 2
	}
	if c.AckBurst <= 0 {
		c.AckBurst = 10
	}
	if c.FanoutWorkers <= 0 {
		// More than one per core: a worker whose thread the OS or a long
		// write holds up delays only its share of a room.
		c.FanoutWorkers = 4 * runtime.GOMAXPROCS(0)
	}
}

// Hub fans room updates out to this instance's console websockets. One
// goroutine (Run) owns the client set and the per-room index; connections
// and relays talk to it through channels, and it never waits on a client:
// a client whose queue is full is evicted.
type Hub struct {
	cfg   HubConfig
	rdb   redis.UniversalClient
	log   *slog.Logger
	m     *wsMetrics
	relay *relay

	register   chan *client
	unregister chan *client
	broadcast  chan *outMsg
	probes     chan bool      // Redis probe results (hub_health.go)
	jobs       []chan fanJob  // per fan-out worker (hub_fanout.go)
	workers    sync.WaitGroup // the fan-out workers

	quit     chan struct{} // closed when shutdown begins
	quitOnce sync.Once
	done     chan struct{}  // closed when the hub loop has returned
	pumps    sync.WaitGroup // write pumps of registered clients
}

// NewHub builds a hub. rdb serves ordinary commands and the pub/sub
// connection; blocking serves only the signal relays' XREAD BLOCK calls,
// one connection per room with clients on this instance (nil: rdb).
func NewHub(cfg HubConfig, rdb, blocking redis.UniversalClient, reg prometheus.Registerer, log *slog.Logger) *Hub {
	cfg.setDefaults()
	if blocking == nil {
		blocking = rdb
	}
	if log == nil {
		log = slog.Default()
	}
	h := &Hub{
		cfg: cfg, rdb: rdb, log: log, m: newWSMetrics(reg),
		register:   make(chan *client),
		unregister: make(chan *client),
		broadcast:  make(chan *outMsg, 4096),
		probes:     make(chan bool),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
		jobs:       make([]chan fanJob, cfg.FanoutWorkers),
	}
	for i := range h.jobs {
		h.jobs[i] = make(chan fanJob, fanJobQueue)
	}
	h.relay = newRelay(h, rdb, blocking)
	return h
}

// Run relays Redis to the clients until ctx ends or Shutdown is called;
// then it closes every client with 1001 and stops the relays.
func (h *Hub) Run(ctx context.Context) error {
	rctx, stopRelays := context.WithCancel(ctx)
	h.relay.start(rctx)
	go h.probeRedis(rctx)
	h.startWorkers()
	s := &hubState{h: h, clients: map[*client]struct{}{}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
	tick := time.NewTicker(h.cfg.MetricsInterval / 4)
	pings := time.NewTicker(time.Second)
	defer func() {
		tick.Stop()
		pings.Stop()
		s.closeAll()
		h.stopWorkers()
		stopRelays()
		close(h.done)
		h.relay.wait()
	}()
	for {
		select {
		case c := <-h.register:
			s.add(c)
		case c := <-h.unregister:
			s.evict(c, "")
		case m := <-h.broadcast:
			s.deliver(m, time.Now())
		case now := <-tick.C:
			s.flushMetrics(now)
		case now := <-pings.C:
			s.ping(now)
		case ok := <-h.probes:
			s.probed(ok, time.Now())
		case <-ctx.Done():
			return nil
		case <-h.quit:
			return nil
		}
	}
}

// Shutdown closes every websocket with 1001 and waits, at most CloseWait,
// for the close frames to be written. It is the server's shutdown hook.
func (h *Hub) Shutdown() {
	h.quitOnce.Do(func() { close(h.quit) })
	deadline := time.NewTimer(h.cfg.CloseWait)
	defer deadline.Stop()
	select {
	case <-h.done:
	case <-deadline.C:
		return
	}
	pumps := make(chan struct{})
	go func() { h.pumps.Wait(); close(pumps) }()
	select {
	case <-pumps:
	case <-deadline.C:
	}
}

// join hands c to the hub and waits until it is registered. It reports
// false when the hub is shutting down.
func (h *Hub) join(c *client) bool {
	select {
	case h.register <- c:
	case <-h.done:
		return false
	}
	select {
	case <-c.registered:
		return c.ready != nil
	case <-h.done:
		return false
	}
}

// leave removes c from the hub, if the hub still runs.
func (h *Hub) leave(c *client) {
	select {
	case h.unregister <- c:
	case <-h.done:
	}
}

// publish hands a relayed message to the hub.
func (h *Hub) publish(ctx context.Context, m *outMsg) {
	select {
	case h.broadcast <- m:
	case <-ctx.Done():
	}
}

// hubState is owned by the hub goroutine.
type hubState struct {
	h       *Hub
	closing bool
	clients map[*client]struct{}
	rooms   map[string]*hubRoom
	pending map[string]*hubRoom // rooms holding a coalesced metrics message

	redisDownSince time.Time // zero while Redis answers the probes
}

// hubRoom is one room with clients on this instance.
type hubRoom struct {
	clients  map[*client]struct{}
	byWorker [][]*client // clients by fan-out worker, rebuilt after a change (never changed in place: jobs hold them)
	changed  bool
	newest   atomic.Pointer[outMsg] // newest metrics handed to the workers (hub_fanout.go)
	watch    *roomWatch
	pending  *outMsg       // newest metrics not yet sent
	budget   *rate.Limiter // the room's metrics budget
	lastLive time.Time     // newest metrics relayed, or when the room was first watched
	resting  bool          // the newest metrics say the room is at rest: no lag to report
	health   healthData    // as last sent to the room's clients
}

func (s *hubState) add(c *client) {
	defer close(c.registered)
	if s.closing {
		c.kick(closeGoingAway, "server shutting down")
		return
	}
	ready := make([]<-chan struct{}, 0, len(c.rooms))
	for _, id := range c.rooms {
		r := s.rooms[id]
		if r == nil {
			r = &hubRoom{clients: map[*client]struct{}{}, watch: s.h.relay.watch(id), lastLive: time.Now(), health: healthData{Status: "ok"}, budget: s.h.metricsBudget()}
			s.rooms[id] = r
		}
		r.clients[c] = struct{}{}
		r.changed = true
		if r.health.Status != "ok" && c.view != viewHost {
			c.queue(healthMsg(id, r.health))
		}
		ready = append(ready, r.watch.ready)
	}
	c.ready = ready
	c.nextPing = time.Now().Add(pingPeriod)
	s.clients[c] = struct{}{}
	s.h.pumps.Add(1) // before Shutdown can wait: Shutdown waits for the hub loop first
	s.h.m.clients.Inc()
}

// metricsBudget is a room's token bucket for metrics messages.
func (h *Hub) metricsBudget() *rate.Limiter {
	return rate.NewLimiter(rate.Every(h.cfg.MetricsInterval), h.cfg.MetricsBurst)
}

// deliver sends m to the room's clients at once, except metrics of a room
// over its budget: those wait, the newest winning, for flushMetrics.
func (s *hubState) deliver(m *outMsg, now time.Time) {
	r := s.rooms[m.room]
	if r == nil {
		return
	}
	if m.typ == typeMetrics {
		r.lastLive = now
		r.resting = bytes.Contains(m.body, restingMark)
		if !r.budget.AllowN(now, 1) {
			r.pending = m
			s.pending[m.room] = r
			return
		}
		r.pending = nil // older than m
		delete(s.pending, m.room)
	}
	s.fanout(r, m)
}

// flushMetrics sends the coalesced metrics of rooms whose budget allows
// another message.
func (s *hubState) flushMetrics(now time.Time) {
	for id, r := range s.pending {
		if !r.budget.AllowN(now, 1) {
			continue
		}
		m := r.pending
		r.pending = nil
		delete(s.pending, id)
		s.fanout(r, m)
	}
}

// evict removes c from every index; with a reason it also closes c with
// that reason's close code. Evicting a client twice does nothing.
func (s *hubState) evict(c *client, reason string) {
	if _, ok := s.clients[c]; !ok {
		return
	}
	delete(s.clients, c)
	for _, id := range c.rooms {
		r := s.rooms[id]
		if r == nil {
			continue
		}
		delete(r.clients, c)
		r.changed = true
		if len(r.clients) == 0 {
			r.watch.stop()
			delete(s.rooms, id)
			delete(s.pending, id)
		}
	}
	s.h.m.clients.Dec()
	if reason != "" {
		s.h.m.evicted(reason)
		code, text := closeOf(reason)
		c.kick(code, text)
	}
}

// closeAll evicts every client with 1001; later registrations are refused.
func (s *hubState) closeAll() {
	s.closing = true
	for c := range s.clients {
		s.evict(c, reasonShutdown)
	}
}

// Eviction reasons (the evictions metric's label) and their close codes.
const (
	reasonSlow        = "slow"
	reasonShutdown    = "shutdown"
	reasonUnknownRoom = "unknown_room"
	reasonBadRequest  = "bad_request"
	reasonTimeout     = "timeout"
	reasonUnavailable = "unavailable"
)

// Close codes of docs/websocket.md.
const (
	closeNone        = 0 // connection already gone: no close frame
	closeGoingAway   = 1001
	closeServerError = 1011
	closeSlow        = 4000
	closeUnknownRoom = 4004
	closeBadRequest  = 4008
)

func closeOf(reason string) (int, string) {
	switch reason {
	case reasonSlow:
		return closeSlow, "too slow: send queue full"
	case reasonShutdown:
		return closeGoingAway, "server shutting down"
	case reasonUnavailable:
		return closeServerError, "redis unavailable"
	}
	panic(fmt.Sprintf("no close code for %q", reason))
}

// wsMetrics are the hub's Prometheus metrics; no room ids in labels.
type wsMetrics struct {
	clients   prometheus.Gauge
	sent      map[string]prometheus.Counter // by message type
	evictions *prometheus.CounterVec
	lag       prometheus.Histogram
	acks      *prometheus.CounterVec // by outcome (ack.go)
}

func newWSMetrics(reg prometheus.Registerer) *wsMetrics {
	sent := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "livedeck", Subsystem: "ws", Name: "messages_sent_total",
		Help: "Websocket messages written to console clients, by message type.",
	}, []string{"type"})
	m := &wsMetrics{
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "livedeck", Subsystem: "ws", Name: "clients",
			Help: "Console websocket clients registered with the hub.",
		}),
		sent: map[string]prometheus.Counter{},
		evictions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "livedeck", Subsystem: "ws", Name: "evictions_total",
			Help: "Console websockets closed by the server, by reason.",
		}, []string{"reason"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "livedeck", Subsystem: "ws", Name: "delivery_lag_seconds",
			Help:    "Time from the relay receiving an update from Redis to its frame being written to a client.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25},
		}),
	}
	for _, t := range messageTypes {
		m.sent[t] = sent.WithLabelValues(t)
	}
	for _, r := range []string{reasonSlow, reasonShutdown, reasonUnknownRoom, reasonBadRequest, reasonTimeout, reasonUnavailable} {
		m.evictions.WithLabelValues(r)
	}
	m.acks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "livedeck", Subsystem: "ws", Name: "acks_total",
		Help: "Acknowledgements received from consoles, by outcome: stored, duplicate (answered, not stored again), limited, refused, failed.",
	}, []string{"outcome"})
	for _, o := range []string{ackStored, ackDuplicate, ackLimited, ackRefused, ackFailed} {
		m.acks.WithLabelValues(o)
	}
	reg.MustRegister(m.clients, sent, m.evictions, m.lag, m.acks)
	return m
}

func (m *wsMetrics) evicted(reason string) { m.evictions.WithLabelValues(reason).Inc() }

func (m *wsMetrics) acked(outcome string) { m.acks.WithLabelValues(outcome).Inc() }
