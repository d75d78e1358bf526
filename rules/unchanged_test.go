package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// An evaluation does not run a condition again when none of the numbers it
// reads changed since the room's last evaluation; it takes the last
// result. These tests run the same updates through an engine that does
// that and one that runs every condition every time, and want the same
// states and signals after every evaluation.

// TestStateCasesSameWhenConditionsSkipped runs every state machine case
// (many repeat the same numbers while time moves on: for, cooldown,
// keep_firing_for, active windows) through both engines, without restarts,
// so the cached results carry over.
func TestStateCasesSameWhenConditionsSkipped(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	skipped := 0
	for i, tc := range loadStateCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			cached, every := newTestService(rdb), newTestService(rdb)
			every.Engine.rerun = true
			rooms := [2]string{fmt.Sprintf("sc%d", i), fmt.Sprintf("se%d", i)}
			for j, svc := range []*Service{cached, every} {
				if _, _, err := svc.Put(ctx, rooms[j], tc.source(t), "test", ""); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for k, u := range tc.updates(t, rooms[0]) {
				outcome := sameOutcome(t, rdb, [2]*Service{cached, every}, rooms, u, k)
				got = append(got, outcome)
			}
			checkTicks(t, tc, got)
			skipped += len(tc.Ticks) - condRuns(cached, rooms[0])
		})
	}
	if skipped == 0 {
		t.Error("no evaluation took a condition's last result: the cases test nothing")
	}
}

