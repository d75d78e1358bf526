package live

import (
	"github.com/livedeck/livedeck"
)

// Folded is what one event changed that downstream cares about.
//
// The order step and the comment are held by value, so folding one does not
// allocate them: Order and Comment hand out copies.
type Folded struct {
	order      livedeck.OrderChange
	comment    livedeck.Comment
	hasOrder   bool
	hasComment bool
	words      []string
	spend      int64
}

// SpendChange is how much a spend report moved the room's spend: its
// amount minus the amount it replaced (0 for other events, and for a
// report older than the one in force).
func (f Folded) SpendChange() int64 { return f.spend }

// Order is the lifecycle step the event applied, if any.
func (f Folded) Order() *livedeck.OrderChange {
	if !f.hasOrder {
		return nil
	}
	return &f.order
}

// Comment is the classified comment, if the event was one.
func (f Folded) Comment() *livedeck.Comment {
	if !f.hasComment {
		return nil
	}
	return &f.comment
}

// Words are the comment's words as segmented for the keyword counts.
func (f Folded) Words() []string { return f.words }

// Fold applies one event, read from the stream at id, to the state. Orders
// and present viewers it touches must have been loaded (see needs). Fold uses
// event time only, so folding the same events again gives the same state.
func (s *State) Fold(ev *livedeck.Event, id string, t *Text) Folded {
	return s.fold(ev, id, t, nil)
}

// fold is Fold with a comment's words already segmented when words is not
// nil (see wordsAhead).
func (s *State) fold(ev *livedeck.Event, id string, t *Text, words *[]string) Folded {
	c := &s.c
	c.LastID = id
	c.Seq++
	if ev.TS > c.AsOf {
		c.AsOf = ev.TS
	}
	now := c.AsOf
	sec, min := s.sec.at(ev.TS, now), s.min.at(ev.TS, now)
	add := func(f int, v int64) {
		if sec != nil {
			sec.V[f] += v
		}
		if min != nil {
			min.V[f] += v
		}
	}
	if ev.UserID != "" {
		s.uv.Insert([]byte(ev.UserID))
	}
	s.foldSource(ev, arrival(id))
	var out Folded
	switch ev.Type {
	case livedeck.EventViewers:
		s.foldViewers(ev, sec, min)
	case livedeck.EventEnter:
		c.Views++
		if _, in := s.present[ev.UserID]; !in || s.present[ev.UserID] == 0 {
			s.present[ev.UserID] = ev.TS
			s.dirtyP[ev.UserID] = true
		}
	case livedeck.EventLeave:
		if at := s.present[ev.UserID]; at > 0 {
			if ev.TS > at {
				c.Watched += ev.TS - at
			}
			c.Visits++
			s.present[ev.UserID] = 0 // 0 marks "left": deleted at checkpoint
			s.dirtyP[ev.UserID] = true
		}
	case livedeck.EventComment:
		c.Comments++
		add(fComments, 1)
		out.comment = livedeck.Comment{ID: ev.ID, TS: ev.TS, UserID: ev.UserID, Nickname: ev.Nickname, Text: ev.Text}
		out.hasComment = true
		cm := &out.comment
		if t != nil {
			cm.Class = t.Classify(ev.Text)
			if words != nil {
				out.words = *words
				s.countWords(out.words, ev.TS, now)
			} else if t.Segmenting() {
				out.words = t.Words(ev.Text)
				s.countWords(out.words, ev.TS, now)
			} else if ev.TS/minuteMs > now/minuteMs-keywordMinutes {
				s.c.Late = append(s.c.Late, lateWords{Text: ev.Text, TS: ev.TS, Now: now})
			}
		}
		switch cm.Class {
		case livedeck.ClassIntent:
			add(fIntent, 1)
		case livedeck.ClassQuestion:
			add(fQuestions, 1)
		case livedeck.ClassAbuse:
			add(fAbuse, 1)
		}
	case livedeck.EventLike:
		n := ev.Count
		if n <= 0 {
			n = 1
		}
		c.Likes += n
		add(fLikes, n)
	case livedeck.EventFollow:
		c.Follows++
		add(fFollows, 1)
	case livedeck.EventShare:
		c.Shares++
		add(fShares, 1)
	case livedeck.EventGift:
		c.GiftValue += ev.Value
	case livedeck.EventProductExposure:
		s.sku(ev.SKU).Exposures++
		c.Funnel.Exposures++
		add(fExposures, 1)
	case livedeck.EventProductClick:
		s.sku(ev.SKU).Clicks++
		c.Funnel.Clicks++
		add(fClicks, 1)
	case livedeck.EventCartAdd:
		s.sku(ev.SKU).Carts++
		c.Funnel.Carts++
		add(fCarts, 1)
	case livedeck.EventAdSpend:
		out.spend = s.foldSpend(ev, add)
	case livedeck.EventOrder:
		out.hasOrder = s.foldOrder(ev, id, add, &out.order)
	case livedeck.EventStock:
		if ev.Stock != nil {
			k := s.sku(ev.SKU)
			k.StockSet, k.UnitsAt = *ev.Stock, k.Units
		}
	}
	return out
}

// foldViewers keeps the newest count by event time: a late, older count
// never overwrites a newer one.
func (s *State) foldViewers(ev *livedeck.Event, sec, min *bucket) {
	if ev.Online == nil {
		return
	}
	n := *ev.Online
	c := &s.c
	if ev.TS >= c.OnlineTS {
		c.Online, c.OnlineTS = n, ev.TS
	}
	if n > c.PeakOnline {
		c.PeakOnline = n
	}
	for _, b := range []*bucket{sec, min} {
		if b != nil {
			b.V[fOnline] = n + 1
		}
	}
}

