package server

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// How a console socket is written. An idle connection has one goroutine,
// its read pump. A room update is handed to the hub's fan-out workers,
// each of which writes it to its clients' sockets itself, one non-blocking
// write per client, while the socket takes it at once: no per-connection
// goroutine wakes up for it. Whatever cannot go out that way (a full
// socket buffer, a connection still greeting, a pong, a close) waits in
// the client's backlog for a flusher: a goroutine started for it that
// writes with the writeWait deadline and ends when the backlog is empty.
// A backlog that reaches SendQueue evicts the client as too slow.
//
// Every frame is written whole by a single write under the socket's write
// lock, so writes never interleave; only the rest of a frame a worker
// began (the socket took part of it) is written by the flusher next, before
// anything else. gorilla writes on its own only the close frame after a
// protocol error from the peer; should that fall between the two parts of
// a frame, it garbles a connection that is being failed anyway.

// wsConn is the socket below a websocket.
type wsConn struct {
	out net.Conn        // blocking writes, with deadlines
	raw syscall.RawConn // non-blocking writes; nil: every write goes through the flusher
}

// socketOf finds the TCP socket below ws, for writes that must not wait.
// A connection it does not know (TLS, a pipe) is written only by
// flushers, with deadlines.
func socketOf(ws *websocket.Conn) wsConn {
	if ws == nil { // a client in a test that never writes
		return wsConn{}
	}
	nc := ws.NetConn()
	if t, ok := nc.(*trackedConn); ok {
		nc = t.Conn
	}
	s := wsConn{out: nc}
	if tc, ok := nc.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			s.raw = raw
		}
	}
	return s
}

// Control frames the server writes (opcodes of RFC 6455).
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

var pingMsg = &outMsg{op: opPing}

func controlMsg(op byte, payload []byte) *outMsg { return &outMsg{op: op, body: payload} }

// deliver writes m at once if nothing else is writing and the socket takes
// it without waiting, else queues it for the flusher. buf is the calling
// worker's scratch space, returned for reuse.
func (c *client) deliver(m *outMsg, buf []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.kicked:
		return buf
	case c.flushing || c.sock.raw == nil:
		c.enqueueLocked(m)
		return buf
	case c.covered(m):
		return buf
	}
	buf = c.frame(buf[:0], m)
	n, err := c.tryWrite(buf)
	switch {
	case err != nil:
		c.kickLocked(closeNone, "")
	case n < len(buf): // the socket buffer is full: the flusher waits for room
		c.partial = append([]byte(nil), buf[n:]...)
		c.partialMsg = m
		c.startFlushLocked()
	default:
		c.sent(m)
	}
	return buf
}

// queue adds a message for this client only (an answer, a pong, health
// at connect), behind whatever it already has queued.
func (c *client) queue(m *outMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.kicked {
		c.enqueueLocked(m)
	}
}

// enqueueLocked queues m for the flusher; a full backlog evicts the client.
func (c *client) enqueueLocked(m *outMsg) {
	if len(c.backlog) >= c.h.cfg.SendQueue {
		c.h.m.evicted(reasonSlow)
		code, text := closeOf(reasonSlow)
		c.kickLocked(code, text)
		return
	}
	c.backlog = append(c.backlog, m)
	c.startFlushLocked()
}

func (c *client) startFlushLocked() {
	if !c.flushing {
		c.flushing = true
		go c.flush()
	}
}

// kick asks for the connection to be closed with code (closeNone: without
// a close frame). The first kick wins; it reports whether it was this one.
func (c *client) kick(code int, text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kickLocked(code, text)
}

func (c *client) kickLocked(code int, text string) bool {
	if c.kicked {
		return false
	}
	c.kicked, c.closeCode, c.closeText = true, code, text
	c.startFlushLocked()
	return true
}

func (c *client) isKicked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kicked
}

