package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// What a connecting client gets per room.
const (
	recentSignals    = 500  // newest signals scanned for current cues and alerts
	replayMax        = 1000 // signals replayed after a resume id
	snapshotCues     = 20
	snapshotAlerts   = 20
	snapshotComments = 50
)

// snapshotData is the snapshot message's payload.
type snapshotData struct {
	Metrics  json.RawMessage   `json:"metrics"`
	Tier     json.RawMessage   `json:"tier"`
	Cues     []livedeck.Signal `json:"cues"`
	Alerts   []livedeck.Signal `json:"alerts"`
	Comments []json.RawMessage `json:"comments"`
}

// roomLoad is one room's connect-time messages.
type roomLoad struct {
	room     string
	replay   []*outMsg
	snapshot *outMsg
	since    *roomSince
}

// roomCmds are one room's reads, in one pipeline for all rooms. The
// signal scan runs first: the replay stops at its newest id, and later
// signals reach the client through the relay.
type roomCmds struct {
	recent   *redis.XMessageSliceCmd
	snap     *redis.StringCmd
	tier     *redis.StringCmd
	comments *redis.StringSliceCmd // nil for the host view
	replay   *redis.XMessageSliceCmd
}

// load reads every room's snapshot and, with a resume id, its missed
// signals.
func (h *Hub) load(ctx context.Context, rooms []string, resume map[string]streamID, comments bool) ([]roomLoad, error) {
	cmds := make([]roomCmds, len(rooms))
	_, _ = h.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, room := range rooms {
			k := redisx.Room(room)
			cmds[i].recent = p.XRevRangeN(ctx, k.Signals(), "+", "-", recentSignals)
			cmds[i].snap = p.Get(ctx, k.Snapshot())
			cmds[i].tier = p.Get(ctx, k.Tier())
			if comments {
				cmds[i].comments = p.LRange(ctx, k.Comments(), 0, snapshotComments-1)
			}
			// The largest id has nothing after it, and Redis refuses an
			// exclusive range that starts there: no replay to read.
			if id, ok := resume[room]; ok && id != maxStreamID {
				cmds[i].replay = p.XRangeN(ctx, k.Signals(), "("+id.String(), "+", replayMax)
			}
		}
		return nil
	})
	loads := make([]roomLoad, len(rooms))
	for i, room := range rooms {
		if err := cmds[i].err(); err != nil {
			return nil, fmt.Errorf("load room %s: %w", room, err)
		}
		loads[i] = h.buildLoad(room, cmds[i], time.Now())
	}
	return loads, nil
}

func (c roomCmds) err() error {
	errs := []error{c.recent.Err(), c.snap.Err(), c.tier.Err()}
	if c.comments != nil {
		errs = append(errs, c.comments.Err())
	}
	if c.replay != nil {
		errs = append(errs, c.replay.Err())
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

func (h *Hub) buildLoad(room string, c roomCmds, now time.Time) roomLoad {
	recent := c.recent.Val()
	since := &roomSince{snapAt: now}
	if len(recent) > 0 {
		since.lastSignal, _ = parseStreamID(recent[0].ID)
	}
	data := snapshotData{Tier: h.rawJSON(room, "tier", c.tier.Val(), "null"), Comments: []json.RawMessage{}}
	data.Cues, data.Alerts = h.current(room, recent, now)
	data.Metrics = h.rawJSON(room, "snapshot", c.snap.Val(), "")
	if data.Metrics == nil {
		data.Metrics, _ = json.Marshal(livedeck.Snapshot{Room: room, SKUs: map[string]livedeck.SKUStats{}})
	}
	since.snapSeq = metricsSeq(data.Metrics)
	if c.comments != nil {
		since.comments = map[string]struct{}{}
		for _, s := range slices.Backward(c.comments.Val()) { // stored newest first
			if raw := h.rawJSON(room, "comment", s, ""); raw != nil {
				data.Comments = append(data.Comments, raw)
				since.comments[commentID(raw)] = struct{}{}
			}
		}
	}
	var replay []*outMsg
	if c.replay != nil {
		for _, x := range c.replay.Val() {
			if id, err := parseStreamID(x.ID); err != nil || since.lastSignal.less(id) {
				break // newer than the scan: the relay delivers it
			}
			if m, _, ok := h.signalMsg(room, x, time.Time{}); ok {
				replay = append(replay, m)
			}
		}
	}
	b, _ := json.Marshal(data)
	return roomLoad{room: room, replay: replay, snapshot: newOutMsg(typeSnapshot, room, "", b, time.Time{}), since: since}
}

// current picks, from the newest signals (newest first), the cues still
// in force (not acknowledged, not withdrawn, ttl not run out; no ttl means
// until acknowledged; the newest signal of a key carries its text, as an
// edit may have updated it) and the alerts not acknowledged, both oldest
// first.
func (h *Hub) current(room string, recent []redis.XMessage, now time.Time) (cues, alerts []livedeck.Signal) {
	cues, alerts = []livedeck.Signal{}, []livedeck.Signal{}
	sigs := make([]livedeck.Signal, 0, len(recent))
	gone := map[string]bool{} // acknowledged or withdrawn, whenever
	for _, x := range recent {
		_, sig, ok := h.signalMsg(room, x, time.Time{})
		switch {
		case !ok:
			continue
		case sig.Ack != nil:
			gone[sig.Ack.Key] = true
		case sig.Withdraw != nil:
			gone[sig.Withdraw.Key] = true
		}
		sigs = append(sigs, sig)
	}
	seen := map[string]bool{}
	for _, sig := range sigs {
		switch {
		case sig.Cue != nil && !gone[sig.Cue.Key] && !seen[sig.Cue.Key] && len(cues) < snapshotCues:
			seen[sig.Cue.Key] = true
			if sig.Cue.TTLms == 0 || sig.At+sig.Cue.TTLms > now.UnixMilli() {
				cues = append(cues, sig)
			}
		case sig.Alert != nil && !gone[sig.Alert.Key] && len(alerts) < snapshotAlerts:
			alerts = append(alerts, sig)
		}
	}
	slices.Reverse(cues)
	slices.Reverse(alerts)
	return cues, alerts
}

// rawJSON passes a stored JSON value through, or def (nil if "") when it
// is missing or not JSON.
func (h *Hub) rawJSON(room, what, s, def string) json.RawMessage {
	if s != "" && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	if s != "" {
		h.log.Warn("websocket snapshot: stored value is not JSON", "room", room, "what", what)
	}
	if def == "" {
		return nil
	}
	return json.RawMessage(def)
}

func metricsSeq(raw []byte) uint64 {
	var v struct {
		Seq uint64 `json:"seq"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.Seq
}

func commentID(raw []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.ID
}