// foldOrder applies a lifecycle step. Steps only move forward (created →
// paid → refunded, created → cancelled): a late "paid" after "refunded"
// changes nothing. GMV counts an order once, with the amount it was paid
// at, and is taken back when a paid order is refunded or cancelled. It
// reports whether the step applied, and then fills ch with it.
func (s *State) foldOrder(ev *livedeck.Event, id string, add func(int, int64), ch *livedeck.OrderChange) bool {
	c := &s.c
	o := s.orders[ev.OrderID]
	from := livedeck.OrderStatus("")
	if o == nil {
		o = &order{SKU: ev.SKU, Qty: ev.Qty, Amount: ev.Amount, UserID: ev.UserID, Channel: ev.Channel}
		s.orders[ev.OrderID] = o
		c.Created++ // an order first seen at any step was created
		c.Funnel.Orders++
		s.sku(o.SKU).Orders++
		add(fOrders, 1)
	} else {
		from = o.Status
		if ev.Status.Rank() <= o.Status.Rank() {
			return false
		}
	}
	o.Status = ev.Status
	if o.UserID == "" {
		o.UserID = ev.UserID
	}
	if o.Channel == "" && !o.Paid {
		o.Channel = ev.Channel
	}
	k := s.sku(o.SKU)
	switch ev.Status {
	case livedeck.OrderPaid:
		if ev.Amount > 0 {
			o.Amount = ev.Amount
		}
		if ev.Qty > 0 {
			o.Qty = ev.Qty
		}
		o.Paid = true
		c.Paid++
		c.GMV += o.Amount
		c.Funnel.Paid++
		k.Units += o.Qty
		k.GMV += o.Amount
		if o.UserID != "" {
			s.buyers.Insert([]byte(o.UserID))
		}
		add(fPaid, 1)
		add(fGMV, o.Amount)
		if o.Channel != "" {
			ch := s.channel(o.Channel)
			ch.GMV += o.Amount
			ch.Orders++
		}
	case livedeck.OrderCancelled, livedeck.OrderRefunded:
		if ev.Status == livedeck.OrderCancelled {
			c.Cancelled++
		} else {
			c.Refunded++
		}
		if o.Paid {
			c.GMV -= o.Amount
			k.Units -= o.Qty
			k.GMV -= o.Amount
			add(fGMV, -o.Amount)
			if o.Channel != "" {
				s.channel(o.Channel).GMV -= o.Amount
			}
		}
	}
	s.dirtyO[ev.OrderID] = true
	*ch = livedeck.OrderChange{
		StreamID: id, OrderID: ev.OrderID, UserID: o.UserID, SKU: o.SKU, Qty: o.Qty,
		Amount: o.Amount, From: from, To: ev.Status, TS: ev.TS,
	}
	return true
}

// lateWords is a comment folded before the segmenter was ready, whose
// keywords are still to count. Such comments are checkpointed with the
// state, so a restart or failover meanwhile still counts them once.
type lateWords struct {
	Text string `json:"t"`
	TS   int64  `json:"ts"`
	Now  int64  `json:"now"` // the fold's clock, for the keyword window
}

// CountLateWords counts the keywords of comments folded before t's
// segmenter was ready, if it is ready now. It reports whether none are
// left to count.
func (s *State) CountLateWords(t *Text) bool {
	if len(s.c.Late) == 0 {
		return true
	}
	if !t.Segmenting() {
		return false
	}
	for _, l := range s.c.Late {
		s.countWords(t.Words(l.Text), l.TS, l.Now)
	}
	s.c.Late = nil
	return true
}

func (s *State) countWords(words []string, ts, now int64) {
	m := ts / minuteMs
	if m <= now/minuteMs-keywordMinutes {
		return
	}
	bucket := s.c.KeywordMins[m]
	if bucket == nil {
		bucket = map[string]int64{}
		s.c.KeywordMins[m] = bucket
		for old := range s.c.KeywordMins {
			if old <= now/minuteMs-keywordMinutes {
				delete(s.c.KeywordMins, old)
			}
		}
	}
	for _, w := range words {
		if len(bucket) < maxWordsPerMinute || bucket[w] > 0 {
			bucket[w]++
		}
	}
}

// maxWordsPerMinute bounds the keyword table against spam of random words.
const maxWordsPerMinute = 2000

// needs lists the orders, viewers and spend keys a batch touches that are
// not loaded.
func (s *State) needs(evs []livedeck.Event) (orders, users, spend []string) {
	seenO, seenU, seenS := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range evs {
		ev := &evs[i]
		switch ev.Type {
		case livedeck.EventAdSpend:
			k := spendKey(ev)
			if _, ok := s.spend[k]; !ok && !seenS[k] {
				seenS[k] = true
				spend = append(spend, k)
			}
		case livedeck.EventOrder:
			if _, ok := s.orders[ev.OrderID]; !ok && !seenO[ev.OrderID] {
				seenO[ev.OrderID] = true
				orders = append(orders, ev.OrderID)
			}
		case livedeck.EventEnter, livedeck.EventLeave:
			if _, ok := s.present[ev.UserID]; !ok && !seenU[ev.UserID] {
				seenU[ev.UserID] = true
				users = append(users, ev.UserID)
			}
		}
	}
	return orders, users, spend
}
