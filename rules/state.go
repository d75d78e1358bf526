package rules

import (
	"fmt"
	"strconv"
)

// State is where a rule is in its lifecycle.
type State string

// Rule states, as in Prometheus alerting rules. "Resolved" is the step
// from firing back to inactive; it is reported, not kept.
const (
	Inactive State = "inactive"
	Pending  State = "pending"
	Firing   State = "firing"
)

// ruleState is one rule's persisted state in one room.
type ruleState struct {
	Hash       string `json:"h"`           // definition it was last decided under; an edited rule carries its state over (decide)
	Cues       string `json:"q,omitempty"` // fingerprints of that definition's cue actions, to tell a cue's text changed
	Since      int64  `json:"v,omitempty"` // rule-set version the rule's state began in (added, or re-added after removal): part of every dedupe key
	State      State  `json:"s"`           //
	ActiveAt   int64  `json:"a,omitempty"` // first matching evaluation of this episode (Unix ms)
	ClearedAt  int64  `json:"c,omitempty"` // first evaluation of a firing rule whose condition no longer held
	FiredAt    int64  `json:"f,omitempty"` // when the current firing began
	Fires      int    `json:"n,omitempty"` // firings so far
	ResolvedAt int64  `json:"r,omitempty"` //
	Err        string `json:"e,omitempty"` // last evaluation error, shown to producers
}

// key names the rule's current firing (and action i, if ≥ 0) for dedupe
// keys and cue keys: stable across retries, restarts, instances and
// edits of the rule, and never reused: the firing number only grows while
// the rule stays in the set, and a rule removed and added again starts
// from a later version (Since differs).
func (s *ruleState) key(rule string, i int) string {
	k := fmt.Sprintf("%s@%d#%d", rule, s.Since, s.Fires)
	if i >= 0 {
		k += "." + strconv.Itoa(i)
	}
	return k
}

// gate is what may stop a due rule from firing now.
type gate struct {
	inWindow bool
}

// step advances the state by one evaluation at now. matched is the rule's
// condition; cleared its clear condition (only read when the rule has one).
// It reports a transition into firing and one out of it.
func (s *ruleState) step(r *compiled, now int64, matched, cleared bool, g gate) (fired, resolved bool) {
	if s.State == "" {
		s.State = Inactive
	}
	if s.State == Inactive {
		if !matched {
			return false, false
		}
		s.State, s.ActiveAt = Pending, now
	}
	if s.State == Pending {
		if !matched {
			s.State, s.ActiveAt = Inactive, 0
			return false, false
		}
		if now-s.ActiveAt < r.For.D().Milliseconds() || !s.mayFire(r, now, g) {
			return false, false // pending never acts
		}
		s.State, s.FiredAt, s.ClearedAt = Firing, now, 0
		s.Fires++
		return true, false
	}
	// Firing: hold while the condition (or, with hysteresis, the absence
	// of the clear condition) keeps it, then keep_firing_for longer,
	// measured from the first evaluation that no longer held (as
	// Prometheus does).
	if holds(r, matched, cleared) {
		s.ClearedAt = 0
		return false, false
	}
	if s.ClearedAt == 0 {
		s.ClearedAt = now
	}
	if now-s.ClearedAt < r.KeepFiringFor.D().Milliseconds() {
		return false, false
	}
	s.State, s.ActiveAt, s.ClearedAt, s.ResolvedAt = Inactive, 0, 0, now
	return false, true
}

// holds reports whether a firing rule's conditions keep it firing: its
// condition, or with hysteresis the absence of its clear condition.
func holds(r *compiled, matched, cleared bool) bool {
	if r.clear != nil {
		return !cleared
	}
	return matched
}

// still reports whether step, given conditions c, would leave the state
// as it is at any time: an inactive rule whose condition does not match,
// or a firing one that holds and was not clearing.
func (s *ruleState) still(r *compiled, c *condResult) bool {
	if s.Err != c.err {
		return false
	}
	switch s.State {
	case Inactive:
		return !c.matched
	case Firing:
		return s.ClearedAt == 0 && holds(r, c.matched, c.cleared)
	}
	return false
}

func (s *ruleState) mayFire(r *compiled, now int64, g gate) bool {
	switch {
	case !g.inWindow:
		return false
	case r.MaxFires > 0 && s.Fires >= r.MaxFires:
		return false
	case r.Cooldown > 0 && s.Fires > 0 && now-s.FiredAt < r.Cooldown.D().Milliseconds():
		return false
	}
	return true
}
