package segment_test

import (
	"flag"
	"math"
	"os"
	"testing"
	"unicode"

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
