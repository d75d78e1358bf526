package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
)

// ingestRoutes registers rooms (create, read, change) and event ingest (a
// batch endpoint and a websocket for long-lived connectors). Without an
// ingest service it registers nothing.
func (s *Server) ingestRoutes(api *echo.Group) {
	if s.deps.Ingest == nil {
		return
	}
	api.POST("/rooms", s.createRoom)
	api.GET("/rooms/:room", s.getRoom)
	api.PATCH("/rooms/:room", s.patchRoom)
	api.POST("/rooms/:room/events", s.postEvents)

	closing := make(chan struct{})
	s.OnShutdown(func() { close(closing) })
	api.GET("/rooms/:room/ingest", func(c echo.Context) error { return s.ingestSocket(c, closing) })
}

// ingestSource names who sent a batch: ?source= or X-Livedeck-Source,
// validated by the service; empty means ingest.DefaultSource.
func ingestSource(c echo.Context) string {
	if v := c.QueryParam("source"); v != "" {
		return v
	}
	return c.Request().Header.Get("X-Livedeck-Source")
}

// postEvents is POST /api/v1/rooms/{room}/events: a JSON array or NDJSON of
// events in, {"accepted","duplicates","rejected"} out once Redis has them.
func (s *Server) postEvents(c echo.Context) error {
	route, viaConnector, err := s.connectorRoute(c)
	if err != nil {
		return err
	}
	if viaConnector {
		return s.deliver(c, route)
	}
	svc := s.deps.Ingest
	req := c.Request()
	if max := svc.Config().MaxBodyBytes; req.ContentLength > max {
		return livedeck.Errorf(livedeck.ETOOLARGE, "", "body larger than %d bytes: split the batch", max)
	}
	res, err := svc.IngestReader(req.Context(), c.Param("room"), ingestSource(c), req.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// Websocket ingest timings. Only the write pump writes, pings included.
const (
	ingestWriteWait  = 5 * time.Second
	ingestPongWait   = 60 * time.Second
	ingestPingPeriod = ingestPongWait * 9 / 10
)

// ingestAck answers one websocket message: the batch's result, or an error.
type ingestAck struct {
	Seq        int64              `json:"seq"` // 1 for the first message of the connection, +1 each
	Accepted   int                `json:"accepted"`
	Duplicates int                `json:"duplicates"`
	Rejected   []ingest.Rejection `json:"rejected"`
	Ignored    int                `json:"ignored,omitempty"`       // through a connector (?format=): messages of unused kinds
	DeadLetter int                `json:"dead_lettered,omitempty"` // through a connector: messages kept as dead letters
	Error      *errorDetail       `json:"error,omitempty"`
	RetryAfter int                `json:"retry_after,omitempty"` // seconds, with error code rate_limited
}

// ingestSocket is GET /api/v1/rooms/{room}/ingest: each text message is a
// batch (JSON array, NDJSON or one object), each answered by an ingestAck
// in order.
func (s *Server) ingestSocket(c echo.Context, closing <-chan struct{}) error {
	svc := s.deps.Ingest
	room := c.Param("room")
	if _, err := svc.Rooms().Get(c.Request().Context(), room); err != nil {
		return err // before the upgrade: a plain HTTP error
	}
	route, viaConnector, err := s.socketRoute(c)
	if err != nil {
		return err
	}
	up := websocket.Upgrader{ReadBufferSize: 8 << 10, WriteBufferSize: 8 << 10, CheckOrigin: s.ingestOriginOK}
	ws, err := up.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // Upgrade has answered the request; echo must not write
	}
	source := ingestSource(c)
	acks := make(chan ingestAck, 16)
	done := make(chan struct{})
	go s.ingestWritePump(ws, acks, closing, done)
	format := ""
	if viaConnector {
		source, format = route.Source, route.Adapter.Name()
	}
	s.ingestReadPump(ws, room, source, format, acks)
	close(acks)
	<-done
	return nil
}

// ingestReadPump reads batches until the connection ends, ingesting each
// before reading the next, so acknowledgements keep the message order.
// With a connector format, each message is one delivery of that format.
func (s *Server) ingestReadPump(ws *websocket.Conn, room, source, format string, acks chan<- ingestAck) {
	svc := s.deps.Ingest
	ws.SetReadLimit(svc.Config().MaxBodyBytes)
	_ = ws.SetReadDeadline(time.Now().Add(ingestPongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(ingestPongWait)) })
	for seq := int64(1); ; seq++ {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		_ = ws.SetReadDeadline(time.Now().Add(ingestPongWait))
		if format != "" {
			res, err := s.deliverMessage(context.Background(), room, source, format, msg)
			ack := s.ingestAckOf(seq, res.Result, err)
			ack.Ignored, ack.DeadLetter = res.Ignored, res.DeadLettered
			acks <- ack
			continue
		}
		res, err := svc.IngestJSON(context.Background(), room, source, msg)
		acks <- s.ingestAckOf(seq, res, err)
	}
}

func (s *Server) ingestAckOf(seq int64, res ingest.Result, err error) ingestAck {
	ack := ingestAck{Seq: seq, Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: res.Rejected}
	if ack.Rejected == nil {
		ack.Rejected = []ingest.Rejection{}
	}
	if err == nil {
		return ack
	}
	var ae *livedeck.Error
	if errors.As(err, &ae) {
		ack.Error = &errorDetail{Code: ae.Code, Field: ae.Field, Message: ae.Message}
	} else {
		ack.Error = &errorDetail{Code: livedeck.EINTERNAL, Message: "internal error"}
	}
	if code := livedeck.ErrorCode(err); code == livedeck.EUNAVAILABLE || code == livedeck.EINTERNAL {
		s.log.Error("websocket ingest failed", "err", err)
	}
	var ra retryAfter
	if errors.As(err, &ra) {
		ack.RetryAfter = ra.RetryAfterSeconds()
	}
	return ack
}

// ingestWritePump is the connection's only writer: acks, pings and the
// closing frame.
func (s *Server) ingestWritePump(ws *websocket.Conn, acks <-chan ingestAck, closing <-chan struct{}, done chan<- struct{}) {
	ping := time.NewTicker(ingestPingPeriod)
	defer func() {
		ping.Stop()
		ws.Close()
		for range acks { // let the reader finish its last batch
		}
		close(done)
	}()
	for {
		select {
		case ack, ok := <-acks:
			_ = ws.SetWriteDeadline(time.Now().Add(ingestWriteWait))
			if !ok {
				_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				return
			}
			b, _ := json.Marshal(ack)
			if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
				return
			}
		case <-ping.C:
			_ = ws.SetWriteDeadline(time.Now().Add(ingestWriteWait))
			if err := ws.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-closing:
			_ = ws.SetWriteDeadline(time.Now().Add(ingestWriteWait))
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"))
			return
		}
	}
}

// ingestOriginOK admits connectors (no Origin header: they are not
// browsers), pages served by this host, and the configured origins.
func (s *Server) ingestOriginOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return slices.Contains(s.cfg.AllowedOrigins, origin)
}
