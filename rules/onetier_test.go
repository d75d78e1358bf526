package rules

import (
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestTwoTiersOneHostCue, as reproduced: the playbook loaded with 9,500
// online sent both tier cues in the same second, and the host's queue kept
// the outdated 满199减20 cue. Now one evaluation that turns on both tiers
// sends the resulting tier's cue only; and when the 2,000 tier takes over
// from the 500 one later, the 500 tier's cue is withdrawn from the queue.
func TestTwoTiersOneHostCue(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	at := func(room string, sec, n int64) livedeck.Update {
		u := online(room, sec, n)
		u.Snapshot.SKUs = map[string]livedeck.SKUStats{"A": {Stock: 100, Exposures: 10}}
		return u
	}
	if _, _, err := svc.Put(t.Context(), "big", Playbook(), "test", ""); err != nil {
		t.Fatal(err)
	}
	mustEval(t, svc, at("big", 0, 9500))
	want := "cue tier-2000@1#1.1 在线9500人！升级满199减50,tier tier-2000"
	if got := strings.Join(signalsText(t, svc, "big"), ","); got != want {
		t.Errorf("playbook at 9,500\n got  %s\n want %s", got, want)
	}

	if _, _, err := svc.Put(t.Context(), "grow", Playbook(), "test", ""); err != nil {
		t.Fatal(err)
	}
	mustEval(t, svc, at("grow", 0, 520))
	mustEval(t, svc, at("grow", 10, 2100))
	want = "cue tier-500@1#1.1 在线破520人！满199减20券已开，快去领,tier tier-500," +
		"cue tier-2000@1#1.1 在线2100人！升级满199减50,withdraw tier-500@1#1.1,tier tier-2000"
	if got := strings.Join(signalsText(t, svc, "grow"), ","); got != want {
		t.Errorf("500 then 2,000\n got  %s\n want %s", got, want)
	}
	h, _ := svc.Store.History(t.Context(), "grow", 10)
	if w := h[1].Withdraw; w == nil || w.Reason != "superseded" || w.By != "tier-2000" {
		t.Errorf("withdrawal %+v, want superseded by tier-2000", w)
	}
}
