package rules

import (
	"github.com/expr-lang/expr/vm"

	"github.com/livedeck/livedeck"
)

// Env is what a condition sees: the snapshot's numbers under their public
// (snake_case) names, plus the active tier and time. Cue templates see the
// same values under the Go names ({{.Online}}, {{.UVValue}}).
type Env struct {
	Online          int64   `expr:"online"`
	PeakOnline      int64   `expr:"peak_online"`
	OnlineChangePct float64 `expr:"online_change_pct"`
	UV              int64   `expr:"uv"`
	AvgWatchSeconds float64 `expr:"avg_watch_seconds"`

	Comments        int64   `expr:"comments"`
	Likes           int64   `expr:"likes"`
	Follows         int64   `expr:"follows"`
	Shares          int64   `expr:"shares"`
	CommentsPerMin  float64 `expr:"comments_per_min"`
	IntentPerMin    float64 `expr:"intent_per_min"`
	QuestionsPerMin float64 `expr:"questions_per_min"`
	AbusePerMin     float64 `expr:"abuse_per_min"`
	LikesPerMin     float64 `expr:"likes_per_min"`
	IntentChangePct float64 `expr:"intent_change_pct"`
	AbuseChangePct  float64 `expr:"abuse_change_pct"`

	GMV             int64   `expr:"gmv"`
	GMVPerMin       int64   `expr:"gmv_per_min"`
	GMVPerMinPrev   int64   `expr:"gmv_per_min_prev"`
	GMVChangePct    float64 `expr:"gmv_change_pct"`
	OrdersCreated   int64   `expr:"orders_created"`
	OrdersPaid      int64   `expr:"orders_paid"`
	OrdersCancelled int64   `expr:"orders_cancelled"`
	OrdersRefunded  int64   `expr:"orders_refunded"`
	Buyers          int64   `expr:"buyers"`
	Conversion      float64 `expr:"conversion"`
	UVValue         float64 `expr:"uv_value"`
	AOV             float64 `expr:"aov"`

	ViewersAgeSeconds float64           `expr:"viewers_age_seconds"`
	Sources           map[string]Source `expr:"sources"`
	SKUs              map[string]*SKU   `expr:"skus"`     // pointers: an unknown SKU is nil, an error rather than a zero that matches stock <= 3
	SKUList           []*SKU            `expr:"sku_list"` // the same as a list: any(sku_list, {.stock <= 3})
	Tier              string            `expr:"tier"`     // name of the active pricing tier, "" if none
	Minute            int               `expr:"minute"`   // minutes since the room's rules were first evaluated (≈ the show's start)

	store   []SKU  // backing array of SKUs and SKUList
	machine *vm.VM // reused by every condition run against this Env
}

// SKU is one product's numbers in a condition: skus["A"].ctr < 0.03.
type SKU struct {
	ID           string  `expr:"sku"`
	Exposures    int64   `expr:"exposures"`
	Clicks       int64   `expr:"clicks"`
	CTR          float64 `expr:"ctr"`
	Orders       int64   `expr:"orders"`
	ClickToOrder float64 `expr:"click_to_order"`
	UnitsSold    int64   `expr:"units_sold"`
	GMV          int64   `expr:"gmv"`
	Stock        int64   `expr:"stock"`
}

// Source is an ingest source's freshness: sources["connector"].age_seconds > 30.
type Source struct {
	AgeSeconds float64 `expr:"age_seconds"`
	PerMin     int64   `expr:"per_min"`
}

// NewEnv builds the condition environment from a snapshot.
func NewEnv(s *livedeck.Snapshot, tier string) Env {
	var e Env
	e.fill(s, tier)
	return e
}

// fill sets e from a snapshot, reusing e's maps and lists: the engine
// keeps one Env per room, so an evaluation allocates next to nothing.
func (e *Env) fill(s *livedeck.Snapshot, tier string) {
	skus, list, sources, store, machine := e.SKUs, e.SKUList[:0], e.Sources, e.store[:0], e.machine
	if skus == nil {
		skus, sources = make(map[string]*SKU, len(s.SKUs)), make(map[string]Source, len(s.Sources))
	}
	clear(skus)
	clear(sources)
	*e = Env{
		Online: s.Online, PeakOnline: s.PeakOnline, OnlineChangePct: s.OnlineChangePct, UV: s.UV, AvgWatchSeconds: s.AvgWatchSeconds,
		Comments: s.Comments, Likes: s.Likes, Follows: s.Follows, Shares: s.Shares,
		CommentsPerMin: s.CommentsPerMin, IntentPerMin: s.IntentPerMin, QuestionsPerMin: s.QuestionsPerMin,
		AbusePerMin: s.AbusePerMin, LikesPerMin: s.LikesPerMin, IntentChangePct: s.IntentChangePct, AbuseChangePct: s.AbuseChangePct,
		GMV: s.GMV, GMVPerMin: s.GMVPerMin, GMVPerMinPrev: s.GMVPerMinPrev, GMVChangePct: s.GMVChangePct,
		OrdersCreated: s.OrdersCreated, OrdersPaid: s.OrdersPaid, OrdersCancelled: s.OrdersCancelled, OrdersRefunded: s.OrdersRefunded,
		Buyers: s.Buyers, Conversion: s.Conversion, UVValue: s.UVValue, AOV: s.AOV,
		ViewersAgeSeconds: s.ViewersAgeSeconds, Tier: tier,
		SKUs: skus, Sources: sources, machine: machine,
	}
	if cap(store) < len(s.SKUs) {
		store = make([]SKU, 0, len(s.SKUs)) // never grown in place: the pointers below stay valid
	}
	for id, k := range s.SKUs {
		store = append(store, SKU{ID: id, Exposures: k.Exposures, Clicks: k.Clicks, CTR: k.CTR, Orders: k.Orders, ClickToOrder: k.ClickToOrder,
			UnitsSold: k.UnitsSold, GMV: k.GMV, Stock: k.Stock})
		sku := &store[len(store)-1]
		skus[id] = sku
		list = append(list, sku) // pointers: expr boxes each element it visits
	}
	e.SKUList, e.store = list, store
	for id, src := range s.Sources {
		sources[id] = Source{AgeSeconds: src.AgeSeconds, PerMin: src.PerMin}
	}
}
