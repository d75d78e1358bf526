package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"text/template"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Service is what the HTTP API uses: validate, save, roll back, dry-run.
type Service struct {
	Store   *Store
	Engine  *Engine
	Secrets *Secrets // the named secrets webhooks sign with
	rdb     redis.UniversalClient
	banned  []string
	// resolver looks webhook hosts up at validation; the address policy
	// is checked again on every dial.
	resolver *net.Resolver
}

// NewService wires a store and engine on rdb.
func NewService(rdb redis.UniversalClient, cfg EngineConfig, m *Metrics) *Service {
	store := NewStore(rdb)
	e := NewEngine(cfg, store, rdb, m, nil)
	return &Service{Store: store, Engine: e, Secrets: NewSecrets(rdb), rdb: rdb, banned: e.banned, resolver: net.DefaultResolver}
}

// Check parses (YAML or JSON, detected) and compiles src. A parse or
// compile error is EINVALID with every problem listed; warnings come back
// with a nil error.
func (s *Service) Check(src []byte) (*Compiled, Problems, error) { return s.CheckAs(src, "") }

// CheckAs is Check for a given format: "json", "yaml", or "" to detect.
func (s *Service) CheckAs(src []byte, format string) (*Compiled, Problems, error) {
	rs, err := ParseAs(src, format)
	if err != nil {
		return nil, nil, livedeck.Errorf(livedeck.EINVALID, "rules", "%v", err)
	}
	c, probs := Compile(rs, s.banned)
	if c == nil {
		return nil, probs, &InvalidError{Problems: probs}
	}
	return c, probs, nil
}

// Validate is CheckAs plus what needs the world outside the source: each
// webhook's secret must name a secret an admin created, and its URL must
// not reach an internal address the operator has not allowed.
func (s *Service) Validate(ctx context.Context, src []byte, format string) (*Compiled, Problems, error) {
	c, probs, err := s.CheckAs(src, format)
	if err != nil {
		return c, probs, err
	}
	hprobs, err := s.checkHooks(ctx, c)
	if err != nil {
		return nil, probs, err
	}
	probs = append(probs, hprobs...)
	if len(hprobs.Errors()) > 0 {
		return nil, probs, &InvalidError{Problems: probs}
	}
	return c, probs, nil
}

// InvalidError is a rule set refused for its problems.
type InvalidError struct{ Problems Problems }

func (e *InvalidError) Error() string { return "invalid rule set: " + e.Problems.Error() }

// Change says who changes a room's rules and how.
type Change struct {
	Author string
	Note   string
	Format string // "json", "yaml", or "" to detect
	// Base, when set, is the version the change was made against: the
	// save is refused with ECONFLICT if another change came first.
	Base *int64
}

// Put validates and saves a new version; the running set stays when it
// does not validate.
func (s *Service) Put(ctx context.Context, room string, src []byte, author, note string) (Version, Problems, error) {
	return s.Save(ctx, room, src, Change{Author: author, Note: note})
}

// Save validates src and saves it as the room's new version, with a diff
// against the running one. A set that does not validate, or that breaks a
// product's price guardrails, is refused and the running one stays. The
// engine on this instance uses the new set from its next evaluation,
// every other instance within a second.
func (s *Service) Save(ctx context.Context, room string, src []byte, ch Change) (Version, Problems, error) {
	c, probs, err := s.Validate(ctx, src, ch.Format)
	if err != nil {
		return Version{}, probs, err
	}
	products, err := s.Store.products(ctx, room)
	if err != nil {
		return Version{}, probs, err
	}
	if guard := GuardSet(c, products); len(guard) > 0 {
		return Version{}, append(probs, guard...), &InvalidError{Problems: guard}
	}
	probs = append(probs, unknownSKUs(c, products)...)
	old, err := s.Store.Current(ctx, room)
	if err != nil {
		return Version{}, probs, err
	}
	expect := int64(-1)
	if ch.Base != nil {
		expect = *ch.Base
	}
	v := Version{Author: ch.Author, At: time.Now().UnixMilli(), Source: string(src), Diff: diff(old.Source, c), Note: ch.Note}
	if v.Version, err = s.Store.Save(ctx, room, v, expect); err != nil {
		return Version{}, probs, err
	}
	s.Engine.reload(room)
	return v, probs, nil
}

