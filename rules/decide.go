package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
)

// One evaluation of a room is decided here, apart from Redis: the rules'
// states, their conditions' results and the room's numbers go in; the
// states move on and the effects to carry out (signals, the tier change,
// webhooks) come out. The engine commits the effects (commit.go); the
// dry-run and the backtester stop at the decision.
//
// A rule keeps its state across edits of its definition: the next
// decision steps the state it had under its new condition, clear, for and
// keep_firing_for. A firing rule whose cue changed sends the new text
// under the cue's key (an update, not a new firing).

// effectKind is what an effect does.
type effectKind uint8

const (
	effSignal  effectKind = iota // write sig once under key: a cue, an alert, a cue's new text, a withdrawal
	effWebhook                   // queue the firing's webhook
	effTier                      // write the tier change under key and make tier the active one (nil: none)
)

// effect is one thing a decision has the engine do.
type effect struct {
	kind effectKind
	rule int    // the rule whose state change it belongs to: a failed write undoes that change; -1: none
	key  string // dedupe key
	what string // for the firings metric: cue, alert, update, withdraw, blocked, tier, webhook
	sig  livedeck.Signal
	tier *livedeck.Tier
	hook *WebhookAction
}

// decision is one evaluation's outcome. Its slices are reused from one
// evaluation of a room to the next.
type decision struct {
	effects   []effect
	tierFx    []effect    // the tier's effects, listed after the rules'
	before    []ruleState // a rule's state before the decision where it moved, to undo a change whose effects failed
	moved     []bool      // the rules whose state the decision changed
	fired     []bool      // the rules that fired
	tier      *livedeck.Tier
	evaluated int // enabled rules stepped
	resolved  int // rules that stopped firing
	blocked   int // cues held back: their product sold out (a blocked tier is an effect)
	held      int // cues of tiers that are not the one in effect

	// What each rule's state said of its next step at the end of the
	// last decision on the same states (quietFor is the first of them),
	// so that most rules are decided without reading their state.
	quiet    []stillness
	quietFor *ruleState
	since    []int64 // a pending rule's ActiveAt, with stillPending
}

// stillness is what a state says of its next step.
type stillness uint8

const (
	unknown       stillness = iota // read the state
	stillInactive                  // inactive, no error, the rule's current definition: stays so while its condition does not match
	stillFiring                    // firing, not clearing, no error, the current definition: stays so while it holds
	stillPending                   // pending since since[i], no error, the current definition: stays so while it matches and its for has not passed
)

// stillnessOf is st's stillness; st holds its rule's current definition.
func stillnessOf(st *ruleState) stillness {
	switch {
	case st.Err != "":
		return unknown
	case st.State == Inactive:
		return stillInactive
	case st.State == Firing && st.ClearedAt == 0:
		return stillFiring
	case st.State == Pending:
		return stillPending
	}
	return unknown
}

// quietStill reports whether rule i stays as it is at now with conditions
// c, known without reading its state: step would change nothing.
func (d *decision) quietStill(i int, r *compiled, c *condResult, now int64) bool {
	switch d.quiet[i] {
	case stillInactive:
		return c.err == "" && !c.matched
	case stillFiring:
		return c.err == "" && holds(r, c.matched, c.cleared)
	case stillPending: // as step: pending never acts before its for has passed
		return c.err == "" && c.matched && now-d.since[i] < r.For.D().Milliseconds()
	}
	return false
}

// decideInput is what a decision reads.
type decideInput struct {
	room     string
	rules    []*compiled
	states   []*ruleState                 // in the order of rules; the decision moves them on in place
	conds    []condResult                 // each rule's when and clear as of now
	env      *Env                         // the numbers now, for texts
	skus     map[string]livedeck.SKUStats // the products' numbers now, for stock (the map, not &u.Snapshot: that moves each update to the heap)
	now      int64                        // Unix ms
	version  int64                        // the rule-set version in use: keys the writes an edit causes
	tier     *livedeck.Tier               // in effect before
	products []livedeck.Product           // the line-up, for guardrails
	loc      *time.Location               // for active windows
	full     bool                         // read and step every rule's state (tests compare with it)
}

