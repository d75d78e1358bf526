package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// TestMetrics: the engine's metrics lint clean, carry no room label, and
// a room evaluated 450 ms after its last evaluation (100 ms interval)
// counts 3 missed evaluations; a gap past staleAfter (the room was not
// ours) counts none.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.firings.WithLabelValues("cue").Inc()
	m.webhooks.WithLabelValues("ok").Inc()
	e := NewEngine(EngineConfig{}, nil, nil, m, nil)
	now := time.Now()
	e.missed(&roomRules{lastEval: now.Add(-450 * time.Millisecond)}, now)
	e.missed(&roomRules{lastEval: now.Add(-150 * time.Millisecond)}, now)
	e.missed(&roomRules{lastEval: now.Add(-2 * staleAfter)}, now)
	if got := testutil.ToFloat64(m.missed); got != 3 {
		t.Errorf("missed evaluations %v, want 3", got)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", problems, err)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "livedeck_rules_") {
			t.Errorf("metric %s outside livedeck_rules_", mf.GetName())
		}
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "room" || l.GetName() == "rule" {
					t.Errorf("metric %s has a %s label", mf.GetName(), l.GetName())
				}
			}
		}
	}
}
