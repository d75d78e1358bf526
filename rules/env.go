package rules

import (
	"math"

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

	Spend          int64              `expr:"spend"`
	SpendPerMin    float64            `expr:"spend_per_min"`
	ROI            float64            `expr:"roi"`
	GPM            float64            `expr:"gpm"`
	Views          int64              `expr:"views"`
	CostPerBuyer   float64            `expr:"cost_per_buyer"`
	CartAdds       int64              `expr:"cart_adds"`
	CartRate       float64            `expr:"cart_rate"`
	ROIByChannel   map[string]float64 `expr:"roi_by_channel"`   // a channel without a report reads 0: test spend_by_channel first
	SpendByChannel map[string]int64   `expr:"spend_by_channel"` //
	ChannelList    []*Channel         `expr:"channel_list"`     // by channel id: any(channel_list, {.spend > 0 && .roi < 1.5})

	ViewersAgeSeconds float64           `expr:"viewers_age_seconds"`
	Sources           map[string]Source `expr:"sources"`
	SKUs              map[string]*SKU   `expr:"skus"`     // pointers: an unknown SKU is nil, an error rather than a zero that matches stock <= 3
	SKUList           []*SKU            `expr:"sku_list"` // the same as a list: any(sku_list, {.stock <= 3})
	Tier              string            `expr:"tier"`     // name of the active pricing tier, "" if none
	Minute            int               `expr:"minute"`   // minutes since the room's rules were first evaluated (≈ the show's start)

	// Product is, in an alert's texts, the product its for_sku picked
	// ({{.Product.Name}}, {{.Product.Stock}}); not in conditions.
	Product *SKU `expr:"-"`

	store    []SKU  // backing array of SKUs and SKUList
	oversold bool   // a product sold past its stock (Oversold > 0)
	sources  int    // len(Sources), kept here: a map's length is a read elsewhere in memory
	machine  *vm.VM // reused by every condition run against this Env
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
	CartAdds     int64   `expr:"cart_adds"`
	CartRate     float64 `expr:"cart_rate"`
	Oversold     int64   `expr:"oversold"`
	Name         string  `expr:"-"` // the line-up's name, set for an alert's Product // units sold past the stock; stock is then 0
}

// Source is an ingest source's freshness: sources["connector"].age_seconds > 30.
type Source struct {
	AgeSeconds float64 `expr:"age_seconds"`
	PerMin     int64   `expr:"per_min"`
}

// NewEnv builds the condition environment from a snapshot.
func NewEnv(s *livedeck.Snapshot, tier string) Env {
	var e Env
	e.update(s, tier, 0)
	return e
}

// Bits of the Env fields a condition can read, by their expr names: what
// update reports as changed and dependsOn as read.
const (
	fOnline uint64 = 1 << iota
	fPeakOnline
	fOnlineChangePct
	fUV
	fAvgWatchSeconds
	fComments
	fLikes
	fFollows
	fShares
	fCommentsPerMin
	fIntentPerMin
	fQuestionsPerMin
	fAbusePerMin
	fLikesPerMin
	fIntentChangePct
	fAbuseChangePct
	fGMV
	fGMVPerMin
	fGMVPerMinPrev
	fGMVChangePct
	fOrdersCreated
	fOrdersPaid
	fOrdersCancelled
	fOrdersRefunded
	fBuyers
	fConversion
	fUVValue
	fAOV
	fSpend
	fSpendPerMin
	fROI
	fGPM
	fViews
	fCostPerBuyer
	fCartAdds
	fCartRate
	fROIByChannel
	fSpendByChannel
	fChannelList
	fViewersAgeSeconds
	fSources
	fSKUs
	fSKUList
	fTier
	fMinute
)