// Rollback saves an earlier version's source as a new version, checked
// like any change (a line-up changed since may refuse it).
func (s *Service) Rollback(ctx context.Context, room string, version int64, author string) (Version, error) {
	vs, err := s.Store.Versions(ctx, room)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if v.Version == version {
			nv, _, err := s.Put(ctx, room, []byte(v.Source), author, fmt.Sprintf("rollback to v%d", version))
			return nv, err
		}
	}
	return Version{}, livedeck.Errorf(livedeck.ENOTFOUND, "version", "room %s has no rules version %d", room, version)
}

// DryRun is how a candidate rule would behave against the room's current
// numbers and rule states, with no side effects.
type DryRun struct {
	Rule      string   `json:"rule"`
	Matched   bool     `json:"matched"`
	WouldFire bool     `json:"would_fire"` // matched, no `for` to wait out, inside its active window
	Error     string   `json:"error,omitempty"`
	Actions   []string `json:"actions"`
	// State is the rule's state now (a rule new to the set: inactive);
	// Change what saving the candidate would do to it at the next
	// evaluation: one of the Change* phrases.
	State   State  `json:"state"`
	Change  string `json:"change"`
	New     bool   `json:"new,omitempty"`     // not in the running set
	Removed bool   `json:"removed,omitempty"` // in the running set, not in the candidate
}

// What a change to the rules does to a rule's state (DryRun.Change).
const (
	ChangeFiresNow      = "fires now"
	ChangeClearsNow     = "clears now"
	ChangeStaysFiring   = "stays firing"
	ChangeCueUpdated    = "stays firing, cue text updated"
	ChangeHeld          = "stays firing until keep_firing_for ends"
	ChangeStartsPending = "starts pending"
	ChangeStaysPending  = "stays pending"
	ChangeStopsPending  = "stops pending"
	ChangeStaysInactive = "stays inactive"
	ChangeRemoved       = "removed"
)

// DryRun evaluates src against the room's current snapshot, tier and rule
// states, with no side effects: nothing is written, no state moves.
func (s *Service) DryRun(ctx context.Context, room string, src []byte) ([]DryRun, Problems, error) {
	return s.DryRunAs(ctx, room, src, "")
}

// DryRunAs is DryRun for a given format: "json", "yaml", or "" to detect.
// Each rule is decided as the engine would at its next evaluation after a
// save: from the state it has now, under its new definition.
func (s *Service) DryRunAs(ctx context.Context, room string, src []byte, format string) ([]DryRun, Problems, error) {
	c, probs, err := s.Validate(ctx, src, format)
	if err != nil {
		return nil, probs, err
	}
	var snap livedeck.Snapshot
	b, err := s.rdb.Get(ctx, redisx.Room(room).Snapshot()).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, probs, unavailable(err)
	}
	_ = json.Unmarshal(b, &snap)
	tier, err := s.Store.Tier(ctx, room)
	if err != nil {
		return nil, probs, err
	}
	states, err := s.Store.loadStates(ctx, room)
	if err != nil {
		return nil, probs, err
	}
	cur, err := s.Store.Current(ctx, room)
	if err != nil {
		return nil, probs, err
	}
	products, err := s.Store.products(ctx, room)
	if err != nil {
		return nil, probs, err
	}
	env := NewEnv(&snap, tierName(tier))
	now := time.Now()
	in := decideInput{room: room, rules: c.rules, conds: make([]condResult, len(c.rules)), env: &env, skus: snap.SKUs,
		now: now.UnixMilli(), version: cur.Version + 1, tier: tier, products: products, loc: s.Engine.loc}
	for i, r := range c.rules {
		st := ruleState{Hash: r.hash, Cues: r.cueSig, State: Inactive, Since: cur.Version + 1}
		if have := states[r.Name]; have != nil {
			st = *have
		}
		in.states = append(in.states, &st)
		if r.On() {
			in.conds[i].conditions(r, &env, allFields, true)
		}
	}
	var d decision
	decide(&in, &d)
	updated := map[int]bool{}
	for _, f := range d.effects {
		if f.sig.Cue != nil && f.sig.Cue.Update {
			updated[f.rule] = true
		}
	}
	out := make([]DryRun, 0, len(c.rules))
	for i, r := range c.rules {
		cond := in.conds[i]
		m := cond.matched && r.On()
		dr := DryRun{Rule: r.Name, Matched: m, WouldFire: m && r.For == 0 && r.window.contains(now, s.Engine.loc), Error: cond.err,
			State: d.was(i, in.states[i]).State, Change: change(d.was(i, in.states[i]), *in.states[i], d.fired[i], updated[i]), New: states[r.Name] == nil}
		for j, a := range r.Actions {
			dr.Actions = append(dr.Actions, describe(a, r.texts[j], env))
		}
		out = append(out, dr)
	}
	for _, name := range sortedKeys(states) {
		if c.rule(name) == nil {
			ch := ChangeRemoved
			if states[name].State == Firing {
				ch += ", " + ChangeClearsNow
			}
			out = append(out, DryRun{Rule: name, State: states[name].State, Change: ch, Removed: true, Actions: []string{}})
		}
	}
	return out, probs, nil
}

