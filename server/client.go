package server

import (
	"cmp"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Console websocket timings (docs/websocket.md). Only the write pump
// writes, pings and close frames included.
const (
	writeWait      = 5 * time.Second
	pongWait       = 30 * time.Second
	pingPeriod     = pongWait * 9 / 10
	closeGrace     = time.Second // after a close frame, wait this long for the peer's
	maxMessageSize = 4 << 10     // client messages are small acks
	initWindow     = 2 * time.Second
)

// Views and message types.
const (
	viewOperator = "operator"
	viewHost     = "host"
	viewProducer = "producer"

	typeHello    = "hello"
	typeSnapshot = "snapshot"
	typeMetrics  = "metrics"
	typeComment  = "comment"
	typeError    = "error"
)

var messageTypes = []string{typeHello, typeSnapshot, typeMetrics, typeComment, typeError, "cue", "tier", "alert", "gift", "ack", "withdraw", typeHealth}

// outMsg is one server message encoded once for every client it goes to:
// head is `{"type":…,"room":…` and body is `,"id":…,"data":…}`; each
// connection writes its own seq between them. (A PreparedMessage would
// need identical frames, which the per-connection seq rules out; without
// compression it would save only the frame header.)
type outMsg struct {
	typ, room string
	id        string    // stream id, signals only
	seq       uint64    // Snapshot.Seq, metrics only
	commentID string    // comments only
	at        time.Time // when the relay got it; zero for connect-time messages
	head      []byte
	body      []byte
}

func newOutMsg(typ, room, id string, data []byte, at time.Time) *outMsg {
	m := &outMsg{typ: typ, room: room, id: id, at: at}
	m.head = append([]byte(`{"type":`), jsonString(typ)...)
	if room != "" {
		m.head = append(append(m.head, `,"room":`...), jsonString(room)...)
	}
	if id != "" {
		m.body = append(append(m.body, `,"id":`...), jsonString(id)...)
	}
	m.body = append(append(append(m.body, `,"data":`...), data...), '}')
	return m
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// client is one console websocket.
type client struct {
	h     *Hub
	conn  *websocket.Conn
	view  string
	by    string // who acknowledges: the principal's name, or the view
	rooms []string
	send  chan *outMsg

	// Read pump only (ack.go).
	ackLimit *rate.Limiter
	acked    map[string]string // room NUL key → who acknowledged it

	registered chan struct{}     // closed by the hub after add
	ready      []<-chan struct{} // per room, set by the hub before registered closes

	done      chan struct{} // closed by kick: the write pump closes the connection
	kickOnce  sync.Once
	closeCode int // set before done closes
	closeText string
	readDone  chan struct{}

	// Write pump only (the handler before it starts).
	seq   uint64
	since map[string]*roomSince
}

// roomSince is what a client got at connect, to drop live messages that
// the replay or the snapshot already covered.
type roomSince struct {
	lastSignal streamID
	snapAt     time.Time
	snapSeq    uint64
	comments   map[string]struct{} // ids in the snapshot; nil once past initWindow
}

func newClient(h *Hub, conn *websocket.Conn, req wsRequest) *client {
	return &client{
		h: h, conn: conn, view: req.view, by: cmp.Or(req.by, req.view), rooms: req.rooms,
		send:       make(chan *outMsg, h.cfg.SendQueue),
		registered: make(chan struct{}),
		done:       make(chan struct{}),
		readDone:   make(chan struct{}),
		since:      make(map[string]*roomSince, len(req.rooms)),
		ackLimit:   h.newAckLimiter(),
		acked:      map[string]string{},
	}
}

// kick asks the write pump to close the connection with code (closeNone:
// without a close frame). The first kick wins.
func (c *client) kick(code int, text string) {
	c.kickOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
	})
}

// queue adds a message for this client only; a full queue evicts it.
func (c *client) queue(m *outMsg) {
	select {
	case c.send <- m:
	default:
		c.h.m.evicted(reasonSlow)
		code, text := closeOf(reasonSlow)
		c.kick(code, text)
	}
}

// write sends one message as a text frame, with the next seq.
func (c *client) write(m *outMsg) error {
	w, err := c.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	c.seq++
	var num [32]byte
	_, _ = w.Write(m.head)
	_, _ = w.Write(strconv.AppendUint(append(num[:0], `,"seq":`...), c.seq, 10))
	_, _ = w.Write(m.body)
	if err := w.Close(); err != nil {
		return err
	}
	c.h.m.sent[m.typ].Inc()
	if !m.at.IsZero() {
		c.h.m.lag.Observe(time.Since(m.at).Seconds())
	}
	return nil
}