// decide steps every rule's state and lists what the step causes. Only
// the resulting tier's cue goes to the host: a tier rule that fires while
// a higher tier wins (or is blocked) keeps its cue back, and the cue of
// the tier that was in effect is withdrawn when another takes over.
func decide(in *decideInput, d *decision) {
	n := len(in.rules)
	d.effects = d.effects[:0]
	d.before = resized(d.before, n)
	d.fired = resized(d.fired, n)
	d.moved = resized(d.moved, n)
	d.evaluated, d.resolved, d.blocked, d.held = 0, 0, 0, 0
	if in.full || n == 0 || len(d.quiet) != n || d.quietFor != in.states[0] { // other states: read them all
		d.quiet, d.quietFor, d.since = resized(d.quiet, n), nil, resized(d.since, n)
		clear(d.quiet)
		if !in.full && n > 0 {
			d.quietFor = in.states[0]
		}
	}
	winner := -1
	for i, r := range in.rules {
		d.fired[i], d.moved[i] = false, false
		if !r.On() {
			st := in.states[i]
			old := *st
			st.State, st.ActiveAt, st.ClearedAt = Inactive, 0, 0
			if d.moved[i] = *st != old; d.moved[i] {
				d.before[i] = old
			}
			continue
		}
		d.evaluated++
		c := &in.conds[i]
		firing := d.quiet[i] == stillFiring
		if !d.quietStill(i, r, c, in.now) { // most rules, most evaluations, are still
			d.quiet[i] = unknown
			st := in.states[i]
			if in.full || !st.still(r, c) {
				d.step(in, i, c)
			}
			firing = st.State == Firing
		}
		if firing && r.tier != nil && (winner < 0 || r.Priority > in.rules[winner].Priority) {
			winner = i
		}
	}
	d.tierFx = d.tierFx[:0]
	shown := d.decideTier(in, winner)
	for i, r := range in.rules {
		if d.quiet[i] != unknown {
			continue // still, as the last decision left it
		}
		st := in.states[i]
		if !d.fired[i] && st.Hash == r.hash && st.Cues == r.cueSig {
			d.settle(in, i)
			continue // most rules, most evaluations: nothing fired, nothing edited
		}
		if !d.moved[i] { // about to take the new definition
			d.before[i], d.moved[i] = *st, true
		}
		cues := r.tier == nil || (i == winner && shown)
		switch {
		case d.fired[i]:
			d.fire(in, i, cues)
		case d.before[i].Hash != r.hash && st.State == Firing && d.before[i].State == Firing && cues:
			d.updateCues(in, i)
		}
		if st.Hash != r.hash || st.Cues != r.cueSig { // edited, or saved before cue fingerprints were kept
			st.Hash, st.Cues = r.hash, r.cueSig
		}
		d.settle(in, i)
	}
	d.effects = append(d.effects, d.tierFx...) // the tier change and withdrawals after the cues
}

// settle notes rule i's stillness for the next decision; its state holds
// the rule's current definition.
func (d *decision) settle(in *decideInput, i int) {
	if d.quietFor != nil && in.rules[i].On() {
		st := in.states[i]
		d.quiet[i], d.since[i] = stillnessOf(st), st.ActiveAt
	}
}

// step moves rule i's state on by this evaluation, its conditions c.
func (d *decision) step(in *decideInput, i int, c *condResult) {
	r, st := in.rules[i], in.states[i]
	old := *st // on the stack: most states do not move
	st.Err = c.err
	inWindow := r.window == nil || r.window.contains(time.UnixMilli(in.now), in.loc)
	fired, resolved := st.step(r, in.now, c.matched, c.cleared, gate{inWindow: inWindow})
	d.fired[i] = fired
	if resolved {
		d.resolved++
	}
	if d.moved[i] = *st != old; d.moved[i] {
		d.before[i] = old
	}
}

// was is rule i's state before the decision; st is its state now.
func (d *decision) was(i int, st *ruleState) ruleState {
	if d.moved[i] {
		return d.before[i]
	}
	return *st
}