// flush owns the socket's writes until the backlog is empty: the rest of a
// begun frame first, then the queued messages (of metrics, only each
// room's newest), each batch within writeWait. It closes a kicked client.
// The goroutine that set flushing runs it (or starts it).
func (c *client) flush() {
	var batch []*outMsg
	for {
		c.mu.Lock()
		if c.kicked {
			partial := c.partial
			c.partial = nil
			c.mu.Unlock()
			c.finish(partial)
			return
		}
		partial, pm := c.partial, c.partialMsg
		batch = append(batch[:0], c.backlog...)
		clear(c.backlog)
		c.backlog, c.partial, c.partialMsg = c.backlog[:0], nil, nil
		if partial == nil && len(batch) == 0 {
			c.flushing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := c.writeBatch(partial, pm, coalesceMetrics(batch))
		clear(batch)
		if err != nil {
			c.kick(closeNone, "")
		}
	}
}

// writeBatch writes the rest of a begun frame, then batch, as one write
// within writeWait (a client that fell behind costs one system call per
// batch, not per message), and leaves the socket without a deadline for
// the workers.
func (c *client) writeBatch(partial []byte, pm *outMsg, batch []*outMsg) error {
	bp := frameBufs.Get().(*[]byte)
	defer putFrameBuf(bp)
	b := append((*bp)[:0], partial...)
	framed := batch[:0]
	for _, m := range batch {
		if !c.covered(m) {
			b = c.frame(b, m)
			framed = append(framed, m)
		}
	}
	*bp = b
	if err := c.sock.out.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	if _, err := c.sock.out.Write(b); err != nil {
		return err
	}
	if pm != nil {
		c.sent(pm)
	}
	for _, m := range framed {
		c.sent(m)
	}
	return c.sock.out.SetWriteDeadline(time.Time{})
}

var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// putFrameBuf returns a buffer to the pool unless a large batch grew it.
func putFrameBuf(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		frameBufs.Put(bp)
	}
}

// write frames m with the next seq and writes it, waiting as long as the
// socket's deadline allows. Only the goroutine owning the writes calls it.
func (c *client) write(m *outMsg) error {
	bp := frameBufs.Get().(*[]byte)
	defer putFrameBuf(bp)
	*bp = c.frame((*bp)[:0], m)
	if _, err := c.sock.out.Write(*bp); err != nil {
		return err
	}
	c.sent(m)
	return nil
}

// sent counts a written message.
func (c *client) sent(m *outMsg) {
	if m.op != 0 {
		return
	}
	c.h.m.sent[m.typ].Inc()
	if !m.at.IsZero() {
		c.h.m.lag.Observe(time.Since(m.at).Seconds())
	}
}

// frame appends m as one websocket frame: a data message is its head, this
// connection's next seq and its body; a control message its payload.
func (c *client) frame(b []byte, m *outMsg) []byte {
	if m.op != 0 {
		return append(frameHeader(b, m.op, len(m.body)), m.body...)
	}
	c.seq++
	var num [32]byte
	seq := strconv.AppendUint(append(num[:0], `,"seq":`...), c.seq, 10)
	b = frameHeader(b, opText, len(m.head)+len(seq)+len(m.body))
	return append(append(append(b, m.head...), seq...), m.body...)
}

// frameHeader appends the header of an unmasked final frame (RFC 6455 5.2).
func frameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n < 1<<16:
		return append(b, 126, byte(n>>8), byte(n))
	}
	b = append(b, 127)
	for s := 56; s >= 0; s -= 8 {
		b = append(b, byte(uint64(n)>>s))
	}
	return b
}

// tryWrite writes p without waiting: n < len(p) with a nil error means
// the socket buffer is full.
func (c *client) tryWrite(p []byte) (n int, err error) {
	werr := c.sock.raw.Write(func(fd uintptr) bool {
		for {
			n, err = syscall.Write(int(fd), p)
			if !errors.Is(err, syscall.EINTR) {
				return true
			}
		}
	})
	if errors.Is(err, syscall.EAGAIN) {
		err = nil
	}
	n = max(n, 0)
	if werr != nil {
		return n, werr
	}
	return n, err
}

// finish writes the close frame, if any (after the rest of a begun frame),
// waits briefly for the peer's, closes the connection and leaves the hub.
func (c *client) finish(partial []byte) {
	if c.closeCode != closeNone {
		msg := websocket.FormatCloseMessage(c.closeCode, c.closeText)
		err := c.sock.out.SetWriteDeadline(time.Now().Add(writeWait))
		if err == nil {
			_, err = c.sock.out.Write(append(append(partial, frameHeader(nil, opClose, len(msg))...), msg...))
		}
		if err == nil {
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
	c.h.pumps.Done()
}
