package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
)

// DefaultSource is the source of events whose sender names none.
const DefaultSource = "api"

// Service validates batches of events and appends them to room streams.
// It is safe for concurrent use.
type Service struct {
	rdb   redis.UniversalClient
	w     *redisWriter
	cfg   Config
	m     *Metrics
	rooms *Rooms

	mu       sync.Mutex
	closed   bool
	batches  int // in flight
	events   int // in flight
	inflight sync.WaitGroup

	pool sync.Pool // *work
}

// work is the reusable memory of one batch.
type work struct {
	body bytes.Buffer
	b    batch
	enc  []byte
}

// New builds the service. reg receives the ingest metrics.
func New(rdb redis.UniversalClient, reg prometheus.Registerer, cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	s := &Service{rdb: rdb, w: newRedisWriter(rdb, cfg), cfg: cfg, m: NewMetrics(reg)}
	s.rooms = NewRooms(rdb, cfg)
	s.pool.New = func() any { return new(work) }
	return s, nil
}

// Rooms is the room store, configured like the service.
func (s *Service) Rooms() *Rooms { return s.rooms }

// Config is the configuration in effect, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// InFlight reports the batches and events being processed now.
func (s *Service) InFlight() (batches, events int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches, s.events
}

// IngestReader reads one request body (a JSON array or NDJSON, at most
// MaxBodyBytes) and ingests it. The batch slot is taken before the body is
// read, so an overloaded server refuses work before paying for it.
func (s *Service) IngestReader(ctx context.Context, room, source string, r io.Reader) (Result, error) {
	w, err := s.begin(room, source)
	if err != nil {
		return s.fail(err)
	}
	defer s.end(w)
	start := time.Now()
	n, err := w.body.ReadFrom(io.LimitReader(r, s.cfg.MaxBodyBytes+1))
	if err != nil {
		return s.fail(livedeck.Errorf(livedeck.EINVALID, "", "reading body: %v", err))
	}
	if n > s.cfg.MaxBodyBytes {
		return s.fail(livedeck.Errorf(livedeck.ETOOLARGE, "", "body larger than %d bytes: split the batch", s.cfg.MaxBodyBytes))
	}
	return s.run(ctx, room, source, w, start)
}

// IngestJSON ingests one batch already in memory (a websocket message).
func (s *Service) IngestJSON(ctx context.Context, room, source string, body []byte) (Result, error) {
	w, err := s.begin(room, source)
	if err != nil {
		return s.fail(err)
	}
	defer s.end(w)
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		return s.fail(livedeck.Errorf(livedeck.ETOOLARGE, "", "message larger than %d bytes: split the batch", s.cfg.MaxBodyBytes))
	}
	w.body.Write(body)
	return s.run(ctx, room, source, w, time.Now())
}

// Ingest validates and appends events built in process (the simulator, the
// demo). They get the same checks as events from outside; evs is not
// modified.
func (s *Service) Ingest(ctx context.Context, room, source string, evs []livedeck.Event) (Result, error) {
	w, err := s.begin(room, source)
	if err != nil {
		return s.fail(err)
	}
	defer s.end(w)
	start := time.Now()
	if len(evs) > s.cfg.MaxBatchEvents {
		return s.fail(livedeck.Errorf(livedeck.ETOOLARGE, "", "more than %d events in one batch: split it", s.cfg.MaxBatchEvents))
	}
	b := &w.b
	for i := range evs {
		ev := evs[i]
		if field, reason := validate(&ev); reason != "" {
			b.reject(i, field, reason)
			continue
		}
		b.events, b.index = append(b.events, ev), append(b.index, i)
	}
	b.items = len(evs)
	return s.write(ctx, room, source, w, start)
}

func (s *Service) run(ctx context.Context, room, source string, w *work, start time.Time) (Result, error) {
	if err := decodeEvents(w.body.Bytes(), s.cfg.MaxBatchEvents, &w.b); err != nil {
		return s.fail(err)
	}
	return s.write(ctx, room, source, w, start)
}

