package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/ingest"
)

// Transports of bench ingest: a POST per batch, or a message per batch on
// the room's ingest websocket (the path long-lived connectors take).
const (
	transportHTTP = "http"
	transportWS   = "ws"
)

// batchSender sends one batch to room i and returns the server's result.
// One sender serves one generator connection: it is not safe for
// concurrent use.
type batchSender interface {
	send(ctx context.Context, room int, body []byte) (ingest.Result, error)
	close()
}

// httpSender posts each batch on the shared keep-alive client.
type httpSender struct {
	client *http.Client
	urls   []string // per room
}

func (s *httpSender) send(ctx context.Context, room int, body []byte) (ingest.Result, error) {
	return benchPost(ctx, s.client, s.urls[room], body)
}

func (s *httpSender) close() {}

// wsSender keeps one ingest websocket per room it has sent to and waits for
// each batch's acknowledgement before the next, as the HTTP sender waits
// for its response.
type wsSender struct {
	dialer *websocket.Dialer
	urls   []string // per room
	header http.Header
	conns  []*websocket.Conn
	ack    wsIngestAck
}

// wsIngestAck is the part of the server's acknowledgement the bench reads.
type wsIngestAck struct {
	ingest.Result
	Seq   int64 `json:"seq"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func newWSSender(server, token string, rooms []string) *wsSender {
	base := "ws" + strings.TrimPrefix(strings.TrimSuffix(server, "/"), "http")
	s := &wsSender{
		// Buffers that hold a whole batch: one write per message.
		dialer: &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4 << 10, WriteBufferSize: 64 << 10},
		urls:   make([]string, len(rooms)),
		header: authHeader(token),
		conns:  make([]*websocket.Conn, len(rooms)),
	}
	for i, id := range rooms {
		s.urls[i] = base + "/api/v1/rooms/" + id + "/ingest?source=bench"
	}
	return s
}

func (s *wsSender) send(ctx context.Context, room int, body []byte) (ingest.Result, error) {
	conn := s.conns[room]
	if conn == nil {
		c, resp, err := s.dialer.DialContext(ctx, s.urls[room], s.header)
		if err != nil {
			if resp != nil {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
				return ingest.Result{}, fmt.Errorf("ingest websocket: HTTP %d: %s: %w", resp.StatusCode, bytes.TrimSpace(b), err)
			}
			return ingest.Result{}, fmt.Errorf("ingest websocket: %w", err)
		}
		conn, s.conns[room] = c, c
	}
	// A context end closes the socket, which ends a blocked read or write.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.WriteMessage(websocket.TextMessage, body); err != nil {
		s.drop(room)
		return ingest.Result{}, fmt.Errorf("send batch: %w", err)
	}
	_, msg, err := conn.ReadMessage()
	if err != nil {
		s.drop(room)
		return ingest.Result{}, fmt.Errorf("read acknowledgement: %w", err)
	}
	s.ack = wsIngestAck{}
	if err := json.Unmarshal(msg, &s.ack); err != nil {
		return ingest.Result{}, fmt.Errorf("acknowledgement %q: %w", msg, err)
	}
	if e := s.ack.Error; e != nil {
		return ingest.Result{}, fmt.Errorf("batch refused: %s: %s", e.Code, e.Message)
	}
	return s.ack.Result, nil
}

// drop forgets a failed socket: the next batch to its room dials again.
func (s *wsSender) drop(room int) {
	if c := s.conns[room]; c != nil {
		c.Close()
		s.conns[room] = nil
	}
}

func (s *wsSender) close() {
	for i := range s.conns {
		if c := s.conns[i]; c != nil {
			deadline := time.Now().Add(time.Second)
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
			c.Close()
			s.conns[i] = nil
		}
	}
}
