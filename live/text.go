package live

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/segment"
)

//go:embed classifier.yaml
var defaultClassifier []byte

// classRule is one comment class's keyword lists.
type classRule struct {
	Exact    []string `yaml:"exact"`
	Contains []string `yaml:"contains"`
}

// Text classifies comments and splits them into words. The keyword lists are
// configuration (classifier.yaml or a file of the same shape); Chinese word
// segmentation uses gse's algorithm over a compact dictionary
// (internal/segment), so keywords are words rather than single characters.
type Text struct {
	classes []classMatcher // the rules, in the order they are applied
	stop    map[string]bool
	words   *wordCache  // recent comments' words
	dict    *dictionary // the segmenter, once loaded
}

// Live-room comments repeat a lot ("1", "想要", "上链接" from hundreds of
// viewers), so the words of recent short comments are kept.
const (
	wordCacheSize = 8192 // a power of 2
	wordCacheText = 128  // bytes: longer comments rarely repeat
)

// wordCache keeps comments' words in a slot per hash of the comment, the
// newest comment taking the slot over: a look-up is a hash, an atomic load
// and a comparison, with no lock for the room runners sharing one Text to
// wait on and no list to reorder, so the unique comments, which only miss,
// cost little. A comment many viewers send is seldom pushed out (by the
// one unique comment in wordCacheSize that lands in its slot) and comes
// back when next sent.
type wordCache struct {
	seed  maphash.Seed
	slots [wordCacheSize]atomic.Pointer[cachedWords]
}

type cachedWords struct {
	text  string
	words []string
}

func newWordCache() *wordCache { return &wordCache{seed: maphash.MakeSeed()} }

func (c *wordCache) slot(text string) *atomic.Pointer[cachedWords] {
	return &c.slots[maphash.String(c.seed, text)&(wordCacheSize-1)]
}

func (c *wordCache) get(text string) ([]string, bool) {
	if e := c.slot(text).Load(); e != nil && e.text == text {
		return e.words, true
	}
	return nil, false
}

func (c *wordCache) add(text string, words []string) {
	c.slot(text).Store(&cachedWords{text, words})
}

// dictionary is a segmenter loaded once, on first need, in the
// background: Words counts nothing until it is ready, and Ready waits.
type dictionary struct {
	once  sync.Once
	load  func() (*segment.Dict, error)
	ready atomic.Pointer[segment.Dict]
	done  chan struct{} // closed when load has returned
	err   error         // load's error, set before done closes
}

func newDictionary(load func() (*segment.Dict, error)) *dictionary {
	return &dictionary{load: load, done: make(chan struct{})}
}

func (d *dictionary) warm() {
	d.once.Do(func() {
		defer close(d.done)
		seg, err := d.load()
		if err != nil {
			d.err = fmt.Errorf("keyword segmentation: %w", err)
			slog.Error("keyword segmentation disabled", "err", err)
			return
		}
		d.ready.Store(seg)
	})
}

// The segmenter is shared by the whole process. The built-in dictionary is
// read in place from the binary (it loads in milliseconds and is not on
// the heap); the HMM for unknown words is package state of gse's.
var sharedDict = newDictionary(segment.Default)

// LoadText reads a classifier file; path "" means the built-in lists.
func LoadText(path string) (*Text, error) {
	data := defaultClassifier
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("classifier: %w", err)
		}
		data = b
	}
	var rules map[string]classRule
	if err := yaml.Unmarshal(data, &rules); err != nil {
		return nil, fmt.Errorf("classifier %s: %w", path, err)
	}
	for name := range rules {
		switch name {
		case livedeck.ClassAbuse, livedeck.ClassIntent, livedeck.ClassQuestion:
		default:
			return nil, fmt.Errorf("classifier %s: unknown class %q (want abuse, intent, question)", path, name)
		}
	}
	t := &Text{stop: stopWords(), words: newWordCache(), dict: sharedDict}
	for _, name := range []string{livedeck.ClassAbuse, livedeck.ClassIntent, livedeck.ClassQuestion} {
		r := rules[name]
		m := classMatcher{name: name}
		for _, e := range r.Exact {
			m.exact = append(m.exact, strings.ToLower(strings.TrimSpace(e)))
		}
		for _, c := range r.Contains {
			if c != "" {
				m.contains = append(m.contains, newKeyword(strings.ToLower(c)))
			}
		}
		t.classes = append(t.classes, m)
	}
	return t, nil
}

