package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
)

// Sink is where simulated events go: a server over HTTP, or the ingest
// service in process.
type Sink interface {
	EnsureRoom(ctx context.Context, room livedeck.Room) error
	Send(ctx context.Context, room string, evs []livedeck.Event) (ingest.Result, error)
	SetStock(ctx context.Context, room, sku string, stock int64) error
}

var (
	_ Sink = (*HTTPSink)(nil)
	_ Sink = (*ServiceSink)(nil)
)

// StatusError is a non-2xx answer from the server.
type StatusError struct {
	Status     int
	RetryAfter time.Duration
	Body       string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// Retryable reports whether a failed batch may be sent again (the server
// dedupes, so a retry never counts twice) and how long to wait first.
func Retryable(err error) (bool, time.Duration) {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status == http.StatusTooManyRequests || se.Status >= 500, se.RetryAfter
	}
	switch livedeck.ErrorCode(err) {
	case livedeck.ERATELIMIT, livedeck.EUNAVAILABLE:
		return true, 0
	case livedeck.EINTERNAL:
		return !errors.Is(err, context.Canceled), 0 // network errors and the like
	}
	return false, 0
}

// HTTPSink talks to a LiveDeck server.
type HTTPSink struct {
	Base   string       // e.g. http://127.0.0.1:8080
	Source string       // ?source= of every batch; zero means simulator
	Client *http.Client // zero means a client with a 30 s timeout
	Token  string       // bearer token (an ingest or admin token); empty: none
}

func (h *HTTPSink) client() *http.Client {
	if h.Client == nil {
		h.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	}
	return h.Client
}

func (h *HTTPSink) do(ctx context.Context, method, path, ctype string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(h.Base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	resp, err := h.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &StatusError{Status: resp.StatusCode, RetryAfter: time.Duration(ra) * time.Second, Body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// EnsureRoom creates the room unless it exists.
func (h *HTTPSink) EnsureRoom(ctx context.Context, room livedeck.Room) error {
	err := h.do(ctx, http.MethodGet, "/api/v1/rooms/"+url.PathEscape(room.ID), "", nil, nil)
	var se *StatusError
	if err == nil || !errors.As(err, &se) || se.Status != http.StatusNotFound {
		return err
	}
	b, _ := json.Marshal(room)
	err = h.do(ctx, http.MethodPost, "/api/v1/rooms", "application/json", b, nil)
	if errors.As(err, &se) && se.Status == http.StatusConflict {
		return nil // created meanwhile
	}
	return err
}

// Send posts one batch as a JSON array.
func (h *HTTPSink) Send(ctx context.Context, room string, evs []livedeck.Event) (ingest.Result, error) {
	body := make([]byte, 0, 200*len(evs))
	body = append(body, '[')
	for i := range evs {
		if i > 0 {
			body = append(body, ',')
		}
		body = ingest.AppendEvent(body, &evs[i])
	}
	body = append(body, ']')
	src := h.Source
	if src == "" {
		src = "simulator"
	}
	var res ingest.Result
	err := h.do(ctx, http.MethodPost, "/api/v1/rooms/"+url.PathEscape(room)+"/events?source="+url.QueryEscape(src), "application/json", body, &res)
	return res, err
}

// SetStock changes a product's stock through PATCH.
func (h *HTTPSink) SetStock(ctx context.Context, room, sku string, stock int64) error {
	b, _ := json.Marshal(map[string]any{"stock": map[string]int64{sku: stock}})
	return h.do(ctx, http.MethodPatch, "/api/v1/rooms/"+url.PathEscape(room), "application/json", b, nil)
}

// ServiceSink calls the ingest service in process (the demo).
type ServiceSink struct {
	Service *ingest.Service
	Source  string // zero means simulator
}

// EnsureRoom creates the room unless it exists.
func (s *ServiceSink) EnsureRoom(ctx context.Context, room livedeck.Room) error {
	_, err := s.Service.Rooms().Create(ctx, room)
	if livedeck.ErrorCode(err) == livedeck.ECONFLICT {
		return nil
	}
	return err
}

// Send ingests one batch.
func (s *ServiceSink) Send(ctx context.Context, room string, evs []livedeck.Event) (ingest.Result, error) {
	src := s.Source
	if src == "" {
		src = "simulator"
	}
	return s.Service.Ingest(ctx, room, src, evs)
}

// SetStock changes a product's stock.
func (s *ServiceSink) SetStock(ctx context.Context, room, sku string, stock int64) error {
	_, err := s.Service.Rooms().Update(ctx, room, ingest.RoomPatch{Stock: map[string]int64{sku: stock}})
	return err
}
