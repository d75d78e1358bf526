package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// legacyGroup is the consumer group earlier builds read room streams
// through; it is removed when a room is taken, since its pending lists grow
// without a reader.
const legacyGroup = "live"

// slowRead is how much longer than its block time a stream read may take
// before the network counts as slow.
const slowRead = 50 * time.Millisecond

// recentComments is how many comments a room keeps for a console's snapshot.
const recentComments = 200

// runner processes one room while this instance holds its lease.
type runner struct {
	p     *Processor
	room  string
	token string
	keys  redisx.Keys
	state *State

	cursor      string // newest stream id folded: the next read starts after it
	perEntry    int    // events per stream entry in the last read: packed entries hold many
	behind      uint   // reads in a row that came back full, up to maxBehindShift: each doubles the next read
	unsaved     int    // stream entries folded since the last checkpoint
	lastCkpt    time.Time
	lastPub     time.Time
	lastObserve time.Time
	lastLife    time.Time // last read of the room's status (rest.go)
	inRestSet   bool      // put in redisx.RestingKey by a rest that did not happen
	pending     bool      // folded events not yet published
	newestID    string
	caughtUp    atomic.Int64 // UnixNano start of the last stream read that reached the stream's end
	comments    []livedeck.Comment
	orders      []livedeck.OrderChange
	// shown is the seq of the snapshot a previous owner published last.
	// Events it folded after its last checkpoint are folded again here;
	// until this runner is past them it publishes no snapshot (consoles
	// would see numbers go back) and pushes none of their comments (they
	// would show twice). Zero once the stream is caught up.
	shown uint64
}

// run folds the room's stream until ctx ends or the lease is lost. The
// lease is renewed on its own timer (keepLease), not between steps, so a
// slow step never costs the room. On a clean stop it checkpoints and
// releases the lease so another instance can take the room at once.
func (r *runner) run(parent context.Context) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	kept := make(chan struct{})
	go func() { defer close(kept); r.keepLease(ctx, cancel) }()
	err := r.start(ctx)
	if err == nil {
		err = r.loop(ctx)
	}
	cancel(nil) // no effect if the keeper already cancelled with its cause
	<-kept
	switch {
	case errors.Is(err, errRested): // before lease loss: the keeper may have seen the lease go
		r.p.m.leases.WithLabelValues("rested").Inc()
		return err // checkpointed, lease released
	case errors.Is(context.Cause(ctx), errLeaseLost) || errors.Is(err, errLeaseLost):
		return errLeaseLost // the room is another instance's: nothing to save or release
	case errors.Is(err, errRoomGone):
		return r.letGo()
	case parent.Err() != nil:
		return r.stop()
	}
	return err
}

