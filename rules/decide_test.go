package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
)

// decideOnce compiles src and decides one evaluation at now (ms) with
// online viewers, from the given states (by rule name; missing: new) and
// the tier in effect. It returns the states after, the effects as text,
// and the tier in effect after.
func decideOnce(t *testing.T, src string, states map[string]ruleState, tier *livedeck.Tier, now, online int64) (map[string]ruleState, []string, *livedeck.Tier) {
	t.Helper()
	rs, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, probs := Compile(rs, nil)
	if c == nil {
		t.Fatal(probs)
	}
	snap := livedeck.Snapshot{Online: online}
	env := NewEnv(&snap, tierName(tier))
	in := decideInput{room: "r", rules: c.rules, conds: make([]condResult, len(c.rules)), env: &env, skus: snap.SKUs,
		now: now, version: 2, tier: tier, loc: utc}
	for i, r := range c.rules {
		st, ok := states[r.Name]
		if !ok {
			st = ruleState{Hash: r.hash, Cues: r.cueSig, State: Inactive, Since: 2}
		}
		in.states = append(in.states, &st)
		in.conds[i].conditions(r, &env, allFields, true)
	}
	var d decision
	decide(&in, &d)
	out := map[string]ruleState{}
	for i, r := range c.rules {
		out[r.Name] = *in.states[i]
	}
	return out, effectsText(d.effects), d.tier
}

// effectsText is each effect as "key what text".
func effectsText(fx []effect) []string {
	var out []string
	for _, f := range fx {
		s := f.key + " " + f.what
		switch {
		case f.sig.Cue != nil:
			s += fmt.Sprintf(" %q ttl=%d", f.sig.Cue.Text, f.sig.Cue.TTLms)
		case f.sig.Withdraw != nil:
			s += " " + f.sig.Withdraw.Key + " " + f.sig.Withdraw.Reason
		case f.kind == effTier && f.tier != nil:
			s += " " + f.tier.Name + " " + f.tier.Coupon
		case f.kind == effTier:
			s += " none"
		}
		out = append(out, s)
	}
	return out
}

const tier500 = `rules:
- name: tier-500
  when: online >= %d
  clear: %s
  keep_firing_for: 60s
  actions:
  - tier: {name: tier-500, coupon: %s, threshold: 19900, discount: 2000}
  - cue: {text: '%s{{.Online}}', ttl: 30s}
`

// firingTier500 is tier-500's state as v1 left it: fired at 0 s, the cue
// 在线{{.Online}} and coupon 满199减20.
func firingTier500(t *testing.T) (map[string]ruleState, *livedeck.Tier) {
	t.Helper()
	states, fx, tier := decideOnce(t, fmt.Sprintf(tier500, 500, "online < 450", "满199减20", "在线"), nil, nil, 0, 510)
	if len(fx) != 2 || tier == nil {
		t.Fatalf("v1 at 510: effects %v, tier %v; want the cue and the tier", fx, tier)
	}
	return states, tier
}

// TestDecideEdits: an edited rule is stepped from the state it had, under
// its new definition; the table is the edit, when it is decided, and what
// the decision does.
func TestDecideEdits(t *testing.T) {
	for _, tc := range []struct {
		name     string
		when     int64
		clear    string
		coupon   string
		text     string
		at       int64 // ms after the firing
		online   int64
		state    State
		fires    int
		effects  string
		tierName string
	}{
		{"threshold above the numbers, clear below them: stays firing", 520, "online < 450", "满199减20", "在线", 5000, 510, Firing, 1, "", "tier-500"},
		{"clear now true: held by keep_firing_for", 520, "online < 520", "满199减20", "在线", 5000, 510, Firing, 1, "", "tier-500"},
		{"text only: the cue's new text under its key, time left", 500, "online < 450", "满199减20", "在线人数", 5000, 510, Firing, 1,
			`u:tier-500@2#1.1~v2 update "在线人数510" ttl=25000`, "tier-500"},
		{"text only after the cue ran out: nothing to update", 500, "online < 450", "满199减20", "在线人数", 31000, 510, Firing, 1, "", "tier-500"},
		{"coupon changed: the same firing, the new tier, keyed by version", 500, "online < 450", "满199减30", "在线", 5000, 510, Firing, 1,
			`t:tier-500@2#1>tier-500@2#1~v2 tier tier-500 满199减30`, "tier-500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			states, tier := firingTier500(t)
			src := fmt.Sprintf(tier500, tc.when, tc.clear, tc.coupon, tc.text)
			after, fx, tierAfter := decideOnce(t, src, states, tier, tc.at, tc.online)
			st := after["tier-500"]
			if st.State != tc.state || st.Fires != tc.fires {
				t.Errorf("state %s, %d firings; want %s, %d", st.State, st.Fires, tc.state, tc.fires)
			}
			if got := strings.Join(fx, ";"); got != tc.effects {
				t.Errorf("effects\n got  %s\n want %s", got, tc.effects)
			}
			if tierName(tierAfter) != tc.tierName {
				t.Errorf("tier %v, want %q", tierAfter, tc.tierName)
			}
		})
	}
}

