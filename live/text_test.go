package live

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/internal/segment/segmenttest"
)

func TestClassify(t *testing.T) {
	text, err := LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"1", "intent"},
		{" 111 ", "intent"},
		{"想要想要", "intent"},
		{"主播上链接啊", "intent"},
		{"I want it!", "intent"},
		{"这个多少钱", "question"},
		{"尺码怎么选？", "question"},
		{"how much is it", "question"},
		{"什么时候发货", "question"},
		{"骗子主播", "abuse"},
		{"this is a SCAM", "abuse"},
		{"骗子，多少钱", "abuse"}, // abuse wins over question
		{"好看", ""},
		{"<img src=x onerror=alert(1)>", ""},
		{"12", ""},
	} {
		if got := text.Classify(tc.in); got != tc.want {
			t.Errorf("Classify(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	got := text.Words("这件衣服多少钱，想要上链接！尺码有XL吗 so nice 😍 1")
	for _, w := range []string{"衣服", "多少钱", "想要", "上链接", "尺码", "xl", "nice"} {
		if !slices.Contains(got, w) {
			t.Errorf("Words lacks %q: %v", w, got)
		}
	}
	for _, w := range []string{"，", "！", "1", "😍", "吗", "这"} {
		if slices.Contains(got, w) {
			t.Errorf("Words keeps %q: %v", w, got)
		}
	}
}

// TestWordsLeaveOutMarkupAndLinks checks that tags, links and function
// words do not become keywords, while what viewers say around them does.
func TestWordsLeaveOutMarkupAndLinks(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	for _, tc := range []struct {
		in        string
		want, not []string
	}{
		{`<img src=x onerror=alert(1)> 想要`, []string{"想要"}, []string{"img", "src", "onerror", "alert"}},
		{`<b>口红</b> 好看`, []string{"口红", "好看"}, []string{"b"}},
		{"免费领取 http://spam.example/x 包邮", []string{"免费", "包邮"}, []string{"http", "spam", "example"}},
		{"看 WWW.Shop.example 和 javascript:alert(1)", nil, []string{"www", "shop", "example", "javascript", "alert"}},
		{"how much? what size should I get", []string{"size"}, []string{"how", "much", "what", "should", "get"}},
		{"a < b and c > d, 尺码", []string{"尺码"}, []string{"b", "and", "c"}},
		{"email me: not a link 质量", []string{"email", "link", "质量"}, []string{"not"}},
	} {
		got := text.Words(tc.in)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Words(%q) = %q, lacks %q", tc.in, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("Words(%q) = %q, keeps %q", tc.in, got, w)
			}
		}
	}
}

// TestWordsCached checks that remembered words are the segmenter's words,
// for short comments (kept) and long ones (not kept), asked for repeatedly.
func TestWordsCached(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	seg := sharedDict.ready.Load()
	long := strings.Repeat("这件大衣什么时候发货，", 20)
	cases := []string{"想要", "上链接上链接", "多少钱?", "1", "😍", long, "尺码怎么选 what size should I get?"}
	for round := range 3 {
		for _, c := range cases {
			if got, want := text.Words(c), text.segment(seg, c); !slices.Equal(got, want) {
				t.Errorf("round %d: Words(%q) = %q, segmenter gives %q", round, c, got, want)
			}
		}
	}
	if _, ok := text.words.get(long); ok {
		t.Errorf("a %d-byte comment was kept; only up to %d bytes should be", len(long), wordCacheText)
	}
	if _, ok := text.words.get("想要"); !ok {
		t.Error("a short comment's words were not kept")
	}
}

// TestWordCache checks that the cache answers a comment only with its own
// words, from any number of goroutines: a comment that lost its slot to
// another is a miss, not the other's words.
func TestWordCache(t *testing.T) {
	c := newWordCache()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 3 * wordCacheSize {
				text := fmt.Sprint(i % (2 * wordCacheSize))
				if w, ok := c.get(text); ok && (len(w) != 1 || w[0] != text) {
					t.Errorf("goroutine %d: words of %q are %q", g, text, w)
					return
				}
				c.add(text, []string{text})
			}
		})
	}
	wg.Wait()
	c.add("想要", []string{"想要"})
	if w, ok := c.get("想要"); !ok || !slices.Equal(w, []string{"想要"}) {
		t.Errorf("get after add = %q, %v", w, ok)
	}
}

// TestSegmentSameAsWholeText checks that handing the segmenter only the
// Han runs gives the words gse finds in the whole comment.
func TestSegmentSameAsWholeText(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	seg := sharedDict.ready.Load()
	ref := segmenttest.Reference(t)
	for _, c := range []string{
		"1", "要要要", "想要!!", "上链接上链接", "I want it", "add to cart!", "+1", "我要两件", "还有货吗 想要", "多少钱?",
		"几号发货?", "敏感肌能用吗", "what size should I get?", "ship to Hong Kong?", "已经第三次买了", "主播辛苦了",
		"hello from Shenzhen", "加V领福利 wx: abc123", "免费领取 http://spam.example/x", "scam!!", "what a rip-off",
		"<img src=x onerror=alert(1)>", "<b>bold</b> 想要", "javascript:alert(1)", "&lt;3 &amp; more", "{{7*7}}",
		"'; DROP TABLE orders; --", "这件衣服多少钱，想要上链接！尺码有XL吗 so nice 😍 1", "❤️❤️ 第2次来了",
	} {
		var whole []string
		for _, w := range ref.Cut(c, true) {
			w = strings.ToLower(strings.TrimSpace(w))
			if worthCounting(w) && !text.stop[w] {
				whole = append(whole, w)
			}
		}
		if got := text.segment(seg, c); !slices.Equal(got, whole) {
			t.Errorf("segment(%q) = %q; gse on the whole comment gives %q", c, got, whole)
		}
	}
}

