package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/connector"
)

// Result answers one delivery: the ingest result with rejected items
// naming the platform message (its position, id and kind), plus the
// messages ignored and those kept as dead letters.
type Result struct {
	ingest.Result
	Ignored      int `json:"ignored"`
	DeadLettered int `json:"dead_lettered"`
}

// Route is where a delivery goes: the room, the source, its adapter and
// the settings it is mapped with.
type Route struct {
	Room     string
	Source   string
	Adapter  connector.Adapter
	Settings connector.Settings
	Saved    *Saved // nil: the format's default settings
}

// Resolve finds the route of a delivery to room from source, with format
// (may be empty when source names a saved connector). ok is false when
// neither names a connector: the caller ingests LiveDeck's own format.
func (s *Service) Resolve(ctx context.Context, room, source, format string) (r Route, ok bool, err error) {
	var sv *Saved
	if source != "" && livedeck.ValidID(source) && livedeck.ValidID(room) {
		if sv, err = s.loadRoute(ctx, room, source); err != nil {
			return r, false, err
		}
	}
	if sv == nil && format == "" {
		return r, false, nil
	}
	r = Route{Room: room, Source: source, Saved: sv}
	switch {
	case sv != nil && format != "" && format != sv.Settings.Format:
		return r, false, livedeck.Errorf(livedeck.EINVALID, "format", "source %q is a %s connector, not %s: drop ?format= or fix it", source, sv.Settings.Format, format)
	case sv != nil:
		r.Settings = sv.Settings
	default:
		r.Settings = connector.Settings{Format: format}
	}
	a, found := connector.Lookup(r.Settings.Format)
	if !found {
		return r, false, livedeck.Errorf(livedeck.EINVALID, "format", "unknown format %q: GET /api/v1/connectors/formats lists them", r.Settings.Format)
	}
	r.Adapter = a
	if r.Source == "" {
		r.Source = a.Name()
	}
	return r, true, nil
}

// Authenticate checks a signed format's delivery against the source's
// secrets (current and, during a rotation, previous). A failure is counted
// and answered 401; platforms that redeliver a correctly signed body are
// not refused: their events count once by id.
func (s *Service) Authenticate(ctx context.Context, r Route, d *connector.Delivery) error {
	var secrets []string
	if r.Saved != nil {
		secrets = r.Saved.secrets(s.now().UnixMilli())
	}
	var err error
	if len(secrets) == 0 {
		err = livedeck.Errorf(livedeck.EUNAUTHORIZED, "source", "source %q has no %s secret: save the platform's secret with PUT /api/v1/rooms/%s/connectors/%s", r.Source, r.Adapter.Name(), r.Room, r.Source)
	} else if verr := r.Adapter.Verify(d, secrets); verr != nil {
		err = livedeck.Errorf(livedeck.EUNAUTHORIZED, "signature", "%s signature refused: %v", r.Adapter.Name(), verr)
	} else {
		return nil
	}
	s.m.signatures.WithLabelValues(r.Adapter.Name()).Inc()
	s.m.deliveries.WithLabelValues(r.Adapter.Name(), "bad_signature").Inc()
	if r.Saved != nil {
		pipe := s.rdb.Pipeline()
		s.count(ctx, pipe, r.Room, r.Source, "", tally{signatureFailures: 1})
		if _, perr := pipe.Exec(ctx); perr != nil {
			return errors.Join(err, unavailable("count signature failure", perr))
		}
	}
	return err
}

