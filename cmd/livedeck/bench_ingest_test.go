package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// TestBatchTemplateFill checks that patched templates are valid batches
// whose ids and unique comments never repeat across batch numbers.
func TestBatchTemplateFill(t *testing.T) {
	const n = 100
	tmpl := benchTemplates("run", 3, n)
	now := time.UnixMilli(1733000000123)
	ids, texts := map[string]bool{}, map[string]bool{}
	for seq := range 2 * templates {
		var evs []livedeck.Event
		if err := json.Unmarshal(tmpl[seq%templates].fill(seq, n, now), &evs); err != nil {
			t.Fatalf("batch %d: %v", seq, err)
		}
		if len(evs) != n {
			t.Fatalf("batch %d: %d events, want %d", seq, len(evs), n)
		}
		for i, ev := range evs {
			if ids[ev.ID] {
				t.Fatalf("batch %d event %d: id %s repeats", seq, i, ev.ID)
			}
			ids[ev.ID] = true
			if ev.TS != now.UnixMilli() {
				t.Errorf("batch %d event %d: ts %d", seq, i, ev.TS)
			}
			if ev.Type == livedeck.EventOrder && ev.OrderID != ev.ID {
				t.Errorf("batch %d event %d: order id %s, want the event id %s", seq, i, ev.OrderID, ev.ID)
			}
			if ev.Type == livedeck.EventComment && len(ev.Text) > 20 {
				if texts[ev.Text] {
					t.Errorf("batch %d event %d: unique comment %q repeats", seq, i, ev.Text)
				}
				texts[ev.Text] = true
			}
		}
	}
	if len(texts) != 2*templates*n/10 {
		t.Errorf("%d unique comments, want %d", len(texts), 2*templates*n/10)
	}
}
