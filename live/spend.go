package live

import (
	"encoding/json"

	"github.com/livedeck/livedeck"
)

// spendReport is the report in force for one spend key: the newest by
// report time, kept in Redis between checkpoints.
type spendReport struct {
	TS     int64 `json:"t"`
	Amount int64 `json:"a"`
}

// channelState is one paid traffic channel's running totals.
type channelState struct {
	Spend  int64 `json:"s"`
	GMV    int64 `json:"g"`
	Orders int64 `json:"o"`
}

// spendMinutes is how far back spend per minute looks: platforms report
// spend every few minutes, so one minute would mostly read 0.
const spendMinutes = 5

// spendKey identifies the reports that replace each other: the same
// channel, campaign and period (docs/events.md).
func spendKey(ev *livedeck.Event) string {
	b, _ := json.Marshal([]any{ev.Channel, ev.Campaign, ev.Period})
	return string(b)
}

func (s *State) channel(id string) *channelState {
	if s.c.Channels == nil {
		s.c.Channels = map[string]*channelState{}
	}
	ch := s.c.Channels[id]
	if ch == nil {
		ch = &channelState{}
		s.c.Channels[id] = ch
	}
	return ch
}

// foldSpend applies a spend report: it replaces the report in force for
// its key unless that one is newer (greater ts; on equal ts the later in
// the stream wins). Totals move by the difference, counted at the
// report's time, so a repeated report changes nothing and a correction
// changes the spend by exactly what it corrects.
func (s *State) foldSpend(ev *livedeck.Event, add func(int, int64)) int64 {
	k := spendKey(ev)
	var prev int64
	if old := s.spend[k]; old != nil {
		if ev.TS < old.TS {
			return 0
		}
		prev = old.Amount
	}
	s.spend[k] = &spendReport{TS: ev.TS, Amount: ev.Amount}
	s.dirtyS[k] = true
	d := ev.Amount - prev
	s.c.Spend += d
	s.channel(ev.Channel).Spend += d
	add(fSpend, d)
	return d
}

// paidTraffic fills the snapshot's spend, ROI and cart numbers.
func (s *State) paidTraffic(nowS int64, snap *livedeck.Snapshot) {
	c := &s.c
	snap.Spend, snap.Views, snap.CartAdds = c.Spend, c.Views, c.Funnel.Carts
	snap.SpendPerMin = float64(s.sec.sum(nowS-spendMinutes*60, nowS, fSpend)) / spendMinutes
	snap.ROI = div(c.GMV, c.Spend)
	snap.GPM = div(c.GMV*1000, c.Views)
	snap.CostPerBuyer = div(c.Spend, snap.Buyers)
	snap.CartRate = div(c.Funnel.Carts, c.Funnel.Clicks)
	snap.FunnelRates = c.Funnel.Rates()
	if len(c.Channels) > 0 {
		snap.Channels = make(map[string]livedeck.ChannelStats, len(c.Channels))
		for id, ch := range c.Channels {
			snap.Channels[id] = livedeck.ChannelStats{Spend: ch.Spend, GMV: ch.GMV, Orders: ch.Orders, ROI: div(ch.GMV, ch.Spend)}
		}
	}
}

// div is a ÷ b, 0 when b is not positive.
func div(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