// classMatcher is a class's rule as Classify applies it.
type classMatcher struct {
	name     string
	exact    []string
	contains []keyword
}

// keyword is a non-empty "contains" entry and the byte pairs (pairBit) a
// text must have to contain it: its first, middle and last.
type keyword struct {
	text  string
	pairs [3]uint
}

func newKeyword(k string) keyword {
	kw := keyword{text: k}
	if len(k) >= 2 {
		for i, at := range [3]int{0, (len(k) - 2) / 2, len(k) - 2} {
			kw.pairs[i] = pairBit(k[at], k[at+1])
		}
	}
	return kw
}

// textBytes are the bytes of a text and its adjacent pairs of bytes, the
// pairs hashed into 1024 bits: a keyword whose pairs (or, alone, whose
// byte) are not all there is not in the text. Most keywords are not in a
// comment, and this rules them out for a bit test each instead of a
// search of the text each.
type textBytes struct {
	bytes [4]uint64
	pairs [16]uint64
}

func pairBit(x, y byte) uint { return (uint(x)<<8 | uint(y)) * 0x9E3779B1 >> 16 & 1023 }

func (tb *textBytes) fill(s string) {
	for i := 0; i < len(s); i++ {
		tb.bytes[s[i]>>6] |= 1 << (s[i] & 63)
		if i+1 < len(s) {
			b := pairBit(s[i], s[i+1])
			tb.pairs[b>>6] |= 1 << (b & 63)
		}
	}
}

// mayContain reports whether the text may contain k.
func (tb *textBytes) mayContain(k *keyword) bool {
	if len(k.text) == 1 {
		return tb.bytes[k.text[0]>>6]&(1<<(k.text[0]&63)) != 0
	}
	for _, b := range k.pairs {
		if tb.pairs[b>>6]&(1<<(b&63)) == 0 {
			return false
		}
	}
	return true
}

// Classify returns the comment's class, or "": the first class, in order,
// with an entry the trimmed, lower-cased comment equals ("exact") or
// contains ("contains").
func (t *Text) Classify(text string) string {
	low := strings.ToLower(strings.TrimSpace(text))
	var tb textBytes
	tb.fill(low)
	for i := range t.classes {
		m := &t.classes[i]
		for _, e := range m.exact {
			if low == e {
				return m.name
			}
		}
		for j := range m.contains {
			if k := &m.contains[j]; tb.mayContain(k) && strings.Contains(low, k.text) {
				return m.name
			}
		}
	}
	return ""
}

// Warm loads the segmentation dictionary (milliseconds). Until it is loaded,
// Words returns nothing rather than stall a room's processing: whatever
// keeps keyword counts must wait for Ready, or count late (Segmenting).
func (t *Text) Warm() { t.dict.warm() }

// Segmenting reports whether the dictionary is loaded: until then Words
// returns nothing.
func (t *Text) Segmenting() bool { return t.dict.ready.Load() != nil }

// errNotSegmenting means the dictionary failed to load.
var errNotSegmenting = errors.New("keyword segmentation unavailable")

// Ready loads the dictionary if no one has yet and waits until it is
// loaded, or ctx ends. A load that failed is an error: keywords would
// silently not be counted.
func (t *Text) Ready(ctx context.Context) error {
	go t.dict.warm()
	select {
	case <-t.dict.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if t.dict.ready.Load() == nil {
		return fmt.Errorf("%w: %w", errNotSegmenting, t.dict.err)
	}
	return nil
}

// Words splits a comment into the words worth counting: no punctuation,
// numbers, single Latin letters or stop words. The slice may be shared with
// other callers: do not modify it.
func (t *Text) Words(text string) []string {
	seg := t.dict.ready.Load()
	if seg == nil {
		return nil
	}
	if len(text) > wordCacheText {
		return t.segment(seg, plainText(text))
	}
	if w, ok := t.words.get(text); ok {
		return w
	}
	w := t.segment(seg, plainText(text))
	t.words.add(text, w)
	return w
}

// plainText drops what was not said to the room: markup tags and links. A
// comment that probes for script injection, or spam with a URL, should not
// put "img", "onerror" or a domain among the room's keywords.
func plainText(text string) string {
	if !strings.ContainsAny(text, "<:.") {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] == '<' {
			if j := strings.IndexByte(text[i:], '>'); j > 0 {
				b.WriteByte(' ')
				i += j + 1
				continue
			}
		}
		if linkAt(text, i) {
			for i < len(text) && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' {
				i++
			}
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(text[i])
		i++
	}
	return b.String()
}

