package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Values of a room's phase key (redisx.Keys.Phase): set by the processor
// when a closed room comes to rest, by Archive for good.
const (
	phaseRest     = "rest"
	phaseArchived = "archived"
)

// archiveScript marks a room archived if its JSON is still what the caller
// read; from then on the append script refuses the room's events.
//
//	KEYS[1] room meta, KEYS[2] room phase; ARGV[1] JSON read, ARGV[2] new JSON
var archiveScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], 'archived')
return 1
`)

// Archive ends a closed room for good: it takes no more events or changes,
// no instance processes it, and its event stream, dedupe sets and dead
// letters expire after the retention (Config.ArchiveRetention). keep runs
// once no more events can arrive and before anything expires: the caller
// keeps the room's final review there. Archiving an archived room runs keep
// and sets the expiry again (a retry after a failure); a live room is a
// conflict.
func (r *Rooms) Archive(ctx context.Context, id string, keep func(context.Context, livedeck.Room) error) (livedeck.Room, error) {
	// The room is not put to rest here: the instance processing it (or
	// the next to take it) folds what is left of its stream, then lets it
	// rest for good.
	room, err := r.markArchived(ctx, id)
	if err != nil {
		return livedeck.Room{}, err
	}
	if keep != nil {
		if err := keep(ctx, room); err != nil {
			return livedeck.Room{}, fmt.Errorf("archive room %s: %w", id, err)
		}
	}
	if err := r.expireArchived(ctx, id); err != nil {
		return livedeck.Room{}, err
	}
	return room, nil
}

func (r *Rooms) markArchived(ctx context.Context, id string) (livedeck.Room, error) {
	keys := redisx.Room(id)
	for attempt := 0; attempt < 10; attempt++ {
		room, raw, err := r.get(ctx, id)
		if err != nil {
			return livedeck.Room{}, err
		}
		switch room.Status {
		case livedeck.RoomArchived:
			// Set the phase again: a crash may have left it unset.
			if err := r.rdb.Set(ctx, keys.Phase(), phaseArchived, 0).Err(); err != nil {
				return livedeck.Room{}, storeErr("archive room "+id, err)
			}
			return room, nil
		case livedeck.RoomLive:
			return livedeck.Room{}, livedeck.Errorf(livedeck.ECONFLICT, "status",
				"room %s is live: close it first (POST /api/v1/rooms/%s/close)", quoteShort(id), id)
		}
		room.Status, room.Archived = livedeck.RoomArchived, r.now().UnixMilli()
		b, err := json.Marshal(&room)
		if err != nil {
			return livedeck.Room{}, err
		}
		ok, err := archiveScript.Run(ctx, r.rdb, []string{keys.Meta(), keys.Phase()}, raw, b).Int()
		if err != nil {
			return livedeck.Room{}, storeErr("archive room "+id, err)
		}
		if ok == 1 {
			return room, nil
		}
	}
	return livedeck.Room{}, livedeck.Errorf(livedeck.ECONFLICT, "", "room %q is being changed by others: retry", id)
}

// expireArchived sets the retention on what an archived room no longer
// needs: its event stream, dedupe sets and dead letters. EXPIRE LT keeps a
// shorter expiry already set (dedupe sets expire on their own).
func (r *Rooms) expireArchived(ctx context.Context, id string) error {
	keys := redisx.Room(id)
	dedupe, err := redisx.ScanKeys(ctx, r.rdb, keys.Match("dedupe:*"))
	if err != nil {
		return storeErr("archive room "+id, err)
	}
	secs := int64(r.retention.Seconds())
	_, err = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range append([]string{keys.Events(), keys.EventCount(), keys.DeadLetters()}, dedupe...) {
			p.Do(ctx, "EXPIRE", k, secs, "LT")
		}
		return nil
	})
	if err != nil {
		return storeErr("archive room "+id, err)
	}
	return nil
}

// Deletion is the result of Delete.
type Deletion struct {
	Room string `json:"room"`
	Keys int    `json:"keys_deleted"` // Redis keys removed, the room's record included
}

// Delete removes an archived room and every key it has, on every master
// of a Redis Cluster. A room not archived, or archived but not yet at rest
// (its last events are still being folded, for a few seconds after
// archiving), is a conflict. before, if set, runs once the room may be
// deleted and before any key goes (the caller revokes what lives outside
// the room's keys). The room's record goes last, so a delete that failed
// half-way can be retried.
func (r *Rooms) Delete(ctx context.Context, id string, before func(context.Context) error) (Deletion, error) {
	room, err := r.Get(ctx, id)
	if err != nil {
		return Deletion{}, err
	}
	if room.Status != livedeck.RoomArchived {
		return Deletion{}, livedeck.Errorf(livedeck.ECONFLICT, "status",
			"room %s is %s: archive it first (POST /api/v1/rooms/%s/archive)", quoteShort(id), room.Status, id)
	}
	keys := redisx.Room(id)
	var held *redis.IntCmd
	var resting *redis.BoolCmd
	_, err = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		held, resting = p.Exists(ctx, keys.Lease()), p.SIsMember(ctx, redisx.RestingKey, id)
		return nil
	})
	if err != nil {
		return Deletion{}, storeErr("delete room "+id, err)
	}
	if held.Val() > 0 || !resting.Val() {
		return Deletion{}, livedeck.Errorf(livedeck.ECONFLICT, "room",
			"room %s is still being processed; it is let go within seconds of archiving: retry", quoteShort(id))
	}
	if before != nil {
		if err := before(ctx); err != nil {
			return Deletion{}, fmt.Errorf("delete room %s: %w", id, err)
		}
	}
	// Unlisted first: no instance takes it while its keys go.
	if err := r.rdb.SRem(ctx, redisx.RoomsKey, id).Err(); err != nil {
		return Deletion{}, storeErr("delete room "+id, err)
	}
	all, err := redisx.ScanKeys(ctx, r.rdb, keys.Match("*"))
	if err != nil {
		return Deletion{}, storeErr("delete room "+id, err)
	}
	n := 0
	var rest []string
	for _, k := range all {
		if k != keys.Meta() && strings.HasPrefix(k, keys.Match("")) {
			rest = append(rest, k)
		}
	}
	for lo := 0; lo < len(rest); lo += 500 {
		c, err := r.rdb.Unlink(ctx, rest[lo:min(lo+500, len(rest))]...).Result()
		if err != nil {
			return Deletion{}, storeErr("delete room "+id, err)
		}
		n += int(c)
	}
	c, err := r.rdb.Del(ctx, keys.Meta()).Result()
	if err != nil {
		return Deletion{}, storeErr("delete room "+id, err)
	}
	n += int(c)
	if err := r.rdb.SRem(ctx, redisx.RestingKey, id).Err(); err != nil {
		return Deletion{}, storeErr("delete room "+id, err)
	}
	return Deletion{Room: id, Keys: n}, nil
}

// Retention is how long an archived room keeps its event stream, dedupe
// sets and dead letters.
func (r *Rooms) Retention() time.Duration { return r.retention }