// writePump is the connection's only writer: queued messages, pings and
// the close frame. It ends when the client is kicked or a write fails.
func (c *client) writePump() {
	defer c.h.pumps.Done()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	var batch []*outMsg
	for {
		select {
		case m := <-c.send:
			batch = coalesceMetrics(c.drain(append(batch[:0], m)))
			err := c.writeBatch(batch)
			clear(batch)
			if err != nil {
				c.kick(closeNone, "")
				c.finish()
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.kick(closeNone, "")
				c.finish()
				return
			}
		case <-c.done:
			c.finish()
			return
		}
	}
}

// drain appends what else is already queued, without waiting.
func (c *client) drain(batch []*outMsg) []*outMsg {
	for {
		select {
		case m := <-c.send:
			batch = append(batch, m)
		default:
			return batch
		}
	}
}

// coalesceMetrics keeps only the newest metrics message of each room.
func coalesceMetrics(batch []*outMsg) []*outMsg {
	kept := batch[:0]
	for i, m := range batch {
		if m.typ == typeMetrics && hasMetrics(batch[i+1:], m.room) {
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

func hasMetrics(batch []*outMsg, room string) bool {
	for _, m := range batch {
		if m.typ == typeMetrics && m.room == room {
			return true
		}
	}
	return false
}

func (c *client) writeBatch(batch []*outMsg) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	for _, m := range batch {
		if c.covered(m) {
			continue
		}
		if err := c.write(m); err != nil {
			return err
		}
	}
	return nil
}

// covered reports whether the connect-time replay or snapshot already gave
// the client m: signals up to the newest id it saw, and metrics and
// comments the relay received around the time the snapshot was read.
func (c *client) covered(m *outMsg) bool {
	st := c.since[m.room]
	if st == nil {
		return false
	}
	switch m.typ {
	case typeMetrics:
		if st.snapSeq > 0 && m.at.Before(st.snapAt.Add(initWindow)) && m.seq <= st.snapSeq {
			return true
		}
		st.snapSeq = 0 // a newer one went out: stop checking
		return false
	case typeComment:
		if st.comments == nil {
			return false
		}
		if m.at.After(st.snapAt.Add(initWindow)) {
			st.comments = nil
			return false
		}
		_, ok := st.comments[m.commentID]
		return ok
	case typeError:
		return false
	}
	id, err := parseStreamID(m.id)
	if err != nil {
		return false
	}
	if !st.lastSignal.less(id) {
		return true
	}
	st.lastSignal = id
	return false
}

// finish writes the close frame, if any, waits briefly for the peer's,
// closes the connection and leaves the hub.
func (c *client) finish() {
	if c.closeCode != closeNone {
		msg := websocket.FormatCloseMessage(c.closeCode, c.closeText)
		if c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait)) == nil {
			t := time.NewTimer(closeGrace)
			select {
			case <-c.readDone:
			case <-t.C:
			}
			t.Stop()
		}
	}
	c.conn.Close()
	<-c.readDone
	c.h.leave(c)
}

// readPump reads client messages (acks) until the connection ends. Pongs
// and any message extend the read deadline.
func (c *client) readPump() {
	defer close(c.readDone)
	c.conn.SetReadLimit(maxMessageSize)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	c.conn.SetCloseHandler(func(int, string) error { return nil }) // the write pump answers
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			c.readFailed(err)
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
		c.handle(msg)
	}
}

func (c *client) readFailed(err error) {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		code := ce.Code
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		c.kick(code, "")
	case errors.As(err, &ne) && ne.Timeout():
		select {
		case <-c.done: // we were closing and stopped waiting
		default:
			c.h.m.evicted(reasonTimeout)
		}
		c.kick(closeNone, "")
	default:
		c.kick(closeNone, "")
	}
}

// clientMsg is a message from the console: {"type":"ack","room","data":{"key"}}.
type clientMsg struct {
	Type string `json:"type"`
	Room string `json:"room"`
	Data struct {
		Key string `json:"key"`
	} `json:"data"`
}

// handle acts on one client message; a refused one is answered with an
// error message.
func (c *client) handle(raw []byte) {
	var msg clientMsg
	if err := json.Unmarshal(raw, &msg); err != nil {
		c.refuse("", "message is not JSON: "+err.Error())
		return
	}
	switch {
	case msg.Type != "ack":
		c.refuse(msg.Room, "type: only \"ack\" is accepted")
	case !c.inRoom(msg.Room):
		c.refuse(msg.Room, "room: not one of this connection's rooms")
	case msg.Data.Key == "" || len(msg.Data.Key) > 200:
		c.refuse(msg.Room, "data.key: want the cue or alert key, 1-200 bytes")
	default:
		c.handleAck(msg.Room, msg.Data.Key)
	}
}

func (c *client) inRoom(room string) bool {
	for _, r := range c.rooms {
		if r == room {
			return true
		}
	}
	return false
}

func (c *client) refuse(room, message string) {
	b, _ := json.Marshal(map[string]string{"message": message})
	c.queue(newOutMsg(typeError, room, "", b, time.Time{}))
}