// TestRandomShowSameWhenConditionsSkipped: a pseudo-random show over a rule
// set that uses every kind of timer, a tier, products, sources and the
// show minute; most evaluations repeat some or all of the last numbers.
func TestRandomShowSameWhenConditionsSkipped(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	cached, every := newTestService(rdb), newTestService(rdb)
	every.Engine.rerun = true
	rooms := [2]string{"rc", "re"}
	src := `rules:
- {name: crowd, when: online >= 500, for: 2s, actions: [{cue: {text: '在线{{.Online}}'}}]}
- {name: tier-a, when: online >= 300, clear: online < 250, keep_firing_for: 3s, priority: 1, actions: [{tier: {name: a}}]}
- {name: tier-b, when: online >= 800 && gmv_per_min > 100, priority: 2, actions: [{tier: {name: b}}, {cue: {text: 'b {{.GMVPerMin}}'}}]}
- {name: tiered, when: 'tier == "b"', actions: [{alert: {severity: info, message: 'tier b at {{.Online}}'}}]}
- {name: intent, when: intent_per_min >= 20, cooldown: 5s, actions: [{cue: {text: '上链接 {{.IntentPerMin}}'}}]}
- {name: capped, when: likes_per_min > 50, max_fires: 2, actions: [{alert: {severity: info, message: likes}}]}
- {name: window, when: online >= 100, active: "20:00-20:01", for: 1s, actions: [{cue: {text: window}}]}
- {name: segment, when: minute >= 1 && online > 0, actions: [{cue: {text: 'minute {{.Minute}}'}}]}
- {name: low-stock, when: 'any(sku_list, {.stock > 0 && .stock <= 3})', cooldown: 2s, actions: [{cue: {text: last}}]}
- {name: sku-a, when: 'skus["A"].ctr < 0.03', for: 1s, actions: [{cue: {text: ctr}}]}
- {name: stalled, when: 'sources["connector"].age_seconds > 5', actions: [{alert: {severity: warning, message: stalled}}]}
- {name: off, enabled: false, when: online >= 0, actions: [{cue: {text: never}}]}
- {name: gifts, when: online >= 500, actions: [{gift: {quota: q, limit: 3}}]}
`
	for j, svc := range []*Service{cached, every} {
		if _, _, err := svc.Put(context.Background(), rooms[j], []byte(src), "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(vs ...int64) int64 { return vs[rng.IntN(len(vs))] }
	snap := livedeck.Snapshot{SKUs: map[string]livedeck.SKUStats{}}
	at := int64(0)
	order := 0
	for k := range 300 {
		at += pick(100, 100, 100, 500, 1000, 3000) // ms: ticks, and gaps that pass for, cooldowns and holds
		next := snap
		next.SKUs = map[string]livedeck.SKUStats{"B": {Stock: pick(0, 2, 3, 9)}}
		if rng.IntN(5) != 0 { // without A, sku-a's condition fails: its state shows the error
			next.SKUs["A"] = livedeck.SKUStats{CTR: float64(pick(1, 2, 4)) / 100, Stock: 10}
		}
		if rng.IntN(3) == 0 {
			next.SKUs["C"] = livedeck.SKUStats{Stock: 1}
		}
		next.Sources = map[string]livedeck.SourceStats{"connector": {AgeSeconds: float64(pick(1, 1, 6))}}
		switch rng.IntN(10) {
		case 0, 1, 2, 3: // the same numbers again
			next = snap
		case 4, 5:
			next.Online = pick(100, 260, 320, 520, 900)
		case 6:
			next.GMVPerMin = pick(50, 150)
		case 7:
			next.IntentPerMin = float64(pick(5, 25))
		case 8:
			next.LikesPerMin = float64(pick(10, 60))
		}
		u := livedeck.Update{Room: rooms[0], Now: caseStart + at, Snapshot: next}
		if rng.IntN(8) == 0 {
			order++
			u.Orders = []livedeck.OrderChange{{OrderID: fmt.Sprintf("o%d", order), SKU: "A", From: livedeck.OrderCreated, To: livedeck.OrderPaid}}
		}
		sameOutcome(t, rdb, [2]*Service{cached, every}, rooms, u, k)
		snap = next
	}
	total := 300 * 12 // evaluations × enabled rules
	if runs := condRuns(cached, rooms[0]); runs >= total || runs == 0 {
		t.Errorf("%d of %d condition runs: want some, not all", runs, total)
	}
}

// sameOutcome evaluates u in rooms[0] on the first engine and in rooms[1]
// on the second, and fails unless both rooms have the same rule states,
// signals and tier afterwards. It returns the first room's outcome in the
// notation of the state machine cases, for the rule named "r".
func sameOutcome(t *testing.T, rdb redis.UniversalClient, svcs [2]*Service, rooms [2]string, u livedeck.Update, tick int) string {
	t.Helper()
	ctx := context.Background()
	var states, signals [2]string
	var before int
	for j, svc := range svcs {
		h, _ := svc.Store.History(ctx, rooms[j], 10000)
		before = len(h)
		u.Room = rooms[j]
		if err := svc.Engine.evaluate(ctx, u); err != nil {
			t.Fatalf("tick %d: %v", tick, err)
		}
		states[j], signals[j] = roomOutcome(t, rdb, svc, rooms[j])
	}
	if states[0] != states[1] {
		t.Fatalf("tick %d: states differ\n skipping: %s\n running:  %s", tick, states[0], states[1])
	}
	if signals[0] != signals[1] {
		t.Fatalf("tick %d: signals differ\n skipping: %s\n running:  %s", tick, signals[0], signals[1])
	}
	st, _ := svcs[0].Store.loadStates(ctx, rooms[0])
	h, _ := svcs[0].Store.History(ctx, rooms[0], 10000)
	r := st["r"]
	if r == nil {
		return string(Inactive)
	}
	resolved := r.ResolvedAt == u.Now
	return observed(r.State, len(h) > before, resolved)
}

// roomOutcome is a room's rule states and signals (newest first, without
// stream ids and room) as text.
func roomOutcome(t *testing.T, rdb redis.UniversalClient, svc *Service, room string) (states, signals string) {
	t.Helper()
	ctx := context.Background()
	st, err := svc.Store.loadStates(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(st))
	for name := range st {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, _ := json.Marshal(st[name])
		states += name + "=" + string(b) + " "
	}
	h, err := svc.Store.History(ctx, room, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range h {
		sig.ID, sig.Room = "", ""
		b, _ := json.Marshal(sig)
		signals += string(b) + "\n"
	}
	tier, err := svc.Store.Tier(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	if tier != nil {
		signals += "tier " + tier.Name
	}
	return states, signals
}

// condRuns is how many conditions the engine ran in room.
func condRuns(svc *Service, room string) int {
	rr := svc.Engine.lock(room)
	defer rr.mu.Unlock()
	return rr.condRuns
}
