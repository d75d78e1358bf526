//go:build linux

package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck"
)

// console is one operator console's websocket, as the web app keeps it:
// on a dropped connection it reconnects to the next instance in its list
// (a load balancer's view of the pool: it does not know which one died)
// with resume=<room>:<last signal id>, after a short back-off. Consoles use
// different hops so that those of a dead instance spread over the others.
type console struct {
	room  string
	wsURL []string // ws://host:port of every instance
	first int      // index of the instance it connects to first
	hop   int      // after a drop it tries the instance hop further on, and so on

	mu          sync.Mutex
	instances   []string // instance names from each connection's hello, in order
	resumes     []string // the resume id each reconnect sent
	connectedAt []time.Time
	current     int    // index of the instance of the live connection, -1 between connections
	lastSignal  string // id of the newest signal seen, for resume
	gifts       map[string]int
	comments    map[string]int    // comments shown, by id: live messages and snapshots' recent comments
	liveCmts    map[string]bool   // ids of live comment messages
	metrics     livedeck.Snapshot // the newest metrics, from a snapshot or metrics message
	liveSince   int               // metrics messages since the latest hello
	problems    []string          // protocol breaches: seq gaps, signals out of order or repeated
	backwards   []string          // metrics older than the numbers shown before (see the test)
	health      []string          // health statuses seen, in order
}

type envelope struct {
	Type string          `json:"type"`
	Room string          `json:"room"`
	Seq  uint64          `json:"seq"`
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

func newConsole(room string, wsURL []string, first, hop int) *console {
	return &console{room: room, wsURL: wsURL, first: first, hop: hop, current: -1, gifts: map[string]int{}, comments: map[string]int{}, liveCmts: map[string]bool{}}
}

func (c *console) run(ctx context.Context) {
	idx := c.first
	for ctx.Err() == nil {
		err := c.session(ctx, idx)
		if ctx.Err() != nil {
			return
		}
		_ = err // a drop: move on to another instance
		idx = (idx + c.hop) % len(c.wsURL)
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// session is one connection: dial, then read until it fails.
func (c *console) session(ctx context.Context, idx int) error {
	q := url.Values{"rooms": {c.room}, "view": {"operator"}}
	c.mu.Lock()
	resume := c.lastSignal
	reconnect := len(c.instances) > 0
	c.mu.Unlock()
	if resume != "" {
		q.Set("resume", c.room+":"+resume)
	}
	h := http.Header{"Authorization": {"Bearer " + adminToken}}
	d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	conn, _, err := d.DialContext(ctx, c.wsURL[idx]+"/ws?"+q.Encode(), h)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c.mu.Lock()
	c.current = idx
	if reconnect {
		c.resumes = append(c.resumes, resume)
	}
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.current = -1; c.mu.Unlock() }()
	var seq uint64
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		var e envelope
		if err := json.Unmarshal(b, &e); err != nil {
			c.problem("undecodable message %.200s", b)
			continue
		}
		if e.Seq != seq+1 {
			c.problem("seq %d after %d", e.Seq, seq)
		}
		seq = e.Seq
		c.handle(e)
	}
}

func (c *console) handle(e envelope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e.Type {
	case "hello":
		var h struct {
			Instance string `json:"instance"`
		}
		_ = json.Unmarshal(e.Data, &h)
		c.instances = append(c.instances, h.Instance)
		c.connectedAt = append(c.connectedAt, time.Now())
		c.liveSince = 0
	case "snapshot":
		var s struct {
			Metrics  livedeck.Snapshot  `json:"metrics"`
			Comments []livedeck.Comment `json:"comments"`
		}
		if err := json.Unmarshal(e.Data, &s); err != nil {
			c.problems = append(c.problems, "snapshot: "+err.Error())
		}
		c.metrics = s.Metrics
		for _, cm := range s.Comments { // the feed a reconnecting console shows
			c.comments[cm.ID]++
		}
	case "metrics":
		var s livedeck.Snapshot
		if err := json.Unmarshal(e.Data, &s); err != nil {
			c.problems = append(c.problems, "metrics: "+err.Error())
		}
		if s.Seq < c.metrics.Seq {
			c.backwards = append(c.backwards, fmt.Sprintf("%s at %s: seq %d after %d, connection %d %v, %d metrics since its hello",
				c.room, time.Now().Format("15:04:05.000"), s.Seq, c.metrics.Seq, len(c.instances), c.instances, c.liveSince))
		}
		c.metrics = s
		c.liveSince++
	case "comment":
		var cm livedeck.Comment
		if err := json.Unmarshal(e.Data, &cm); err != nil || cm.ID == "" {
			c.problems = append(c.problems, fmt.Sprintf("comment: %.200s", e.Data))
		} else if c.liveCmts[cm.ID] {
			c.problems = append(c.problems, "comment "+cm.ID+" sent twice")
		} else {
			c.liveCmts[cm.ID] = true
			c.comments[cm.ID]++
		}
	case "health":
		var h struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(e.Data, &h)
		c.health = append(c.health, strings.TrimSuffix(h.Status+" "+h.Reason, " "))
	}
	if e.ID == "" {
		return
	}
	if c.lastSignal != "" && !streamIDLess(c.lastSignal, e.ID) {
		c.problems = append(c.problems, fmt.Sprintf("signal %s (%s) after %s", e.ID, e.Type, c.lastSignal))
		return
	}
	c.lastSignal = e.ID
	if e.Type == "gift" {
		var s livedeck.Signal
		if err := json.Unmarshal(e.Data, &s); err != nil || s.Gift == nil {
			c.problems = append(c.problems, fmt.Sprintf("gift signal %s: %.200s", e.ID, e.Data))
			return
		}
		c.gifts[s.Gift.OrderID]++
	}
}

func (c *console) problem(format string, args ...any) {
	c.mu.Lock()
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

// view is a copy of what the console shows now.
type view struct {
	instances   []string
	resumes     []string
	connectedAt []time.Time
	current     int
	metrics     livedeck.Snapshot
	liveSince   int
	gifts       map[string]int
	comments    int
	backwards   []string
	problems    []string
	health      []string
}

func (c *console) view() view {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := make(map[string]int, len(c.gifts))
	for k, v := range c.gifts {
		g[k] = v
	}
	return view{instances: append([]string(nil), c.instances...), resumes: append([]string(nil), c.resumes...),
		connectedAt: append([]time.Time(nil), c.connectedAt...), current: c.current, metrics: c.metrics,
		liveSince: c.liveSince, gifts: g, comments: len(c.comments), backwards: append([]string(nil), c.backwards...), problems: append([]string(nil), c.problems...), health: append([]string(nil), c.health...)}
}

// streamIDLess orders Redis stream ids ("ms-seq").
func streamIDLess(a, b string) bool {
	pa, pb := splitID(a), splitID(b)
	if pa[0] != pb[0] {
		return pa[0] < pb[0]
	}
	return pa[1] < pb[1]
}

func splitID(id string) [2]uint64 {
	ms, seq, _ := strings.Cut(id, "-")
	a, _ := strconv.ParseUint(ms, 10, 64)
	b, _ := strconv.ParseUint(seq, 10, 64)
	return [2]uint64{a, b}
}
