package gateway

import (
	"context"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/connector"
)

// TryResult shows what a sample delivery would do, without doing it.
type TryResult struct {
	Messages  []TryMessage `json:"messages"`
	Signature string       `json:"signature"` // ok, bad or "not checked" (unsigned format, or no secret saved)
}

// TryMessage is one message of a tried sample: the events it would store
// (as LiveDeck would store them), or why it is ignored or refused.
type TryMessage struct {
	Index   int              `json:"index"`
	ID      string           `json:"id"`
	Kind    string           `json:"kind"`
	Events  []livedeck.Event `json:"events"`
	Ignored bool             `json:"ignored"`
	Error   string           `json:"error"`
}

// Signature check outcomes of a try.
const (
	SignatureOK         = "ok"
	SignatureBad        = "bad"
	SignatureNotChecked = "not checked"
)

// Try maps a sample delivery with the route's settings and validates its
// events. It writes nothing: no events, stats or dead letters.
func (s *Service) Try(ctx context.Context, r Route, d *connector.Delivery) (TryResult, error) {
	d.Room, d.Source = r.Room, r.Source
	res := TryResult{Signature: SignatureNotChecked, Messages: []TryMessage{}}
	if r.Adapter.Signed() && r.Saved != nil {
		if secrets := r.Saved.secrets(s.now().UnixMilli()); len(secrets) > 0 {
			res.Signature = SignatureOK
			if r.Adapter.Verify(d, secrets) != nil {
				res.Signature = SignatureBad
			}
		}
	}
	settings, err := s.settingsFor(ctx, r)
	if err != nil {
		return res, err
	}
	msgs, err := r.Adapter.Decode(d, &settings)
	if err != nil {
		return res, decodeError(r.Adapter.Name(), err)
	}
	for _, m := range msgs {
		tm := TryMessage{Index: m.Index, ID: m.ID, Kind: m.Kind, Ignored: m.Ignored, Events: []livedeck.Event{}}
		if m.Err != nil {
			tm.Error = m.Err.Error()
		}
		for _, ev := range m.Events {
			ev.Source = r.Source
			if field, reason := ingest.Validate(&ev); reason != "" && tm.Error == "" {
				tm.Error = "refused by LiveDeck: " + field + ": " + reason
			}
			tm.Events = append(tm.Events, ev)
		}
		res.Messages = append(res.Messages, tm)
	}
	return res, nil
}
