package sim

import (
	"fmt"
	"time"

	"github.com/livedeck/livedeck"
)

// Paid traffic and the cart in a simulated show: some clicks become cart
// adds (about 7 % of clicks, 11 % during a flash sale, so cart rates land
// around 5–12 %); orders are attributed to the paid channels promoting the
// room (巨量千川 50 %, DOU+ 20 %, the rest organic); and every minute of
// show time each channel reports what it spent in that minute, scaled from
// the GMV it brought so that its ROI stays near a target drawn per show
// between 1.2 and 3.5 (the room's, organic sales included, comes out
// between about 1.5 and 6). Now and then a platform corrects the previous
// minute's report, as real ones do.

// channel is one paid channel of the simulation.
type channel struct {
	name, campaign string
	share          int // percent of orders attributed to it
}

var channels = []channel{{"qianchuan", "qc-plan-1", 50}, {"douplus", "", 20}}

// paidTraffic is the show's paid-traffic state.
type paidTraffic struct {
	queue  []livedeck.Event // cart adds and spend reports waiting for a slot
	roi    []float64        // target ROI per channel
	gmv    []int64          // attributed paid GMV per channel in the current minute
	minute int64            // show minute the spend reports have reached
	last   []int64          // each channel's report of the previous minute, for corrections
}

// queued returns the next waiting cart add or spend report, stamped with
// the current show time.
func (s *Show) queued() (livedeck.Event, bool) {
	p := &s.pt
	if len(p.queue) == 0 {
		return livedeck.Event{}, false
	}
	ev := p.queue[0]
	p.queue = p.queue[1:]
	ev.ID = fmt.Sprintf("%s-%s-%d", s.room.ID, s.cfg.RunID, s.n)
	if ev.TS == 0 {
		ev.TS = s.cfg.Start.Add(s.Elapsed()).UnixMilli()
	}
	return ev, true
}

// track follows each generated event: a click may lead to a cart add, an
// order is attributed to a channel by its id, and paid GMV is counted per
// channel; at each new show minute the spend reports are queued.
func (s *Show) track(ev *livedeck.Event) {
	p := &s.pt
	if p.roi == nil {
		p.roi, p.gmv, p.last = make([]float64, len(channels)), make([]int64, len(channels)), make([]int64, len(channels))
		for i := range p.roi {
			p.roi[i] = 1.2 + 2.3*s.rng.Float64()
		}
	}
	switch ev.Type {
	case livedeck.EventProductClick:
		chance := 7
		if s.flash() >= 0 {
			chance = 11
		}
		if s.rng.IntN(100) < chance {
			p.queue = append(p.queue, livedeck.Event{Type: livedeck.EventCartAdd, UserID: ev.UserID, SKU: ev.SKU, Qty: 1})
		}
	case livedeck.EventOrder:
		i := channelOf(ev.OrderID)
		if i < 0 {
			break
		}
		ev.Channel = channels[i].name
		switch ev.Status {
		case livedeck.OrderPaid:
			p.gmv[i] += ev.Amount
		case livedeck.OrderRefunded:
			p.gmv[i] -= ev.Amount
		}
	}
	if m := int64(s.Elapsed() / time.Minute); m > p.minute {
		s.report(p.minute)
		p.minute = m
	}
}

// channelOf attributes an order to a channel by its id, so every step of
// the order names the same one; -1 is organic.
func channelOf(orderID string) int {
	r := int(hash(orderID) % 100)
	for i, c := range channels {
		if r < c.share {
			return i
		}
		r -= c.share
	}
	return -1
}

// report queues each channel's spend for show minute m: the GMV it brought
// in that minute ÷ its target ROI, ±20 %, and at least ¥20 (a campaign
// spends while it sells nothing). One report in ten also corrects the
// channel's previous minute upwards by 5 %.
func (s *Show) report(m int64) {
	p := &s.pt
	from := s.cfg.Start.Add(time.Duration(m) * time.Minute).UnixMilli()
	to := from + time.Minute.Milliseconds()
	for i, c := range channels {
		amount := int64(float64(max(p.gmv[i], 0)) / p.roi[i] * (0.8 + 0.4*s.rng.Float64()))
		amount = max(amount, 2000)
		if p.last[i] > 0 && s.rng.IntN(10) == 0 {
			p.queue = append(p.queue, livedeck.Event{Type: livedeck.EventAdSpend, TS: to, Channel: c.name, Campaign: c.campaign,
				Period: from - time.Minute.Milliseconds(), Amount: p.last[i] * 105 / 100})
		}
		p.queue = append(p.queue, livedeck.Event{Type: livedeck.EventAdSpend, TS: to, Channel: c.name, Campaign: c.campaign,
			Period: from, Amount: amount})
		p.last[i], p.gmv[i] = amount, 0
	}
}
