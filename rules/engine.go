package rules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
)

// Engine evaluates each room's rules on the instance that processes the
// room. It implements the live processor's Observer: the processor calls
// Observe after every folded batch and on its idle tick (~100 ms), one call
// at a time per room.
type Engine struct {
	store    *Store
	rdb      redis.UniversalClient
	m        *Metrics
	log      *slog.Logger
	loc      *time.Location
	banned   []string
	interval time.Duration
	hooks    *webhooks
	policy   AddrPolicy       // where webhooks may go
	clock    func() time.Time // wall clock for version checks and staleness; benchmarks step it
	programs *programs        // compiled rule sets shared by rooms with the same source
	rerun    bool             // run every condition every evaluation, in expr's VM, and step every rule's state (tests compare with it)

	mu    sync.Mutex
	rooms map[string]*roomRules

	lastPoll atomic.Int64 // Unix ns when the last successful batched version check was sent
}

// roomRules is a room's compiled rule set and states, cached between
// evaluations; version tells when to reload.
type roomRules struct {
	mu       sync.Mutex
	checked  time.Time                // when the last version check applied here was sent
	recheck  bool                     // check the version at the next evaluation: saved on this instance
	polled   atomic.Pointer[roomPoll] // the latest batched version check (Engine.pollVersions)
	active   atomic.Int64             // Unix ns of the last evaluation here, for pollVersions
	lastEval time.Time                // wall clock of the last evaluation here
	version  int64
	set      *Compiled
	states   map[string]*ruleState
	slots    []*ruleState    // states in the order of set.rules; nil: rebuild
	conds    []condResult    // each rule's last condition results, in the order of set.rules
	condRuns int             // conditions run here (not taken from conds), for tests
	env      Env             // reused by each evaluation; as of the last evaluation
	dirty    map[string]bool // states changed since the last successful save
	tier     *livedeck.Tier
	decision decision           // the last evaluation's, its slices reused
	undone   []bool             // rules whose effects failed in the last commit
	products []livedeck.Product // the line-up, re-read with the version check, for guardrails
	meta     string             // the room record the line-up was decoded from; "" for none
	keys     checkKeys          // what a version check of the room reads
	start    int64              // Unix ms of the room's first evaluation: `minute` counts from it
	retry    retries            // Redis writes that failed, tried again next evaluation
	admitted int64              // Unix ms event_time quotas last gave their due places
	oversold map[string]bool    // SKUs whose oversell alert is out
	loaded   bool
}

const (
	// versionCheck is how often the engine asks whether a room's rules
	// changed, for all its rooms in one round trip (Run): a saved change
	// applies within ~250 ms on every instance (and at once on the
	// instance that saved it).
	versionCheck = 250 * time.Millisecond
	// staleAfter: a room not evaluated here for this long may have been
	// evaluated by another instance meanwhile, so its cached state is
	// re-read from Redis.
	staleAfter = time.Second
	// forgetAfter: rooms not evaluated for this long are dropped from
	// memory by Run.
	forgetAfter = time.Minute
	// startField is the rule-state hash field holding the room's first
	// evaluation time; '#' cannot start a rule name.
	startField = "#start"
)

// EngineConfig tunes the engine.
type EngineConfig struct {
	Location *time.Location // for active windows; nil means time.Local
	Banned   []string       // absolute terms a cue may not use, in BannedTerms.List form ("!" marks an allowed phrase); nil means DefaultBanned
	Interval time.Duration  // expected time between a room's evaluations, for the missed-evaluations metric; zero means 100 ms
	Webhooks WebhookConfig  // outbound webhook delivery: address policy, retries, leases
}

