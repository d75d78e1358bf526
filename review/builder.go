package review

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
)

// DefaultWindow is N of cue effectiveness, in minutes.
const DefaultWindow = 5

const minuteMs = int64(60000)

// Builder folds a broadcast's events and signals into a Review. Events go
// through the live metrics fold (so totals match the dashboard) and are
// also kept, compactly, as visits and payments with their event time, so
// the windows around each cue are exact distinct counts.
type Builder struct {
	room   livedeck.Room
	state  *live.State
	text   *live.Text
	window int

	events   int64
	from, to int64

	users   map[string]int32 // user id → index
	visits  []hit            // a user seen (any event with a user id)
	pays    []pay            // GMV moves: paid (+) and refunded or cancelled after paid (−)
	spends  []move           // changes of ad spend, at report time
	carts   []int64          // event times of cart adds
	clicks  []int64          // event times of product clicks
	orders  map[string]*orderInfo
	minutes map[int64]*minuteAcc

	questions  map[string]int64
	words      map[string]int64
	abuseUsers map[string]struct{}
	buyers     map[string]struct{}

	signals   []livedeck.Signal
	orderTier map[string]string // authoritative tier per order, from the live engine
}

type hit struct {
	ts   int64
	user int32
}

type pay struct {
	ts     int64
	user   int32 // -1 if the order has no user
	amount int64 // signed
	paid   bool  // a payment (counts the buyer), not a reversal
	order  string
}

// move is a signed amount at an event time.
type move struct {
	ts, amount int64
}

type orderInfo struct {
	created int64 // event time of its first sighting
}

type minuteAcc struct {
	online, onlineTS      int64
	gmv, orders, comments int64
	abuse, spend, carts   int64
	visitors, buyers      map[int32]struct{}
}

// NewBuilder starts a review of room. text classifies comments and splits
// them into words; nil skips both. window is N of cue effectiveness in
// minutes (DefaultWindow if ≤ 0).
func NewBuilder(room livedeck.Room, text *live.Text, window int) *Builder {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Builder{
		room: room, state: live.NewState(room.ID, room.Products), text: text, window: window,
		users: map[string]int32{}, orders: map[string]*orderInfo{}, minutes: map[int64]*minuteAcc{},
		questions: map[string]int64{}, words: map[string]int64{}, abuseUsers: map[string]struct{}{},
		buyers: map[string]struct{}{},
	}
}

// Event folds one event; id is its stream id (any unique, increasing
// string offline). Events must come in stream order. It returns the order
// lifecycle step the event applied, if any, for a rules backtest.
func (b *Builder) Event(ev *livedeck.Event, id string) *livedeck.OrderChange {
	b.events++
	if b.from == 0 || ev.TS < b.from {
		b.from = ev.TS
	}
	if ev.TS > b.to {
		b.to = ev.TS
	}
	out := b.state.Fold(ev, id, b.text)
	m := b.minute(ev.TS)
	user := int32(-1)
	if ev.UserID != "" {
		user = b.user(ev.UserID)
		b.visits = append(b.visits, hit{ev.TS, user})
		m.visitors[user] = struct{}{}
	}
	switch ev.Type {
	case livedeck.EventViewers:
		if ev.Online != nil && ev.TS >= m.onlineTS {
			m.online, m.onlineTS = *ev.Online, ev.TS
		}
	case livedeck.EventComment:
		m.comments++
		if c := out.Comment(); c != nil {
			b.comment(c, out.Words(), m)
		}
	case livedeck.EventCartAdd:
		b.carts = append(b.carts, ev.TS)
		m.carts++
	case livedeck.EventProductClick:
		b.clicks = append(b.clicks, ev.TS)
	}
	if d := out.SpendChange(); d != 0 {
		b.spends = append(b.spends, move{ev.TS, d})
		m.spend += d
	}
	o := out.Order()
	if o != nil {
		b.order(o, m)
	}
	return o
}

// Snapshot is the live numbers as of now (event time), for evaluating
// rules while the broadcast is folded.
func (b *Builder) Snapshot(now int64) livedeck.Snapshot { return b.state.Snapshot(now) }

// Signal adds a tier change, cue, alert or acknowledgement the rules
// engine emitted during the show; any order.
func (b *Builder) Signal(s livedeck.Signal) { b.signals = append(b.signals, s) }

// OrderTiers sets the tier each order was created under, as the live engine
// recorded it; orders it does not list take the tier in effect by time.
func (b *Builder) OrderTiers(m map[string]string) { b.orderTier = m }