// change says what one decision did to a rule's state.
func change(before, after ruleState, fired, cueUpdated bool) string {
	if before.State == "" {
		before.State = Inactive
	}
	switch {
	case fired:
		return ChangeFiresNow
	case before.State == Firing && after.State != Firing:
		return ChangeClearsNow
	case after.State == Firing && cueUpdated:
		return ChangeCueUpdated
	case after.State == Firing && after.ClearedAt != 0:
		return ChangeHeld
	case after.State == Firing:
		return ChangeStaysFiring
	case after.State == Pending && before.State == Pending:
		return ChangeStaysPending
	case after.State == Pending:
		return ChangeStartsPending
	case before.State == Pending:
		return ChangeStopsPending
	}
	return ChangeStaysInactive
}

func describe(a Action, t *template.Template, env Env) string {
	switch {
	case a.Tier != nil:
		return "tier " + a.Tier.Name + " " + a.Tier.Coupon
	case a.Cue != nil:
		return "cue: " + render(t, env, a.Cue.Text)
	case a.Alert != nil:
		return "alert (" + a.Alert.Severity + "): " + render(t, env, a.Alert.Message)
	case a.Gift != nil:
		return fmt.Sprintf("gift %s to the first %d paid orders", a.Gift.Quota, a.Gift.Limit)
	case a.Webhook != nil:
		return "webhook " + a.Webhook.URL
	}
	return ""
}

// diff summarises what a new rule set changes against the old source:
// "+ name" for a new rule, "- name" for a removed one, and "~ name: when,
// cooldown" naming the changed fields of a changed one.
func diff(oldSrc string, c *Compiled) []string {
	old := map[string]map[string]string{}
	if oldSrc != "" {
		if rs, err := Parse([]byte(oldSrc)); err == nil {
			for _, r := range rs.Rules {
				old[r.Name] = fields(r)
			}
		}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, r := range c.Set.Rules {
		seen[r.Name] = true
		prev, ok := old[r.Name]
		if !ok {
			out = append(out, "+ "+r.Name)
			continue
		}
		var changed []string
		cur := fields(r)
		for _, f := range sortedKeys(union(prev, cur)) {
			if prev[f] != cur[f] {
				changed = append(changed, f)
			}
		}
		if len(changed) > 0 {
			out = append(out, "~ "+r.Name+": "+strings.Join(changed, ", "))
		}
	}
	for _, r := range sortedKeys(old) {
		if !seen[r] {
			out = append(out, "- "+r)
		}
	}
	return out
}

// fields is a rule's fields by JSON name, each as its JSON text.
func fields(r Rule) map[string]string {
	b, _ := json.Marshal(r)
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = string(v)
	}
	return out
}
