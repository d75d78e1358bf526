package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// stateCase is one case of testdata/state_machine.yaml.
type stateCase struct {
	Name  string         `yaml:"name"`
	Rule  map[string]any `yaml:"rule"`
	Ticks []struct {
		At   Duration       `yaml:"at"`
		Snap map[string]any `yaml:"snap"`
		Want string         `yaml:"want"`
	} `yaml:"ticks"`
}

// caseStart is when every case's first tick happens.
var caseStart = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC).UnixMilli()

func loadStateCases(t *testing.T) []stateCase {
	t.Helper()
	b, err := os.ReadFile("testdata/state_machine.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []stateCase `yaml:"cases"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	return f.Cases
}

// source is the case's rule as a rule set, with a cue action.
func (c stateCase) source(t *testing.T) []byte {
	t.Helper()
	r := map[string]any{"name": "r", "actions": []any{map[string]any{"cue": map[string]any{"text": "x"}}}}
	for k, v := range c.Rule {
		r[k] = v
	}
	b, err := json.Marshal(map[string]any{"rules": []any{r}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// updates are the case's ticks as updates of room.
func (c stateCase) updates(t *testing.T, room string) []livedeck.Update {
	t.Helper()
	var out []livedeck.Update
	at := -time.Second
	for _, tk := range c.Ticks {
		at += time.Second
		if tk.At > 0 {
			at = tk.At.D()
		}
		b, _ := json.Marshal(tk.Snap)
		var snap livedeck.Snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			t.Fatal(err)
		}
		out = append(out, livedeck.Update{Room: room, Now: caseStart + at.Milliseconds(), Snapshot: snap})
	}
	return out
}

// observed is a tick's outcome in the notation of the test data.
func observed(st State, fired, resolved bool) string {
	switch {
	case fired:
		return "fire"
	case resolved:
		return "resolve"
	}
	return string(st)
}

// TestStateMachine runs every case through the backtester (the state
// machine in memory).
func TestStateMachine(t *testing.T) {
	for _, tc := range loadStateCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			rs, err := Parse(tc.source(t))
			if err != nil {
				t.Fatal(err)
			}
			c, probs := Compile(rs, nil)
			if c == nil {
				t.Fatal(probs)
			}
			bt := NewBacktester(c, time.UTC)
			var got []string
			for _, u := range tc.updates(t, "x") {
				var fired, resolved bool
				for _, o := range bt.Step(u.Now, &u.Snapshot, nil) {
					fired = fired || o.Kind == livedeck.SignalCue
					resolved = resolved || o.Kind == "resolved"
				}
				st := Inactive
				if s := bt.states["r"]; s != nil && s.State != "" {
					st = s.State
				}
				got = append(got, observed(st, fired, resolved))
			}
			checkTicks(t, tc, got)
		})
	}
}

// TestStateMachineOnRedis runs every case through the engine on a real
// Redis, replacing the engine (a restart, or the room moving to another
// instance) before every other tick: state survives in Redis, and each
// firing is one cue in the room's signal stream.
func TestStateMachineOnRedis(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	newSvc := func() *Service {
		return NewService(rdb, EngineConfig{Location: time.UTC}, NewMetrics(prometheus.NewRegistry()))
	}
	for i, tc := range loadStateCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			room := fmt.Sprintf("sm%d", i)
			svc := newSvc()
			if _, _, err := svc.Put(ctx, room, tc.source(t), "test", ""); err != nil {
				t.Fatal(err)
			}
			cues := 0
			var got []string
			for j, u := range tc.updates(t, room) {
				if j%2 == 1 {
					svc = newSvc()
				}
				if err := svc.Engine.evaluate(ctx, u); err != nil {
					t.Fatal(err)
				}
				h, err := svc.Store.History(ctx, room, 100)
				if err != nil {
					t.Fatal(err)
				}
				st, err := svc.States(ctx, room)
				if err != nil {
					t.Fatal(err)
				}
				fired := len(h) > cues
				resolved := st[0].State == Inactive && len(got) > 0 && (got[len(got)-1] == "fire" || got[len(got)-1] == "firing")
				got = append(got, observed(st[0].State, fired, resolved))
				cues = len(h)
			}
			checkTicks(t, tc, got)
		})
	}
}

func checkTicks(t *testing.T, tc stateCase, got []string) {
	t.Helper()
	var want []string
	for _, tk := range tc.Ticks {
		want = append(want, tk.Want)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), strings.Join(want, " "))
	}
}

func TestWindow(t *testing.T) {
	w, err := parseWindow("22:00-02:00")
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[int]bool{21: false, 22: true, 23: true, 1: true, 2: false} {
		tm := fmt.Sprintf("2026-11-22T%02d:30:00Z", h)
		if got := w.contains(mustTime(t, tm), utc); got != want {
			t.Errorf("%s in 22:00-02:00 = %v", tm, got)
		}
	}
}
