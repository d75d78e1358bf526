package review

import (
	"testing"

	"github.com/livedeck/livedeck"
)

// TestCueUpdateReplacesMarkerText: a cue edited while it showed is one
// marker with the text the host saw last.
func TestCueUpdateReplacesMarkerText(t *testing.T) {
	b := NewBuilder(livedeck.Room{ID: "r"}, nil, 0)
	b.Signal(livedeck.Signal{Kind: livedeck.SignalCue, Rule: "t", At: 1000, Cue: &livedeck.Cue{Key: "t@1#1.1", Text: "满199减20卷已开"}})
	b.Signal(livedeck.Signal{Kind: livedeck.SignalCue, Rule: "t", At: 2000, Cue: &livedeck.Cue{Key: "t@1#1.1", Text: "满199减20券已开", Update: true}})
	m := b.markers()
	if len(m) != 1 || m[0].Text != "满199减20券已开" || m[0].T != 1000 {
		t.Fatalf("markers %+v, want one cue at 1000 with the edited text", m)
	}
}