// Deliver maps a delivery and ingests its events. Messages that fail
// mapping, and those whose events LiveDeck refuses, are kept as dead
// letters; the per-source stats count it all. Nothing is counted or kept
// when storing the events fails: the platform's retry does it once.
func (s *Service) Deliver(ctx context.Context, r Route, d *connector.Delivery) (Result, error) {
	name := r.Adapter.Name()
	d.Room, d.Source = r.Room, r.Source
	settings, err := s.settingsFor(ctx, r)
	if err != nil {
		return Result{}, err
	}
	msgs, err := r.Adapter.Decode(d, &settings)
	if err != nil {
		s.m.deliveries.WithLabelValues(name, "invalid").Inc()
		return Result{}, decodeError(name, err)
	}
	res, dead, t, err := s.ingestMessages(ctx, r, msgs)
	if err != nil {
		s.m.deliveries.WithLabelValues(name, "failed").Inc()
		return Result{}, err
	}
	pipe := s.rdb.Pipeline()
	body := d.Body
	if len(body) > s.cfg.DeadLetterBody {
		body = nil
	}
	for _, i := range dead {
		m := msgs[i]
		s.deadLetter(ctx, pipe, r.Room, DeadLetter{Source: r.Source, Format: name, Index: m.Index, MessageID: m.ID, Kind: m.Kind,
			Reason: deadReason(m, res.Rejected), Raw: messageRaw(m, d.Body), ReceivedAt: d.Received.UnixMilli(),
			body: body, header: keptHeader(d.Header)})
	}
	s.count(ctx, pipe, r.Room, r.Source, name, t)
	if _, err := pipe.Exec(ctx); err != nil {
		s.m.deliveries.WithLabelValues(name, "failed").Inc()
		return Result{}, unavailable("keep dead letters", err) // the events are stored: a retry counts them as duplicates
	}
	s.m.deliveries.WithLabelValues(name, "ok").Inc()
	s.m.messages.WithLabelValues(name, "mapped").Add(float64(t.messages - t.ignored - t.deadLetters))
	s.m.messages.WithLabelValues(name, "ignored").Add(float64(t.ignored))
	s.m.messages.WithLabelValues(name, "dead_letter").Add(float64(t.deadLetters))
	return res, nil
}

// settingsFor fills in what the settings leave to the room (its currency).
func (s *Service) settingsFor(ctx context.Context, r Route) (connector.Settings, error) {
	st := r.Settings
	if st.Currency == "" {
		room, err := s.ingest.Rooms().Get(ctx, r.Room)
		if err != nil {
			return st, err
		}
		st.Currency = room.Currency
	}
	return st, nil
}

// ingestMessages stores the events of msgs and says which messages are
// dead letters (by position in msgs) and what to count.
func (s *Service) ingestMessages(ctx context.Context, r Route, msgs []connector.Message) (Result, []int, tally, error) {
	res := Result{Result: ingest.Result{Rejected: []ingest.Rejection{}}}
	t := tally{messages: int64(len(msgs))}
	var evs []livedeck.Event
	var owner []int // message position of each event
	var dead []int
	for i, m := range msgs {
		switch {
		case m.Err != nil:
			dead = append(dead, i)
		case m.Ignored || len(m.Events) == 0:
			t.ignored++
		default:
			for _, ev := range m.Events {
				evs, owner = append(evs, ev), append(owner, i)
			}
		}
	}
	if len(evs) > 0 {
		ir, err := s.ingest.Ingest(ctx, r.Room, r.Source, evs)
		if err != nil {
			return res, nil, t, err
		}
		res.Accepted, res.Duplicates = ir.Accepted, ir.Duplicates
		refused := map[int]bool{}
		for _, rj := range ir.Rejected {
			m := msgs[owner[rj.Index]]
			res.Rejected = append(res.Rejected, ingest.Rejection{Index: m.Index, Field: rj.Field, Reason: rj.Reason, MessageID: m.ID, Kind: m.Kind})
			if !refused[owner[rj.Index]] {
				refused[owner[rj.Index]] = true
				dead = append(dead, owner[rj.Index])
			}
		}
	}
	res.Ignored = int(t.ignored)
	res.DeadLettered = len(dead)
	t.accepted, t.duplicates, t.rejected = int64(res.Accepted), int64(res.Duplicates), int64(len(res.Rejected))
	t.deadLetters = int64(len(dead))
	return res, dead, t, nil
}

// deadReason says why a message is a dead letter.
func deadReason(m connector.Message, rejected []ingest.Rejection) string {
	if m.Err != nil {
		return m.Err.Error()
	}
	for _, rj := range rejected {
		if rj.Index == m.Index {
			return fmt.Sprintf("refused by LiveDeck: %s: %s", rj.Field, rj.Reason)
		}
	}
	return "refused by LiveDeck"
}

// decodeError is a delivery the adapter could not read: its own code and
// field when it names them (413 for too many messages, a missing header),
// else 400 on the body.
func decodeError(format string, err error) error {
	var le *livedeck.Error
	if errors.As(err, &le) {
		return livedeck.Errorf(le.Code, le.Field, "%s: %s", format, le.Message)
	}
	return livedeck.Errorf(livedeck.EINVALID, "body", "%s: %v", format, err)
}
