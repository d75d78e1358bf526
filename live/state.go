package live

import (
	"sort"

	"github.com/axiomhq/hyperloglog"

	"github.com/livedeck/livedeck"
)

// order is an order's lifecycle state, kept in Redis between checkpoints.
type order struct {
	Status livedeck.OrderStatus `json:"s"`
	SKU    string               `json:"k"`
	Qty    int64                `json:"q"`
	Amount int64                `json:"a"`
	UserID string               `json:"u,omitempty"`
	Paid   bool                 `json:"p,omitempty"` // GMV was counted for it
	// Channel is the paid channel the order is attributed to, fixed by
	// the first step up to payment that names one.
	Channel string `json:"ch,omitempty"`
}

// skuState is one product's running totals.
type skuState struct {
	Exposures int64 `json:"e"`
	Clicks    int64 `json:"c"`
	Orders    int64 `json:"o"`
	Units     int64 `json:"u"`
	GMV       int64 `json:"g"`
	StockSet  int64 `json:"ss"` // stock as last set by the room or an operator
	UnitsAt   int64 `json:"ua"` // Units when StockSet was set
	Carts     int64 `json:"ca,omitempty"`
}

// core is the part of a room's state checkpointed as one blob. Series,
// orders and present viewers live in Redis hashes, written incrementally.
type core struct {
	LastID      string                     `json:"last_id"`
	Seq         uint64                     `json:"seq"`
	AsOf        int64                      `json:"as_of"`
	Online      int64                      `json:"online"`
	OnlineTS    int64                      `json:"online_ts"` // event time of the count in Online
	PeakOnline  int64                      `json:"peak_online"`
	Comments    int64                      `json:"comments"`
	Likes       int64                      `json:"likes"`
	Follows     int64                      `json:"follows"`
	Shares      int64                      `json:"shares"`
	GiftValue   int64                      `json:"gift_value"`
	GMV         int64                      `json:"gmv"`
	Created     int64                      `json:"orders_created"`
	Paid        int64                      `json:"orders_paid"`
	Cancelled   int64                      `json:"orders_cancelled"`
	Refunded    int64                      `json:"orders_refunded"`
	Watched     int64                      `json:"watched_ms"` // summed enter→leave durations
	Visits      int64                      `json:"visits"`     // completed enter→leave pairs
	Funnel      livedeck.Funnel            `json:"funnel"`
	SKUs        map[string]*skuState       `json:"skus"`
	UV          []byte                     `json:"uv"`         // HyperLogLog, binary
	Buyers      []byte                     `json:"buyers"`     // HyperLogLog, binary
	KeywordMins map[int64]map[string]int64 `json:"kw"`         // minute → word → count, last few minutes
	Sources     map[string]*srcState       `json:"src"`        // per ingest source freshness
	ViewersAt   int64                      `json:"viewers_at"` // arrival of the newest viewers event
	Views       int64                      `json:"views,omitempty"`
	Spend       int64                      `json:"spend,omitempty"`
	Channels    map[string]*channelState   `json:"ch,omitempty"`   // paid traffic channel → totals
	Late        []lateWords                `json:"late,omitempty"` // recent comments folded before the segmenter was ready
}

// State is a room's live state: what a runner folds events into.
type State struct {
	room    string
	c       core
	uv      *hyperloglog.Sketch
	buyers  *hyperloglog.Sketch
	sec     *ring
	min     *ring
	orders  map[string]*order // loaded or changed since the last checkpoint
	dirtyO  map[string]bool
	present map[string]int64 // user → enter time, loaded or changed since the last checkpoint
	dirtyP  map[string]bool
	spend   map[string]*spendReport // spend reports by key, loaded or changed since the last checkpoint
	dirtyS  map[string]bool
}

// NewState returns the empty state of a room whose products start with the
// given stock.
func NewState(room string, products []livedeck.Product) *State {
	s := &State{room: room}
	s.c.SKUs = map[string]*skuState{}
	s.c.KeywordMins = map[int64]map[string]int64{}
	for _, p := range products {
		s.c.SKUs[p.SKU] = &skuState{StockSet: p.Stock}
	}
	s.uv, s.buyers = hyperloglog.New14(), hyperloglog.New14()
	s.sec, s.min = newRing(secondMs, secondSlots), newRing(minuteMs, minuteSlots)
	s.resetCaches()
	return s
}

func (s *State) resetCaches() {
	s.orders, s.dirtyO = map[string]*order{}, map[string]bool{}
	s.present, s.dirtyP = map[string]int64{}, map[string]bool{}
	s.spend, s.dirtyS = map[string]*spendReport{}, map[string]bool{}
	s.sec.dirty, s.min.dirty = map[int]bool{}, map[int]bool{}
}

func (s *State) sku(id string) *skuState {
	k := s.c.SKUs[id]
	if k == nil {
		k = &skuState{}
		s.c.SKUs[id] = k
	}
	return k
}

