package rules

import (
	"context"
	"sort"

	"github.com/livedeck/livedeck"
)

// RuleStatus is one rule's state as producers see it.
type RuleStatus struct {
	Rule     string `json:"rule"`
	State    State  `json:"state"`               // inactive, pending or firing
	ActiveAt int64  `json:"active_at,omitempty"` // pending or firing since (Unix ms)
	FiredAt  int64  `json:"fired_at,omitempty"`  // the last firing began
	Fires    int    `json:"fires"`               // firings of this definition
	Error    string `json:"error,omitempty"`     // the last evaluation's error, e.g. an unknown SKU
}

// States lists the state of every rule of the room's current set, in the
// set's order; a rule not evaluated yet is inactive.
func (s *Service) States(ctx context.Context, room string) ([]RuleStatus, error) {
	cur, err := s.Store.Current(ctx, room)
	if err != nil {
		return nil, err
	}
	states, err := s.Store.loadStates(ctx, room)
	if err != nil {
		return nil, err
	}
	out := []RuleStatus{}
	if cur.Source == "" {
		return out, nil
	}
	rs, err := Parse([]byte(cur.Source))
	if err != nil {
		return nil, err
	}
	for _, r := range rs.Rules {
		st := RuleStatus{Rule: r.Name, State: Inactive}
		if v := states[r.Name]; v != nil {
			st = RuleStatus{Rule: r.Name, State: v.State, ActiveAt: v.ActiveAt, FiredAt: v.FiredAt, Fires: v.Fires, Error: v.Err}
		}
		out = append(out, st)
	}
	return out, nil
}

// Gifts lists a quota's winners in order; with quota "", the winners of
// every quota the room's current rule set names, quota by quota.
func (s *Service) Gifts(ctx context.Context, room, quota string) ([]livedeck.Gift, error) {
	quotas := []string{quota}
	if quota == "" {
		var err error
		if quotas, err = s.quotas(ctx, room); err != nil {
			return nil, err
		}
	}
	out := []livedeck.Gift{}
	for _, q := range quotas {
		gs, err := s.Store.Gifts(ctx, room, q)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
	}
	return out, nil
}

// quotas are the quota names of the room's current rule set, sorted.
func (s *Service) quotas(ctx context.Context, room string) ([]string, error) {
	cur, err := s.Store.Current(ctx, room)
	if err != nil || cur.Source == "" {
		return nil, err
	}
	rs, err := Parse([]byte(cur.Source))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range rs.Rules {
		for _, a := range r.Actions {
			if a.Gift != nil {
				seen[a.Gift.Quota] = true
			}
		}
	}
	out := sortedKeys(seen)
	sort.Strings(out)
	return out, nil
}
