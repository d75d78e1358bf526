package live

import (
	"strconv"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
)

// srcState tracks one ingest source's freshness by arrival time (the
// stream id's milliseconds: when Redis accepted the event), so a connector
// whose clock is off still shows its true silence.
type srcState struct {
	Newest int64     `json:"n"`
	Count  [60]int64 `json:"c"` // events per arrival second, ring
	Stamp  [60]int64 `json:"t"` // the second each slot holds
}

// arrival is the stream id's milliseconds.
func arrival(id string) int64 {
	ms, _, _ := strings.Cut(id, "-")
	n, _ := strconv.ParseInt(ms, 10, 64)
	return n
}

func (s *State) foldSource(ev *livedeck.Event, at int64) {
	if ev.Type == livedeck.EventStock {
		return // LiveDeck's own write (an operator's stock change), not an ingest source that can stall
	}
	if s.c.Sources == nil {
		s.c.Sources = map[string]*srcState{}
	}
	name := ev.Source
	if name == "" {
		name = "api"
	}
	src := s.c.Sources[name]
	if src == nil {
		if len(s.c.Sources) >= maxSources {
			return
		}
		src = &srcState{}
		s.c.Sources[name] = src
	}
	if at > src.Newest {
		src.Newest = at
	}
	sec := at / secondMs
	i := sec % 60
	if src.Stamp[i] != sec {
		src.Stamp[i], src.Count[i] = sec, 0
	}
	src.Count[i]++
	if ev.Type == livedeck.EventViewers && at > s.c.ViewersAt {
		s.c.ViewersAt = at
	}
}

// maxSources bounds the per-source table against clients inventing names.
const maxSources = 32

func (s *State) freshness(now int64, snap *livedeck.Snapshot) {
	snap.ViewersAgeSeconds = -1
	if s.c.ViewersAt > 0 {
		snap.ViewersAgeSeconds = float64(now-s.c.ViewersAt) / 1000
	}
	if len(s.c.Sources) == 0 {
		return
	}
	snap.Sources = make(map[string]livedeck.SourceStats, len(s.c.Sources))
	nowS := now / secondMs
	for name, src := range s.c.Sources {
		var n int64
		for i := range src.Stamp {
			if src.Stamp[i] > nowS-60 && src.Stamp[i] <= nowS {
				n += src.Count[i]
			}
		}
		snap.Sources[name] = livedeck.SourceStats{
			NewestMs: src.Newest, AgeSeconds: float64(now-src.Newest) / 1000, PerMin: n,
		}
	}
}

// markStale flags what has gone quiet for longer than after: each source,
// and the online count when no viewers event came for that long (the
// dashboard then shows the number as stale instead of as current).
func markStale(snap *livedeck.Snapshot, after time.Duration) {
	limit := after.Seconds()
	snap.StaleAfterSeconds = limit
	snap.OnlineStale = snap.ViewersAgeSeconds > limit
	for name, src := range snap.Sources {
		src.Stale = src.AgeSeconds > limit
		snap.Sources[name] = src
	}
}
