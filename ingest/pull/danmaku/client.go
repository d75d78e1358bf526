package danmaku

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/internal/backoff"
)

// Config is one client's configuration.
type Config struct {
	RoomID int64 // the room id in the room's URL (required)

	// URL, when set, is the websocket URL to use instead of asking the web
	// APIs (private deployments, tests); Key is then the auth key sent to it.
	URL string
	Key string

	Bootstrap *Bootstrap  // used when URL is empty; zero means the public APIs
	TLSConfig *tls.Config // for wss:// servers; zero means the system's roots

	Heartbeat   time.Duration  // heartbeat period; zero means 30 s (the server drops a client silent for about 60 s)
	ReadTimeout time.Duration  // silence after which the connection counts as lost; zero means two heartbeat periods (the server answers every heartbeat)
	AuthTimeout time.Duration  // how long to wait for the auth reply; zero means 10 s
	Backoff     backoff.Policy // reconnect delays; zero means 1 s doubling to 30 s, with jitter
}

// ErrAuth is wrapped when the server refuses the auth packet; the client
// fetches a fresh key before connecting again.
var ErrAuth = errors.New("danmaku auth refused")

// Handler receives each command message, in order. It may block (the
// client stops reading until it returns: backpressure); an error stops
// the client and Run returns it.
type Handler func(ctx context.Context, cmd []byte) error

// Client is a danmaku client for one room.
type Client struct {
	cfg     Config
	metrics *Metrics
	log     *slog.Logger
	dialer  *websocket.Dialer
}

// NewClient checks cfg and makes a client. metrics and log may be nil.
func NewClient(cfg Config, metrics *Metrics, log *slog.Logger) (*Client, error) {
	if cfg.RoomID <= 0 {
		return nil, fmt.Errorf("danmaku: room id %d: need the room's number", cfg.RoomID)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 30 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 2 * cfg.Heartbeat
	}
	if cfg.AuthTimeout <= 0 {
		cfg.AuthTimeout = 10 * time.Second
	}
	if cfg.Bootstrap == nil {
		cfg.Bootstrap = &Bootstrap{}
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, metrics: metrics, log: log.With("bilibili_room", cfg.RoomID),
		dialer: &websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment, TLSClientConfig: cfg.TLSConfig}}, nil
}

// errHandler marks an error of the handler: it ends Run.
type errHandler struct{ err error }

func (e errHandler) Error() string { return e.err.Error() }
func (e errHandler) Unwrap() error { return e.err }

// Run connects, authenticates and hands every command to h until ctx ends
// (then it returns nil) or h fails. Lost connections are made again after
// a backoff delay; a refused key or repeated failures fetch a fresh
// endpoint first.
func (c *Client) Run(ctx context.Context, h Handler) error {
	var ep Endpoint
	fresh, failures := false, 0
	for {
		if !fresh {
			var err error
			if ep, err = c.endpoint(ctx); err != nil {
				c.log.Warn("danmaku endpoint lookup failed", "err", err)
				if !c.wait(ctx, failures) {
					return nil
				}
				failures++
				continue
			}
			fresh = true
		}
		url := ep.URLs[failures%len(ep.URLs)]
		authed, err := c.session(ctx, ep, url, h)
		if ctx.Err() != nil {
			return nil
		}
		var he errHandler
		if errors.As(err, &he) {
			return he.err
		}
		c.metrics.Reconnects.Inc()
		if authed {
			failures = 0
		} else {
			failures++
		}
		// A refused key, or a server that keeps failing: ask for a new one.
		if errors.Is(err, ErrAuth) || (failures > 0 && failures%3 == 0) {
			fresh = false
		}
		c.log.Warn("danmaku connection ended, reconnecting", "url", url, "err", err, "failures", failures)
		if !c.wait(ctx, failures) {
			return nil
		}
	}
}

// endpoint is the configured URL or the bootstrap's answer.
func (c *Client) endpoint(ctx context.Context) (Endpoint, error) {
	if c.cfg.URL != "" {
		return Endpoint{RoomID: c.cfg.RoomID, URLs: []string{c.cfg.URL}, Key: c.cfg.Key,
			Buvid: cookieValue(c.cfg.Bootstrap.Cookie, "buvid3")}, nil
	}
	return c.cfg.Bootstrap.Endpoint(ctx, c.cfg.RoomID)
}