// NewEngine builds an engine.
func NewEngine(cfg EngineConfig, store *Store, rdb redis.UniversalClient, m *Metrics, log *slog.Logger) *Engine {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Banned == nil {
		cfg.Banned = DefaultBanned
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{store: store, rdb: rdb, m: m, log: log, loc: cfg.Location, banned: cfg.Banned, interval: cfg.Interval,
		clock: time.Now, programs: newPrograms(), rooms: map[string]*roomRules{}, policy: cfg.Webhooks.Policy}
	e.hooks = newWebhooks(cfg.Webhooks, rdb, store, NewSecrets(rdb), log)
	return e
}

// Observe evaluates a room's rules against an update. Errors are logged and
// counted; what failed to reach Redis is tried again on the next
// evaluation, which follows in ≤100 ms.
func (e *Engine) Observe(ctx context.Context, u livedeck.Update) {
	start := time.Now()
	if err := e.evaluate(ctx, u); err != nil && ctx.Err() == nil {
		e.m.errors.Inc()
		e.log.Warn("rule evaluation failed", "room", u.Room, "err", err)
	}
	e.m.duration.Observe(time.Since(start).Seconds())
}

// Forget drops a room's cached rules and state, e.g. when this instance
// stops processing it. Its next evaluation reads everything from Redis.
func (e *Engine) Forget(room string) {
	e.mu.Lock()
	delete(e.rooms, room)
	e.mu.Unlock()
}

// reload makes the room's next evaluation here re-read its rule set, so a
// change saved on this instance applies to the very next evaluation.
func (e *Engine) reload(room string) {
	e.mu.Lock()
	rr := e.rooms[room]
	e.mu.Unlock()
	if rr != nil {
		rr.mu.Lock()
		rr.recheck = true
		rr.mu.Unlock()
	}
}

// Run delivers webhooks, checks the rule-set versions of the rooms
// evaluated here every 250 ms in one round trip, and drops idle rooms from
// memory, until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	go e.hooks.run(ctx, e.m)
	t := time.NewTicker(forgetAfter)
	defer t.Stop()
	poll := time.NewTicker(versionCheck)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			if err := e.pollVersions(ctx); err != nil && ctx.Err() == nil {
				e.log.Debug("batched version check failed; rooms check their own", "err", err)
			}
		case <-t.C:
			e.sweep(e.clock())
		}
	}
}

func (e *Engine) sweep(now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, rr := range e.rooms {
		if rr.mu.TryLock() {
			idle := now.Sub(rr.lastEval) > forgetAfter
			rr.mu.Unlock()
			if idle {
				delete(e.rooms, id)
			}
		}
	}
}

// lock returns the room's cache, locked; the caller unlocks it.
func (e *Engine) lock(id string) *roomRules {
	e.mu.Lock()
	rr := e.rooms[id]
	if rr == nil {
		rr = &roomRules{keys: newCheckKeys(id)}
		e.rooms[id] = rr
	}
	e.mu.Unlock()
	rr.mu.Lock()
	return rr
}

// missed counts the evaluations that did not happen on time since the
// last one (gaps of more than two intervals); a longer gap means the room
// was not ours meanwhile.
func (e *Engine) missed(rr *roomRules, now time.Time) {
	if rr.lastEval.IsZero() {
		return
	}
	gap := now.Sub(rr.lastEval)
	if gap > 2*e.interval && gap < staleAfter {
		e.m.missed.Add(float64(gap/e.interval - 1))
	}
}

// loadState reads the room's rule states, active tier and start time (set
// to now by the first evaluation ever), in one round trip.
func (e *Engine) loadState(ctx context.Context, rr *roomRules, id string, now int64) error {
	st, err := e.store.loadRoomState(ctx, id, now)
	if err != nil {
		return err
	}
	rr.states, rr.tier, rr.start, rr.slots = st.rules, st.tier, st.start, nil
	rr.dirty = map[string]bool{}
	return nil
}

// loadSet compiles the room's current rule set, or takes the one another
// room with the same source already compiled.
func (e *Engine) loadSet(ctx context.Context, rr *roomRules, id string) error {
	cur, err := e.store.Current(ctx, id)
	if err != nil {
		return err
	}
	set := &Compiled{}
	if cur.Source != "" {
		set, err = e.programs.get(cur.Source, func() (*Compiled, error) {
			rs, err := Parse([]byte(cur.Source))
			if err != nil {
				return nil, fmt.Errorf("stored rule set v%d: %w", cur.Version, err)
			}
			c, probs := Compile(rs, e.banned)
			if c == nil {
				return nil, fmt.Errorf("stored rule set v%d: %w", cur.Version, probs)
			}
			return c, nil
		})
		if err != nil {
			return err
		}
	}
	rr.set, rr.version, rr.slots = set, cur.Version, nil
	return nil
}

// saveStates writes the states changed since the last successful save.
func (e *Engine) saveStates(ctx context.Context, id string, rr *roomRules, removed []string) error {
	if len(rr.dirty) == 0 && len(removed) == 0 {
		return nil
	}
	changed := make(map[string]*ruleState, len(rr.dirty))
	for name := range rr.dirty {
		if st := rr.states[name]; st != nil {
			changed[name] = st
		}
	}
	if err := e.store.saveStates(ctx, id, changed, removed); err != nil {
		return unavailable(err)
	}
	clear(rr.dirty)
	return nil
}

func join(errs []error) error { return errors.Join(errs...) }