// LastID is the stream id of the newest folded event.
func (s *State) LastID() string { return s.c.LastID }

// Snapshot computes the public numbers as of now (Unix ms): rates are over
// the minute before now.
func (s *State) Snapshot(now int64) livedeck.Snapshot {
	c := &s.c
	snap := livedeck.Snapshot{
		Room: s.room, Seq: c.Seq, LastID: c.LastID, AsOf: c.AsOf,
		Online: c.Online, PeakOnline: c.PeakOnline, UV: int64(s.uv.Estimate()),
		Comments: c.Comments, Likes: c.Likes, Follows: c.Follows, Shares: c.Shares, GiftValue: c.GiftValue,
		GMV: c.GMV, OrdersCreated: c.Created, OrdersPaid: c.Paid, OrdersCancelled: c.Cancelled,
		OrdersRefunded: c.Refunded, Buyers: int64(s.buyers.Estimate()), Funnel: c.Funnel,
		SKUs: make(map[string]livedeck.SKUStats, len(c.SKUs)),
	}
	if snap.Buyers > snap.UV {
		snap.UV = snap.Buyers // two estimates; a buyer is always a visitor
	}
	if c.Visits > 0 {
		snap.AvgWatchSeconds = float64(c.Watched) / float64(c.Visits) / 1000
	}
	if snap.UV > 0 {
		snap.Conversion = float64(snap.Buyers) / float64(snap.UV)
		snap.UVValue = float64(c.GMV) / float64(snap.UV)
	}
	if c.Paid > 0 {
		snap.AOV = float64(c.GMV) / float64(c.Paid)
	}
	nowS := now / secondMs
	last, prev := s.sec.sums(nowS-60, nowS), s.sec.sums(nowS-120, nowS-60)
	snap.CommentsPerMin = float64(last[fComments])
	snap.IntentPerMin = float64(last[fIntent])
	snap.QuestionsPerMin = float64(last[fQuestions])
	snap.AbusePerMin = float64(last[fAbuse])
	snap.LikesPerMin = float64(last[fLikes])
	snap.FollowsPerMin = float64(last[fFollows])
	snap.SharesPerMin = float64(last[fShares])
	snap.GMVPerMin, snap.GMVPerMinPrev = last[fGMV], prev[fGMV]
	snap.GMVChangePct = pctChange(float64(snap.GMVPerMinPrev), float64(snap.GMVPerMin))
	snap.IntentChangePct = pctChange(float64(prev[fIntent]), snap.IntentPerMin)
	snap.AbuseChangePct = pctChange(float64(prev[fAbuse]), snap.AbusePerMin)
	if before, ok := s.onlineAt(nowS - 60); ok {
		snap.OnlineChangePct = pctChange(float64(before), float64(c.Online))
	}
	for id, k := range c.SKUs {
		left := k.StockSet - (k.Units - k.UnitsAt)
		st := livedeck.SKUStats{
			Exposures: k.Exposures, Clicks: k.Clicks, Orders: k.Orders, UnitsSold: k.Units, GMV: k.GMV,
			Stock: max(left, 0), Oversold: max(-left, 0),
		}
		if k.Exposures > 0 {
			st.CTR = float64(k.Clicks) / float64(k.Exposures)
		}
		if k.Clicks > 0 {
			st.ClickToOrder = float64(k.Orders) / float64(k.Clicks)
		}
		if k.Clicks > 0 {
			st.CartRate = float64(k.Carts) / float64(k.Clicks)
		}
		st.CartAdds = k.Carts
		snap.SKUs[id] = st
	}
	s.paidTraffic(nowS, &snap)
	snap.Keywords = s.topKeywords(now, 30)
	s.freshness(now, &snap)
	return snap
}

// onlineAt is the online count at second st, carried forward from the
// newest earlier second that saw one (within the per-second ring).
func (s *State) onlineAt(st int64) (int64, bool) {
	for i := int64(0); i < secondSlots-60; i++ {
		if v, ok := s.sec.get(st-i, fOnline); ok && v > 0 {
			return v - 1, true
		}
	}
	return 0, false
}

func pctChange(before, now float64) float64 {
	if before == 0 {
		return 0
	}
	return (now - before) / before * 100
}

// keywordMinutes is how far back top keywords look.
const keywordMinutes = 5

func (s *State) topKeywords(now int64, n int) []livedeck.KeywordCount {
	nowM := now / minuteMs
	sum := map[string]int64{}
	for m, words := range s.c.KeywordMins {
		if m > nowM-keywordMinutes {
			for w, c := range words {
				sum[w] += c
			}
		}
	}
	out := make([]livedeck.KeywordCount, 0, len(sum))
	for w, c := range sum {
		out = append(out, livedeck.KeywordCount{Word: w, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Word < out[j].Word
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