func (b *Builder) user(id string) int32 {
	i, ok := b.users[id]
	if !ok {
		i = int32(len(b.users))
		b.users[id] = i
	}
	return i
}

func (b *Builder) minute(ts int64) *minuteAcc {
	k := ts - ts%minuteMs
	m := b.minutes[k]
	if m == nil {
		m = &minuteAcc{online: -1, visitors: map[int32]struct{}{}, buyers: map[int32]struct{}{}}
		b.minutes[k] = m
	}
	return m
}

func (b *Builder) comment(c *livedeck.Comment, words []string, m *minuteAcc) {
	for _, w := range words {
		b.words[w]++
	}
	switch c.Class {
	case livedeck.ClassQuestion:
		b.questions[normalize(c.Text)]++
	case livedeck.ClassAbuse:
		m.abuse++
		if c.UserID != "" {
			b.abuseUsers[c.UserID] = struct{}{}
		}
	}
}

func (b *Builder) order(o *livedeck.OrderChange, m *minuteAcc) {
	if o.From == "" {
		b.orders[o.OrderID] = &orderInfo{created: o.TS}
	}
	user := int32(-1)
	if o.UserID != "" {
		user = b.user(o.UserID)
	}
	switch {
	case o.To == livedeck.OrderPaid:
		b.pays = append(b.pays, pay{ts: o.TS, user: user, amount: o.Amount, paid: true, order: o.OrderID})
		m.gmv += o.Amount
		m.orders++
		if user >= 0 {
			m.buyers[user] = struct{}{}
			b.buyers[o.UserID] = struct{}{}
		}
	case o.From == livedeck.OrderPaid: // cancelled or refunded after payment
		b.pays = append(b.pays, pay{ts: o.TS, user: user, amount: -o.Amount, order: o.OrderID})
		m.gmv -= o.Amount
	}
}

// normalize folds the spellings of one question together.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Build returns the review as of now (Unix ms).
func (b *Builder) Build(now int64) *Review {
	var snap livedeck.Snapshot
	if b.events > 0 {
		snap = b.state.Snapshot(b.to)
	}
	r := &Review{
		Room: b.room.ID, Title: b.room.Title, Currency: b.room.Currency, Status: cmp.Or(b.room.Status, livedeck.RoomLive),
		Built: now, From: b.from, To: b.to, Events: b.events, Window: b.window,
		Funnel: snap.Funnel,
	}
	slices.SortStableFunc(b.signals, func(x, y livedeck.Signal) int { return cmp.Compare(x.At, y.At) })
	r.Headline = b.headline(&snap)
	r.Timeline = b.timeline()
	r.Markers = b.markers()
	r.Tiers = b.tiers()
	r.Channels = channels(&snap)
	r.SKUs = b.skus(&snap)
	r.Keywords = top(b.words, 20, func(w string, n int64) livedeck.KeywordCount { return livedeck.KeywordCount{Word: w, Count: n} })
	r.Questions = top(b.questions, 10, func(t string, n int64) TextCount { return TextCount{Text: t, Count: n} })
	r.Abuse = b.abuse()
	r.Cues = b.cues(r.Markers)
	return r
}

func (b *Builder) headline(s *livedeck.Snapshot) Headline {
	h := Headline{
		GMV: s.GMV, Orders: s.OrdersPaid, OrdersCreated: s.OrdersCreated, OrdersCancelled: s.OrdersCancelled,
		OrdersRefunded: s.OrdersRefunded, UV: int64(len(b.users)), Buyers: int64(len(b.buyers)),
		PeakOnline: s.PeakOnline, AvgWatchSeconds: s.AvgWatchSeconds,
		Comments: s.Comments, Likes: s.Likes, Follows: s.Follows, Shares: s.Shares,
	}
	if b.events > 0 {
		h.DurationSeconds = (b.to - b.from) / 1000
	}
	h.Conversion = ratio(float64(h.Buyers), h.UV)
	h.UVValue = ratio(float64(h.GMV), h.UV)
	h.AOV = ratio(float64(h.GMV), h.Orders)
	h.Spend, h.CartAdds, h.CartRate = s.Spend, s.CartAdds, s.CartRate
	h.ROI = ratio(float64(h.GMV), h.Spend)
	h.CostPerBuyer = ratio(float64(h.Spend), h.Buyers)
	return h
}

func ratio(a float64, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return a / float64(b)
}