// TestDecideEditClearsNow: an edit whose clear holds, without a minimum
// hold, clears the tier at once and withdraws its cue.
func TestDecideEditClearsNow(t *testing.T) {
	states, tier := firingTier500(t)
	src := strings.Replace(fmt.Sprintf(tier500, 600, "online < 600", "满199减20", "在线"), "keep_firing_for: 60s", "keep_firing_for: 0s", 1)
	after, fx, tier := decideOnce(t, src, states, tier, 5000, 510)
	want := `w:tier-500@2#1.1 withdraw tier-500@2#1.1 ended;t:tier-500@2#1>none tier none`
	if got := strings.Join(fx, ";"); got != want || tier != nil || after["tier-500"].State != Inactive {
		t.Errorf("effects\n got  %s\n want %s (tier %v, %s)", got, want, tier, after["tier-500"].State)
	}
}

// TestDecideEditFiresNow: lowering an inactive rule's threshold below the
// numbers fires it at once, a new firing with its own keys.
func TestDecideEditFiresNow(t *testing.T) {
	states, _, _ := decideOnce(t, fmt.Sprintf(tier500, 520, "online < 450", "满199减20", "在线"), nil, nil, 0, 510)
	if states["tier-500"].State != Inactive {
		t.Fatalf("v1 at 510: %s", states["tier-500"].State)
	}
	_, fx, tier := decideOnce(t, fmt.Sprintf(tier500, 500, "online < 450", "满199减20", "在线"), states, nil, 1000, 510)
	want := `s:tier-500@2#1.1 cue "在线510" ttl=30000;t:none>tier-500@2#1 tier tier-500 满199减20`
	if got := strings.Join(fx, ";"); got != want || tier == nil {
		t.Errorf("effects\n got  %s\n want %s", got, want)
	}
}

const twoTiers = `rules:
- name: tier-500
  when: online >= 500
  clear: online < 450
  priority: 1
  actions:
  - tier: {name: tier-500, coupon: 满199减20, threshold: 19900, discount: 2000}
  - cue: {text: '满199减20 {{.Online}}', ttl: 30s}
- name: tier-2000
  when: online >= 2000
  clear: online < 1800
  priority: 2
  actions:
  - tier: {name: tier-2000, coupon: 满199减50, threshold: 19900, discount: 5000}
  - cue: {text: '满199减50 {{.Online}}', ttl: 30s}
`

// TestDecideOneTierOnScreen: two tiers firing in one evaluation send the
// resulting tier's cue only; a tier that takes over from another
// withdraws the cue the other sent.
func TestDecideOneTierOnScreen(t *testing.T) {
	_, fx, tier := decideOnce(t, twoTiers, nil, nil, 0, 9500)
	want := `s:tier-2000@2#1.1 cue "满199减50 9500" ttl=30000;t:none>tier-2000@2#1 tier tier-2000 满199减50`
	if got := strings.Join(fx, ";"); got != want || tierName(tier) != "tier-2000" {
		t.Errorf("at 9,500 from nothing\n got  %s\n want %s", got, want)
	}
	states, _, tier := decideOnce(t, twoTiers, nil, nil, 0, 600)
	_, fx, tier = decideOnce(t, twoTiers, states, tier, 10_000, 2100)
	want = `s:tier-2000@2#1.1 cue "满199减50 2100" ttl=30000;w:tier-500@2#1.1 withdraw tier-500@2#1.1 superseded;t:tier-500@2#1>tier-2000@2#1 tier tier-2000 满199减50`
	if got := strings.Join(fx, ";"); got != want || tierName(tier) != "tier-2000" {
		t.Errorf("500 then 2,000\n got  %s\n want %s", got, want)
	}
}

// TestDecideLegacyStateGetsCueFingerprints: a state saved before cue
// fingerprints were kept gets them at its next decision, so a later text
// edit updates the cue.
func TestDecideLegacyStateGetsCueFingerprints(t *testing.T) {
	states, tier := firingTier500(t)
	st := states["tier-500"]
	st.Cues = ""
	states["tier-500"] = st
	src := fmt.Sprintf(tier500, 500, "online < 450", "满199减20", "在线")
	after, fx, _ := decideOnce(t, src, states, tier, 1000, 510)
	if len(fx) != 0 || after["tier-500"].Cues == "" {
		t.Fatalf("effects %v, cues %q: want none, and the fingerprints kept", fx, after["tier-500"].Cues)
	}
	_, fx, _ = decideOnce(t, fmt.Sprintf(tier500, 500, "online < 450", "满199减20", "在线人数"), after, tier, 2000, 510)
	if strings.Join(fx, ";") != `u:tier-500@2#1.1~v2 update "在线人数510" ttl=28000` {
		t.Errorf("the text edit: %v", fx)
	}
}
