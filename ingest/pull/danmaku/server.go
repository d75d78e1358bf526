package danmaku

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Server is a local danmaku server for one room: it checks each client's
// auth packet, answers heartbeats as the public servers do, drops clients
// silent for too long, and writes the frames given to Send. Tests and the
// demo use it in place of Bilibili's servers.
type Server struct {
	RoomID      int64         // the room clients must ask for; zero accepts any
	Key         string        // the auth key clients must send; empty accepts any
	IdleTimeout time.Duration // a client without heartbeat this long is dropped; zero means 60 s

	frames     chan sendReq
	auths      atomic.Int64
	heartbeats atomic.Int64
	mu         sync.Mutex
	conns      map[*websocket.Conn]struct{}
	once       sync.Once
}

type sendReq struct {
	frame []byte
	done  chan error
}

// ErrNoClient is returned by Send when ctx ends before a client takes the frame.
var ErrNoClient = errors.New("danmaku server: no client took the frame")

func (s *Server) init() {
	s.once.Do(func() {
		s.frames = make(chan sendReq)
		s.conns = map[*websocket.Conn]struct{}{}
	})
}

// Send writes frame to an authenticated client, waiting for one to
// connect. It returns once the frame is written, or the write's error.
func (s *Server) Send(ctx context.Context, frame []byte) error {
	s.init()
	req := sendReq{frame: frame, done: make(chan error, 1)}
	select {
	case s.frames <- req:
	case <-ctx.Done():
		return ErrNoClient
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Drop closes every client connection at once, without a closing
// handshake, as a network failure would.
func (s *Server) Drop() {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// Auths counts the auth packets accepted so far.
func (s *Server) Auths() int64 { return s.auths.Load() }

// Heartbeats counts the heartbeats received so far.
func (s *Server) Heartbeats() int64 { return s.heartbeats.Load() }

// ServeHTTP accepts a client on any path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.init()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	if !s.accept(ws) {
		return
	}
	s.mu.Lock()
	s.conns[ws] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, ws)
		s.mu.Unlock()
	}()
	replies := make(chan []byte, 4)
	gone := make(chan struct{})
	go s.readPump(ws, replies, gone)
	s.writePump(ws, replies, gone)
}

// accept reads the auth packet (within 5 s) and answers it.
func (s *Server) accept(ws *websocket.Conn) bool {
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		return false
	}
	p, _, err := readPacket(data)
	if err != nil || p.Op != OpAuth {
		return false
	}
	var auth struct {
		RoomID int64  `json:"roomid"`
		Key    string `json:"key"`
	}
	code := 0
	if json.Unmarshal(p.Body, &auth) != nil || (s.RoomID != 0 && auth.RoomID != s.RoomID) || (s.Key != "" && auth.Key != s.Key) {
		code = -101
	}
	reply, _ := json.Marshal(map[string]int{"code": code})
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if ws.WriteMessage(websocket.BinaryMessage, AppendPacket(nil, Packet{Ver: VerControl, Op: OpAuthReply, Seq: 1, Body: reply})) != nil || code != 0 {
		return false
	}
	s.auths.Add(1)
	return true
}

// readPump reads heartbeats and queues their replies; it ends the
// connection when the client is silent for IdleTimeout.
func (s *Server) readPump(ws *websocket.Conn, replies chan<- []byte, gone chan<- struct{}) {
	defer close(gone)
	idle := s.IdleTimeout
	if idle <= 0 {
		idle = 60 * time.Second
	}
	for {
		_ = ws.SetReadDeadline(time.Now().Add(idle))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		p, _, err := readPacket(data)
		if err != nil || p.Op != OpHeartbeat {
			continue
		}
		s.heartbeats.Add(1)
		// The reply's length counts the 4-byte popularity value only, and
		// the client's body follows it, as the public servers send it.
		reply := AppendPacket(nil, Packet{Ver: VerControl, Op: OpHeartbeatReply, Seq: 1, Body: binary.BigEndian.AppendUint32(nil, 1)})
		reply = append(reply, p.Body...)
		select {
		case replies <- reply:
		default: // a client that sends heartbeats faster than they are answered
		}
	}
}

// writePump is the connection's only writer.
func (s *Server) writePump(ws *websocket.Conn, replies <-chan []byte, gone <-chan struct{}) {
	for {
		select {
		case <-gone:
			return
		case r := <-replies:
			_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if ws.WriteMessage(websocket.BinaryMessage, r) != nil {
				return
			}
		case req := <-s.frames:
			_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			err := ws.WriteMessage(websocket.BinaryMessage, req.frame)
			req.done <- err
			if err != nil {
				return
			}
		}
	}
}
