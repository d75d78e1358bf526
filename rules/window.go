package rules

import (
	"fmt"
	"time"
)

// window is a daily time window "HH:MM-HH:MM"; it may cross midnight.
type window struct{ from, to int } // minutes after midnight

func parseWindow(s string) (*window, error) {
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
		return nil, fmt.Errorf("active window %q: want HH:MM-HH:MM, e.g. 20:00-22:30", s)
	}
	for _, v := range [][2]int{{h1, m1}, {h2, m2}} {
		if v[0] < 0 || v[0] > 24 || v[1] < 0 || v[1] > 59 {
			return nil, fmt.Errorf("active window %q: hours 0-24, minutes 0-59", s)
		}
	}
	return &window{from: h1*60 + m1, to: h2*60 + m2}, nil
}

// contains reports whether t (in loc) falls in the window.
func (w *window) contains(t time.Time, loc *time.Location) bool {
	if w == nil {
		return true
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if w.from <= w.to {
		return m >= w.from && m < w.to
	}
	return m >= w.from || m < w.to
}
