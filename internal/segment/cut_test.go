package segment_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-ego/gse"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/internal/segment/segmenttest"
)

// hanRuns returns the runs of Han characters in text.
func hanRuns(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// simComments returns the distinct comments of a simulated show.
func simComments(t testing.TB, events int) []string {
	t.Helper()
	show := sim.NewShow(sim.Room("seg", 7), sim.ShowConfig{Seed: 7, Start: time.Unix(1_700_000_000, 0)})
	seen := map[string]bool{}
	var out []string
	for _, ev := range show.Next(nil, events) {
		if ev.Type == livedeck.EventComment && !seen[ev.Text] {
			seen[ev.Text] = true
			out = append(out, ev.Text)
		}
	}
	return out
}

// randomRuns makes n runs of Han text from the dictionary's words, its
// characters and characters it lacks (CJK extension A), up to 40
// characters long: the DAG, the route's ties, single characters that only
// begin words, and the HMM all get exercised.
func randomRuns(d *segment.Dict, n int) []string {
	var words []string
	chars := map[rune]bool{}
	for _, w := range d.Words() {
		if !hanOnly(w.Text) {
			continue
		}
		words = append(words, w.Text)
		for _, r := range w.Text {
			chars[r] = true
		}
	}
	charList := make([]rune, 0, len(chars))
	for r := range chars {
		charList = append(charList, r)
	}
	slices.Sort(charList)
	rng := rand.New(rand.NewPCG(17, 29))
	out := make([]string, 0, n)
	for range n {
		var b strings.Builder
		for pieces := 1 + rng.IntN(8); pieces > 0 && b.Len() < 40*3; pieces-- {
			switch p := rng.IntN(10); {
			case p < 5:
				b.WriteString(words[rng.IntN(len(words))])
			case p < 9:
				b.WriteRune(charList[rng.IntN(len(charList))])
			default:
				b.WriteRune(rune(0x3400 + rng.IntN(0x4DB5-0x3400)))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestCutSameAsGse segments the Han runs of a simulated show's comments,
// live-commerce phrases and thousands of random runs with Cut and with gse
// over its own dictionary: the words must be the same.
func TestCutSameAsGse(t *testing.T) {
	seg := segmenttest.Reference(t)
	d, err := segment.Default()
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, c := range simComments(t, 20000) {
		runs = append(runs, hanRuns(c)...)
	}
	runs = append(runs, "这件衣服多少钱", "想要上链接", "尺码有吗", "什么时候发货", "福袋什么时候开", "主播能不能试一下黑色",
		"我一米六五穿什么码", "优惠券在哪里领", "直播间的秒杀还有吗", "已经拍了三件了", "包邮到新疆吗",
		strings.Repeat("上链接", 20), "龘", "𠀀𠀁", "〇")
	random := randomRuns(d, 5000)
	runs = append(runs, random...)
	diff := 0
	for _, r := range runs {
		if got, want := d.Cut(r), seg.Cut(r, true); !slices.Equal(got, want) {
			if diff++; diff <= 10 {
				t.Errorf("Cut(%q) = %q; gse gives %q", r, got, want)
			}
		}
	}
	if diff > 0 {
		t.Fatalf("%d of %d runs differ", diff, len(runs))
	}
	t.Logf("%d runs (%d random) segmented as gse does", len(runs), len(random))
}

// TestCutSmallDictsSameAsGse cuts random runs over random small
// dictionaries of five characters, with gse given the same words: equal
// frequencies make ties, and rare words make runs of single characters
// that form a word, or begin one only.
func TestCutSmallDictsSameAsGse(t *testing.T) {
	segmenttest.LoadHMM() // gse's segmenters below read the model
	rng := rand.New(rand.NewPCG(3, 5))
	alphabet := []rune("甲乙丙丁戊")
	word := func(most int) string {
		r := make([]rune, 1+rng.IntN(most))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	diff, runs := 0, 0
	for range 300 {
		var words []segment.Word
		ref := &gse.Segmenter{NotLoadHMM: true, SkipLog: true, Dict: gse.NewDict()}
		for range 1 + rng.IntN(12) {
			w := segment.Word{Text: word(4), Freq: uint32([]int{1, 2, 2, 3, 10, 1000}[rng.IntN(6)])}
			words = append(words, w)
			if err := ref.AddToken(w.Text, float64(w.Freq)); err != nil {
				t.Fatal(err)
			}
		}
		d := segment.Build(words)
		for range 30 {
			r := word(12)
			runs++
			if got, want := d.Cut(r), ref.Cut(r, true); !slices.Equal(got, want) {
				if diff++; diff <= 10 {
					t.Errorf("words %v: Cut(%q) = %q; gse gives %q", words, r, got, want)
				}
			}
		}
	}
	if diff > 0 {
		t.Fatalf("%d of %d runs differ", diff, runs)
	}
}

// FuzzCutSameAsGse cuts the Han runs of any text with Cut and with gse.
func FuzzCutSameAsGse(f *testing.F) {
	d, err := segment.Default()
	if err != nil {
		f.Fatal(err)
	}
	seg := segmenttest.Reference(f)
	for _, s := range []string{"这件衣服多少钱", "想要上链接", "龘𠀀想要", "主播辛苦了，已经第三次买了"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range hanRuns(s) {
			if got, want := d.Cut(r), seg.Cut(r, true); !slices.Equal(got, want) {
				t.Fatalf("Cut(%q) = %q; gse gives %q", r, got, want)
			}
		}
	})
}

func TestBuildFirstWordWins(t *testing.T) {
	d := segment.Build([]segment.Word{{"福袋", 1000}, {"想要", 900}, {"福袋", 5}, {"上链接", 800}})
	if d.Len() != 3 || d.Total() != 2700 {
		t.Fatalf("%d words, total %v; want 3, 2700", d.Len(), d.Total())
	}
	for _, tc := range []struct {
		word string
		freq uint
		ok   bool
	}{{"福袋", 1000, true}, {"上链", 0, true}, {"上链接", 800, true}, {"链接", 0, false}, {"想要买", 0, false}} {
		if f, ok := d.Find(tc.word); f != tc.freq || ok != tc.ok {
			t.Errorf("find(%q) = %d, %v; want %d, %v", tc.word, f, ok, tc.freq, tc.ok)
		}
	}
	if got := d.Cut("想要福袋上链接"); !slices.Equal(got, []string{"想要", "福袋", "上链接"}) {
		t.Errorf("Cut = %q", got)
	}
}

func TestParseRejectsCorrupt(t *testing.T) {
	good := segment.Encode([]segment.Word{{"上链接", 800}, {"想要", 900}}, 1700)
	if _, err := segment.Parse(good); err != nil {
		t.Fatal(err)
	}
	bad := []byte(good)
	bad[segment.HeaderSize] = 0xff // first offset past the end
	for name, data := range map[string]string{
		"empty": "", "no magic": "x" + good[1:], "cut short": good[:len(good)-1], "offset": string(bad),
	} {
		if _, err := segment.Parse(data); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// BenchmarkCut segments comment-like Han runs with Cut and, for
// comparison, with gse.
func BenchmarkCut(b *testing.B) {
	d, err := segment.Default()
	if err != nil {
		b.Fatal(err)
	}
	seg := segmenttest.Reference(b)
	runs := []string{"这件大衣有没有黑色的", "我一米六五穿什么码", "想要", "主播辛苦了", "什么时候发货", "龘𠀀想要"}
	for _, c := range []struct {
		name string
		cut  func(string) []string
	}{{"dict", d.Cut}, {"gse", func(s string) []string { return seg.Cut(s, true) }}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				c.cut(runs[i%len(runs)])
			}
		})
	}
}
