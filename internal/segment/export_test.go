package segment

import (
	"encoding/binary"
	"math"
	"slices"
)

// What the external tests need of the internals.

var ZhDict = zhDict

const HeaderSize = headerSize

func (d *Dict) Total() float64 { return d.total }

// Find looks word up as gse does: its frequency, and whether any word
// begins with it.
func (d *Dict) Find(word string) (uint, bool) { return d.find(word) }

var HMMData = hmmData

// HMM is an HMM model for EncodeHMM, by state B, M, E, S.
type HMM struct {
	Floor float64
	Start [4]float64
	Trans [4][4]float64       // from, to; Floor where there is none
	Emit  map[rune][4]float64 // Floor in the states a character lacks
}

// EncodeHMM writes m as hmm.model holds it: a dense table over the span of
// its common Han characters, the rest listed after it.
func EncodeHMM(m HMM) string {
	var lo, hi rune = -1, -1
	var extra []rune
	for c := range m.Emit {
		if c < firstLo || c >= firstHi {
			extra = append(extra, c)
			continue
		}
		if lo < 0 || c < lo {
			lo = c
		}
		hi = max(hi, c+1)
	}
	lo = max(lo, 0)
	hi = max(hi, lo)
	slices.Sort(extra)
	b := []byte(hmmMagic)
	f := func(v float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) }
	emit := func(c rune) {
		e, ok := m.Emit[c]
		for y := range states {
			if !ok {
				e[y] = m.Floor
			}
			f(e[y])
		}
	}
	f(m.Floor)
	for y := range states {
		f(m.Start[y])
	}
	for y0 := range states {
		for y := range states {
			f(m.Trans[y0][y])
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(lo))
	b = binary.LittleEndian.AppendUint32(b, uint32(hi-lo))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(extra)))
	for c := lo; c < hi; c++ {
		emit(c)
	}
	for _, c := range extra {
		b = binary.LittleEndian.AppendUint32(b, uint32(c))
		emit(c)
	}
	return string(b)
}

// HMMCut cuts run with the built-in HMM alone.
func HMMCut(run string) []string {
	m, err := builtinHMM()
	if err != nil {
		panic(err)
	}
	return m.cut(nil, run)
}

// HMMPrev returns the states each state may follow, and the states' names.
func HMMPrev() ([4][2]int, [4]byte) { return prevStates, stateByte }

// WithoutSecondIndex returns a copy of d that walks its words without
// bySecond.
func (d *Dict) WithoutSecondIndex() *Dict {
	c := *d
	c.bySecond = nil
	return &c
}

// SecondKey is seqKey.
func SecondKey(s string) uint32 { return seqKey(s) }
