package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/redisx"
)

// readChunk is how many stream entries one XRANGE reads.
const readChunk = 5000

// Store builds rooms' reviews from Redis and keeps the latest one.
type Store struct {
	RDB  redis.UniversalClient
	Text *live.Text

	Limits  Limits   // builds at once and reviews cached (limits.go); read at first use
	Metrics *Metrics // nil: not counted
	// OnBuild, if set, is called as each build starts, in its slot, with
	// the room id: tests count and pace builds with it.
	OnBuild func(room string)

	b builds
}

// Build folds room's event stream, signals and order tiers into a review.
func (s *Store) Build(ctx context.Context, room livedeck.Room, window int) (*Review, error) {
	// Folded before the segmenter is ready, a review has no keywords: it
	// says so, and is not kept.
	pending := s.Text != nil && !s.Text.Segmenting()
	k := redisx.Room(room.ID)
	b := NewBuilder(room, s.Text, window)
	from, last := "-", ""
	count := int64(readChunk) // entries: packed ones hold many events
	for {
		msgs, err := s.RDB.XRangeN(ctx, k.Events(), from, "+", count).Result()
		if err != nil {
			return nil, unavailable(room.ID, "events", err)
		}
		read := 0
		for _, m := range msgs {
			// Undecodable events are skipped, as the live fold does.
			evs, _ := livedeck.DecodeEntry(m.Values, nil)
			read += len(evs)
			for i := range evs {
				b.Event(&evs[i], m.ID)
			}
		}
		if len(msgs) > 0 {
			last = msgs[len(msgs)-1].ID
		}
		if int64(len(msgs)) < count {
			break
		}
		count = max(1, readChunk/max(1, int64(read)/int64(len(msgs))))
		from = "(" + last
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if err := s.signals(ctx, room.ID, b); err != nil {
		return nil, err
	}
	tiers, err := s.RDB.HGetAll(ctx, k.OrderTier()).Result()
	if err != nil {
		return nil, unavailable(room.ID, "order tiers", err)
	}
	b.OrderTiers(tiers)
	partial, err := s.trimmed(ctx, room.ID)
	if err != nil {
		return nil, err
	}
	r := b.Build(Now())
	r.Source, r.LastID, r.Partial, r.KeywordsPending = "redis", last, partial, pending
	return r, nil
}

func (s *Store) signals(ctx context.Context, room string, b *Builder) error {
	key, from := redisx.Room(room).Signals(), "-"
	for {
		msgs, err := s.RDB.XRangeN(ctx, key, from, "+", readChunk).Result()
		if err != nil {
			return unavailable(room, "signals", err)
		}
		for _, m := range msgs {
			raw, _ := m.Values["s"].(string)
			var sig livedeck.Signal
			if json.Unmarshal([]byte(raw), &sig) == nil {
				sig.ID = m.ID
				b.Signal(sig)
			}
		}
		if len(msgs) < readChunk {
			return nil
		}
		from = "(" + msgs[len(msgs)-1].ID
	}
}

// trimmed tells whether the room's event stream or its signal stream
// (cues, tiers, alerts, acks) lost entries to its MAXLEN. XINFO STREAM
// fails on a missing key; EXISTS in the same pipeline tells that case
// apart from a real failure (both keys hash to the room's slot).
func (s *Store) trimmed(ctx context.Context, room string) (bool, error) {
	k := redisx.Room(room)
	keys := []string{k.Events(), k.Signals()}
	exists := make([]*redis.IntCmd, len(keys))
	infos := make([]*redis.XInfoStreamCmd, len(keys))
	_, _ = s.RDB.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			exists[i] = p.Exists(ctx, key)
			infos[i] = p.XInfoStream(ctx, key)
		}
		return nil
	})
	for i := range keys {
		n, err := exists[i].Result()
		if err != nil {
			return false, unavailable(room, "stream info", err)
		}
		if n == 0 {
			continue
		}
		info, err := infos[i].Result()
		if err != nil {
			return false, unavailable(room, "stream info", err)
		}
		if info.EntriesAdded > info.Length {
			return true, nil
		}
	}
	return false, nil
}

// Save keeps r as the room's review.
func (s *Store) Save(ctx context.Context, r *Review) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("review of room %s: encode: %w", r.Room, err)
	}
	if err := s.RDB.Set(ctx, redisx.Room(r.Room).Review(), b, 0).Err(); err != nil {
		return unavailable(r.Room, "save", err)
	}
	return nil
}

// Load returns the room's saved review, or nil if there is none.
func (s *Store) Load(ctx context.Context, room string) (*Review, error) {
	b, err := s.RDB.Get(ctx, redisx.Room(room).Review()).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(room, "load", err)
	}
	var r Review
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("review of room %s: corrupt: %w", room, err)
	}
	return &r, nil
}

// Get returns room's review with cue windows of window minutes: the saved
// one when it is still current (no event arrived since it was built, e.g. a
// late refund), else a fresh one, which is saved if the room is closed (and
// its keywords were counted: see Review.KeywordsPending). An
// archived room has only the review kept when it was archived (its events
// expire). Fresh ones are shared, cached and bounded as limits.go says; the
// review returned may be shared with other callers and must not be changed.
func (s *Store) Get(ctx context.Context, room livedeck.Room, window int) (*Review, error) {
	if window <= 0 {
		window = DefaultWindow
	}
	if room.Status == livedeck.RoomArchived {
		return s.kept(ctx, room.ID, window)
	}
	if room.Status == livedeck.RoomClosed {
		saved, err := s.Load(ctx, room.ID)
		if err != nil {
			return nil, err
		}
		if saved != nil && saved.Window == window {
			newest, err := s.newestID(ctx, room.ID)
			if err != nil {
				return nil, err
			}
			if newest == saved.LastID || newest == "" {
				return saved, nil
			}
		}
	}
	return s.shared(ctx, room, window, room.Status == livedeck.RoomClosed && window == DefaultWindow)
}

// kept is an archived room's saved review.
func (s *Store) kept(ctx context.Context, room string, window int) (*Review, error) {
	saved, err := s.Load(ctx, room)
	switch {
	case err != nil:
		return nil, err
	case saved == nil:
		return nil, livedeck.Errorf(livedeck.ENOTFOUND, "room", "room %s is archived and kept no review: archive it again to build one", room)
	case saved.Window != window:
		return nil, livedeck.Errorf(livedeck.EINVALID, "window", "room %s is archived: only its kept review, window %d, is available", room, saved.Window)
	}
	return saved, nil
}

func (s *Store) newestID(ctx context.Context, room string) (string, error) {
	msgs, err := s.RDB.XRevRangeN(ctx, redisx.Room(room).Events(), "+", "-", 1).Result()
	if err != nil {
		return "", unavailable(room, "events", err)
	}
	if len(msgs) == 0 {
		return "", nil
	}
	return msgs[0].ID, nil
}

func unavailable(room, what string, err error) error {
	return livedeck.Errorf(livedeck.EUNAVAILABLE, "", "review of room %s: %s: redis unavailable: %v", room, what, err)
}