// resized returns s with length n, reusing its array.
func resized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// fire lists a firing's cues, alerts and webhooks; cues only if show.
func (d *decision) fire(in *decideInput, i int, show bool) {
	r, st := in.rules[i], in.states[i]
	for j, a := range r.Actions {
		key := st.key(r.Name, j)
		sig := livedeck.Signal{Room: in.room, Rule: r.Name, At: in.now}
		switch {
		case a.Cue != nil && !show:
			d.held++
			continue
		case a.Cue != nil:
			sku, ok := r.cueSKU(j, in.env)
			if !ok || soldOut(in.skus, sku) {
				d.blocked++
				continue // no cue for a product with nothing left to sell, or oversold
			}
			sig.Kind = livedeck.SignalCue
			sig.Cue = cueOf(r, j, key, *in.env)
			sig.Cue.SKU = sku
		case a.Alert != nil:
			sig.Kind = livedeck.SignalAlert
			sig.Alert = alertOf(r, j, key, *in.env, in.products)
		case a.Webhook != nil:
			// At least once: a retried firing queues it again under the
			// same Idempotency-Key, which the receiver dedupes.
			d.effects = append(d.effects, effect{kind: effWebhook, rule: i, key: key, what: "webhook", sig: sig, hook: a.Webhook})
			continue
		default:
			continue // tiers are settled after all rules; gifts per order
		}
		d.effects = append(d.effects, effect{kind: effSignal, rule: i, key: "s:" + key, what: sig.Kind, sig: sig})
	}
}

// cueOf is rule r's cue action j as the host sees it now.
func cueOf(r *compiled, j int, key string, env Env) *livedeck.Cue {
	a := r.Actions[j].Cue
	return &livedeck.Cue{Key: key, Text: render(r.texts[j], env, a.Text), Priority: max(a.Priority, r.Priority),
		TTLms: a.TTL.D().Milliseconds(), NeedsAck: a.NeedsAck, SKU: a.SKU, Kind: a.Kind}
}

// updateCues lists new texts for the cues of a firing rule whose cue
// actions were edited: the same key, the time to live that is left, once
// per version. A cue whose time ran out is no longer shown and gets none.
func (d *decision) updateCues(in *decideInput, i int) {
	r, st := in.rules[i], in.states[i]
	old := splitSums(d.before[i].Cues)
	if old == nil {
		return // a state saved before cue fingerprints were kept: nothing to compare
	}
	for j, a := range r.Actions {
		if a.Cue == nil || (j < len(old) && old[j] == fingerprintAt(r.cueSig, j)) {
			continue
		}
		left := liveFor(a.Cue, st.FiredAt, in.now)
		if left < 0 {
			continue
		}
		key := st.key(r.Name, j)
		cue := cueOf(r, j, key, *in.env)
		cue.TTLms, cue.Update = left, true
		if sku, ok := r.cueSKU(j, in.env); ok {
			cue.SKU = sku
		}
		sig := livedeck.Signal{Kind: livedeck.SignalCue, Room: in.room, Rule: r.Name, At: in.now, Cue: cue}
		d.effects = append(d.effects, effect{kind: effSignal, rule: i, key: "u:" + key + "~v" + strconv.FormatInt(in.version, 10), what: "update", sig: sig})
	}
}

// liveFor is how long a cue that fired at firedAt is still shown at now:
// 0 without a time to live (until acknowledged), -1 once it ran out.
func liveFor(c *CueAction, firedAt, now int64) int64 {
	ttl := c.TTL.D().Milliseconds()
	if ttl == 0 {
		return 0
	}
	if left := firedAt + ttl - now; left > 0 {
		return left
	}
	return -1
}

