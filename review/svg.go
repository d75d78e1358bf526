package review

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// The export's charts are drawn here as inline SVG, so the HTML file has
// no script and no external resource and renders the same everywhere.
// (Server-side Go chart libraries draw axes and series well but cannot
// place event markers at arbitrary times, which this chart is about.)

const (
	chartW, chartH         = 960, 320
	padL, padR, padT, padB = 64, 72, 28, 40
)

// markerColor is a marker's stroke colour: tiers purple, cues green when
// acknowledged and amber when not, alerts red.
func markerColor(m Marker) string {
	switch m.Kind {
	case MarkTier:
		return "#7c3aed"
	case MarkCue:
		if m.Acked || !m.NeedsAck {
			return "#059669"
		}
		return "#d97706"
	default:
		return "#dc2626"
	}
}

// timelineSVG draws online viewers (line, left axis) and GMV per minute
// (bars, right axis) with a numbered vertical line per marker.
func timelineSVG(r *Review, loc *time.Location) template.HTML {
	n := len(r.Timeline)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="online viewers and GMV per minute" class="chart" data-chart="timeline">`, chartW, chartH)
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="muted">no events</text></svg>`, chartW/2-40, chartH/2)
		return template.HTML(b.String())
	}
	plotW, plotH := float64(chartW-padL-padR), float64(chartH-padT-padB)
	var maxOnline, maxGMV, minGMV int64 = 1, 1, 0
	for _, m := range r.Timeline {
		maxOnline = max(maxOnline, m.Online)
		maxGMV = max(maxGMV, m.GMV)
		minGMV = min(minGMV, m.GMV)
	}
	maxOnline, maxGMV = niceCeil(maxOnline), niceCeil(maxGMV)
	if minGMV < 0 {
		minGMV = -niceCeil(-minGMV)
	}
	x := func(i float64) float64 { return padL + (i+0.5)*plotW/float64(n) }
	yOn := func(v int64) float64 { return padT + plotH*(1-float64(v)/float64(maxOnline)) }
	span := float64(maxGMV - minGMV)
	yG := func(v int64) float64 { return padT + plotH*(float64(maxGMV-v)/span) }

	// Grid and axes.
	for k := 0; k <= 4; k++ {
		y := padT + plotH*float64(k)/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, padL, chartW-padR, y, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="axis" text-anchor="end">%s</text>`, padL-6, y+4, compact(maxOnline*int64(4-k)/4))
		g := maxGMV - int64(float64(maxGMV-minGMV)*float64(k)/4)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="axis gmv">%s</text>`, chartW-padR+6, y+4, compact(g/minorPerMajor(r.Currency)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">online</text>`, padL-6, padT-12)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis gmv">GMV/min (major units)</text>`, chartW-padR-60, padT-12)
	step := max(1, n/12)
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="axis" text-anchor="middle">%s</text>`, x(float64(i)), chartH-padB+18,
			time.UnixMilli(r.Timeline[i].T).In(loc).Format("15:04"))
	}

	// GMV bars from the zero line.
	bw := math.Max(1, plotW/float64(n)*0.7)
	for i, m := range r.Timeline {
		if m.GMV == 0 {
			continue
		}
		y0, y1 := yG(0), yG(m.GMV)
		cls := "bar"
		if m.GMV < 0 {
			cls = "bar neg"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"/>`, x(float64(i))-bw/2, math.Min(y0, y1), bw, math.Abs(y1-y0), cls)
	}

	// Online line.
	b.WriteString(`<polyline class="online" points="`)
	for i, m := range r.Timeline {
		fmt.Fprintf(&b, "%.1f,%.1f ", x(float64(i)), yOn(m.Online))
	}
	b.WriteString(`"/>`)

	// Markers, numbered as in the marker table; numbers that would
	// overlap step down the chart.
	t0 := r.Timeline[0].T
	lastX, row := math.Inf(-1), 0
	for i, m := range r.Markers {
		xm := padL + float64(m.T-t0)/float64(int64(n)*minuteMs)*plotW
		if xm < padL || xm > float64(chartW-padR) {
			continue
		}
		if xm-lastX < 16 {
			row = (row + 1) % 6
		} else {
			row = 0
		}
		lastX = xm
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" class="marker" data-kind="%s"/>`, xm, xm, padT, chartH-padB, markerColor(m), m.Kind)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="%s" class="mnum" text-anchor="middle">%d</text>`, xm+3, padT-2+row*13, markerColor(m), i+1)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" class="frame"/>`, padL, padT, plotW, plotH)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barsSVG draws labelled horizontal bars, e.g. GMV per tier or the funnel.
func barsSVG(name string, labels []string, values []int64, format func(int64) string) template.HTML {
	const w, row, labelW = 960, 30, 220
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" class="chart" data-chart="%s">`,
		w, row*len(labels)+10, template.HTMLEscapeString(name), template.HTMLEscapeString(name))
	var top int64 = 1
	for _, v := range values {
		top = max(top, v)
	}
	for i, l := range labels {
		y := 5 + i*row
		bar := float64(w-labelW-160) * math.Max(0, float64(values[i])) / float64(top)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">%s</text>`, labelW-8, y+19, template.HTMLEscapeString(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" class="hbar"/>`, labelW, y+4, bar, row-10)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="axis">%s</text>`, float64(labelW)+bar+8, y+19, template.HTMLEscapeString(format(values[i])))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v int64) int64 {
	if v <= 1 {
		return 1
	}
	p := int64(1)
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// compact shortens big axis numbers: 12000 → 12k.
func compact(v int64) string {
	switch a := max(v, -v); {
	case a >= 10_000_000:
		return fmt.Sprintf("%dM", v/1_000_000)
	case a >= 10_000:
		return fmt.Sprintf("%dk", v/1000)
	}
	return fmt.Sprint(v)
}