// loop runs steps until ctx ends or a checkpoint finds the lease lost.
func (r *runner) loop(ctx context.Context) error {
	for ctx.Err() == nil {
		err := r.step(ctx)
		if err == nil {
			continue
		}
		if errors.Is(err, errLeaseLost) || errors.Is(err, errRested) || errors.Is(err, errRoomGone) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		r.p.log.Warn("room step failed", "room", r.room, "err", err)
		select { // Redis trouble: back off briefly; the keeper holds the lease
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

func (r *runner) start(ctx context.Context) error {
	room, err := r.readRoom(ctx)
	if err != nil {
		return err // errRoomGone: deleted since the scan
	}
	if err := wakeScript.Run(ctx, r.p.rdb, []string{r.keys.Phase()}).Err(); err != nil {
		return fmt.Errorf("room %s phase: %w", r.room, err)
	}
	st, err := loadState(ctx, r.p.rdb, r.room, room.Products)
	if err != nil {
		return err
	}
	r.state = st
	// The checkpoint is the truth of what was folded: read on from it. The
	// lease makes this runner the room's only reader, so a plain XREAD does
	// what a consumer group would, without its per-entry pending list.
	r.cursor = st.LastID()
	if r.cursor == "" {
		r.cursor = "0"
	}
	// Clean-up only: a room whose stream does not exist yet has no group
	// (XGROUP DESTROY would fail on the missing key).
	if err := r.dropLegacyGroup(ctx); err != nil {
		r.p.log.Warn("removing the legacy consumer group failed", "room", r.room, "err", err)
	}
	if r.shown, err = publishedSeq(ctx, r.p.rdb, r.keys); err != nil {
		return err
	}
	now := time.Now()
	r.lastCkpt, r.lastPub, r.lastObserve, r.lastLife = now, now, now, now
	// Publish what was restored so consoles and rules start from it.
	r.pending = true
	return r.flush(ctx)
}

// publishedSeq is the seq of the room's last published snapshot, 0 if none.
func publishedSeq(ctx context.Context, rdb redis.UniversalClient, keys redisx.Keys) (uint64, error) {
	b, err := rdb.Get(ctx, keys.Snapshot()).Bytes()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("room snapshot: %w", err)
	}
	var s struct {
		Seq uint64 `json:"seq"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return 0, nil // unreadable: nothing to protect
	}
	return s.Seq, nil
}

// maxLateWords bounds the comments a room keeps (and checkpoints) to count
// their keywords once the segmenter is ready; past it the room waits for
// the segmenter.
const maxLateWords = 20_000

// maxBehindShift caps how far a room that is behind grows its reads: at
// most 2^3 × BatchSize events at once.
const maxBehindShift = 3

func (r *runner) step(ctx context.Context) error {
	cfg := &r.p.cfg
	if len(r.state.c.Late) >= maxLateWords {
		if err := r.p.text.Ready(ctx); err != nil {
			return err
		}
	}
	block := cfg.Block
	if r.pending {
		if wait := cfg.PublishInterval - time.Since(r.lastPub); wait < block {
			block = wait
		}
	}
	if block < time.Millisecond {
		block = time.Millisecond
	}
	readStart := time.Now()
	count := max(1, cfg.BatchSize/int64(max(1, r.perEntry))) // BatchSize counts events, COUNT entries
	// Behind (the last read came back full), read more at once: a step's
	// round trips (read, orders, publish) then wait on fewer events each,
	// and the room catches up sooner. Snapshots go out per step, so this
	// only spaces them while the room is behind anyway.
	count <<= r.behind
	res, err := r.p.blocking.XRead(ctx, &redis.XReadArgs{
		Streams: []string{r.keys.Events(), r.cursor}, Count: count, Block: block,
	}).Result()
	readTook := time.Since(readStart)
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("read room %s: %w", r.room, err)
	}
	if len(res) == 0 || len(res[0].Messages) == 0 {
		r.shown = 0 // caught up: whatever was shown before is folded again
	} else {
		msgs := res[0].Messages
		// A blocking read wakes on the first entry of a write; drain what
		// arrived meanwhile without blocking, so one snapshot covers it —
		// unless round trips are slow (the read returned with data yet took
		// longer than its block), when the drain would delay the snapshot.
		// Both reads are folded together: one load of the orders they
		// touch.
		if int64(len(msgs)) < count && readTook < block+slowRead {
			more, err := r.p.rdb.XRead(ctx, &redis.XReadArgs{
				Streams: []string{r.keys.Events(), msgs[len(msgs)-1].ID}, Count: count, Block: -1,
			}).Result()
			if err == nil && len(more) > 0 && len(more[0].Messages) > 0 {
				msgs = append(msgs, more[0].Messages...)
			}
		}
		if err := r.fold(ctx, msgs); err != nil {
			return err
		}
	}
	if len(res) == 0 || int64(len(res[0].Messages)) < count {
		r.caughtUp.Store(readStart.UnixNano()) // everything written before the read is folded
		r.behind = 0
	} else if r.behind < maxBehindShift {
		r.behind++
	}
	now := time.Now()
	switch {
	case r.pending && now.Sub(r.lastPub) >= cfg.PublishInterval:
		if err := r.flush(ctx); err != nil {
			return err
		}
	case !r.pending && now.Sub(r.lastPub) >= time.Second:
		r.pending = true // idle: republish so per-minute rates decay on screen
		if err := r.flush(ctx); err != nil {
			return err
		}
	case now.Sub(r.lastObserve) >= cfg.Block:
		r.observe(ctx, now) // idle tick: rule timers move on
	}
	lateReady := len(r.state.c.Late) > 0 && r.p.text.Segmenting() // e.g. restored from a checkpoint
	if (r.unsaved > 0 || lateReady) && now.Sub(r.lastCkpt) >= cfg.Checkpoint {
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
	}
	if now.Sub(r.lastLife) >= lifeCheck {
		return r.maybeRest(ctx, now)
	}
	return nil
}

// eventBufs holds the decoded events of a read between folds, for all
// rooms: a read's events are garbage once folded (Fold keeps strings, never
// an *Event), and a pool, unlike a buffer per runner, lets an idle room's
// buffer go.
var eventBufs = sync.Pool{New: func() any { return new(eventBuf) }}

type eventBuf struct {
	evs []livedeck.Event
	ids []string // the stream id of each event
}

// decode decodes the events of stream entries into the buffer. An entry
// holds one event or, packed, many: they are folded together under the
// entry's id, so the cursor never falls inside an entry. An entry that does
// not decode is reported to skip.
func (b *eventBuf) decode(msgs []redis.XMessage, skip func(id string, err error)) ([]livedeck.Event, []string) {
	n := 0
	for _, m := range msgs {
		n += livedeck.EntryLen(m.Values)
	}
	all := slices.Grow(b.evs[:0], n)
	ids := slices.Grow(b.ids[:0], n)
	for _, m := range msgs {
		before := len(all)
		var err error
		if all, err = livedeck.DecodeEntry(m.Values, all); err != nil {
			skip(m.ID, err)
		}
		for range len(all) - before {
			ids = append(ids, m.ID)
		}
	}
	b.evs, b.ids = all, ids
	return all, ids
}

// release returns the buffer to the pool, emptied: it keeps no event's
// strings alive.
func (b *eventBuf) release() {
	clear(b.evs)
	clear(b.ids)
	b.evs, b.ids = b.evs[:0], b.ids[:0]
	eventBufs.Put(b)
}

func (r *runner) fold(ctx context.Context, msgs []redis.XMessage) error {
	buf := eventBufs.Get().(*eventBuf)
	defer buf.release()
	all, ids := buf.decode(msgs, func(id string, err error) {
		r.p.log.Warn("skipping undecodable stream entry", "room", r.room, "id", id, "err", err)
	})
	r.perEntry = max(1, len(all)/len(msgs))
	orders, users, spend := r.state.needs(all)
	if err := r.state.load(ctx, r.p.rdb, orders, users, spend); err != nil {
		return err
	}
	nc, no := 0, 0
	for i := range all {
		switch all[i].Type {
		case livedeck.EventComment:
			nc++
		case livedeck.EventOrder:
			no++
		}
	}
	r.comments, r.orders = slices.Grow(r.comments, nc), slices.Grow(r.orders, no) // grown once, not by doubling
	ahead := segmentAhead(r.p.text, all, nc)
	defer ahead.stop()
	for i := range all {
		out := r.state.fold(&all[i], ids[i], r.p.text, ahead.words(i))
		if out.hasComment && r.state.c.Seq > r.shown {
			r.comments = append(r.comments, out.comment)
		}
		if out.hasOrder {
			r.orders = append(r.orders, out.order)
		}
	}
	// Only now does the cursor move: a batch that failed above (loading
	// orders from Redis) is read again on the next step.
	r.unsaved += len(msgs)
	r.cursor = msgs[len(msgs)-1].ID
	r.newestID = r.cursor
	r.pending = true
	r.p.m.events.Add(float64(len(all)))
	r.p.m.batches.Inc()
	return nil
}

// flush publishes the snapshot and new comments, then hands the update to
// the observer (the rules engine).
func (r *runner) flush(ctx context.Context) error {
	now := time.Now()
	snap := r.state.Snapshot(r.p.cfg.Now().UnixMilli())
	markStale(&snap, r.p.cfg.StaleAfter)
	if snap.Seq < r.shown {
		// Behind what consoles show: hand the state to the rules engine
		// as always, publish nothing yet.
		r.lastPub, r.pending = now, false
		r.observeSnap(ctx, now, snap)
		return nil
	}
	comments := r.comments
	if len(comments) > recentComments {
		comments = comments[len(comments)-recentComments:]
	}
	// Each part is encoded once and reused: the snapshot is stored and
	// published, each comment pushed and published.
	snapJSON, err := json.Marshal(&snap)
	if err != nil {
		return err
	}
	// The comments share one buffer, sliced once it stops growing.
	n := 0
	for i := range comments {
		c := &comments[i]
		n += len(c.ID) + len(c.UserID) + len(c.Nickname) + len(c.Text) + len(c.Class) + 80
	}
	buf := make([]byte, 0, n) // enough unless there is much to escape
	ends := make([]int, len(comments))
	for i := range comments {
		buf = appendComment(buf, &comments[i])
		ends[i] = len(buf)
	}
	commentJSON := make([][]byte, len(comments))
	for i, start := 0, 0; i < len(ends); i++ {
		commentJSON[i], start = buf[start:ends[i]:ends[i]], ends[i]
	}
	msg := liveMessage(snapJSON, commentJSON)
	_, err = r.p.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.keys.Snapshot(), snapJSON, 0)
		if len(comments) > 0 {
			vals := make([]any, len(commentJSON))
			for i, b := range commentJSON {
				vals[i] = b
			}
			p.LPush(ctx, r.keys.Comments(), vals...)
			p.LTrim(ctx, r.keys.Comments(), 0, recentComments-1)
		}
		// go-redis sends PUBLISH, a keyless command, to any cluster node
		// in turn; two snapshots published on different nodes can reach a
		// subscriber in either order over the cluster bus. Routed by the
		// channel's slot, every message of a room leaves from one node, in
		// order.
		pub := redis.NewIntCmd(ctx, "publish", r.keys.Live(), msg)
		pub.SetFirstKeyPos(1)
		_ = p.Process(ctx, pub)
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish room %s: %w", r.room, err)
	}
	if r.newestID != "" {
		if ms := arrival(r.newestID); ms > 0 {
			r.p.m.lag.Observe(float64(now.UnixMilli()-ms) / 1000)
		}
		r.newestID = ""
	}
	r.lastPub, r.pending = now, false
	r.observeSnap(ctx, now, snap)
	return nil
}

// liveMessage assembles the JSON of a livedeck.LiveMessage from its parts,
// already encoded.
func liveMessage(snapJSON []byte, comments [][]byte) []byte {
	n := len(snapJSON) + 32
	for _, c := range comments {
		n += len(c) + 1
	}
	msg := append(append(make([]byte, 0, n), `{"metrics":`...), snapJSON...)
	for i, c := range comments {
		if i == 0 {
			msg = append(msg, `,"comments":[`...)
		} else {
			msg = append(msg, ',')
		}
		msg = append(msg, c...)
	}
	if len(comments) > 0 {
		msg = append(msg, ']')
	}
	return append(msg, '}')
}

func (r *runner) observe(ctx context.Context, now time.Time) {
	snap := r.state.Snapshot(r.p.cfg.Now().UnixMilli())
	markStale(&snap, r.p.cfg.StaleAfter)
	r.observeSnap(ctx, now, snap)
}

func (r *runner) observeSnap(ctx context.Context, now time.Time, snap livedeck.Snapshot) {
	r.lastObserve = now
	u := livedeck.Update{Room: r.room, Now: r.p.cfg.Now().UnixMilli(), Snapshot: snap, Orders: r.orders, Comments: r.comments}
	r.orders, r.comments = nil, nil
	if r.p.obs != nil {
		r.p.obs.Observe(ctx, u)
	}
}

func (r *runner) checkpoint(ctx context.Context) error {
	r.state.CountLateWords(r.p.text) // if it can: else they are checkpointed to count later
	if err := r.state.checkpoint(ctx, r.p.rdb, r.token); err != nil {
		r.p.m.checkpoints.WithLabelValues("error").Inc()
		return err
	}
	r.p.m.checkpoints.WithLabelValues("ok").Inc()
	r.unsaved = 0
	r.lastCkpt = time.Now()
	return nil
}

// stop checkpoints and releases the lease, with a short deadline of its own
// because the run context has ended.
func (r *runner) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var err error
	if r.state != nil && r.unsaved > 0 {
		if r.pending {
			_ = r.flush(ctx)
		}
		err = r.checkpoint(ctx)
	}
	if r.inRestSet {
		err = errors.Join(err, r.leaveRestSet(ctx))
	}
	if rerr := release(ctx, r.p.rdb, r.keys.Lease(), r.token); rerr == nil {
		r.p.m.leases.WithLabelValues("released").Inc()
	}
	return err
}

// dropLegacyGroup removes the consumer group older versions read the room
// with, when the room's stream exists.
func (r *runner) dropLegacyGroup(ctx context.Context) error {
	n, err := r.p.rdb.Exists(ctx, r.keys.Events()).Result()
	if err != nil || n == 0 {
		return err
	}
	return r.p.rdb.XGroupDestroy(ctx, r.keys.Events(), legacyGroup).Err()
}

// letGo releases the lease of a room deleted while it was processed,
// writing nothing else.
func (r *runner) letGo() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := release(ctx, r.p.rdb, r.keys.Lease(), r.token); err != nil {
		return fmt.Errorf("room %s deleted: release: %w", r.room, err)
	}
	r.p.m.leases.WithLabelValues("released").Inc()
	return errRoomGone
}