// decideTier settles which tier is in effect: the highest-priority firing
// tier rule's (winner, -1 for none), unless a guardrail or the stock
// blocks it, in which case the tier in effect stays and operators get an
// alert once per firing. It lists the tier change and the withdrawal of
// the cues of the tier it replaces, and reports whether the winner's tier
// is the one in effect.
func (d *decision) decideTier(in *decideInput, winner int) bool {
	d.tier = in.tier
	var want *livedeck.Tier
	if winner >= 0 {
		want = in.rules[winner].tier
	}
	if sameTier(in.tier, want) {
		return winner >= 0
	}
	if want != nil {
		copied := *want // the compiled set's is shared by rooms
		want = &copied
	}
	if winner >= 0 {
		if msg := blockedTier(in, in.rules[winner], want); msg != "" {
			r := in.rules[winner]
			key := "g:" + in.states[winner].key(r.Name, -1)
			d.tierFx = append(d.tierFx, effect{kind: effSignal, rule: winner, key: key, what: "blocked",
				sig: livedeck.Signal{Kind: livedeck.SignalAlert, Room: in.room, Rule: r.Name, At: in.now,
					Alert: &livedeck.Alert{Key: key, Severity: "critical", Message: msg}}})
			return false
		}
	}
	// The dedupe key names the transition by both rules' firings, so a
	// replay writes it once and a later, similar change is new; an edit of
	// the firing tier's own definition is keyed by the version.
	prev, from := tierRule(in)
	to, owner := "none", prev
	sig := livedeck.Signal{Kind: livedeck.SignalTier, Room: in.room, At: in.now, Tier: &livedeck.Tier{}}
	if winner >= 0 {
		to, owner = in.states[winner].key(in.rules[winner].Name, -1), winner
		sig.Rule, sig.Tier = in.rules[winner].Name, want
	}
	key := "t:" + from + ">" + to
	if from == to {
		key += "~v" + strconv.FormatInt(in.version, 10)
	}
	if prev >= 0 && prev != winner {
		d.withdraw(in, prev, owner, winner)
	}
	d.tierFx = append(d.tierFx, effect{kind: effTier, rule: owner, key: key, what: livedeck.SignalTier, sig: sig, tier: want})
	d.tier = want
	return winner >= 0
}

// withdraw lists the withdrawal of the cues the firing of rule prev (the
// tier that was in effect) sent, where they may still be shown.
func (d *decision) withdraw(in *decideInput, prev, owner, winner int) {
	r, w := in.rules[prev], d.was(prev, in.states[prev])
	was := &w
	by, reason := "", "ended"
	if winner >= 0 {
		by, reason = in.rules[winner].Name, "superseded"
	}
	for j, a := range r.Actions {
		if a.Cue == nil || was.Fires == 0 || liveFor(a.Cue, was.FiredAt, in.now) < 0 {
			continue
		}
		key := was.key(r.Name, j)
		d.tierFx = append(d.tierFx, effect{kind: effSignal, rule: owner, key: "w:" + key, what: livedeck.SignalWithdraw,
			sig: livedeck.Signal{Kind: livedeck.SignalWithdraw, Room: in.room, Rule: r.Name, At: in.now,
				Withdraw: &livedeck.Withdraw{Key: key, Reason: reason, By: by}}})
	}
}

// blockedTier says why a tier may not take effect now, "" if it may: a
// guardrail of the line-up as it is now (prices change mid-show), or its
// product sold out.
func blockedTier(in *decideInput, r *compiled, want *livedeck.Tier) string {
	if probs := guardTier(r.Name, r.tierAction(), in.products); len(probs) > 0 {
		return "tier blocked by guardrail: " + probs[0].Message
	}
	if soldOut(in.skus, want.SKU) {
		return fmt.Sprintf("tier %s blocked: %s is sold out", want.Name, want.SKU)
	}
	return ""
}

// tierRule finds the firing whose tier is in effect: the index of the
// rule that sets a tier of that name (-1 if none) and its firing's key,
// "none" when no tier is in effect.
func tierRule(in *decideInput) (int, string) {
	if in.tier == nil {
		return -1, "none"
	}
	for i, r := range in.rules {
		if r.tier != nil && r.tier.Name == in.tier.Name {
			return i, in.states[i].key(r.Name, -1)
		}
	}
	return -1, in.tier.Name
}

// splitSums splits a state's cue fingerprints; nil if it has none.
func splitSums(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// fingerprintAt is action j's fingerprint in a rule's cue signature.
func fingerprintAt(sig string, j int) string {
	if sums := splitSums(sig); j < len(sums) {
		return sums[j]
	}
	return ""
}
