// Package segment splits runs of Chinese (Han) characters into words with
// gse's algorithm (a DAG of the dictionary words found at each character,
// the most probable route through it, an HMM for runs of unknown
// characters) over a compact dictionary: one sorted, pointer-free byte
// string. gse's own dictionary is a trie of token structs full of pointers,
// ~130 MiB of heap that every garbage collection marks; this one is 6 MB
// that the collector never scans, and the built-in one is read in place
// from the binary's read-only data, so it is not on the heap at all and
// costs nothing to load.
package segment

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Word is a dictionary word and its frequency.
type Word struct {
	Text string
	Freq uint32
}

// Dict is a word list sorted bytewise and encoded in one string (see
// Encode). Lookups walk it by binary search, narrowing the range of words
// that share the characters read so far.
type Dict struct {
	data     string
	n        int     // words
	offs     int     // where the n+1 word offsets start in data
	freqs    int     // where the n frequencies start
	keys     int     // where the words' bytes start
	total    float64 // the sum of all frequencies
	logTotal float64
	// byFirst[c-firstLo] is the span of the words that begin with the
	// character c, for the common Han characters: the first step of every
	// walk, and the longest binary search, made one read.
	byFirst []span32
	// bySecond[c-firstLo] is the span of seconds that holds the second
	// characters of the words beginning with c, in order: the second step
	// of a walk, the next longest search, made over a few contiguous
	// entries instead of the words' offsets and bytes.
	bySecond []span32
	seconds  []second
	hmm      *hmmModel // for runs of characters the dictionary leaves single
}

// span32 is a span of depth 0 in a pointer-free table.
type span32 struct{ lo, hi uint32 }

// second is a second character (its seqKey) and the span of the words
// that begin with the first one and it.
type second struct {
	key   uint32
	words span32
}

// The characters byFirst covers: CJK Unified Ideographs and Extension A.
const firstLo, firstHi = 0x3400, 0xA000

// The encoding, little-endian:
//
//	magic    8 bytes
//	total    float64: the sum of the frequencies, in gse's order of summing
//	n        uint32: words
//	keyBytes uint32
//	offsets  (n+1) × uint32 into the words' bytes, ascending
//	freqs    n × uint32
//	words    keyBytes bytes, sorted bytewise
const (
	magic      = "LDSEG1\n\x00"
	headerSize = len(magic) + 8 + 4 + 4
)

var errCorrupt = errors.New("segment: corrupt dictionary")

// Build sorts words into a dictionary. As gse, the first of several equal
// words wins, and the total frequency sums the words kept, in their order.
func Build(words []Word) *Dict {
	seen := make(map[string]bool, len(words))
	kept := make([]Word, 0, len(words))
	var total float64
	for _, w := range words {
		if w.Text == "" || seen[w.Text] {
			continue
		}
		seen[w.Text] = true
		kept = append(kept, w)
		total += float64(w.Freq)
	}
	slices.SortFunc(kept, func(a, b Word) int { return strings.Compare(a.Text, b.Text) })
	d, err := Parse(Encode(kept, total))
	if err != nil {
		panic(err) // Encode's output always parses
	}
	return d
}

// Encode writes sorted, distinct words and their total frequency in the
// form Parse reads.
func Encode(words []Word, total float64) string {
	keyBytes := 0
	for _, w := range words {
		keyBytes += len(w.Text)
	}
	b := make([]byte, 0, headerSize+8*len(words)+4+keyBytes)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(total))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(words)))
	b = binary.LittleEndian.AppendUint32(b, uint32(keyBytes))
	off := 0
	for _, w := range words {
		b = binary.LittleEndian.AppendUint32(b, uint32(off))
		off += len(w.Text)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(off))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint32(b, w.Freq)
	}
	for _, w := range words {
		b = append(b, w.Text...)
	}
	return string(b)
}

