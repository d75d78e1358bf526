package segment

import (
	"math"
	"unicode/utf8"
)

// route is the best way on from a character: where its first word ends
// (the index of its last character) and the log probability of the rest.
type route struct {
	logP float64
	end  int
}

// Cut splits run, a run of Han characters, into words exactly as gse's
// Segmenter.Cut(run, true) does over the same dictionary: each character
// starts the dictionary words found there (or itself alone); the route
// through them with the highest product of word probabilities wins, ties
// going to the longer word; runs of characters the route leaves single
// are handed to the HMM unless they form a dictionary word. The words are
// substrings of run.
func (d *Dict) Cut(run string) []string {
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

	out := make([]string, 0, n/2+1)
	single := -1 // first of the characters the route leaves single, pending
	flush := func(to int) {
		if single < 0 {
			return
		}
		if to-single == 1 {
			out = append(out, run[pos[single]:pos[to]])
		} else {
			out = d.unknown(out, run[pos[single]:pos[to]])
		}
		single = -1
	}
	for x := 0; x < n; {
		y := routes[x].end + 1
		if y-x == 1 {
			if single < 0 {
				single = x
			}
		} else {
			flush(x)
			out = append(out, run[pos[x]:pos[y]])
		}
		x = y
	}
	flush(n)
	return out
}

// bestFrom scores the words starting at character k as gse does (the same
// float operations in the same order, so the same ties), given the routes
// of the characters after them.
func (d *Dict) bestFrom(run string, pos []int, k int, routes []route) route {
	var best route
	have := false
	consider := func(end int, freq float64) {
		r := route{logP: math.Log(freq) - d.logTotal + routes[end+1].logP, end: end}
		if !have || best.logP < r.logP || best.logP == r.logP && best.end < r.end {
			best, have = r, true
		}
	}
	s := d.all()
	known := false // whether any word begins with character k
	for i := k; i < len(pos)-1; i++ {
		if s = d.next(s, run[pos[i]:pos[i+1]]); s.empty() {
			break
		}
		known = true
		if d.whole(s) {
			consider(i, float64(d.freqOf(s)))
		}
	}
	if !have {
		// The character alone: gse looks it up, and one that only begins
		// longer words has frequency 0 (a route of log 0 = -Inf), while
		// one unknown counts as frequency 1.
		f := 1.0
		if known {
			f = 0
		}
		consider(k, f)
	}
	return best
}

// unknown appends the words of run, characters the route left single: its
// characters one by one if run is itself a dictionary word (as gse does),
// else what the HMM finds.
func (d *Dict) unknown(out []string, run string) []string {
	if f, ok := d.find(run); ok && f > 0 {
		for i := 0; i < len(run); {
			_, size := utf8.DecodeRuneInString(run[i:])
			out = append(out, run[i:i+size])
			i += size
		}
		return out
	}
	return d.hmm.cut(out, run)
}