func TestLoadTextRejectsUnknownClass(t *testing.T) {
	if _, err := LoadText("testdata/bad_classifier.yaml"); err == nil {
		t.Fatal("unknown class accepted")
	}
}

// BenchmarkWords measures a comment's words: a comment seen before (from
// the cache), and unique ones, mixed scripts and Han only.
func BenchmarkWords(b *testing.B) {
	text, _ := LoadText("")
	text.Warm()
	for _, tc := range []struct{ name, text string }{
		{"repeated", "想要！多少钱 how much? 😍"},
		{"unique-mixed", "想要！多少钱 how much? 😍 第%d次"},
		{"unique-han", "这件大衣有没有黑色的，我一米六五穿什么码 第%d次"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				c := tc.text
				if strings.Contains(c, "%d") {
					c = fmt.Sprintf(c, i)
				}
				text.Words(c)
			}
		})
	}
}

// benchIngestComments is the comment mix of `livedeck bench ingest`
// (cmd/livedeck): every other comment is one of a few that many viewers
// send, the rest are sentences made unique by a number.
func benchIngestComments(n int) []string {
	common := []string{"想要", "1", "上链接", "多少钱", "尺码怎么选", "什么时候发货", "好看", "主播好美", "太贵了", "how much", "I want it"}
	sentences := []string{"这件大衣有没有黑色的，我一米六五穿什么码", "主播今天的口红色号是多少", "想要！多少钱 how much? 😍",
		"敏感肌能用吗 有没有试用装", "上次买的已经收到了 质量很好 回购", "is it waterproof? 下雨天能穿吗"}
	out := make([]string, n)
	for k := range out {
		if k%2 == 0 {
			out[k] = common[(k/2)%len(common)]
		} else {
			out[k] = fmt.Sprintf("%s 第%d-%012d次问", sentences[(k/2)%len(sentences)], k%16, k)
		}
	}
	return out
}

// BenchmarkTextMix measures Words and Classify over comment mixes, one
// comment per op: the bench's (half unique), and a simulated show's (few
// distinct comments, as a room repeats them).
func BenchmarkTextMix(b *testing.B) {
	text, _ := LoadText("")
	text.Warm()
	for _, op := range []struct {
		name string
		f    func(string)
	}{{"words", func(c string) { text.Words(c) }}, {"classify", func(c string) { text.Classify(c) }}} {
		for _, mix := range []struct {
			name     string
			comments []string
		}{{"bench-ingest", benchIngestComments(1 << 16)}, {"sim-show", commentCorpus(b, 0)}} {
			b.Run(op.name+"/"+mix.name, func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					op.f(mix.comments[i%len(mix.comments)])
				}
			})
		}
	}
}

// TestHanWords checks what segment assumes of the words of Han runs: they
// have no case, and worthCountingHan is worthCounting for them.
func TestHanWords(t *testing.T) {
	d, err := segment.Default()
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, r := range unicode.Han.R16 {
		for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
			words = append(words, string(c))
		}
	}
	for _, r := range unicode.Han.R32 {
		for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
			words = append(words, string(c))
		}
	}
	for _, c := range words {
		if l := strings.ToLower(c); l != c {
			t.Fatalf("%q lowered is %q", c, l)
		}
	}
	for _, w := range d.Words() {
		if !strings.ContainsFunc(w.Text, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			words = append(words, w.Text)
		}
	}
	for n := 14; n <= 18; n++ {
		words = append(words, strings.Repeat("要", n), strings.Repeat("𠀀", n))
	}
	for _, w := range words {
		if got, want := worthCountingHan(w), worthCounting(w); got != want {
			t.Errorf("worthCountingHan(%q) = %v, worthCounting %v", w, got, want)
		}
	}
}

// naiveClassifier is Classify as a plain search of the comment for every
// entry of the built-in lists.
func naiveClassifier(t testing.TB) func(string) string {
	var rules map[string]classRule
	if err := yaml.Unmarshal(defaultClassifier, &rules); err != nil {
		t.Fatal(err)
	}
	return func(text string) string {
		low := strings.ToLower(strings.TrimSpace(text))
		for _, name := range []string{livedeck.ClassAbuse, livedeck.ClassIntent, livedeck.ClassQuestion} {
			for _, e := range rules[name].Exact {
				if low == strings.ToLower(strings.TrimSpace(e)) {
					return name
				}
			}
			for _, c := range rules[name].Contains {
				if c != "" && strings.Contains(low, strings.ToLower(c)) {
					return name
				}
			}
		}
		return ""
	}
}

// TestClassifySameAsSearch classifies thousands of comments, and comments
// made of keywords' pieces, as a plain search of every entry does.
func TestClassifySameAsSearch(t *testing.T) {
	text, err := LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	naive := naiveClassifier(t)
	comments := commentCorpus(t, 3000)
	var pieces []string
	for _, m := range text.classes {
		for _, k := range m.contains {
			pieces = append(pieces, k.text, k.text[:len(k.text)/2], k.text[len(k.text)/2:], strings.ToUpper(k.text))
		}
		pieces = append(pieces, m.exact...)
	}
	rng := rand.New(rand.NewPCG(5, 7))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		comments = append(comments, b.String())
	}
	for _, c := range comments {
		if got, want := text.Classify(c), naive(c); got != want {
			t.Errorf("Classify(%q) = %q; a plain search finds %q", c, got, want)
		}
	}
}
