package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Acknowledgements are the one thing a console writes over its socket, and
// they go into the room's signal stream, which is capped: unchecked, one
// connection could push the cues, tiers and alerts out of it. So an ack is
// (1) limited per connection by a token bucket, (2) refused unless its key
// is a cue (host view) or an alert (operator or producer view) among the
// room's recent signals, and (3) stored once per room and key, across
// connections and instances, by a marker set with the ack in one script.
// A repeated ack is answered with the stored one, not stored again.

// Ack outcomes, the acks metric's label.
const (
	ackStored    = "stored"
	ackDuplicate = "duplicate"
	ackLimited   = "limited"
	ackRefused   = "refused"
	ackFailed    = "failed"
)

// ackMarkerTTL is how long an acknowledged key stays marked: longer than
// any show, as the rules engine keeps its firing markers.
const ackMarkerTTL = 7 * 24 * time.Hour

// ackScript stores an ack once per marker.
// KEYS: marker signals; ARGV: by, ttl seconds, maxlen, signal JSON.
// Returns {1, id} when stored, {0, by} when the key was acknowledged before.
var ackScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return {1, redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 's', ARGV[4])}
end
return {0, redis.call('GET', KEYS[1]) or ''}`)

// errAckRefused is a refusal the sender can act on; its text is sent back.
type errAckRefused struct{ msg string }

func (e *errAckRefused) Error() string { return e.msg }

// newAckLimiter is one connection's token bucket.
func (h *Hub) newAckLimiter() *rate.Limiter {
	return rate.NewLimiter(rate.Limit(h.cfg.AckRate), h.cfg.AckBurst)
}

// ackResult is what storing an ack did.
type ackResult struct {
	stored bool   // false: acknowledged before, by
	by     string // who acknowledged it (the first one)
}

// ack checks that view may acknowledge key in room and stores the ack once.
func (h *Hub) ack(ctx context.Context, room, key, view, by string) (ackResult, error) {
	kind, err := h.ackable(ctx, room, key)
	if err != nil {
		return ackResult{}, err
	}
	if err := viewAcks(view, kind); err != nil {
		return ackResult{}, err
	}
	k := redisx.Room(room)
	b, _ := json.Marshal(livedeck.Signal{Kind: livedeck.SignalAck, Room: room, At: time.Now().UnixMilli(), Ack: &livedeck.Ack{Key: key, By: by}})
	res, err := ackScript.Run(ctx, h.rdb, []string{k.Acked(key), k.Signals()},
		by, int64(ackMarkerTTL/time.Second), signalsMaxLen, b).Slice()
	if err != nil {
		return ackResult{}, fmt.Errorf("ack room %s: %w", room, err)
	}
	if len(res) != 2 {
		return ackResult{}, fmt.Errorf("ack room %s: script answered %v", room, res)
	}
	first, _ := res[1].(string)
	if n, _ := res[0].(int64); n == 1 {
		return ackResult{stored: true, by: by}, nil
	}
	return ackResult{by: first}, nil
}

// ackable finds key among the room's recent signals: the kind of signal
// (cue or alert) it names.
func (h *Hub) ackable(ctx context.Context, room, key string) (string, error) {
	msgs, err := h.rdb.XRevRangeN(ctx, redisx.Room(room).Signals(), "+", "-", recentSignals).Result()
	if err != nil {
		return "", fmt.Errorf("ack room %s: reading signals: %w", room, err)
	}
	for _, m := range msgs {
		raw, _ := m.Values["s"].(string)
		var sig livedeck.Signal
		if json.Unmarshal([]byte(raw), &sig) != nil {
			continue
		}
		switch {
		case sig.Kind == livedeck.SignalCue && sig.Cue != nil && sig.Cue.Key == key:
			return livedeck.SignalCue, nil
		case sig.Kind == livedeck.SignalAlert && sig.Alert != nil && sig.Alert.Key == key:
			return livedeck.SignalAlert, nil
		}
	}
	return "", &errAckRefused{fmt.Sprintf("data.key: no cue or alert %q among room %s's %d newest signals", key, room, recentSignals)}
}

// viewAcks says whether a view acknowledges signals of kind: the host view
// its cues, the operator and producer views their alerts.
func viewAcks(view, kind string) error {
	switch {
	case kind == livedeck.SignalCue && view == viewHost:
	case kind == livedeck.SignalAlert && (view == viewOperator || view == viewProducer):
	case kind == livedeck.SignalCue:
		return &errAckRefused{"data.key: cues are acknowledged from the host view, not the " + view + " view"}
	default:
		return &errAckRefused{"data.key: alerts are acknowledged from the operator or producer view, not the " + view + " view"}
	}
	return nil
}

// handleAck acts on a well-formed ack from c (read pump).
func (c *client) handleAck(room, key string) {
	if !c.ackLimit.Allow() {
		c.h.m.acked(ackLimited)
		c.refuse(room, fmt.Sprintf("ack: too many acknowledgements on this connection (at most %g per second, bursts of %d); %q was not stored, send it again later",
			c.h.cfg.AckRate, c.h.cfg.AckBurst, key))
		return
	}
	if by, ok := c.acked[room+"\x00"+key]; ok {
		c.h.m.acked(ackDuplicate)
		c.answerAck(room, key, by)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeWait)
	defer cancel()
	res, err := c.h.ack(ctx, room, key, c.view, c.by)
	var refused *errAckRefused
	switch {
	case errors.As(err, &refused):
		c.h.m.acked(ackRefused)
		c.refuse(room, refused.msg)
		return
	case err != nil:
		c.h.m.acked(ackFailed)
		c.h.log.Warn("websocket ack failed", "room", room, "err", err)
		c.refuse(room, "ack not stored, try again")
		return
	}
	c.remember(room, key, res.by)
	if res.stored {
		c.h.m.acked(ackStored)
		return // the relay brings it back to every console, this one too
	}
	c.h.m.acked(ackDuplicate)
	c.answerAck(room, key, res.by)
}

// ackMemory bounds the keys a connection remembers as acknowledged.
const ackMemory = 256

func (c *client) remember(room, key, by string) {
	if len(c.acked) >= ackMemory {
		clear(c.acked)
	}
	c.acked[room+"\x00"+key] = by
}

// answerAck tells c alone that key was acknowledged already (by whom),
// as an ack message without a stream id: nothing new was stored.
func (c *client) answerAck(room, key, by string) {
	b, _ := json.Marshal(livedeck.Signal{Kind: livedeck.SignalAck, Room: room, At: time.Now().UnixMilli(), Ack: &livedeck.Ack{Key: key, By: by}})
	c.queue(newOutMsg(livedeck.SignalAck, room, "", b, time.Time{}))
}
