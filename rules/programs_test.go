package rules

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/internal/redistest"
)

// TestRoomsShareCompiledSets: rooms whose rules have the same source run
// one compiled set; an edit gives that room a set of its own and leaves
// the others' set and state alone; a set no room uses is dropped.
func TestRoomsShareCompiledSets(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	e := svc.Engine
	plan := "rules:\n- name: crowd\n  when: online >= %d\n  for: 2s\n  actions: [{cue: {text: '%s{{.Online}}'}}]\n"
	for _, room := range []string{"s1", "s2", "s3"} {
		mustPut(t, svc, room, fmt.Sprintf(plan, 500, "在线"))
		mustEval(t, svc, online(room, 0, 600)) // pending in each room
	}
	set := func(room string) *Compiled {
		rr := e.lock(room)
		defer rr.mu.Unlock()
		return rr.set
	}
	if set("s1") != set("s2") || set("s2") != set("s3") {
		t.Fatal("rooms with the same rules compiled them each")
	}
	mustPut(t, svc, "s3", fmt.Sprintf(plan, 400, "人数"))
	mustEval(t, svc, online("s3", 1, 450))
	if set("s3") == set("s1") {
		t.Fatal("an edited room still runs the shared set")
	}
	for _, room := range []string{"s1", "s2", "s3"} {
		mustEval(t, svc, online(room, 2, 600))
	}
	// Every room kept its `for` timer (pending since 0 s) and fires at 2 s,
	// s3 under its edited rule, which carried the state over.
	for room, want := range map[string]string{"s1": "在线600", "s2": "在线600", "s3": "人数600"} {
		if got := strings.Join(cueTexts(t, svc, room), ","); got != want {
			t.Errorf("room %s: cues %q, want %q", room, got, want)
		}
	}
	for _, room := range []string{"s1", "s2", "s3"} {
		e.Forget(room)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.programs.size() > 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.programs.size(); n != 0 {
		t.Errorf("%d compiled sets kept after every room was forgotten", n)
	}
}
