package server

import (
	"cmp"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// Console websocket timings (docs/websocket.md). Writes, pings and close
// frames included, go through ws_write.go.
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
// need identical frames, which the per-connection seq rules out.) A
// control message (op set) is its payload in body.
type outMsg struct {
	typ, room string
	op        byte      // a control frame's opcode; zero for data messages
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
	h      *Hub
	conn   *websocket.Conn // read by the read pump; written only through sock
	sock   wsConn
	view   string
	by     string // who acknowledges: the principal's name, or the view
	rooms  []string
	worker int // the fan-out worker that writes this client's room updates, so they stay in order

	// Read pump only (ack.go); made on the first ack.
	ackLimit *rate.Limiter
	acked    map[string]string // room NUL key → who acknowledged it

	registered chan struct{}     // closed by the hub after add
	ready      []<-chan struct{} // per room, set by the hub before registered closes
	readDone   chan struct{}
	nextPing   time.Time // hub only

	// The writes (ws_write.go): under mu, or by the one goroutine that set
	// flushing (the handler while it greets, then flushers).
	mu         sync.Mutex
	flushing   bool
	backlog    []*outMsg
	partial    []byte  // the unwritten rest of a frame a worker began
	partialMsg *outMsg // the message it belongs to
	kicked     bool
	closeCode  int
	closeText  string
	seq        uint64
	since      []*roomSince // per room, as rooms; a slice: looked up for every message
}

// roomSince is what a client got at connect, to drop live messages that
// the replay or the snapshot already covered.
type roomSince struct {
	lastSignal streamID
	snapAt     time.Time
	snapSeq    uint64
	comments   map[string]struct{} // ids in the snapshot; nil once past initWindow
}

// newClient is a client that is greeting: the handler owns the writes
// until it starts the pumps.
func newClient(h *Hub, conn *websocket.Conn, req wsRequest) *client {
	return &client{
		h: h, conn: conn, sock: socketOf(conn), view: req.view, by: cmp.Or(req.by, req.view), rooms: req.rooms,
		worker:     rand.IntN(len(h.jobs)),
		registered: make(chan struct{}),
		readDone:   make(chan struct{}),
		since:      make([]*roomSince, len(req.rooms)),
		flushing:   true,
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

// covered reports whether the connect-time replay or snapshot already gave
// the client m: signals up to the newest id it saw, and metrics and
// comments the relay received around the time the snapshot was read.
func (c *client) covered(m *outMsg) bool {
	st := c.sinceOf(m.room)
	if st == nil || m.op != 0 {
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

func (c *client) sinceOf(room string) *roomSince {
	for i, r := range c.rooms {
		if r == room {
			return c.since[i]
		}
	}
	return nil
}

// readPump reads client messages (acks) until the connection ends. Pongs
// and any message extend the read deadline.
func (c *client) readPump() {
	defer close(c.readDone)
	c.conn.SetReadLimit(maxMessageSize)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	c.conn.SetCloseHandler(func(int, string) error { return nil }) // finish answers
	c.conn.SetPingHandler(func(data string) error {
		c.queue(controlMsg(opPong, []byte(data)))
		return nil
	})
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
		if c.kick(closeNone, "") { // not when we were closing and stopped waiting
			c.h.m.evicted(reasonTimeout)
		}
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
		if c.ackLimit == nil { // most consoles never ack: no state until one does
			c.ackLimit, c.acked = c.h.newAckLimiter(), map[string]string{}
		}
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
