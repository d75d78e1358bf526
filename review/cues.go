package review

import (
	"cmp"
	"slices"
	"sort"
)

// cues measures each cue rule: for every firing, the N minutes after it
// against the N minutes before, both clipped to the broadcast, then the
// averages over the firings that had some broadcast on both sides.
func (b *Builder) cues(markers []Marker) []CueEffect {
	visits := slices.Clone(b.visits)
	slices.SortStableFunc(visits, func(x, y hit) int { return cmp.Compare(x.ts, y.ts) })
	pays := slices.Clone(b.pays)
	slices.SortStableFunc(pays, func(x, y pay) int { return cmp.Compare(x.ts, y.ts) })
	spends := slices.Clone(b.spends)
	slices.SortStableFunc(spends, func(x, y move) int { return cmp.Compare(x.ts, y.ts) })
	w := &windows{visits: visits, pays: pays, seen: make([]uint32, len(b.users)), paid: make([]uint32, len(b.users)),
		spends: spends, carts: slices.Sorted(slices.Values(b.carts)), clicks: slices.Sorted(slices.Values(b.clicks))}

	n := int64(b.window) * minuteMs
	end := b.to + 1 // the last event's millisecond belongs to the show
	byRule := map[string]*CueEffect{}
	var order []string
	for _, m := range markers {
		if m.Kind != MarkCue || m.Rule == "" {
			continue
		}
		e := byRule[m.Rule]
		if e == nil {
			e = &CueEffect{Rule: m.Rule, Text: m.Text}
			byRule[m.Rule] = e
			order = append(order, m.Rule)
		}
		e.Firings++
		if m.Acked {
			e.Acked++
		}
		a, c := max(m.T-n, b.from), min(m.T+n, end)
		if m.T <= a || c <= m.T {
			continue // the cue came at the very start or end: nothing to compare
		}
		before, after := w.measure(a, m.T), w.measure(m.T, c)
		e.Measured++
		e.Before = add(e.Before, before)
		e.After = add(e.After, after)
	}
	out := make([]CueEffect, 0, len(order))
	for _, r := range order {
		e := byRule[r]
		if e.Measured > 0 {
			k := float64(e.Measured)
			e.Before = scale(e.Before, 1/k)
			e.After = scale(e.After, 1/k)
			e.Change = add(e.After, scale(e.Before, -1))
		}
		out = append(out, *e)
	}
	return out
}

// windows measures stretches of the show over its visits and payments,
// sorted by event time; seen and paid mark distinct users per measurement.
type windows struct {
	visits []hit
	pays   []pay
	seen   []uint32
	paid   []uint32
	gen    uint32
	spends []move
	carts  []int64
	clicks []int64
}

// measure returns the numbers of [from, to).
func (w *windows) measure(from, to int64) Window {
	w.gen++
	var visitors, buyers, gmv int64
	i := sort.Search(len(w.visits), func(i int) bool { return w.visits[i].ts >= from })
	for ; i < len(w.visits) && w.visits[i].ts < to; i++ {
		if u := w.visits[i].user; w.seen[u] != w.gen {
			w.seen[u] = w.gen
			visitors++
		}
	}
	j := sort.Search(len(w.pays), func(i int) bool { return w.pays[i].ts >= from })
	for ; j < len(w.pays) && w.pays[j].ts < to; j++ {
		p := w.pays[j]
		gmv += p.amount
		if p.paid && p.user >= 0 && w.paid[p.user] != w.gen {
			w.paid[p.user] = w.gen
			buyers++
		}
	}
	var spend int64
	k := sort.Search(len(w.spends), func(i int) bool { return w.spends[i].ts >= from })
	for ; k < len(w.spends) && w.spends[k].ts < to; k++ {
		spend += w.spends[k].amount
	}
	return Window{
		Conversion: ratio(float64(buyers), visitors),
		UVValue:    ratio(float64(gmv), visitors),
		GMVPerMin:  float64(gmv) * float64(minuteMs) / float64(to-from),
		ROI:        ratio(float64(gmv), spend),
		CartRate:   ratio(float64(countIn(w.carts, from, to)), countIn(w.clicks, from, to)),
	}
}

// countIn counts the sorted times in [from, to).
func countIn(ts []int64, from, to int64) int64 {
	i, _ := slices.BinarySearch(ts, from)
	j, _ := slices.BinarySearch(ts, to)
	return int64(j - i)
}

func add(a, b Window) Window {
	return Window{Conversion: a.Conversion + b.Conversion, UVValue: a.UVValue + b.UVValue, GMVPerMin: a.GMVPerMin + b.GMVPerMin,
		ROI: a.ROI + b.ROI, CartRate: a.CartRate + b.CartRate}
}

func scale(a Window, k float64) Window {
	return Window{Conversion: a.Conversion * k, UVValue: a.UVValue * k, GMVPerMin: a.GMVPerMin * k, ROI: a.ROI * k, CartRate: a.CartRate * k}
}
