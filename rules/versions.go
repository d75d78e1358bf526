package rules

import (
	"context"
	"time"
)

// roomPoll is a room's rule-set version and record as a batched check
// read them.
type roomPoll struct {
	at time.Time // when the check was sent: it saw Redis as of then or later
	roomCheck
}

// pollVersions checks the rule-set version and record of every room
// evaluated here lately in one pipelined round trip, instead of one per
// room; each room applies the result at its next evaluation. Run calls it
// every versionCheck.
func (e *Engine) pollVersions(ctx context.Context) error {
	at := e.clock()
	e.mu.Lock()
	rrs := make([]*roomRules, 0, len(e.rooms))
	keys := make([]*checkKeys, 0, len(e.rooms))
	for _, rr := range e.rooms {
		if at.Sub(time.Unix(0, rr.active.Load())) <= staleAfter { // others re-read everything anyway
			rrs, keys = append(rrs, rr), append(keys, &rr.keys)
		}
	}
	e.mu.Unlock()
	if len(rrs) == 0 {
		return nil
	}
	checks, err := e.store.checkRooms(ctx, keys)
	if err != nil {
		return err
	}
	polls := make([]roomPoll, len(rrs)) // one allocation for the round
	for i, rr := range rrs {
		polls[i] = roomPoll{at: at, roomCheck: checks[i]}
		rr.polled.Store(&polls[i])
	}
	e.lastPoll.Store(at.UnixNano())
	return nil
}

// refresh brings the room's cache up to date at wall, the engine's clock:
// the state from Redis when the cache is new or stale, the rule set when
// its version changed. The version comes from the latest batched check
// when there is a newer one than the room has applied; the room checks
// itself when it has none for longer than the batches should take (Run
// not running, Redis slow), and when the set was saved on this instance.
// A batch that is older than the set in use (it was sent before a save
// here) is harmless: a version that differs makes the room load the
// current set.
func (e *Engine) refresh(ctx context.Context, rr *roomRules, id string, now int64, wall time.Time) error {
	stale := !rr.loaded || wall.Sub(rr.lastEval) > staleAfter // another instance may have moved the state on
	rr.active.Store(wall.UnixNano())
	if !stale && !rr.recheck {
		if p := rr.polled.Load(); p != nil && p.at.After(rr.checked) {
			return e.applyCheck(ctx, rr, id, p.roomCheck, p.at)
		}
		if wall.Sub(rr.checked) < e.checkEvery(wall) {
			return nil
		}
	}
	checks, err := e.store.checkRooms(ctx, []*checkKeys{&rr.keys})
	if err != nil {
		return err
	}
	if stale {
		if err := e.loadState(ctx, rr, id, now); err != nil {
			return err
		}
	}
	return e.applyCheck(ctx, rr, id, checks[0], wall)
}

// checkEvery is how long a room goes without checking its version: while
// batched checks arrive, twice their interval (a room a batch missed
// checks itself), else the interval.
func (e *Engine) checkEvery(wall time.Time) time.Duration {
	if wall.Sub(time.Unix(0, e.lastPoll.Load())) < 2*versionCheck {
		return 2 * versionCheck
	}
	return versionCheck
}

// applyCheck takes a version check sent at at: the line-up when the
// room's record changed, the rule set when its version did.
func (e *Engine) applyCheck(ctx context.Context, rr *roomRules, id string, c roomCheck, at time.Time) error {
	if c.meta != rr.meta { // decode the line-up only when the record changed
		products, err := decodeProducts(id, []byte(c.meta))
		if err != nil {
			return err
		}
		rr.products = products
	}
	rr.meta = c.meta
	if !rr.loaded || c.version != rr.version {
		if err := e.loadSet(ctx, rr, id); err != nil {
			return err
		}
	}
	rr.checked, rr.loaded, rr.recheck = at, true, false
	return nil
}
