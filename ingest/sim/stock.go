package sim

import (
	"fmt"
	"strconv"
	"time"

	"github.com/livedeck/livedeck"
)

// The show keeps its own count of each product's stock, as the shop would:
// a payment takes units off, a refund puts them back, and a payment that
// would take more than is left is cancelled (sold out) instead. A product
// that runs low is restocked a little later, as a host calls for a new
// batch, so the dashboard sees stock run down to the last few and recover,
// never below zero.
//
// The one exception is a scripted oversell scene (ShowConfig.Oversell): a
// warehouse recount finds only two of a product left just as three buyers
// pay for two each, so it sells units past its stock, which LiveDeck
// reports as 超卖 (oversold); a restock follows.

// Restock is a stock level the runner writes (PATCH …/rooms/{room}
// {"stock": {sku: stock}}): what is left of sku now.
type Restock struct {
	SKU   string
	Stock int64
}

const (
	lowStock     = 3                // restock once a product is down to this
	restockAfter = 20 * time.Second // of show time: long enough to see the last few sell
	sceneBuyers  = 3                // orders of 2 units the scene pays after the recount
)

type stockChange struct {
	sku string
	add int64 // units added; with set, the level instead
	set bool
	at  time.Duration // show time it is due
}

type scene struct {
	sku    string
	active bool // from the recount until the restock is due
	armed  bool // the recount is written: the burst may be paid
	burst  []livedeck.Event
}

// restockSize is how many units a restock adds: about a tenth of the
// product's opening stock, at least 30.
func (s *Show) restockSize(sku string) int64 {
	for _, p := range s.room.Products {
		if p.SKU == sku {
			return max(p.Stock/10, 30)
		}
	}
	return 30
}

// sold takes units of sku off the count, or reports false when fewer are
// left (the order is then cancelled), unless the oversell scene sells it.
func (s *Show) sold(sku string, qty int64) bool {
	left := s.stock[sku]
	if left >= qty {
		s.stock[sku] = left - qty
		s.lowSoon(sku)
		return true
	}
	s.lowSoon(sku)
	return false
}

// lowSoon schedules a restock of a product that is down to its last few.
func (s *Show) lowSoon(sku string) {
	if s.stock[sku] > lowStock || s.restocking[sku] || (s.scene.active && s.scene.sku == sku) {
		return
	}
	s.queueStock(stockChange{sku: sku, add: s.restockSize(sku), at: s.Elapsed() + restockAfter})
}

func (s *Show) queueStock(c stockChange) {
	s.restocking[c.sku] = true
	s.changes = append(s.changes, c)
}

// startScene begins the oversell scene on the first product: the recount
// sets its stock to 2 at once; once that is written, three buyers click,
// order and pay 2 units each, and a restock is due 20 s later.
func (s *Show) startScene() {
	sku := s.room.Products[0].SKU
	s.scene = scene{sku: sku, active: true}
	s.restocking[sku] = true
	s.changes = append(s.changes, stockChange{sku: sku, add: 2, set: true, at: s.Elapsed()})
}

// armScene prepares the scene's orders, after the recount was written.
func (s *Show) armScene() {
	sc := &s.scene
	sc.armed = true
	p := s.room.Products[0]
	for range sceneBuyers {
		s.orders++
		o := order{id: fmt.Sprintf("%s-%s-o%d", s.room.ID, s.cfg.RunID, s.orders), user: s.viewer(), sku: p.SKU, qty: 2, amount: 2 * p.Price}
		ev := livedeck.Event{Type: livedeck.EventOrder, UserID: o.user, OrderID: o.id, SKU: o.sku, Qty: o.qty, Amount: o.amount}
		click := livedeck.Event{Type: livedeck.EventProductClick, UserID: o.user, SKU: o.sku}
		created, paid := ev, ev
		created.Status, paid.Status = livedeck.OrderCreated, livedeck.OrderPaid
		sc.burst = append(sc.burst, click, created, paid)
		if len(s.paid) < 4096 {
			s.paid = append(s.paid, o)
		}
	}
}

// sceneEvent is the scene's next event, if it has one due: ev gets its type
// and fields (its id and time are set).
func (s *Show) sceneEvent(ev *livedeck.Event) bool {
	sc := &s.scene
	if !sc.armed || len(sc.burst) == 0 {
		return false
	}
	next := sc.burst[0]
	sc.burst = sc.burst[1:]
	next.ID, next.TS = ev.ID, ev.TS
	*ev = next
	if ev.Type == livedeck.EventOrder && ev.Status == livedeck.OrderPaid {
		s.stock[ev.SKU] -= ev.Qty
	}
	if len(sc.burst) == 0 {
		s.queueStock(stockChange{sku: sc.sku, add: s.restockSize(sc.sku) - s.stock[sc.sku], at: s.Elapsed() + restockAfter})
	}
	return true
}

// Restocks returns the stock levels due by now (show time), to write after
// the events generated so far: each is what is left once they are folded.
func (s *Show) Restocks() []Restock {
	var out []Restock
	kept := s.changes[:0]
	now := s.Elapsed()
	for _, c := range s.changes {
		if c.at > now {
			kept = append(kept, c)
			continue
		}
		if c.set {
			s.stock[c.sku] = c.add
			if s.scene.active && c.sku == s.scene.sku && !s.scene.armed {
				s.armScene()
			}
		} else {
			s.stock[c.sku] += c.add
			s.restocking[c.sku] = false
			if s.scene.active && c.sku == s.scene.sku && s.scene.armed {
				s.scene.active = false
			}
		}
		out = append(out, Restock{SKU: c.sku, Stock: s.stock[c.sku]})
	}
	s.changes = kept
	return out
}

// Stock is the show's own count of what is left of sku (negative only
// while the oversell scene sells past it).
func (s *Show) Stock(sku string) int64 { return s.stock[sku] }

// StockEvent is a restock as the stream holds it, for recordings.
func StockEvent(room string, r Restock, n int, ts int64) livedeck.Event {
	v := r.Stock
	return livedeck.Event{ID: room + "-stock-" + strconv.Itoa(n), Type: livedeck.EventStock, TS: ts, Source: "livedeck", SKU: r.SKU, Stock: &v}
}