// envFields maps each name a condition can use to its bit.
var envFields = map[string]uint64{
	"online": fOnline, "peak_online": fPeakOnline, "online_change_pct": fOnlineChangePct, "uv": fUV,
	"avg_watch_seconds": fAvgWatchSeconds, "comments": fComments, "likes": fLikes, "follows": fFollows,
	"shares": fShares, "comments_per_min": fCommentsPerMin, "intent_per_min": fIntentPerMin,
	"questions_per_min": fQuestionsPerMin, "abuse_per_min": fAbusePerMin, "likes_per_min": fLikesPerMin,
	"intent_change_pct": fIntentChangePct, "abuse_change_pct": fAbuseChangePct, "gmv": fGMV,
	"gmv_per_min": fGMVPerMin, "gmv_per_min_prev": fGMVPerMinPrev, "gmv_change_pct": fGMVChangePct,
	"orders_created": fOrdersCreated, "orders_paid": fOrdersPaid, "orders_cancelled": fOrdersCancelled,
	"orders_refunded": fOrdersRefunded, "buyers": fBuyers, "conversion": fConversion, "uv_value": fUVValue,
	"aov": fAOV, "viewers_age_seconds": fViewersAgeSeconds, "sources": fSources, "skus": fSKUs,
	"sku_list": fSKUList, "tier": fTier, "minute": fMinute,
	"spend": fSpend, "spend_per_min": fSpendPerMin, "roi": fROI, "gpm": fGPM, "views": fViews,
	"cost_per_buyer": fCostPerBuyer, "cart_adds": fCartAdds, "cart_rate": fCartRate,
	"roi_by_channel": fROIByChannel, "spend_by_channel": fSpendByChannel, "channel_list": fChannelList,
}

// update sets e from a snapshot, the active tier and the show minute, and
// reports which fields changed (bits of envFields). Unchanged products
// and sources are left as they were, so sku_list keeps its order; changed
// ones reuse e's maps and lists: the engine keeps one Env per room, so an
// evaluation allocates next to nothing. Floats compare by their bits, so
// -0 against 0 counts as a change and a NaN that stays NaN does not.
func (e *Env) update(s *livedeck.Snapshot, tier string, minute int) uint64 {
	var c changes
	c.int(&e.Online, s.Online, fOnline)
	c.int(&e.PeakOnline, s.PeakOnline, fPeakOnline)
	c.float(&e.OnlineChangePct, s.OnlineChangePct, fOnlineChangePct)
	c.int(&e.UV, s.UV, fUV)
	c.float(&e.AvgWatchSeconds, s.AvgWatchSeconds, fAvgWatchSeconds)
	c.int(&e.Comments, s.Comments, fComments)
	c.int(&e.Likes, s.Likes, fLikes)
	c.int(&e.Follows, s.Follows, fFollows)
	c.int(&e.Shares, s.Shares, fShares)
	c.float(&e.CommentsPerMin, s.CommentsPerMin, fCommentsPerMin)
	c.float(&e.IntentPerMin, s.IntentPerMin, fIntentPerMin)
	c.float(&e.QuestionsPerMin, s.QuestionsPerMin, fQuestionsPerMin)
	c.float(&e.AbusePerMin, s.AbusePerMin, fAbusePerMin)
	c.float(&e.LikesPerMin, s.LikesPerMin, fLikesPerMin)
	c.float(&e.IntentChangePct, s.IntentChangePct, fIntentChangePct)
	c.float(&e.AbuseChangePct, s.AbuseChangePct, fAbuseChangePct)
	c.int(&e.GMV, s.GMV, fGMV)
	c.int(&e.GMVPerMin, s.GMVPerMin, fGMVPerMin)
	c.int(&e.GMVPerMinPrev, s.GMVPerMinPrev, fGMVPerMinPrev)
	c.float(&e.GMVChangePct, s.GMVChangePct, fGMVChangePct)
	c.int(&e.OrdersCreated, s.OrdersCreated, fOrdersCreated)
	c.int(&e.OrdersPaid, s.OrdersPaid, fOrdersPaid)
	c.int(&e.OrdersCancelled, s.OrdersCancelled, fOrdersCancelled)
	c.int(&e.OrdersRefunded, s.OrdersRefunded, fOrdersRefunded)
	c.int(&e.Buyers, s.Buyers, fBuyers)
	c.float(&e.Conversion, s.Conversion, fConversion)
	c.float(&e.UVValue, s.UVValue, fUVValue)
	c.float(&e.AOV, s.AOV, fAOV)
	c.int(&e.Spend, s.Spend, fSpend)
	c.float(&e.SpendPerMin, s.SpendPerMin, fSpendPerMin)
	c.float(&e.ROI, s.ROI, fROI)
	c.float(&e.GPM, s.GPM, fGPM)
	c.int(&e.Views, s.Views, fViews)
	c.float(&e.CostPerBuyer, s.CostPerBuyer, fCostPerBuyer)
	c.int(&e.CartAdds, s.CartAdds, fCartAdds)
	c.float(&e.CartRate, s.CartRate, fCartRate)
	c.float(&e.ViewersAgeSeconds, s.ViewersAgeSeconds, fViewersAgeSeconds)
	if e.Tier != tier {
		e.Tier, c = tier, c|changes(fTier)
	}
	if e.Minute != minute {
		e.Minute, c = minute, c|changes(fMinute)
	}
	if e.SKUs == nil || !e.updateSKUs(s.SKUs, &c) {
		e.setSKUs(s.SKUs)
		c |= changes(fSKUs | fSKUList)
	}
	if e.ROIByChannel == nil || !e.sameChannels(s.Channels) {
		e.setChannels(s.Channels)
		c |= changes(fROIByChannel | fSpendByChannel | fChannelList)
	}
	if e.Sources == nil || !e.sameSources(s.Sources) {
		e.setSources(s.Sources)
		c |= changes(fSources)
	}
	return uint64(c)
}

