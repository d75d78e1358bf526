package livedeck

// Snapshot is a room's live numbers at one point of its event stream. The
// JSON names are the public API (GET /api/v1/rooms/{room}/metrics) and the
// names rule conditions use.
type Snapshot struct {
	Room   string `json:"room"`
	Seq    uint64 `json:"seq"`     // events folded so far
	LastID string `json:"last_id"` // stream id of the newest folded event
	AsOf   int64  `json:"as_of"`   // event time (Unix ms) of the newest folded event

	// Resting: the room is at rest (closed past its grace period, or
	// archived): no instance processes it, and its numbers stay as they
	// are until a late event wakes it.
	Resting bool `json:"resting,omitempty"`

	Online          int64   `json:"online"`
	PeakOnline      int64   `json:"peak_online"`
	OnlineChangePct float64 `json:"online_change_pct"` // online now vs. 60 s before, in %
	UV              int64   `json:"uv"`                // HyperLogLog estimate, ~0.8 % standard error
	AvgWatchSeconds float64 `json:"avg_watch_seconds"`

	Comments        int64               `json:"comments"`
	Likes           int64               `json:"likes"`
	Follows         int64               `json:"follows"`
	Shares          int64               `json:"shares"`
	GiftValue       int64               `json:"gift_value"` // minor units
	CommentsPerMin  float64             `json:"comments_per_min"`
	IntentPerMin    float64             `json:"intent_per_min"`
	QuestionsPerMin float64             `json:"questions_per_min"`
	AbusePerMin     float64             `json:"abuse_per_min"`
	LikesPerMin     float64             `json:"likes_per_min"`
	FollowsPerMin   float64             `json:"follows_per_min"`
	SharesPerMin    float64             `json:"shares_per_min"`
	IntentChangePct float64             `json:"intent_change_pct"` // intent comments last minute vs. the minute before, in %
	AbuseChangePct  float64             `json:"abuse_change_pct"`
	GMVPerMin       int64               `json:"gmv_per_min"`      // paid minus refunded in the last 60 s, minor units
	GMVPerMinPrev   int64               `json:"gmv_per_min_prev"` // the 60 s before that
	GMVChangePct    float64             `json:"gmv_change_pct"`   // last 60 s vs. the 60 s before, in %
	GMV             int64               `json:"gmv"`              // paid minus refunded, minor units
	OrdersCreated   int64               `json:"orders_created"`
	OrdersPaid      int64               `json:"orders_paid"`
	OrdersCancelled int64               `json:"orders_cancelled"`
	OrdersRefunded  int64               `json:"orders_refunded"`
	Buyers          int64               `json:"buyers"`     // distinct paying users
	Conversion      float64             `json:"conversion"` // buyers ÷ UV
	UVValue         float64             `json:"uv_value"`   // GMV ÷ UV, minor units
	AOV             float64             `json:"aov"`        // GMV ÷ paid orders, minor units
	Funnel          Funnel              `json:"funnel"`
	FunnelRates     FunnelRates         `json:"funnel_rates"`
	SKUs            map[string]SKUStats `json:"skus"`

	// Paid traffic and the cart (docs/metrics.md).
	Spend        int64                   `json:"spend"`          // ad spend reported, corrections applied, minor units
	SpendPerMin  float64                 `json:"spend_per_min"`  // spend reported for the last 5 minutes ÷ 5, minor units
	ROI          float64                 `json:"roi"`            // GMV ÷ spend; 0 while nothing is spent
	GPM          float64                 `json:"gpm"`            // GMV per 1,000 views (enter events), minor units
	Views        int64                   `json:"views"`          // enter events
	CostPerBuyer float64                 `json:"cost_per_buyer"` // spend ÷ paying buyers, minor units
	CartAdds     int64                   `json:"cart_adds"`      // cart_add events
	CartRate     float64                 `json:"cart_rate"`      // cart adds ÷ clicks
	Channels     map[string]ChannelStats `json:"channels,omitempty"`
	Keywords     []KeywordCount          `json:"keywords,omitempty"` // top words of the last 5 minutes

	// Freshness: how long since each ingest source last delivered, so a
	// connector that stalls silently shows on the dashboard and in rules.
	ViewersAgeSeconds float64                `json:"viewers_age_seconds"` // since the newest viewers event arrived; -1 if none
	OnlineStale       bool                   `json:"online_stale"`        // no viewers event for longer than StaleAfterSeconds: online is not current
	StaleAfterSeconds float64                `json:"stale_after_seconds"` // the server's --stale-after
	Sources           map[string]SourceStats `json:"sources,omitempty"`
}