func (c *Client) wait(ctx context.Context, attempt int) bool {
	return backoff.Sleep(ctx, c.cfg.Backoff.Delay(max(attempt-1, 0)))
}

// session runs one connection: dial, auth, then read until it fails.
// authed reports whether the server accepted the auth packet.
func (c *Client) session(ctx context.Context, ep Endpoint, url string, h Handler) (authed bool, err error) {
	hdr := http.Header{"User-Agent": {UserAgent}}
	if ck := c.cfg.Bootstrap.Cookie; ck != "" {
		hdr.Set("Cookie", ck)
	}
	ws, resp, err := c.dialer.DialContext(ctx, url, hdr)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return false, fmt.Errorf("dial: %w", err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() { // unblock reads when ctx ends
		select {
		case <-ctx.Done():
			ws.Close()
		case <-done:
			ws.Close()
		}
	}()
	if err := c.auth(ws, ep); err != nil {
		return false, err
	}
	c.metrics.Connected.Set(1)
	defer c.metrics.Connected.Set(0)
	c.log.Info("danmaku connected", "url", url)
	go c.heartbeats(ws, done)
	return true, c.read(ctx, ws, h)
}

// auth sends the auth packet and waits for its reply. It is the only
// write before the heartbeat goroutine starts.
func (c *Client) auth(ws *websocket.Conn, ep Endpoint) error {
	body, _ := json.Marshal(authBody{UID: ep.UID, RoomID: ep.RoomID, ProtoVer: 3, Platform: "web", Type: 2, Key: ep.Key, Buvid: ep.Buvid})
	deadline := time.Now().Add(c.cfg.AuthTimeout)
	_ = ws.SetWriteDeadline(deadline)
	if err := ws.WriteMessage(websocket.BinaryMessage, AppendPacket(nil, Packet{Ver: VerControl, Op: OpAuth, Seq: 1, Body: body})); err != nil {
		return fmt.Errorf("send auth: %w", err)
	}
	_ = ws.SetReadDeadline(deadline)
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("await auth reply: %w", err)
		}
		f, err := DecodeFrame(data)
		if err != nil {
			return fmt.Errorf("auth reply: %w", err)
		}
		if f.AuthReply == nil {
			continue
		}
		var reply struct {
			Code *int `json:"code"`
		}
		if err := json.Unmarshal(f.AuthReply, &reply); err != nil || reply.Code == nil {
			return fmt.Errorf("%w: reply %q", ErrAuth, f.AuthReply)
		}
		if *reply.Code != 0 {
			return fmt.Errorf("%w: code %d (-101: key expired or not for this User-Agent)", ErrAuth, *reply.Code)
		}
		return nil
	}
}

// authBody is the auth packet's JSON.
type authBody struct {
	UID      int64  `json:"uid"`
	RoomID   int64  `json:"roomid"`
	ProtoVer int    `json:"protover"` // 3: the server may send brotli
	Platform string `json:"platform"`
	Type     int    `json:"type"`
	Key      string `json:"key,omitempty"`
	Buvid    string `json:"buvid,omitempty"`
}

// heartbeats is the connection's only writer once authenticated: one
// heartbeat now and one every period, until done.
func (c *Client) heartbeats(ws *websocket.Conn, done <-chan struct{}) {
	pkt := AppendPacket(nil, Packet{Ver: VerControl, Op: OpHeartbeat, Seq: 1})
	t := time.NewTicker(c.cfg.Heartbeat)
	defer t.Stop()
	for {
		_ = ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := ws.WriteMessage(websocket.BinaryMessage, pkt); err != nil {
			ws.Close() // the reader sees it and the session ends
			return
		}
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// read hands on commands until the connection fails or is silent for
// ReadTimeout.
func (c *Client) read(ctx context.Context, ws *websocket.Conn, h Handler) error {
	for {
		_ = ws.SetReadDeadline(time.Now().Add(c.cfg.ReadTimeout))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		c.metrics.Frames.Inc()
		f, err := DecodeFrame(data)
		if err != nil {
			c.metrics.Malformed.Inc()
			c.log.Warn("danmaku frame skipped", "err", err, "bytes", len(data))
		}
		if f.Heartbeat {
			c.metrics.Heartbeats.Inc()
		}
		for _, cmd := range f.Commands {
			c.metrics.Commands.Inc()
			if err := h(ctx, cmd); err != nil {
				return errHandler{err}
			}
		}
	}
}
