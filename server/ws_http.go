package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck/auth"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// readyWait bounds how long a new connection waits for its rooms' relays
// to be live before it reads the snapshot (only long when Redis is down).
const readyWait = 3 * time.Second

// wsRoutes adds GET /ws, the console's live feed (docs/websocket.md).
func (s *Server) wsRoutes() {
	h := s.deps.Hub
	if h == nil {
		return
	}
	up := &websocket.Upgrader{
		ReadBufferSize:  1 << 10, // client messages are small acks
		WriteBufferSize: 8 << 10,
		WriteBufferPool: &sync.Pool{}, // idle connections hold no write buffer
		// Browsers always send Origin: only pages of this host or of
		// Config.AllowedOrigins may open the feed. Clients without Origin
		// are not browsers (connectors, load generators) and pass, the same
		// policy as the ingest socket.
		CheckOrigin: s.ingestOriginOK,
	}
	s.echo.GET("/ws", func(c echo.Context) error {
		ws, err := up.Upgrade(c.Response(), c.Request(), nil)
		if err != nil {
			return nil // Upgrade has answered; echo must not write on the hijacked connection
		}
		by := ""
		if p := auth.PrincipalFrom(c.Request().Context()); p != nil {
			by = p.Name
		}
		go h.serve(ws, c.Request().URL.Query(), by)
		return nil
	})
	s.OnShutdown(h.Shutdown)
}

// wsRequest is a parsed GET /ws query.
type wsRequest struct {
	rooms  []string
	view   string
	resume map[string]streamID
	by     string // the connected principal's name, recorded on acknowledgements
}

// parseWSRequest checks the query; the error names the field and why.
func parseWSRequest(q url.Values, maxRooms int) (wsRequest, error) {
	req := wsRequest{view: q.Get("view"), resume: map[string]streamID{}}
	switch req.view {
	case "":
		req.view = viewOperator
	case viewOperator, viewHost, viewProducer:
	default:
		return req, fmt.Errorf("view: want operator, host or producer, got %q", req.view)
	}
	seen := map[string]bool{}
	for _, id := range strings.Split(q.Get("rooms"), ",") {
		if id = strings.TrimSpace(id); id == "" || seen[id] {
			continue
		}
		if !livedeck.ValidID(id) {
			return req, fmt.Errorf("rooms: %q is not a room id", id)
		}
		seen[id] = true
		req.rooms = append(req.rooms, id)
	}
	if len(req.rooms) == 0 || len(req.rooms) > maxRooms {
		return req, fmt.Errorf("rooms: want 1 to %d room ids, got %d", maxRooms, len(req.rooms))
	}
	for _, part := range strings.Split(q.Get("resume"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		room, id, _ := strings.Cut(part, ":")
		sid, err := parseStreamID(id)
		if !seen[room] || err != nil {
			return req, fmt.Errorf("resume: want room:<signal id> for rooms of this connection, got %q", part)
		}
		req.resume[room] = sid
	}
	return req, nil
}

// serve runs one upgraded connection: checks, hello, replay and snapshot
// per room, then the read and write pumps.
// by names who connected, for acknowledgements ("" falls back to the view).
func (h *Hub) serve(ws *websocket.Conn, q url.Values, by string) {
	req, err := parseWSRequest(q, h.cfg.MaxRooms)
	if err != nil {
		h.refuse(ws, closeBadRequest, err.Error(), reasonBadRequest)
		return
	}
	req.by = by
	ctx, cancel := context.WithTimeout(context.Background(), readyWait)
	defer cancel()
	if code, why, reason := h.checkRooms(ctx, req.rooms); code != 0 {
		h.refuse(ws, code, why, reason)
		return
	}
	c := newClient(h, ws, req)
	if !h.join(c) {
		h.refuse(ws, closeGoingAway, "server shutting down", reasonShutdown)
		return
	}
	for _, r := range c.ready {
		select {
		case <-r:
		case <-ctx.Done():
		}
	}
	if err := h.greet(context.Background(), c, req); err != nil {
		h.log.Warn("websocket connect failed", "err", err)
		if code, text := closeOf(reasonUnavailable); c.kick(code, text) { // not when already closing (slow, shutdown)
			h.m.evicted(reasonUnavailable)
		}
	}
	// A fresh goroutine reads: this one's stack grew while greeting, and an
	// idle connection should hold only one small stack. This one writes
	// what queued up meanwhile and ends.
	go c.readPump()
	c.flush()
}

// checkRooms closes with 4004 unless every room exists.
func (h *Hub) checkRooms(ctx context.Context, rooms []string) (code int, why, reason string) {
	args := make([]any, len(rooms))
	for i, r := range rooms {
		args[i] = r
	}
	known, err := h.rdb.SMIsMember(ctx, redisx.RoomsKey, args...).Result()
	if err != nil {
		h.log.Warn("websocket room check failed", "err", err)
		code, why := closeOf(reasonUnavailable)
		return code, why, reasonUnavailable
	}
	for i, ok := range known {
		if !ok {
			return closeUnknownRoom, fmt.Sprintf("unknown room %q", rooms[i]), reasonUnknownRoom
		}
	}
	return 0, "", ""
}

// refuse closes a connection that never joined the hub: a close frame,
// then a short wait for the peer's.
func (h *Hub) refuse(ws *websocket.Conn, code int, why, reason string) {
	defer ws.Close()
	h.m.evicted(reason)
	msg := websocket.FormatCloseMessage(code, closeReason(why))
	if ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait)) != nil {
		return
	}
	_ = ws.SetReadDeadline(time.Now().Add(closeGrace))
	for {
		if _, _, err := ws.NextReader(); err != nil {
			return
		}
	}
}

// helloData is the first message's payload.
type helloData struct {
	Instance   string   `json:"instance"`
	View       string   `json:"view"`
	Rooms      []string `json:"rooms"`
	ServerTime int64    `json:"server_time"`
}

// greet writes hello, then per room the missed signals and a snapshot.
// It runs while the handler owns the writes (newClient), so it is the
// only writer.
func (h *Hub) greet(ctx context.Context, c *client, req wsRequest) error {
	if err := c.sock.out.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	defer c.sock.out.SetWriteDeadline(time.Time{})
	hello, _ := json.Marshal(helloData{Instance: h.cfg.Instance, View: c.view, Rooms: c.rooms, ServerTime: time.Now().UnixMilli()})
	if err := c.write(newOutMsg(typeHello, "", "", hello, time.Time{})); err != nil {
		return err
	}
	loads, err := h.load(ctx, c.rooms, req.resume, c.view != viewHost)
	if err != nil {
		return err
	}
	for i, l := range loads { // in the order of c.rooms
		for _, m := range l.replay {
			if err := c.write(m); err != nil {
				return err
			}
		}
		if err := c.write(l.snapshot); err != nil {
			return err
		}
		c.since[i] = l.since
	}
	return nil
}

// closeReason cuts text to the 123 bytes a close frame allows, on a rune
// boundary (browsers fail a connection whose reason is not UTF-8).
func closeReason(text string) string {
	const max = 123
	if len(text) <= max {
		return text
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}
