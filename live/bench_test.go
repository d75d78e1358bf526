package live

import (
	"fmt"
	"testing"

	"github.com/livedeck/livedeck"
)

// BenchmarkFold measures folding one event of a realistic mix into room
// state (no Redis): the processor's CPU cost per event.
func BenchmarkFold(b *testing.B) {
	text, _ := LoadText("")
	text.Warm()
	evs := script()
	for i := range evs {
		if evs[i].Type == livedeck.EventOrder {
			evs[i].OrderID = "" // ids are made unique per round below
		}
	}
	s := NewState("bench", nil)
	n := 0
	for b.Loop() {
		e := evs[n%len(evs)]
		if e.Type == livedeck.EventOrder {
			e.OrderID = fmt.Sprintf("o%d", n/len(evs))
		}
		e.TS = base + int64(n)
		n++
		s.Fold(&e, fmt.Sprintf("%d-0", n), text)
		if n%5000 == 0 {
			s.resetCaches() // as a checkpoint does
		}
	}
}

// BenchmarkSnapshot measures computing a snapshot with 20 SKUs.
func BenchmarkSnapshot(b *testing.B) {
	s := NewState("bench", nil)
	for i, e := range script() {
		s.Fold(&e, fmt.Sprintf("%d-0", i+1), nil)
	}
	for i := range 20 {
		s.sku(fmt.Sprintf("sku%d", i)).Exposures = 10
	}
	for b.Loop() {
		_ = s.Snapshot(base + 30_000)
	}
}
