package live

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/livedeck/livedeck"
)

// FuzzCommentText classifies and segments hostile comments: the class is
// one of the known ones, the one a plain search finds, and ignores
// surrounding space; markup and links are gone from the plain text; every
// word is lower case, worth counting, not a stop word, made of letters and
// digits only, and found in the plain text; the cached and uncached words
// agree.
// Seeds: testdata/fuzz/FuzzCommentText.
func FuzzCommentText(f *testing.F) {
	text, err := LoadText("")
	if err != nil {
		f.Fatal(err)
	}
	text.Warm()
	seg := sharedDict.ready.Load()
	if seg == nil {
		f.Fatal("segmenter not loaded")
	}
	classes := []string{"", livedeck.ClassAbuse, livedeck.ClassIntent, livedeck.ClassQuestion}
	naive := naiveClassifier(f)
	f.Fuzz(func(t *testing.T, s string) {
		c := text.Classify(s)
		if !slices.Contains(classes, c) {
			t.Fatalf("class %q", c)
		}
		if want := naive(s); c != want {
			t.Fatalf("class %q; a plain search finds %q", c, want)
		}
		if c2 := text.Classify(" \t" + s + "\n"); c2 != c {
			t.Fatalf("class %q, with spaces around %q", c, c2)
		}
		plain := plainText(s)
		if i := strings.IndexByte(plain, '<'); i >= 0 && strings.IndexByte(plain[i:], '>') > 0 {
			t.Fatalf("markup left in %q", plain)
		}
		for i := range plain {
			if linkAt(plain, i) {
				t.Fatalf("link left in %q at %d", plain, i)
			}
		}
		low := strings.ToLower(plain)
		words := text.Words(s)
		for _, w := range words {
			switch {
			case strings.ToLower(w) != w, !worthCounting(w), text.stop[w]:
				t.Fatalf("word %q counted", w)
			case strings.ContainsFunc(w, func(r rune) bool { return !isWordRune(r) }):
				t.Fatalf("word %q has punctuation or space", w)
			case !strings.Contains(low, w):
				t.Fatalf("word %q not in %q", w, plain)
			}
		}
		if again := text.Words(s); !slices.Equal(again, words) {
			t.Fatalf("words %q, then %q", words, again)
		}
		if fresh := text.segment(seg, plain); !slices.Equal(fresh, words) {
			t.Fatalf("cached words %q, fresh %q", words, fresh)
		}
	})
}

func isWordRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}
