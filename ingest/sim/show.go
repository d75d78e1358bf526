// Package sim simulates live broadcasts (直播) for LiveDeck: a room's
// audience warms up, peaks around flash sales and drops off; viewers enter
// and leave, comment, like, follow, share and send gifts; products are shown
// and clicked; orders are created, paid, cancelled and refunded. Everything
// is drawn from a seeded generator, so a seed gives the same show.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/livedeck/livedeck"
)

// ShowConfig shapes one room's broadcast.
type ShowConfig struct {
	Seed       uint64        // same seed, same show
	Rate       float64       // events per second of show time; zero means 100
	Length     time.Duration // the arc: warm-up, three flash sales, drop-off; zero means 10 min (it repeats)
	Start      time.Time     // show time of the first event; zero means now
	RunID      string        // makes event ids unique per run; zero means derived from Start
	Duplicates float64       // share of events delivered twice (0..1)
	OutOfOrder float64       // share of events delivered late within a batch (0..1)
	// Oversell is the show time of a scripted scene in which the first
	// product sells a few units past its stock (zero: none); otherwise
	// stock never goes below zero.
	Oversell time.Duration
}

// Show generates one room's events in delivery order.
type Show struct {
	room  livedeck.Room
	cfg   ShowConfig
	rng   *rand.Rand
	n     int64 // events generated
	peak  int
	users int // users ever seen

	present   []string // viewers in the room
	presentAt map[string]int
	pending   []order // created, waiting to be paid or cancelled
	paid      []order // may be refunded
	orders    int
	lastSec   int64 // show second of the last viewers event
	recent    []livedeck.Event
	pt        paidTraffic // spend reports, cart adds, attribution (paid.go)
	clicks    []click     // product clicks not yet turned into an order

	stock      map[string]int64 // what is left of each product, as the shop counts it
	restocking map[string]bool  // a restock is on its way
	changes    []stockChange    // stock writes due, in show time
	scene      scene
}

// click is a viewer's click on a product card: an order comes from one.
type click struct{ user, sku string }

type order struct {
	id, user, sku string
	qty, amount   int64
}

// NewShow prepares a broadcast of room (its products must not be empty).
func NewShow(room livedeck.Room, cfg ShowConfig) *Show {
	if cfg.Rate <= 0 {
		cfg.Rate = 100
	}
	if cfg.Length <= 0 {
		cfg.Length = 10 * time.Minute
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now()
	}
	if cfg.RunID == "" {
		cfg.RunID = fmt.Sprintf("%x", cfg.Start.UnixMilli())
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, hash(room.ID)))
	s := &Show{room: room, cfg: cfg, rng: rng, peak: 2000 + rng.IntN(8000), presentAt: map[string]int{}, lastSec: -1,
		stock: map[string]int64{}, restocking: map[string]bool{}}
	for _, p := range room.Products {
		s.stock[p.SKU] = p.Stock
	}
	return s
}

func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// Elapsed is the show time of the next event.
func (s *Show) Elapsed() time.Duration {
	return time.Duration(float64(s.n) / s.cfg.Rate * float64(time.Second))
}

// phase is the position in the arc, 0..1 (the arc repeats).
func (s *Show) phase() float64 {
	l := float64(s.cfg.Length)
	return math.Mod(float64(s.Elapsed()), l) / l
}

// flash returns the flash sale in progress (0, 1 or 2), or -1.
func (s *Show) flash() int {
	p := s.phase()
	for i, at := range []float64{0.25, 0.5, 0.75} {
		if p >= at && p < at+0.06 {
			return i
		}
	}
	return -1
}

// Flash returns the flash sale in progress (0, 1, 2; -1 for none) and the
// product it sells, so a runner can restock it as a host would.
func (s *Show) Flash() (int, livedeck.Product) {
	i := s.flash()
	if i < 0 {
		return -1, livedeck.Product{}
	}
	return i, s.flashSKU(i)
}

func (s *Show) flashSKU(i int) livedeck.Product {
	return s.room.Products[i%len(s.room.Products)]
}

// target is the audience the arc calls for now.
func (s *Show) target() int {
	p := s.phase()
	f := 0.6 + 0.05*math.Sin(p*40)
	switch {
	case p < 0.15:
		f = 0.05 + 0.55*p/0.15
	case p > 0.85:
		f = 0.6 - 0.4*(p-0.85)/0.15
	}
	for _, at := range []float64{0.25, 0.5, 0.75} {
		if d := p - (at + 0.03); math.Abs(d) < 0.06 {
			f += 0.4 * (1 - math.Abs(d)/0.06)
		}
	}
	return int(f * float64(s.peak))
}

