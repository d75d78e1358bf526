// Package forward sends JSON messages to a LiveDeck room through its ingest
// websocket (GET /api/v1/rooms/{room}/ingest), in batches, one batch in
// flight, each waiting for its acknowledgement. Messages are held in memory
// in order until LiveDeck acknowledges them: a send that fails or is not
// acknowledged is sent again, on a new connection if need be, and nothing
// is dropped. The queue is bounded; Put waits while it is full, which holds
// back whoever reads the platform (backpressure).
//
// Sending a batch again may deliver it twice; LiveDeck counts it once
// because event ids are derived from the platform's message ids.
package forward

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/internal/backoff"
)

// Config is a forwarder's configuration.
type Config struct {
	Server string // LiveDeck's base URL, http(s)://host:port (required)
	Room   string // the room to feed (required; must exist)
	Format string // ?format= of the ingest websocket, e.g. bilibili; empty means LiveDeck's own events
	Source string // ?source= naming this connector; empty means the format's name
	Token  string // bearer token of role ingest (or admin)

	MaxBatch      int            // most messages per batch; zero means 200
	MaxBatchBytes int            // most bytes per batch; zero means 1 MiB (LiveDeck refuses over 8 MiB by default)
	MaxQueue      int            // most messages held before Put waits; zero means 10,000
	AckTimeout    time.Duration  // how long to wait for an acknowledgement; zero means 30 s
	Backoff       backoff.Policy // reconnect and retry delays; zero means 1 s doubling to 30 s, with jitter
}

// URL is the ingest websocket URL of cfg.
func (c *Config) URL() (string, error) {
	u, err := url.Parse(strings.TrimRight(c.Server, "/"))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("forward: server %q: want http(s)://host:port", c.Server)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("forward: server %q: want http(s)://host:port", c.Server)
	}
	q := url.Values{}
	if c.Format != "" {
		q.Set("format", c.Format)
	}
	if c.source() != "" {
		q.Set("source", c.source())
	}
	s := u.Scheme + "://" + u.Host + u.EscapedPath() + "/api/v1/rooms/" + url.PathEscape(c.Room) + "/ingest"
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s, nil
}

func (c *Config) source() string {
	if c.Source != "" {
		return c.Source
	}
	return c.Format
}

func (c *Config) defaults() error {
	if c.Room == "" {
		return errors.New("forward: no room: name the LiveDeck room to feed")
	}
	if _, err := c.URL(); err != nil {
		return err
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 200
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 1 << 20
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = 10_000
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 30 * time.Second
	}
	return nil
}

// Forwarder forwards messages to one room.
type Forwarder struct {
	cfg     Config
	url     string
	q       *queue
	metrics *Metrics
	log     *slog.Logger
	dialer  *websocket.Dialer

	mu   sync.Mutex
	sent int // how many of the oldest messages were sent at least once
}

// New checks cfg and makes a forwarder; metrics and log may be nil.
func New(cfg Config, metrics *Metrics, log *slog.Logger) (*Forwarder, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	u, _ := cfg.URL()
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Forwarder{cfg: cfg, url: u, q: newQueue(cfg.MaxQueue), metrics: metrics,
		log:    log.With("room", cfg.Room, "source", cfg.source()),
		dialer: &websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}}, nil
}

// ErrNotJSON is returned by Put for a message that is not a JSON value.
var ErrNotJSON = errors.New("forward: message is not JSON")

// Put queues one message (a JSON value, usually an object), waiting while
// the queue is full. It is safe for concurrent use, though one reader
// keeps the platform's order.
func (f *Forwarder) Put(ctx context.Context, msg []byte) error {
	if !json.Valid(msg) {
		f.metrics.Refused.Inc()
		return ErrNotJSON
	}
	if err := f.q.put(ctx, msg); err != nil {
		return err
	}
	n, _ := f.q.len()
	f.metrics.Queue.Set(float64(n))
	return nil
}

// Pending is the number of messages not yet acknowledged.
func (f *Forwarder) Pending() int {
	n, _ := f.q.len()
	return n
}

// Drain waits until every message put so far is acknowledged, or ctx ends.
func (f *Forwarder) Drain(ctx context.Context) error {
	for {
		n, changed := f.q.len()
		if n == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("forward: %d messages not acknowledged: %w", n, ctx.Err())
		}
	}
}

// Run connects and forwards until ctx ends, reconnecting after failures;
// it returns nil when ctx ends. Messages still held then are reported by
// Pending.
func (f *Forwarder) Run(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		progressed, err := f.connection(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if progressed {
			attempt = 0
		}
		f.metrics.Reconnects.Inc()
		delay := f.cfg.Backoff.Delay(attempt)
		f.log.Warn("livedeck connection ended, reconnecting", "err", err, "in", delay.Round(time.Millisecond), "pending", f.Pending())
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
}

// Ack is LiveDeck's answer to one batch.
type Ack struct {
	Seq          int64       `json:"seq"`
	Accepted     int         `json:"accepted"`
	Duplicates   int         `json:"duplicates"`
	Ignored      int         `json:"ignored"`
	DeadLettered int         `json:"dead_lettered"`
	Rejected     []Rejection `json:"rejected"`
	Error        *AckError   `json:"error"`
	RetryAfter   int         `json:"retry_after"` // seconds, with code rate_limited
}

// Rejection names one message of a batch LiveDeck did not take.
type Rejection struct {
	Index     int    `json:"index"`
	Field     string `json:"field"`
	Reason    string `json:"reason"`
	MessageID string `json:"message_id"`
	Kind      string `json:"kind"`
}

// AckError is a batch that failed as a whole.
type AckError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *AckError) Error() string {
	return fmt.Sprintf("%s: %s (field %q)", e.Code, e.Message, e.Field)
}

// connection runs one websocket connection until it fails. progressed
// reports whether any batch was acknowledged on it.
func (f *Forwarder) connection(ctx context.Context) (progressed bool, err error) {
	hdr := http.Header{}
	if f.cfg.Token != "" {
		hdr.Set("Authorization", "Bearer "+f.cfg.Token)
	}
	ws, resp, err := f.dialer.DialContext(ctx, f.url, hdr)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w: HTTP %d", err, resp.StatusCode)
		}
		return false, fmt.Errorf("dial %s: %w", redact(f.url), err)
	}
	defer ws.Close()
	f.log.Info("livedeck ingest connected", "url", redact(f.url))
	acks := make(chan Ack)
	readErr := make(chan error, 1)
	go readAcks(ws, acks, readErr)
	c := &conn{f: f, ws: ws, acks: acks, readErr: readErr}
	return c.run(ctx)
}

// redact drops the query (no secrets there, but keep logs short).
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// Websocket timings: LiveDeck pings every 54 s; silence for longer than
// readWait means the connection is gone.
const (
	writeWait = 10 * time.Second
	readWait  = 2 * time.Minute
)

// readAcks reads acknowledgements (and answers pings) until the connection
// fails; it then sends the error to readErr and closes acks.
func readAcks(ws *websocket.Conn, acks chan<- Ack, readErr chan<- error) {
	defer close(acks)
	_ = ws.SetReadDeadline(time.Now().Add(readWait))
	ws.SetPingHandler(func(data string) error {
		_ = ws.SetReadDeadline(time.Now().Add(readWait))
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			readErr <- err
			return
		}
		_ = ws.SetReadDeadline(time.Now().Add(readWait))
		var a Ack
		if err := json.Unmarshal(msg, &a); err != nil {
			readErr <- fmt.Errorf("acknowledgement %.200q: %w", msg, err)
			return
		}
		acks <- a
	}
}
