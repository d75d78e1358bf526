package live

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"

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

// referenceWords is Words as Text found them with gse: gse's cut of each
// run of Han characters, the runs of other letters and digits whole, each
// word lowered and kept if worth counting and not a stop word.
func referenceWords(t *Text, ref *gse.Segmenter, text string) []string {
	var out []string
	keep := func(w string) {
		if w = strings.ToLower(w); worthCounting(w) && !t.stop[w] {
			out = append(out, w)
		}
	}
	// Runs of Han characters, of other letters and digits, of the rest.
	class := func(r rune) int {
		switch {
		case unicode.Is(unicode.Han, r):
			return 1
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return 2
		}
		return 0
	}
	for text != "" {
		r, n := utf8.DecodeRuneInString(text)
		c := class(r)
		for n < len(text) {
			r, size := utf8.DecodeRuneInString(text[n:])
			if class(r) != c {
				break
			}
			n += size
		}
		switch run := text[:n]; c {
		case 1:
			for _, w := range ref.Cut(run, true) {
				keep(w)
			}
		case 2:
			keep(run)
		}
		text = text[n:]
	}
	return out
}

// TestWordsSameAsGse counts the words of thousands of comments with the
// built-in dictionary and with gse, as Text did before: they must be the
// same words.
func TestWordsSameAsGse(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	ref := segmenttest.Reference(t)
	corpus := commentCorpus(t, 3000)
	diff := 0
	for _, c := range corpus {
		if got, want := text.Words(c), referenceWords(text, ref, plainText(c)); !slices.Equal(got, want) {
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

// FuzzWordsSameAsGse finds the words of any comment with Words and as
// Text did with gse.
func FuzzWordsSameAsGse(f *testing.F) {
	text, err := LoadText("")
	if err != nil {
		f.Fatal(err)
	}
	text.Warm()
	ref := segmenttest.Reference(f)
	for _, c := range []string{"这件大衣有没有黑色的，我一米六五穿什么码 第3-000000001234次问", "想要！多少钱 how much? 😍",
		"ÄÖÜ Straße İstanbul", "要买要买", "<b>bold</b> 想要 http://x.example/a 龘𠀀"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c string) {
		if got, want := text.Words(c), referenceWords(text, ref, plainText(c)); !slices.Equal(got, want) {
			t.Fatalf("Words(%q) = %q; with gse %q", c, got, want)
		}
	})
}
