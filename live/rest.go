package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// A closed room is processed for ClosedGrace after it closed, an archived
// one until its stream is folded; then its runner lets it rest: it joins
// redisx.RestingKey, which no instance takes rooms from, its phase key
// says "rest" (or stays "archived") and its lease is released. An event
// for a room at rest takes it out of the set again (the ingest script sees
// the phase), and the next scan gives it an owner: late refunds are counted.
var (
	errRested   = errors.New("room at rest")
	errRoomGone = errors.New("room deleted")
)

// lifeCheck is how often a runner reads its room's status.
const lifeCheck = time.Second

// restScript releases a room's lease and marks it at rest, only while the
// caller holds the lease and has folded everything in the stream.
//
//	KEYS[1] lease, KEYS[2] events, KEYS[3] phase; ARGV[1] token, ARGV[2] cursor
var restScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE lost') end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last > 0 and last[1][1] ~= ARGV[2] then return 0 end
if redis.call('GET', KEYS[3]) ~= 'archived' then redis.call('SET', KEYS[3], 'rest') end
redis.call('DEL', KEYS[1])
return 1
`)

// wakeScript clears a room's rest mark when a runner takes it.
var wakeScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == 'rest' then redis.call('DEL', KEYS[1]) end
return 0
`)

// statusScript reads a room's status and close time without sending its
// record (up to 1 MB with a large line-up) every second. The record is Go's
// JSON: a quote inside a string value is escaped, so the patterns match
// only the room's own top-level fields (products have no such fields).
var statusScript = redis.NewScript(`
local m = redis.call('GET', KEYS[1])
if not m then return false end
return {string.match(m, '"status":"(%a+)"') or 'live', string.match(m, '"closed":(%d+)') or '0'}
`)

// readStatus reads the room's status and close time (Unix ms); a missing
// record means the room was deleted.
func (r *runner) readStatus(ctx context.Context) (livedeck.Room, error) {
	res, err := statusScript.Run(ctx, r.p.rdb, []string{r.keys.Meta()}).StringSlice()
	if errors.Is(err, redis.Nil) {
		return livedeck.Room{}, errRoomGone
	}
	if err != nil || len(res) != 2 {
		return livedeck.Room{}, fmt.Errorf("room %s status: %w", r.room, err)
	}
	closed, _ := strconv.ParseInt(res[1], 10, 64)
	return livedeck.Room{ID: r.room, Status: res[0], Closed: closed}, nil
}

// readRoom reads the room's record; a missing one means it was deleted.
func (r *runner) readRoom(ctx context.Context) (livedeck.Room, error) {
	var room livedeck.Room
	b, err := r.p.rdb.Get(ctx, r.keys.Meta()).Bytes()
	if errors.Is(err, redis.Nil) {
		return room, errRoomGone
	}
	if err != nil {
		return room, fmt.Errorf("room %s meta: %w", r.room, err)
	}
	if err := json.Unmarshal(b, &room); err != nil {
		return room, fmt.Errorf("room %s meta: %w", r.room, err)
	}
	return room, nil
}

// restDue reports whether the room should stop being processed.
func (r *runner) restDue(room livedeck.Room, now time.Time) bool {
	switch room.Status {
	case livedeck.RoomArchived:
		return true
	case livedeck.RoomClosed:
		return now.Sub(time.UnixMilli(room.Closed)) >= r.p.cfg.ClosedGrace
	}
	return false
}

// maybeRest lets the room rest if its status says so and everything read
// is folded, published and checkpointed. It returns errRested when the
// room is at rest and its lease released.
func (r *runner) maybeRest(ctx context.Context, now time.Time) error {
	r.lastLife = now
	room, err := r.readStatus(ctx)
	if err != nil || !r.restDue(room, now) {
		return err
	}
	if r.pending {
		if err := r.flush(ctx); err != nil {
			return err
		}
	}
	late := len(r.state.c.Late) > 0
	if !r.state.CountLateWords(r.p.text) {
		return nil // keywords still to count: rest once the segmenter is ready
	}
	if r.unsaved > 0 || late {
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
	}
	// Into the set before the mark: an event appended after the mark
	// takes the room out of the set again, one appended before it fails
	// the script (the stream moved past the cursor).
	if err := r.p.rdb.SAdd(ctx, redisx.RestingKey, r.room).Err(); err != nil {
		return fmt.Errorf("rest room %s: %w", r.room, err)
	}
	r.inRestSet = true
	ok, err := restScript.Run(ctx, r.p.rdb, []string{r.keys.Lease(), r.keys.Events(), r.keys.Phase()}, r.token, r.cursor).Int()
	switch {
	case err != nil && err.Error() == "LEASE lost":
		return errLeaseLost
	case err != nil:
		return fmt.Errorf("rest room %s: %w", r.room, err)
	case ok == 1:
		r.publishResting(ctx)
		return errRested
	}
	return r.leaveRestSet(ctx) // new events: keep processing
}

// publishResting stores and publishes the room's last snapshot marked
// resting, so consoles know its numbers stop on purpose. The lease is gone
// already; an owner that took the room meanwhile republishes within a
// second.
func (r *runner) publishResting(ctx context.Context) {
	snap := r.state.Snapshot(r.p.cfg.Now().UnixMilli())
	markStale(&snap, r.p.cfg.StaleAfter)
	snap.Resting = true
	b, err := json.Marshal(&snap)
	if err == nil {
		_, err = r.p.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, r.keys.Snapshot(), b, 0)
			p.Publish(ctx, r.keys.Live(), liveMessage(b, nil))
			return nil
		})
	}
	if err != nil {
		r.p.log.Warn("publishing the resting snapshot failed", "room", r.room, "err", err)
	}
}

// leaveRestSet takes the room out of the resting set after it was put
// there but did not come to rest, so that whoever processes it next is
// not kept from it.
func (r *runner) leaveRestSet(ctx context.Context) error {
	if err := r.p.rdb.SRem(ctx, redisx.RestingKey, r.room).Err(); err != nil {
		return fmt.Errorf("room %s stays unprocessed until its next event: %w", r.room, err)
	}
	r.inRestSet = false
	return nil
}