// timeline lists every minute from the first event's to the last's; online
// carries forward through minutes without a viewers event.
func (b *Builder) timeline() []Minute {
	if b.events == 0 {
		return []Minute{}
	}
	out := make([]Minute, 0, (b.to-b.from)/minuteMs+2)
	online := int64(0)
	for t := b.from - b.from%minuteMs; t <= b.to; t += minuteMs {
		p := Minute{T: t, Online: online}
		if m := b.minutes[t]; m != nil {
			if m.online >= 0 {
				online, p.Online = m.online, m.online
			}
			p.GMV, p.Orders, p.Comments = m.gmv, m.orders, m.comments
			p.Visitors, p.Buyers = int64(len(m.visitors)), int64(len(m.buyers))
			p.Spend, p.CartAdds = m.spend, m.carts
		}
		out = append(out, p)
	}
	return out
}

// markers lists tier changes, cues and alerts in time order, with whether
// each cue or alert was acknowledged. A cue's new text (its rule edited
// while it showed) replaces the text of its marker rather than adding one.
func (b *Builder) markers() []Marker {
	acks := map[string]*livedeck.Ack{}
	for _, s := range b.signals {
		if s.Kind == livedeck.SignalAck && s.Ack != nil {
			if _, seen := acks[s.Ack.Key]; !seen {
				acks[s.Ack.Key] = s.Ack
			}
		}
	}
	out := []Marker{}
	cues := map[string]int{} // cue key → its marker
	for _, s := range b.signals {
		if s.Cue != nil && s.Cue.Update {
			if i, ok := cues[s.Cue.Key]; ok {
				out[i].Text = s.Cue.Text
			}
			continue
		}
		m := Marker{T: s.At, Rule: s.Rule}
		key := ""
		switch {
		case s.Kind == livedeck.SignalTier:
			m.Kind, m.Text = MarkTier, tierLabel(s.Tier)
		case s.Kind == livedeck.SignalCue && s.Cue != nil:
			m.Kind, m.Text, m.NeedsAck, key = MarkCue, s.Cue.Text, s.Cue.NeedsAck, s.Cue.Key
			cues[key] = len(out)
		case s.Kind == livedeck.SignalAlert && s.Alert != nil:
			m.Kind, m.Text, m.Severity, key = MarkAlert, s.Alert.Message, s.Alert.Severity, s.Alert.Key
		default:
			continue
		}
		if a := acks[key]; key != "" && a != nil {
			m.Acked, m.AckedBy = true, a.By
		}
		out = append(out, m)
	}
	return out
}

func tierLabel(t *livedeck.Tier) string {
	if t == nil || t.Name == "" {
		return "—"
	}
	if t.Coupon != "" {
		return t.Name + " " + t.Coupon
	}
	return t.Name
}

func (b *Builder) skus(s *livedeck.Snapshot) []SKUResult {
	names := map[string]string{}
	for _, p := range b.room.Products {
		names[p.SKU] = p.Name
	}
	out := make([]SKUResult, 0, len(s.SKUs))
	for id, st := range s.SKUs {
		out = append(out, SKUResult{SKU: id, Name: names[id], SKUStats: st})
	}
	slices.SortFunc(out, func(x, y SKUResult) int { return cmp.Or(cmp.Compare(y.GMV, x.GMV), cmp.Compare(x.SKU, y.SKU)) })
	return out
}

// channels lists the paid traffic channels, most spend first.
func channels(s *livedeck.Snapshot) []ChannelResult {
	out := make([]ChannelResult, 0, len(s.Channels))
	for id, c := range s.Channels {
		out = append(out, ChannelResult{Channel: id, ChannelStats: c})
	}
	slices.SortFunc(out, func(x, y ChannelResult) int {
		return cmp.Or(cmp.Compare(y.Spend, x.Spend), cmp.Compare(x.Channel, y.Channel))
	})
	return out
}

func (b *Builder) abuse() Abuse {
	a := Abuse{Users: int64(len(b.abuseUsers))}
	for _, m := range b.minutes {
		a.Comments += m.abuse
		a.PeakPerMin = max(a.PeakPerMin, m.abuse)
	}
	return a
}

// top returns the n most frequent keys, ties by key.
func top[T any](counts map[string]int64, n int, mk func(string, int64) T) []T {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]T, 0, min(n, len(keys)))
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, mk(k, counts[k]))
	}
	return out
}

// Now is the clock reviews are stamped with; tests replace it.
var Now = func() int64 { return time.Now().UnixMilli() }