// changes collects the bits of changed fields.
type changes uint64

func (c *changes) int(dst *int64, v int64, bit uint64) {
	if *dst != v {
		*dst, *c = v, *c|changes(bit)
	}
}

func (c *changes) float(dst *float64, v float64, bit uint64) {
	if math.Float64bits(*dst) != math.Float64bits(v) {
		*dst, *c = v, *c|changes(bit)
	}
}

func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// updateSKUs takes the products' numbers in place when the snapshot has
// the same products as e (so sku_list keeps its order), and reports
// whether it did; when it did not, e's products are to be set afresh.
func (e *Env) updateSKUs(skus map[string]livedeck.SKUStats, c *changes) bool {
	if len(skus) != len(e.SKUList) {
		return false
	}
	var sc changes
	oversold := false
	for _, o := range e.SKUList { // the snapshot's map is fresh in the cache; e's may not be
		k, ok := skus[o.ID]
		if !ok {
			return false
		}
		oversold = oversold || k.Oversold > 0
		sc.int(&o.Exposures, k.Exposures, fSKUs)
		sc.int(&o.Clicks, k.Clicks, fSKUs)
		sc.float(&o.CTR, k.CTR, fSKUs)
		sc.int(&o.Orders, k.Orders, fSKUs)
		sc.float(&o.ClickToOrder, k.ClickToOrder, fSKUs)
		sc.int(&o.UnitsSold, k.UnitsSold, fSKUs)
		sc.int(&o.GMV, k.GMV, fSKUs)
		sc.int(&o.Stock, k.Stock, fSKUs)
		sc.int(&o.CartAdds, k.CartAdds, fSKUs)
		sc.float(&o.CartRate, k.CartRate, fSKUs)
		sc.int(&o.Oversold, k.Oversold, fSKUs)
	}
	if sc != 0 {
		*c |= changes(fSKUs | fSKUList)
	}
	e.oversold = oversold
	return true
}

func (e *Env) setSKUs(skus map[string]livedeck.SKUStats) {
	if e.SKUs == nil {
		e.SKUs = make(map[string]*SKU, len(skus))
	}
	clear(e.SKUs)
	store, list := e.store[:0], e.SKUList[:0]
	e.oversold = false
	if cap(store) < len(skus) {
		store = make([]SKU, 0, len(skus)) // never grown in place: the pointers below stay valid
	}
	for id, k := range skus {
		store = append(store, SKU{ID: id, Exposures: k.Exposures, Clicks: k.Clicks, CTR: k.CTR, Orders: k.Orders, ClickToOrder: k.ClickToOrder,
			UnitsSold: k.UnitsSold, GMV: k.GMV, Stock: k.Stock, Oversold: k.Oversold, CartAdds: k.CartAdds, CartRate: k.CartRate})
		sku := &store[len(store)-1]
		e.oversold = e.oversold || k.Oversold > 0
		e.SKUs[id] = sku
		list = append(list, sku) // pointers: expr boxes each element it visits
	}
	e.SKUList, e.store = list, store
}

func (e *Env) sameSources(sources map[string]livedeck.SourceStats) bool {
	if len(sources) != e.sources {
		return false
	}
	for id, src := range sources {
		o, ok := e.Sources[id]
		if !ok || !sameFloat(o.AgeSeconds, src.AgeSeconds) || o.PerMin != src.PerMin {
			return false
		}
	}
	return true
}

func (e *Env) setSources(sources map[string]livedeck.SourceStats) {
	if e.Sources == nil {
		e.Sources = make(map[string]Source, len(sources))
	}
	clear(e.Sources)
	for id, src := range sources {
		e.Sources[id] = Source{AgeSeconds: src.AgeSeconds, PerMin: src.PerMin}
	}
	e.sources = len(e.Sources)
}
