package gateway

import (
	"context"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/redisx"
)

// ReplayResult counts one replay: dead letters that now map (and were
// removed), the events they stored, those that still fail (kept with
// their first reason), and how many of the source's dead letters remain.
type ReplayResult struct {
	Replayed   int `json:"replayed"`
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Failed     int `json:"failed"`
	Remaining  int `json:"remaining"`
}

// maxReplay bounds the dead letters one replay call runs.
const maxReplay = 1000

// Replay runs a source's dead letters (those named by ids, or all of the
// source's, oldest first, up to 1,000 a call) again with the source's
// current settings. Event ids are the platform's, so a message whose
// events were partly stored before counts once.
func (s *Service) Replay(ctx context.Context, room, source string, ids []string) (ReplayResult, error) {
	var res ReplayResult
	if err := checkSource(source); err != nil {
		return res, err
	}
	if len(ids) > maxReplay {
		return res, livedeck.Errorf(livedeck.EINVALID, "ids", "at most %d ids a call", maxReplay)
	}
	want := map[string]bool{}
	for _, id := range ids {
		if !validStreamID(id) {
			return res, livedeck.Errorf(livedeck.EINVALID, "ids", "%q is not a dead letter id", id)
		}
		want[id] = true
	}
	var todo []DeadLetter
	err := s.scan(ctx, room, "-", func(dl DeadLetter) bool {
		if dl.Source == source && (len(want) == 0 || want[dl.ID]) {
			todo = append(todo, dl)
		}
		return len(todo) < maxReplay
	})
	if err != nil {
		return res, err
	}
	sv, _, err := s.Load(ctx, room, source)
	if err != nil {
		return res, err
	}
	var done []string
	for _, dl := range todo {
		ok, r, err := s.replayOne(ctx, room, source, sv, dl)
		if err != nil {
			return res, err
		}
		if !ok {
			res.Failed++
			s.m.replayed.WithLabelValues(dl.Format, "failed").Inc()
			continue
		}
		res.Replayed++
		res.Accepted += r.Accepted
		res.Duplicates += r.Duplicates
		done = append(done, dl.ID)
		s.m.replayed.WithLabelValues(dl.Format, "mapped").Inc()
	}
	if len(done) > 0 {
		pipe := s.rdb.Pipeline()
		pipe.XDel(ctx, redisx.Room(room).DeadLetters(), done...)
		s.count(ctx, pipe, room, source, "", tally{accepted: int64(res.Accepted), duplicates: int64(res.Duplicates), replayed: int64(res.Replayed)})
		if _, err := pipe.Exec(ctx); err != nil {
			return res, unavailable("remove replayed dead letters", err)
		}
	}
	err = s.scan(ctx, room, "-", func(dl DeadLetter) bool {
		if dl.Source == source {
			res.Remaining++
		}
		return true
	})
	return res, err
}

// replayOne maps one dead letter again and stores its events; ok is
// false when it still fails (mapping, or LiveDeck refusing an event).
func (s *Service) replayOne(ctx context.Context, room, source string, sv *Saved, dl DeadLetter) (bool, Result, error) {
	r := Route{Room: room, Source: source, Saved: sv, Settings: connector.Settings{Format: dl.Format}}
	if sv != nil {
		r.Settings = sv.Settings
	}
	a, found := connector.Lookup(r.Settings.Format)
	if !found {
		return false, Result{}, nil
	}
	r.Adapter = a
	body, whole := dl.body, true
	if body == nil {
		body, whole = []byte(dl.Raw), false
	}
	d := &connector.Delivery{Header: dl.header, Body: body, Room: room, Source: source, Received: time.UnixMilli(dl.ReceivedAt)}
	settings, err := s.settingsFor(ctx, r)
	if err != nil {
		return false, Result{}, err
	}
	msgs, err := a.Decode(d, &settings)
	if err != nil {
		return false, Result{}, nil
	}
	m, found := pick(msgs, dl, whole)
	if !found || m.Err != nil {
		return false, Result{}, nil
	}
	res, dead, _, err := s.ingestMessages(ctx, r, []connector.Message{m})
	if err != nil {
		return false, res, err
	}
	return len(dead) == 0, res, nil
}

// pick finds the dead letter's message among a delivery's: by position
// when the whole delivery was kept, else the one message of its own bytes.
func pick(msgs []connector.Message, dl DeadLetter, whole bool) (connector.Message, bool) {
	if whole {
		for _, m := range msgs {
			if m.Index == dl.Index && (dl.MessageID == "" || m.ID == "" || m.ID == dl.MessageID) {
				return m, true
			}
		}
		return connector.Message{}, false
	}
	if len(msgs) == 1 {
		return msgs[0], true
	}
	for _, m := range msgs {
		if dl.MessageID != "" && m.ID == dl.MessageID {
			return m, true
		}
	}
	return connector.Message{}, false
}