// linkSchemes start the links plainText drops, matched without case.
var linkSchemes = []string{"http://", "https://", "www.", "javascript:", "data:"}

// linkAt reports whether a link starts at byte i, at the start of a word.
// Bytes of multi-byte UTF-8 characters are never ASCII letters, so checking
// bytes is safe.
func linkAt(text string, i int) bool {
	if i > 0 {
		if c := text[i-1]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return false
		}
	}
	for _, p := range linkSchemes {
		if len(text)-i >= len(p) && strings.EqualFold(text[i:i+len(p)], p) {
			return true
		}
	}
	return false
}

// segment hands the segmenter only runs of Han characters. Latin words,
// digits, emoji and punctuation are split here by character class: gse
// would do the same with regular expressions, at four to five times the
// cost for a comment that mixes them (most do).
//
// The words kept are copied into one new string: words cut from the
// comment would keep all of it alive in the room's keyword counts, and a
// copy each would cost an allocation each.
func (t *Text) segment(seg *segment.Dict, text string) []string {
	var (
		bytesBuf [256]byte
		endBuf   [32]int
		cutBuf   [32]string
	)
	kept, ends := bytesBuf[:0], endBuf[:0] // word i is kept[ends[i-1]:ends[i]]
	start, han := -1, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		run := text[start:end]
		start = -1
		if !han {
			if w := strings.ToLower(run); worthCounting(w) && !t.stop[w] {
				kept = append(kept, w...)
				ends = append(ends, len(kept))
			}
			return
		}
		for _, w := range seg.AppendCut(cutBuf[:0], run) {
			// Han characters have no case: w is already lower case.
			if worthCountingHan(w) && !t.stop[w] {
				kept = append(kept, w...)
				ends = append(ends, len(kept))
			}
		}
	}
	for i, r := range text {
		var h, word bool
		if r < utf8.RuneSelf {
			word = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		} else {
			h = unicode.Is(unicode.Han, r)
			word = h || unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if !word {
			flush(i)
			continue
		}
		if start >= 0 && h != han {
			flush(i)
		}
		if start < 0 {
			start, han = i, h
		}
	}
	flush(len(text))
	if len(ends) == 0 {
		return nil
	}
	all := string(kept)
	out := make([]string, len(ends))
	from := 0
	for i, e := range ends {
		out[i], from = all[from:e], e
	}
	return out
}

// worthCountingHan is worthCounting for a word of Han characters only:
// two to sixteen of them, or 要 or 买 alone.
func worthCountingHan(w string) bool {
	n := utf8.RuneCountInString(w)
	return n >= 2 && n <= 16 || w == "要" || w == "买"
}

func worthCounting(w string) bool {
	if w == "" || utf8.RuneCountInString(w) > 16 {
		return false
	}
	letters, han := 0, false
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if han {
		return utf8.RuneCountInString(w) >= 2 || letters == 1 && strings.ContainsAny(w, "要买")
	}
	return letters >= 2
}

func stopWords() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`的 了 是 我 你 他 她 这 那 在 有 和 就 都 也 很 吗 呢 啊 吧 呀 哦 嗯 这个 那个 一个 什么 我们 你们 主播
		时候 怎么 可以 没有 有没有 还有 一下 这件 那件 已经 还是 就是 不是
		the a an is are to of and it this that for in on i you my me be do
		how what when where why who which much many should would could can will get got hi hello so very just
		not no yes with at from as by or but if have has was were there here all some any your our we they
		them he she his her its im it's i'm pls please than then too also about more most one lol ok okay`) {
		m[w] = true
	}
	return m
}