func (s *Service) write(ctx context.Context, room, source string, w *work, start time.Time) (Result, error) {
	b := &w.b
	if err := s.admitEvents(len(b.events)); err != nil {
		return s.fail(err)
	}
	defer s.releaseEvents(len(b.events))
	if source == "" {
		source = DefaultSource
	}
	for i := range b.events {
		b.events[i].Source = source
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	flags, enc, err := s.w.write(wctx, room, b.events, w.enc)
	cancel()
	w.enc = enc
	if err != nil {
		return s.fail(s.storeError(ctx, room, err))
	}
	res := Result{Rejected: make([]Rejection, len(b.rejected))}
	copy(res.Rejected, b.rejected)
	for _, f := range flags {
		if f == '1' {
			res.Accepted++
		} else {
			res.Duplicates++
		}
	}
	s.m.events.WithLabelValues("accepted").Add(float64(res.Accepted))
	s.m.events.WithLabelValues("duplicate").Add(float64(res.Duplicates))
	s.m.events.WithLabelValues("rejected").Add(float64(len(res.Rejected)))
	s.m.batches.WithLabelValues("ok").Inc()
	s.m.latency.Observe(time.Since(start).Seconds())
	return res, nil
}

func (s *Service) storeError(ctx context.Context, room string, err error) error {
	switch {
	case errors.Is(err, errNoRoom):
		return livedeck.Errorf(livedeck.ENOTFOUND, "room", "room %q not found: create it with POST /api/v1/rooms", room)
	case errors.Is(err, errArchived):
		return archivedErr(room)
	}
	var behind *behindError
	switch {
	case errors.As(err, &behind):
		return &OverloadError{
			result: "behind",
			Err: livedeck.Errorf(livedeck.ERATELIMIT, "", "room %q: its live metrics are %d events behind what the stream keeps (at most %d): nothing was written, retry after %s",
				room, behind.events, s.cfg.StreamMaxLen, s.cfg.RetryAfter),
			After: s.cfg.RetryAfter,
		}
	case ctx.Err() != nil:
		return fmt.Errorf("ingest room %s: %w", room, ctx.Err())
	}
	return fmt.Errorf("ingest room %s: %w", room, &unavailable{err})
}

// unavailable wraps a Redis failure as a 503 whose message hides Redis'
// address but keeps the cause for logs.
type unavailable struct{ cause error }

func (u *unavailable) Error() string { return "redis unavailable: " + u.cause.Error() }
func (u *unavailable) Unwrap() error {
	return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "event store unavailable, nothing was acknowledged: retry the batch")
}

// fail counts a failed batch by its error code.
func (s *Service) fail(err error) (Result, error) {
	result := "unavailable"
	switch livedeck.ErrorCode(err) {
	case livedeck.EINVALID:
		result = "invalid"
	case livedeck.ETOOLARGE:
		result = "too_large"
	case livedeck.ENOTFOUND:
		result = "not_found"
	case livedeck.ERATELIMIT:
		result = "overloaded"
		if oe := (*OverloadError)(nil); errors.As(err, &oe) && oe.result != "" {
			result = oe.result
		}
	}
	s.m.batches.WithLabelValues(result).Inc()
	return Result{}, err
}

// begin admits a batch if a slot is free and the service is open.
func (s *Service) begin(room, source string) (*work, error) {
	if !livedeck.ValidID(room) {
		return nil, livedeck.Errorf(livedeck.ENOTFOUND, "room", "room %s not found: ids are 1-64 letters, digits, '_', '.' or '-'", quoteShort(room))
	}
	if source != "" && !livedeck.ValidID(source) {
		return nil, livedeck.Errorf(livedeck.EINVALID, "source", "must be 1-64 letters, digits, '_', '.' or '-'")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, livedeck.Errorf(livedeck.EUNAVAILABLE, "", "shutting down: retry against another instance")
	}
	if s.batches >= s.cfg.MaxInFlightBatches {
		return nil, s.overload("batches")
	}
	s.batches++
	s.inflight.Add(1)
	w := s.pool.Get().(*work)
	w.body.Reset()
	w.b.reset()
	return w, nil
}

func (s *Service) end(w *work) {
	if w.body.Cap() <= 1<<20 { // keep small buffers only
		s.pool.Put(w)
	}
	s.mu.Lock()
	s.batches--
	s.mu.Unlock()
	s.inflight.Done()
}

func (s *Service) admitEvents(n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events > 0 && s.events+n > s.cfg.MaxInFlightEvents {
		return s.overload("events")
	}
	s.events += n
	s.m.inflight.Set(float64(s.events))
	return nil
}

func (s *Service) releaseEvents(n int) {
	s.mu.Lock()
	s.events -= n
	s.m.inflight.Set(float64(s.events))
	s.mu.Unlock()
}

func (s *Service) overload(what string) error {
	return &OverloadError{
		Err:   livedeck.Errorf(livedeck.ERATELIMIT, "", "too many %s in flight: retry after %s", what, s.cfg.RetryAfter),
		After: s.cfg.RetryAfter,
	}
}

// Drain stops taking new batches and waits until those in flight are
// acknowledged or ctx ends. It is safe to call more than once.
func (s *Service) Drain(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ingest drain: %w", ctx.Err())
	}
}

// Close drains the service, waiting at most the write timeout. It does not
// close the Redis client, which the caller owns.
func (s *Service) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
	defer cancel()
	return s.Drain(ctx)
}
