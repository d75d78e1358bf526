package segment_test

import (
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/internal/segment/segmenttest"
)

var update = flag.Bool("update", false, "rebuild zh.dict from gse's dictionary")

// TestDictFile checks that the built-in dictionary holds exactly gse's
// words and frequencies, and the total it divides by; -update rebuilds it.
func TestDictFile(t *testing.T) {
	seg := segmenttest.Reference(t)
	words := make([]segment.Word, 0, len(seg.Dict.Tokens))
	for _, tok := range seg.Dict.Tokens {
		f := tok.Freq()
		if f != math.Trunc(f) || f < 1 || f > math.MaxUint32 {
			t.Fatalf("%q: frequency %v does not fit a uint32", tok.Text(), f)
		}
		words = append(words, segment.Word{Text: tok.Text(), Freq: uint32(f)})
	}
	built := segment.Build(words)
	if built.Total() != seg.Dict.TotalFreq() {
		t.Fatalf("total frequency %v, gse's %v", built.Total(), seg.Dict.TotalFreq())
	}
	enc := segment.Encode(built.Words(), built.Total())
	if *update {
		if err := os.WriteFile("zh.dict", []byte(enc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("zh.dict: %d words, %d bytes", built.Len(), len(enc))
		return
	}
	if enc != segment.ZhDict {
		t.Fatalf("zh.dict (%d bytes) is not gse's dictionary (%d bytes): go test ./internal/segment -run TestDictFile -update", len(segment.ZhDict), len(enc))
	}
	d, err := segment.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"上链接", "福袋", "多少钱", "衣服"} {
		if f, ok := d.Find(w); !ok || f == 0 {
			t.Errorf("%q not a word of the built-in dictionary", w)
		}
	}
	all := d.Words()
	for i := 1; i < len(all); i++ {
		if all[i-1].Text >= all[i].Text {
			t.Fatalf("words %d and %d out of order: %q, %q", i-1, i, all[i-1].Text, all[i].Text)
		}
	}
}

// hanOnly reports whether s is a non-empty run of Han characters.
func hanOnly(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// TestSecondIndex checks that the index of second characters cuts as the
// binary search of the words it replaces: over the built-in dictionary,
// and over small ones whose words have bytes that are not valid UTF-8.
func TestSecondIndex(t *testing.T) {
	d, err := segment.Default()
	if err != nil {
		t.Fatal(err)
	}
	runs := randomRuns(d, 20000)
	for _, c := range simComments(t, 20000) {
		runs = append(runs, hanRuns(c)...)
	}
	same := func(d *segment.Dict, runs []string) {
		t.Helper()
		plain := d.WithoutSecondIndex()
		for _, r := range runs {
			if got, want := d.Cut(r), plain.Cut(r); !slices.Equal(got, want) {
				t.Fatalf("Cut(%q) = %q; without the index %q", r, got, want)
			}
		}
	}
	same(d, runs)
	rng := rand.New(rand.NewPCG(41, 43))
	pieces := []string{"甲", "乙", "丙", "\xe4", "\xb8", "\xff", "\x00", "a", "\xe4\xb8"}
	for range 200 {
		var words []segment.Word
		for range 1 + rng.IntN(12) {
			var b strings.Builder
			for range 1 + rng.IntN(4) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			words = append(words, segment.Word{Text: b.String(), Freq: uint32(1 + rng.IntN(5))})
		}
		var runs []string
		for range 20 {
			var b strings.Builder
			for range 1 + rng.IntN(8) {
				b.WriteString(pieces[rng.IntN(3)])
			}
			runs = append(runs, b.String())
		}
		same(segment.Build(words), runs)
	}
}

// FuzzSecondKey checks what the index of second characters relies on:
// keys order as the strings do, and a character's key is the key of
// exactly the strings that begin with it.
func FuzzSecondKey(f *testing.F) {
	for _, s := range [][2]string{{"甲", "甲乙"}, {"\xe4", "\xe4\xb8\x80"}, {"\x00", "a"}, {"\xff\xff", "\xf0\x9f\x98\x8d"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if a == "" || b == "" {
			return
		}
		if a > b {
			a, b = b, a
		}
		ka, kb := segment.SecondKey(a), segment.SecondKey(b)
		if ka > kb {
			t.Fatalf("%q < %q but keys %x > %x", a, b, ka, kb)
		}
		if c, size := utf8.DecodeRuneInString(a); c != utf8.RuneError && size == len(a) {
			if begins := strings.HasPrefix(b, a); (ka == kb) != begins {
				t.Fatalf("%q begins with %q: %v; keys %x, %x", b, a, begins, ka, kb)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := segment.Parse(segment.ZhDict); err != nil {
			b.Fatal(err)
		}
	}
}