// Next appends the next n events to dst, with the configured duplicates
// and late deliveries.
func (s *Show) Next(dst []livedeck.Event, n int) []livedeck.Event {
	start := len(dst)
	for len(dst)-start < n {
		if s.cfg.Duplicates > 0 && len(s.recent) > 0 && s.rng.Float64() < s.cfg.Duplicates {
			dst = append(dst, s.recent[s.rng.IntN(len(s.recent))])
			continue
		}
		ev, ok := s.queued()
		if !ok {
			ev = s.next()
		}
		s.track(&ev)
		s.n++
		if len(s.recent) < 256 {
			s.recent = append(s.recent, ev)
		} else {
			s.recent[s.rng.IntN(256)] = ev
		}
		dst = append(dst, ev)
	}
	if s.cfg.OutOfOrder > 0 {
		b := dst[start:]
		for i := range b {
			if s.rng.Float64() < s.cfg.OutOfOrder {
				j := min(len(b)-1, i+1+s.rng.IntN(20))
				b[i], b[j] = b[j], b[i]
			}
		}
	}
	return dst
}

// next draws one event at the current show time.
func (s *Show) next() livedeck.Event {
	ev := livedeck.Event{ID: fmt.Sprintf("%s-%s-%d", s.room.ID, s.cfg.RunID, s.n),
		TS: s.cfg.Start.Add(s.Elapsed()).UnixMilli()}
	if sec := int64(s.Elapsed() / time.Second); sec != s.lastSec {
		s.lastSec = sec
		// The platform's count of viewers in the room: everyone who
		// entered and has not left, so never more than have ever come.
		online := int64(len(s.present))
		ev.Type, ev.Online = livedeck.EventViewers, &online
		return ev
	}
	if s.cfg.Oversell > 0 && s.scene.sku == "" && s.Elapsed() >= s.cfg.Oversell {
		s.startScene()
	}
	if s.sceneEvent(&ev) {
		return ev
	}
	flash := s.flash()
	w := weights(flash >= 0, len(s.present), s.target())
	switch pick(s.rng, w[:]) {
	case 0:
		s.enter(&ev)
	case 1:
		s.leave(&ev)
	case 2:
		s.comment(&ev, flash >= 0)
	case 3:
		ev.Type, ev.UserID, ev.Count = livedeck.EventLike, s.viewer(), int64(1+s.rng.IntN(5))
	case 4:
		ev.Type, ev.UserID = livedeck.EventFollow, s.viewer()
	case 5:
		ev.Type, ev.UserID = livedeck.EventShare, s.viewer()
	case 6:
		g := gifts[pick(s.rng, []int{50, 30, 12, 6, 2})]
		ev.Type, ev.UserID, ev.Gift, ev.Value = livedeck.EventGift, s.viewer(), g.name, g.value
	case 7:
		ev.Type, ev.UserID, ev.SKU = livedeck.EventProductExposure, s.viewer(), s.product(flash).SKU
	case 8:
		s.click(&ev, flash)
	default:
		s.order(&ev, flash)
	}
	return ev
}

// weights of enter, leave, comment, like, follow, share, gift, exposure,
// click, order step. A product card is shown far more often than it is
// clicked (about one click in seven exposures, one in four during a flash
// sale), and clicked more often than ordered.
func weights(flash bool, present, target int) [10]int {
	gap := float64(target-present) / float64(max(target, 1))
	enter, leave := 10+int(math.Max(gap, 0)*60), 10+int(math.Max(-gap, 0)*60)
	if flash {
		return [10]int{enter, leave, 30, 14, 1, 2, 2, 90, 24, 10}
	}
	return [10]int{enter, leave, 28, 20, 2, 2, 2, 40, 6, 2}
}

