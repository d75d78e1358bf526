package segment

import "math"

// route is the best way on from a character: where its first word ends
// (the index of its last character) and the log probability of the rest;
// and, bit j of words, whether the j+1 characters from it are a word of
// the dictionary with a frequency above 0.
type route struct {
	logP  float64
	end   int
	words uint64
}

// Cut splits run, a run of Han characters, into words exactly as gse's
// Segmenter.Cut(run, true) does over the same dictionary: each character
// starts the dictionary words found there (or itself alone); the route
// through them with the highest product of word probabilities wins, ties
// going to the longer word; runs of characters the route leaves single
// are handed to the HMM unless they form a dictionary word. The words are
// substrings of run.
func (d *Dict) Cut(run string) []string { return d.AppendCut(nil, run) }

// AppendCut appends the words of run to out, as Cut finds them.
func (d *Dict) AppendCut(out []string, run string) []string {
	var posBuf [33]int
	var routeBuf [33]route
	pos := posBuf[:0]
	for i := range run {
		pos = append(pos, i)
	}
	pos = append(pos, len(run))
	n := len(pos) - 1
	var routes []route
	if n < len(routeBuf) {
		routes = routeBuf[:n+1]
	} else {
		routes = make([]route, n+1)
	}
	routes[n] = route{}
	for k := n - 1; k >= 0; k-- {
		routes[k] = d.bestFrom(run, pos, k, routes)
	}

	single := -1 // first of the characters the route leaves single, pending
	for x := 0; x < n; {
		y := routes[x].end + 1
		if y-x == 1 {
			if single < 0 {
				single = x
			}
			x = y
			continue
		}
		if single >= 0 {
			out = d.unknown(out, run, pos, routes, single, x)
			single = -1
		}
		out = append(out, run[pos[x]:pos[y]])
		x = y
	}
	if single >= 0 {
		out = d.unknown(out, run, pos, routes, single, n)
	}
	return out
}

// logSmall holds the logarithms of the small frequencies, which most words
// have: math.Log's own results, so the same routes and ties.
var logSmall = func() (t [1 << 12]float64) {
	for f := range t {
		t[f] = math.Log(float64(f))
	}
	return t
}()

func logFreq(f uint) float64 {
	if f < uint(len(logSmall)) {
		return logSmall[f]
	}
	return math.Log(float64(f))
}

// bestFrom scores the words starting at character k as gse does (the same
// float operations in the same order, so the same ties), given the routes
// of the characters after them.
func (d *Dict) bestFrom(run string, pos []int, k int, routes []route) route {
	best := route{logP: math.Inf(-1), end: -1}
	var s span
	var c rune       // character k
	indexed := false // whether bySecond holds the next characters
	known := false   // whether any word begins with character k
	for i := k; i < len(pos)-1; i++ {
		switch b := run[pos[i]:pos[i+1]]; {
		case i == k:
			s, c, indexed = d.first(b)
		case i == k+1 && indexed:
			s = d.second(c, s, b)
		default:
			s = d.next(s, b)
		}
		if s.empty() {
			break
		}
		known = true
		if !d.whole(s) {
			continue
		}
		f := d.freqOf(s)
		if p := logFreq(f) - d.logTotal + routes[i+1].logP; best.end < 0 || best.logP <= p {
			best.logP, best.end = p, i // i > best.end: a tie goes to the longer word
		}
		if f > 0 && i-k < 64 {
			best.words |= 1 << (i - k)
		}
	}
	if best.end < 0 {
		// The character alone: gse looks it up, and one that only begins
		// longer words has frequency 0 (a route of log 0 = -Inf), while
		// one unknown counts as frequency 1.
		f := uint(1)
		if known {
			f = 0
		}
		best.logP, best.end = logFreq(f)-d.logTotal+routes[k+1].logP, k
	}
	return best
}

// unknown appends the words of characters from to to, which the route
// left single: the characters one by one if they form a dictionary word
// (as gse does), else what the HMM finds.
func (d *Dict) unknown(out []string, run string, pos []int, routes []route, from, to int) []string {
	if to-from == 1 {
		return append(out, run[pos[from]:pos[to]])
	}
	word := false
	if j := to - 1 - from; j < 64 {
		word = routes[from].words>>j&1 != 0
	} else {
		f, ok := d.find(run[pos[from]:pos[to]])
		word = ok && f > 0
	}
	if !word {
		return d.hmm.cut(out, run[pos[from]:pos[to]])
	}
	for x := from; x < to; x++ {
		out = append(out, run[pos[x]:pos[x+1]])
	}
	return out
}
