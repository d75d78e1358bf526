package rules

import (
	"context"
	"testing"

	"github.com/livedeck/livedeck/internal/redistest"
)

// TestPlaybookPassesWordCheckOnSave, as reproduced: saving the built-in
// playbook warned that 最后3组 used a banned advertising word (for its 最).
// Saved now, it comes back with no problems; a cue with a real absolute
// term still warns, with a code consoles translate.
func TestPlaybookPassesWordCheckOnSave(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	_, probs, err := svc.Put(ctx, "pb", Playbook(), "test", "")
	if err != nil || len(probs) != 0 {
		t.Fatalf("saving the playbook: %v, problems %v", err, probs)
	}
	_, probs, err = svc.Put(ctx, "pb", []byte("rules:\n- name: hype\n  when: online > 1\n  actions: [{cue: {text: 全网最低价，最后3组}}]\n"), "test", "")
	if err != nil || len(probs) != 2 || probs[0].Code != "banned_term" || probs[0].Args["term"] != "最低价" || probs[1].Args["term"] != "全网最低" || probs[0].Source != 4 {
		t.Fatalf("saving a cue with absolute terms: %v, problems %+v", err, probs)
	}
}