func pick(rng *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	r := rng.IntN(total)
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

func (s *Show) enter(ev *livedeck.Event) {
	s.users++
	u := fmt.Sprintf("u%d", s.users)
	s.presentAt[u] = len(s.present)
	s.present = append(s.present, u)
	ev.Type, ev.UserID = livedeck.EventEnter, u
}

func (s *Show) leave(ev *livedeck.Event) {
	if len(s.present) == 0 {
		s.enter(ev)
		return
	}
	i := s.rng.IntN(len(s.present))
	u, last := s.present[i], s.present[len(s.present)-1]
	s.present[i], s.presentAt[last] = last, i
	s.present = s.present[:len(s.present)-1]
	delete(s.presentAt, u)
	ev.Type, ev.UserID = livedeck.EventLeave, u
}

// viewer is someone in the room (or a passer-by when it is empty).
func (s *Show) viewer() string {
	if len(s.present) == 0 {
		return fmt.Sprintf("u%d", s.rng.IntN(s.users+1)+1)
	}
	return s.present[s.rng.IntN(len(s.present))]
}

func (s *Show) comment(ev *livedeck.Event, flash bool) {
	w := make([]int, len(commentMix))
	for i, c := range commentMix {
		w[i] = c.normal
		if flash {
			w[i] = c.flash
		}
	}
	list := comments[commentMix[pick(s.rng, w)].class]
	ev.Type, ev.UserID = livedeck.EventComment, s.viewer()
	ev.Nickname = nicknames[s.rng.IntN(len(nicknames))]
	ev.Text = list[s.rng.IntN(len(list))]
}

// click is a viewer clicking a product card; the click may become an order.
func (s *Show) click(ev *livedeck.Event, flash int) {
	ev.Type, ev.UserID, ev.SKU = livedeck.EventProductClick, s.viewer(), s.product(flash).SKU
	c := click{user: ev.UserID, sku: ev.SKU}
	if len(s.clicks) < 4096 {
		s.clicks = append(s.clicks, c)
	} else {
		s.clicks[s.rng.IntN(len(s.clicks))] = c
	}
}

// product is the flash sale's product most of the time during a sale.
func (s *Show) product(flash int) livedeck.Product {
	if flash >= 0 && s.rng.IntN(4) > 0 {
		return s.flashSKU(flash)
	}
	return s.room.Products[s.rng.IntN(len(s.room.Products))]
}

// order advances the order book one step: pay or cancel a pending order,
// refund a paid one, or turn a click into a new order (with no click to
// turn, the step is a click).
func (s *Show) order(ev *livedeck.Event, flash int) {
	ev.Type = livedeck.EventOrder
	var o order
	var status livedeck.OrderStatus
	switch r := s.rng.Float64(); {
	case len(s.pending) > 0 && r < 0.5:
		o = s.take(&s.pending)
		status = livedeck.OrderPaid
		if s.rng.IntN(100) < 12 || !s.sold(o.sku, o.qty) {
			status = livedeck.OrderCancelled // changed their mind, or sold out
		} else if len(s.paid) < 4096 {
			s.paid = append(s.paid, o)
		}
	case len(s.paid) > 0 && r >= 0.5 && r < 0.515: // not more often when nothing is pending
		o = s.take(&s.paid)
		status = livedeck.OrderRefunded
		s.stock[o.sku] += o.qty
	case len(s.clicks) == 0:
		s.click(ev, flash)
		return
	default:
		i := s.rng.IntN(len(s.clicks))
		c := s.clicks[i]
		s.orders++
		s.clicks[i] = s.clicks[len(s.clicks)-1]
		s.clicks = s.clicks[:len(s.clicks)-1]
		p := s.productOf(c.sku)
		qty := int64(1 + pick(s.rng, []int{80, 15, 5}))
		price := p.Price
		if flash >= 0 && p.SKU == s.flashSKU(flash).SKU {
			price = price * 8 / 10 // flash price
		}
		o = order{id: fmt.Sprintf("%s-%s-o%d", s.room.ID, s.cfg.RunID, s.orders), user: c.user, sku: p.SKU, qty: qty, amount: price * qty}
		status = livedeck.OrderCreated
		if len(s.pending) < 4096 {
			s.pending = append(s.pending, o)
		}
	}
	ev.UserID, ev.OrderID, ev.SKU, ev.Qty, ev.Amount, ev.Status = o.user, o.id, o.sku, o.qty, o.amount, status
}

func (s *Show) productOf(sku string) livedeck.Product {
	for _, p := range s.room.Products {
		if p.SKU == sku {
			return p
		}
	}
	return s.room.Products[0]
}

// take removes a random order from list.
func (s *Show) take(list *[]order) order {
	l := *list
	i := s.rng.IntN(len(l))
	o := l[i]
	l[i] = l[len(l)-1]
	*list = l[:len(l)-1]
	return o
}

// Room builds a simulated room with a line-up drawn from the catalog.
func Room(id string, seed uint64) livedeck.Room {
	rng := rand.New(rand.NewPCG(seed, hash(id)))
	perm := rng.Perm(len(catalog))[:4+rng.IntN(3)]
	room := livedeck.Room{ID: id, Title: "模拟直播 Simulated show " + id, Currency: "CNY"}
	for _, i := range perm {
		c := catalog[i]
		room.Products = append(room.Products, livedeck.Product{SKU: c.sku, Name: c.name, Price: c.price, Stock: int64(60 + rng.IntN(240))})
	}
	return room
}