// SourceStats is one ingest source's freshness (connector, webhook,
// simulator, api), by arrival time.
type SourceStats struct {
	NewestMs   int64   `json:"newest_ms"`   // arrival of its newest event, Unix ms
	AgeSeconds float64 `json:"age_seconds"` // since then
	PerMin     int64   `json:"per_min"`     // events in the last 60 s
	Stale      bool    `json:"stale"`       // silent for longer than the snapshot's stale_after_seconds
}

// SKUStats are one product's live numbers.
type SKUStats struct {
	Exposures    int64   `json:"exposures"`
	Clicks       int64   `json:"clicks"`
	CTR          float64 `json:"ctr"`            // clicks ÷ exposures
	Orders       int64   `json:"orders"`         // orders created
	ClickToOrder float64 `json:"click_to_order"` // orders ÷ clicks
	UnitsSold    int64   `json:"units_sold"`     // paid minus refunded units
	GMV          int64   `json:"gmv"`
	Stock        int64   `json:"stock"`     // remaining: last stock set minus units sold since, never below 0
	Oversold     int64   `json:"oversold"`  // units sold past the stock (超卖); stock is then 0
	CartAdds     int64   `json:"cart_adds"` // cart_add events
	CartRate     float64 `json:"cart_rate"` // cart adds ÷ clicks
}

// Funnel is exposure → click → cart → order → paid, counted in events.
type Funnel struct {
	Exposures int64 `json:"exposures"`
	Clicks    int64 `json:"clicks"`
	Carts     int64 `json:"carts"`
	Orders    int64 `json:"orders"`
	Paid      int64 `json:"paid"`
}

// FunnelRates are the funnel's step rates: each step ÷ the one before (0
// when the one before is 0). Orders placed without a cart add make Order
// above 1 possible.
type FunnelRates struct {
	Click float64 `json:"click"` // clicks ÷ exposures
	Cart  float64 `json:"cart"`  // carts ÷ clicks
	Order float64 `json:"order"` // orders ÷ carts
	Paid  float64 `json:"paid"`  // paid ÷ orders
}

// Rates computes the step rates of f.
func (f Funnel) Rates() FunnelRates {
	div := func(a, b int64) float64 {
		if b <= 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	return FunnelRates{Click: div(f.Clicks, f.Exposures), Cart: div(f.Carts, f.Clicks), Order: div(f.Orders, f.Carts), Paid: div(f.Paid, f.Orders)}
}

// ChannelStats are one paid traffic channel's numbers.
type ChannelStats struct {
	Spend  int64   `json:"spend"`  // reported, corrections applied, minor units
	GMV    int64   `json:"gmv"`    // paid minus refunded GMV of orders attributed to the channel
	Orders int64   `json:"orders"` // paid orders attributed to the channel
	ROI    float64 `json:"roi"`    // GMV ÷ spend; 0 while nothing is spent
}

// KeywordCount is a word and how often it was seen.
type KeywordCount struct {
	Word  string `json:"word"`
	Count int64  `json:"count"`
}

// Comment is a comment as the console's live feed shows it.
type Comment struct {
	ID       string `json:"id"`
	TS       int64  `json:"ts"`
	UserID   string `json:"user_id"`
	Nickname string `json:"nickname"`
	Text     string `json:"text"`
	Class    string `json:"class,omitempty"` // intent, question, abuse or empty
}

// Comment classes.
const (
	ClassIntent   = "intent"
	ClassQuestion = "question"
	ClassAbuse    = "abuse"
)