// Parse reads an encoded dictionary in place: data is kept, not copied.
// It checks the layout (sizes, ascending offsets) but not the order of the
// words.
func Parse(data string) (*Dict, error) {
	if len(data) < headerSize || data[:len(magic)] != magic {
		return nil, fmt.Errorf("%w: no header", errCorrupt)
	}
	hmm, err := builtinHMM()
	if err != nil {
		return nil, err
	}
	total := math.Float64frombits(u64(data, len(magic)))
	n, keyBytes := int(u32(data, len(magic)+8)), int(u32(data, len(magic)+12))
	d := &Dict{data: data, n: n, offs: headerSize, freqs: headerSize + 4*(n+1), keys: headerSize + 8*n + 4,
		total: total, logTotal: math.Log(total), hmm: hmm}
	if len(data) != d.keys+keyBytes {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d", errCorrupt, len(data), d.keys+keyBytes)
	}
	prev := 0
	for i := 0; i <= n; i++ {
		off := d.off(i)
		if off < prev || off > keyBytes || i == n && off != keyBytes {
			return nil, fmt.Errorf("%w: word offset %d of %d", errCorrupt, i, n)
		}
		prev = off
	}
	d.index()
	return d, nil
}

// index builds byFirst and bySecond.
func (d *Dict) index() {
	d.byFirst = make([]span32, firstHi-firstLo)
	d.bySecond = make([]span32, firstHi-firstLo)
	// Each word in turn, with its first character if byFirst covers it,
	// and the key of its second if it has one.
	each := func(f func(i int, c rune, key uint32, more bool)) {
		for i := range d.n {
			k := d.key(i)
			if c, size := utf8.DecodeRuneInString(k); c >= firstLo && c < firstHi {
				if size == len(k) {
					f(i, c, 0, false)
				} else {
					f(i, c, seqKey(k[size:]), true)
				}
			}
		}
	}
	// Words sort by their first character, then by their second (the
	// character alone first): a group of seconds starts wherever either
	// changes.
	groups, prevC, prevKey := 0, rune(-1), uint32(0)
	each(func(_ int, c rune, key uint32, more bool) {
		if more && (c != prevC || key != prevKey) {
			groups++
		}
		prevC, prevKey = c, key
		if !more {
			prevC = -1
		}
	})
	d.seconds = make([]second, 0, groups)
	each(func(i int, c rune, key uint32, more bool) {
		if f := &d.byFirst[c-firstLo]; f.hi == 0 {
			*f = span32{uint32(i), uint32(i + 1)}
		} else {
			f.hi = uint32(i + 1)
		}
		if !more {
			return
		}
		sec := &d.bySecond[c-firstLo]
		if sec.hi > sec.lo && d.seconds[sec.hi-1].key == key {
			d.seconds[sec.hi-1].words.hi = uint32(i + 1)
			return
		}
		if sec.hi == sec.lo {
			*sec = span32{uint32(len(d.seconds)), uint32(len(d.seconds))}
		}
		d.seconds = append(d.seconds, second{key, span32{uint32(i), uint32(i + 1)}})
		sec.hi++
	})
}

// seqKey packs the bytes of the first character of s, as many as a UTF-8
// sequence with its first byte has (or fewer, if s ends), into a number
// that orders as the bytes do: as the words are sorted, whether they are
// valid UTF-8 or not. A character b that is a whole sequence has seqKey(b)
// equal to that of exactly the strings that begin with it (a sequence of
// several bytes has no zero bytes for a shorter one's padding to match).
func seqKey(s string) uint32 {
	n := min(seqLen(s[0]), len(s))
	var k uint32
	for i := range 4 {
		k <<= 8
		if i < n {
			k |= uint32(s[i])
		}
	}
	return k
}

// seqLen is the length of the UTF-8 sequence that begins with byte b, or 1
// if none can.
func seqLen(b byte) int {
	switch {
	case b >= 0xF0 && b < 0xF8:
		return 4
	case b >= 0xE0 && b < 0xF0:
		return 3
	case b >= 0xC0 && b < 0xE0:
		return 2
	}
	return 1
}

