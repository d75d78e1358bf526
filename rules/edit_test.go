package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// signalsText lists the room's signals, oldest first, as "kind key text".
func signalsText(t *testing.T, svc *Service, room string) []string {
	t.Helper()
	h, err := svc.Store.History(context.Background(), room, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(h) - 1; i >= 0; i-- {
		s := h[i]
		switch {
		case s.Cue != nil && s.Cue.Update:
			out = append(out, "update "+s.Cue.Key+" "+s.Cue.Text)
		case s.Cue != nil:
			out = append(out, "cue "+s.Cue.Key+" "+s.Cue.Text)
		case s.Tier != nil:
			out = append(out, "tier "+tierName(s.Tier))
		case s.Withdraw != nil:
			out = append(out, "withdraw "+s.Withdraw.Key)
		default:
			out = append(out, s.Kind)
		}
	}
	return out
}

const editedTier = "rules:\n- name: tier-500\n  when: online >= %d\n  clear: online < 450\n  keep_firing_for: 60s\n  actions:\n" +
	"  - tier: {name: tier-500, coupon: 满199减20, threshold: 19900, discount: 2000}\n  - cue: {text: '%s', ttl: 30s}\n"

// TestThresholdEditKeepsCoupon, as reproduced: online 510, the 500 tier in
// effect (clear below 450, held 60 s); changing only its when from 500 to
// 520 dropped the coupon at once (/pricing null, a tier→none signal), and
// rolling back fired the cue again. The tier now stays, and neither the
// edit nor the rollback writes a signal.
func TestThresholdEditKeepsCoupon(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	v1 := mustPut(t, svc, "te", fmt.Sprintf(editedTier, 500, "在线{{.Online}}人，满199减20"))
	mustEval(t, svc, online("te", 0, 510))
	want := "cue tier-500@1#1.1 在线510人，满199减20,tier tier-500"
	if got := strings.Join(signalsText(t, svc, "te"), ","); got != want {
		t.Fatalf("signals %s, want %s", got, want)
	}
	mustPut(t, svc, "te", fmt.Sprintf(editedTier, 520, "在线{{.Online}}人，满199减20"))
	mustEval(t, svc, online("te", 1, 510))
	mustEval(t, svc, online("te", 2, 512))
	if tier, err := svc.Store.Tier(ctx, "te"); err != nil || tier == nil || tier.Coupon != "满199减20" {
		t.Fatalf("pricing after the edit: %+v (%v), want 满199减20", tier, err)
	}
	if _, err := svc.Rollback(ctx, "te", v1.Version, "test"); err != nil {
		t.Fatal(err)
	}
	mustEval(t, svc, online("te", 3, 515))
	if got := strings.Join(signalsText(t, svc, "te"), ","); got != want {
		t.Errorf("signals after the edit and the rollback %s, want still %s", got, want)
	}
	if tier, _ := svc.Store.Tier(ctx, "te"); tier == nil || tier.Name != "tier-500" {
		t.Errorf("pricing after the rollback: %+v", tier)
	}
	if st, _ := svc.States(ctx, "te"); st[0].State != Firing || st[0].Fires != 1 {
		t.Errorf("state %+v, want the same firing", st[0])
	}
	// The edited rule still clears by its own clear and minimum hold.
	mustEval(t, svc, online("te", 4, 400))
	mustEval(t, svc, online("te", 65, 400))
	if tier, _ := svc.Store.Tier(ctx, "te"); tier != nil {
		t.Errorf("pricing 61 s below the clear line: %+v, want none", tier)
	}
}

// TestTextEditUpdatesCue, as reproduced: fixing a typo in a firing cue's
// text sent the host the cue again. Now the host's cue gets the new text
// under its key, once per version, and no new firing happens; a rollback
// does the same the other way.
func TestTextEditUpdatesCue(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	v1 := mustPut(t, svc, "tx", fmt.Sprintf(editedTier, 500, "在线{{.Online}}人，满199减20卷已开"))
	mustEval(t, svc, online("tx", 0, 510))
	mustPut(t, svc, "tx", fmt.Sprintf(editedTier, 500, "在线{{.Online}}人，满199减20券已开"))
	mustEval(t, svc, online("tx", 1, 511))
	mustEval(t, svc, online("tx", 2, 512))
	// A second engine (a restart, another instance) replays the evaluation.
	again := newTestService(rdb)
	mustEval(t, again, online("tx", 2, 512))
	if _, err := svc.Rollback(ctx, "tx", v1.Version, "test"); err != nil {
		t.Fatal(err)
	}
	mustEval(t, svc, online("tx", 3, 513))
	want := []string{
		"cue tier-500@1#1.1 在线510人，满199减20卷已开",
		"tier tier-500",
		"update tier-500@1#1.1 在线511人，满199减20券已开",
		"update tier-500@1#1.1 在线513人，满199减20卷已开",
	}
	if got := signalsText(t, svc, "tx"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signals\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h, _ := svc.Store.History(ctx, "tx", 10)
	if c := h[0].Cue; c == nil || c.TTLms != 27000 {
		t.Errorf("the rollback's update %+v, want the 27 s the cue has left", c)
	}
	if st, _ := svc.States(ctx, "tx"); st[0].Fires != 1 {
		t.Errorf("%d firings, want 1", st[0].Fires)
	}
}

// TestTextEditRetried: an update that cannot be written is tried again
// at the next evaluation (the state goes back to the old definition).
func TestTextEditRetried(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	mustPut(t, svc, "tr", fmt.Sprintf(editedTier, 500, "a{{.Online}}"))
	mustEval(t, svc, online("tr", 0, 510))
	mustPut(t, svc, "tr", fmt.Sprintf(editedTier, 500, "b{{.Online}}"))
	evalWritesPaused(t, rdb, svc, online("tr", 1, 511))
	mustEval(t, svc, online("tr", 2, 512))
	mustEval(t, svc, online("tr", 3, 513))
	// Redis may have run the paused write once the pause ended (the
	// client gave up before): either way, one update.
	got := strings.Join(signalsText(t, svc, "tr"), ",")
	if got != "cue tier-500@1#1.1 a510,tier tier-500,update tier-500@1#1.1 b511" && got != "cue tier-500@1#1.1 a510,tier tier-500,update tier-500@1#1.1 b512" {
		t.Errorf("signals %s, want the cue, the tier and one update", got)
	}
}

// TestDryRunShowsChanges: the dry-run of an edit says, per rule, what it
// would do to the rule's state now.
func TestDryRunShowsChanges(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	mustPut(t, svc, "dr", `rules:
- {name: tier, when: online >= 500, clear: online < 450, actions: [{tier: {name: t}}, {cue: {text: '在线{{.Online}}', ttl: 1h}}]}
- {name: crowd, when: online >= 600, actions: [{cue: {text: crowd}}]}
- {name: gone, when: online >= 100, actions: [{alert: {severity: info, message: x}}]}
- {name: wait, when: online >= 100, for: 1m, actions: [{alert: {severity: info, message: x}}]}
`)
	snap, _ := json.Marshal(livedeck.Snapshot{Room: "dr", Online: 510})
	if err := rdb.Set(ctx, redisx.Room("dr").Snapshot(), snap, 0).Err(); err != nil {
		t.Fatal(err)
	}
	mustEval(t, svc, livedeck.Update{Room: "dr", Now: time.Now().UnixMilli(), Snapshot: livedeck.Snapshot{Online: 510}})
	for _, tc := range []struct{ src, want string }{
		{`rules:
- {name: tier, when: online >= 520, clear: online < 450, actions: [{tier: {name: t}}, {cue: {text: '在线{{.Online}}', ttl: 1h}}]}
- {name: crowd, when: online >= 500, actions: [{cue: {text: crowd}}]}
- {name: wait, when: online >= 100, for: 1m, actions: [{alert: {severity: info, message: x}}]}
- {name: new, when: online >= 900, actions: [{alert: {severity: info, message: x}}]}
`, "tier: firing, stays firing; crowd: inactive, fires now; wait: pending, stays pending; new: inactive, stays inactive (new); gone: firing, removed, clears now (removed)"},
		{`rules:
- {name: tier, when: online >= 600, clear: online < 550, actions: [{tier: {name: t}}, {cue: {text: '在线{{.Online}}', ttl: 1h}}]}
- {name: wait, when: online >= 700, for: 1m, actions: [{alert: {severity: info, message: x}}]}
`, "tier: firing, clears now; wait: pending, stops pending; crowd: inactive, removed (removed); gone: firing, removed, clears now (removed)"},
		{`rules:
- {name: tier, when: online >= 500, clear: online < 450, actions: [{tier: {name: t}}, {cue: {text: '在线人数{{.Online}}', ttl: 1h}}]}
`, "tier: firing, stays firing, cue text updated; crowd: inactive, removed (removed); gone: firing, removed, clears now (removed); wait: pending, removed (removed)"},
	} {
		res, _, err := svc.DryRun(ctx, "dr", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range res {
			s := d.Rule + ": " + string(d.State) + ", " + d.Change
			if d.New {
				s += " (new)"
			}
			if d.Removed {
				s += " (removed)"
			}
			got = append(got, s)
		}
		if strings.Join(got, "; ") != tc.want {
			t.Errorf("dry-run\n got  %s\n want %s", strings.Join(got, "; "), tc.want)
		}
	}
}
