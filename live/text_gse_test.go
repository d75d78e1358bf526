package live

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/internal/segment/segmenttest"
)

// commentCorpus is the distinct comments of a simulated show, then n more
// made of their pieces, dictionary words, Latin words, digits, emoji,
// markup and punctuation, as live rooms mix them.
func commentCorpus(t testing.TB, n int) []string {
	t.Helper()
	show := sim.NewShow(sim.Room("words", 3), sim.ShowConfig{Seed: 3, Start: time.Unix(1_700_000_000, 0)})
	seen := map[string]bool{}
	var out []string
	for _, ev := range show.Next(nil, 20000) {
		if ev.Type == livedeck.EventComment && !seen[ev.Text] {
			seen[ev.Text] = true
			out = append(out, ev.Text)
		}
	}
	d, err := segment.Default()
	if err != nil {
		t.Fatal(err)
	}
	dict := d.Words()
	sims := slices.Clone(out)
	other := []string{"XL", "size", "Nice", "2", "3件", "99", "😍", "🔥", "!", "？", "，", " ", "~", "<b>", "http://x.example/a", "第"}
	rng := rand.New(rand.NewPCG(11, 13))
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			switch p := rng.IntN(10); {
			case p < 3:
				b.WriteString(sims[rng.IntN(len(sims))])
			case p < 7:
				b.WriteString(dict[rng.IntN(len(dict))].Text)
			default:
				b.WriteString(other[rng.IntN(len(other))])
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestWordsSameAsGse counts the words of thousands of comments with the
// built-in dictionary and with gse, as Text did before: they must be the
// same words.
func TestWordsSameAsGse(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	old := segmenttest.Cutter{Seg: segmenttest.Reference(t)}
	corpus := commentCorpus(t, 3000)
	diff := 0
	for _, c := range corpus {
		if got, want := text.Words(c), text.segment(old, plainText(c)); !slices.Equal(got, want) {
			if diff++; diff <= 10 {
				t.Errorf("Words(%q) = %q; with gse %q", c, got, want)
			}
		}
	}
	if diff > 0 {
		t.Fatalf("%d of %d comments differ", diff, len(corpus))
	}
	t.Logf("%d comments, the same words", len(corpus))
}