// first is the span of the words that begin with the character b, b's
// character, and whether bySecond holds their second characters.
func (d *Dict) first(b string) (span, rune, bool) {
	if c, size := utf8.DecodeRuneInString(b); size == len(b) && c >= firstLo && c < firstHi {
		f := d.byFirst[c-firstLo]
		return span{int(f.lo), int(f.hi), len(b)}, c, d.bySecond != nil
	}
	return d.next(d.all(), b), 0, false
}

// second narrows s, the span first returned for the character c, to the
// words whose next character is b.
func (d *Dict) second(c rune, s span, b string) span {
	if len(b) == 0 || seqLen(b[0]) != len(b) {
		return d.next(s, b)
	}
	key := seqKey(b)
	sec := d.bySecond[c-firstLo]
	lo, hi := int(sec.lo), int(sec.hi)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.seconds[m].key < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == int(sec.hi) || d.seconds[lo].key != key {
		return span{depth: s.depth + len(b)}
	}
	w := d.seconds[lo].words
	return span{int(w.lo), int(w.hi), s.depth + len(b)}
}

// Len returns the number of words.
func (d *Dict) Len() int { return d.n }

// Words returns every word in order, for tests and tools.
func (d *Dict) Words() []Word {
	out := make([]Word, d.n)
	for i := range out {
		out[i] = Word{Text: d.key(i), Freq: d.freq(i)}
	}
	return out
}

func (d *Dict) off(i int) int     { return int(u32(d.data, d.offs+4*i)) }
func (d *Dict) freq(i int) uint32 { return u32(d.data, d.freqs+4*i) }
func (d *Dict) key(i int) string  { return d.data[d.keys+d.off(i) : d.keys+d.off(i+1)] }
func u32(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}
func u64(s string, i int) uint64   { return uint64(u32(s, i)) | uint64(u32(s, i+4))<<32 }
func (d *Dict) all() span          { return span{0, d.n, 0} }
func (s span) empty() bool         { return s.lo >= s.hi }
func (d *Dict) whole(s span) bool  { return !s.empty() && len(d.key(s.lo)) == s.depth }
func (d *Dict) freqOf(s span) uint { return uint(d.freq(s.lo)) }

// span is the words [lo, hi) that begin with the same depth bytes.
type span struct{ lo, hi, depth int }

// next narrows s to the words whose bytes continue with b. The words of a
// span are sorted by what follows its prefix, and so by that cut to
// len(b) bytes: those below b, then those beginning with b, then those
// above.
func (d *Dict) next(s span, b string) span {
	if s.depth == 0 && s.lo == 0 && s.hi == d.n {
		if c, size := utf8.DecodeRuneInString(b); size == len(b) && c >= firstLo && c < firstHi {
			f := d.byFirst[c-firstLo]
			return span{int(f.lo), int(f.hi), len(b)}
		}
	}
	lo, hi := s.lo, s.hi
	for lo < hi { // the first word not below b
		m := int(uint(lo+hi) >> 1)
		if d.cmpAt(m, s.depth, b) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	first := lo
	hi = s.hi
	for lo < hi { // the first word above b
		m := int(uint(lo+hi) >> 1)
		if d.cmpAt(m, s.depth, b) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return span{first, lo, s.depth + len(b)}
}

// cmpAt compares word i's bytes after depth, cut to len(b), with b.
func (d *Dict) cmpAt(i, depth int, b string) int {
	k := d.key(i)[depth:]
	if len(k) > len(b) {
		k = k[:len(b)]
	}
	return strings.Compare(k, b)
}

// find looks word up as gse's Dictionary.Find does: its frequency (0 if it
// is only the beginning of longer words) and whether any word begins with
// it.
func (d *Dict) find(word string) (freq uint, ok bool) {
	s := d.next(d.all(), word)
	if s.empty() {
		return 0, false
	}
	if d.whole(s) {
		return d.freqOf(s), true
	}
	return 0, true
}
