package segment

import (
	_ "embed"
	"fmt"
	"math"
	"sync"
)

// hmm.model is gse's HMM for unknown words (its hmm package's model, which
// comes from jieba) as flat tables; see TestHMMFile, which checks it
// against gse's source and rebuilds it with -update. gse keeps it in maps
// of runes to floats and runs its Viterbi through maps, sorts and a copied
// path per state and character: a dozen allocations per character. Here a
// character costs one read of four emissions, eight additions and a byte.
//
//go:embed hmm.model
var hmmData string

// The four states of a character: the beginning, middle or end of a word,
// or a word alone.
const (
	stB = iota
	stM
	stE
	stS
	states
)

// stateByte is gse's name of each state: ties between two ways into a
// state go to the greater name, as gse's sort leaves them.
var stateByte = [states]byte{'B', 'M', 'E', 'S'}

// prevStates are the states a state may follow, as gse lists them.
var prevStates = [states][2]int{stB: {stE, stS}, stM: {stM, stB}, stE: {stB, stM}, stS: {stS, stE}}

// hmmModel is the model read in place from its encoding:
//
//	magic   8 bytes
//	floor   float64: the log probability gse gives what its tables lack
//	start   4 × float64, by state
//	trans   4 × 4 × float64, from state, to state (floor where gse has none)
//	lo, n   uint32: the dense table's first character and its length
//	extra   uint32: characters outside it
//	dense   n × 4 × float64: the emissions of lo+i by state (floor if none)
//	extras  extra × (uint32 character, 4 × float64)
//
// all little-endian. Characters in neither table emit floor in every state.
type hmmModel struct {
	data   string
	floor  float64
	start  [states]float64
	trans  [states][states]float64
	lo     rune
	n      int
	extras map[rune][states]float64
}

const (
	hmmMagic  = "LDHMM1\n\x00"
	hmmDense  = len(hmmMagic) + 8 + 8*states + 8*states*states + 12
	hmmStride = 8 * states
)

// builtinHMM is hmm.model, parsed once: its tables stay in the binary's
// read-only data.
var builtinHMM = sync.OnceValues(func() (*hmmModel, error) {
	m, err := parseHMM(hmmData)
	if err != nil {
		return nil, fmt.Errorf("built-in HMM: %w", err)
	}
	return m, nil
})

func f64(s string, i int) float64 { return math.Float64frombits(u64(s, i)) }

func parseHMM(data string) (*hmmModel, error) {
	if len(data) < hmmDense || data[:len(hmmMagic)] != hmmMagic {
		return nil, fmt.Errorf("%w: no header", errCorrupt)
	}
	m := &hmmModel{data: data}
	i := len(hmmMagic)
	m.floor = f64(data, i)
	i += 8
	for y := range states {
		m.start[y] = f64(data, i)
		i += 8
	}
	for y0 := range states {
		for y := range states {
			m.trans[y0][y] = f64(data, i)
			i += 8
		}
	}
	m.lo, m.n = rune(u32(data, i)), int(u32(data, i+4))
	extra := int(u32(data, i+8))
	if want := hmmDense + m.n*hmmStride + extra*(4+hmmStride); len(data) != want {
		return nil, fmt.Errorf("%w: HMM of %d bytes, the header says %d", errCorrupt, len(data), want)
	}
	m.extras = make(map[rune][states]float64, extra)
	for i := hmmDense + m.n*hmmStride; i < len(data); i += 4 + hmmStride {
		m.extras[rune(u32(data, i))] = m.denseAt(i + 4)
	}
	return m, nil
}

func (m *hmmModel) denseAt(off int) [states]float64 {
	s := m.data[off : off+hmmStride]
	return [states]float64{f64(s, 0), f64(s, 8), f64(s, 16), f64(s, 24)}
}

// emit returns the log probabilities of c in each state.
func (m *hmmModel) emit(c rune) [states]float64 {
	if i := int(c - m.lo); c >= m.lo && i < m.n {
		return m.denseAt(hmmDense + i*hmmStride)
	}
	if e, ok := m.extras[c]; ok {
		return e
	}
	return [states]float64{m.floor, m.floor, m.floor, m.floor}
}

// cut appends the words of run, a run of Han characters, as gse's hmm.Cut
// finds them: the most probable states by its Viterbi (the same float
// operations in the same order, and the same ties), then a word from each
// B to the next E, and a word of each S. The words are substrings of run.
func (m *hmmModel) cut(out []string, run string) []string {
	// back[t] packs, for each state at t, the state at t-1 it came from
	// (2 bits each); pos[t] is where character t starts.
	var backBuf [64]uint8
	var posBuf [65]int
	back, pos := backBuf[:0], posBuf[:0]
	var v [states]float64
	for i, c := range run {
		e := m.emit(c)
		if len(pos) == 0 {
			for y := range states {
				v[y] = e[y] + m.start[y]
			}
			back = append(back, 0)
			pos = append(pos, i)
			continue
		}
		var next [states]float64
		var from uint8
		for y := range states {
			a, b := prevStates[y][0], prevStates[y][1]
			pa := v[a] + m.trans[a][y] + e[y]
			pb := v[b] + m.trans[b][y] + e[y]
			if pb > pa || pb == pa && stateByte[b] > stateByte[a] {
				pa, a = pb, b
			}
			next[y] = pa
			from |= uint8(a) << (2 * y)
		}
		v = next
		back = append(back, from)
		pos = append(pos, i)
	}
	n := len(pos)
	if n == 0 {
		return out
	}
	pos = append(pos, len(run))
	// The path ends in E or S, S on a tie; walk it back, leaving each
	// character's state in back.
	y := stS
	if v[stE] > v[stS] {
		y = stE
	}
	for t := n - 1; t > 0; t-- {
		prev := int(back[t] >> (2 * y) & 3)
		back[t] = uint8(y)
		y = prev
	}
	back[0] = uint8(y)
	begin, next := 0, 0
	for t := range n {
		switch back[t] {
		case stB:
			begin = t
		case stE:
			out = append(out, run[pos[begin]:pos[t+1]])
			next = t + 1
		case stS:
			out = append(out, run[pos[t]:pos[t+1]])
			next = t + 1
		}
	}
	if next < n {
		out = append(out, run[pos[next]:])
	}
	return out
}
