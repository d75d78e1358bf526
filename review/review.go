// Package review builds the post-broadcast review (复盘) of a room: headline
// numbers, a per-minute timeline with the show's tier changes, cues and
// alerts, results per pricing tier and per product, the funnel, what viewers
// said, and how each script cue moved the numbers. A review is folded from
// the room's events and signals, so the one built live when a room closes
// and the one built offline from a recorded broadcast agree.
package review

import "github.com/livedeck/livedeck"

// Review is one broadcast's review. The JSON names are the public API
// (GET /api/v1/rooms/{room}/review). Money is in minor units; rates are
// ratios (0.05 = 5 %).
type Review struct {
	Room     string `json:"room"`
	Title    string `json:"title,omitempty"`
	Currency string `json:"currency,omitempty"`
	Status   string `json:"status"`            // closed, or live for a review of a show still on air
	Built    int64  `json:"built_at"`          // Unix ms
	From     int64  `json:"from"`              // event time of the first event, Unix ms
	To       int64  `json:"to"`                // event time of the last event, Unix ms
	Events   int64  `json:"events"`            // events folded
	Partial  bool   `json:"partial"`           // the room's event or signal stream had been trimmed: events cover From..To only, or older cues, tiers and alerts are missing
	Window   int    `json:"window_min"`        // N of cue effectiveness: minutes before and after each cue
	Source   string `json:"source"`            // redis (a room) or file (offline)
	LastID   string `json:"last_id,omitempty"` // stream id of the newest event folded
	// KeywordsPending: built while the comment segmenter was still loading
	// (seconds after a start), so Keywords is empty; such a review is not
	// kept, and asking again builds it complete.
	KeywordsPending bool `json:"keywords_pending,omitempty"`

	Headline  Headline                `json:"headline"`
	Timeline  []Minute                `json:"timeline"`
	Markers   []Marker                `json:"markers"`
	Tiers     []TierResult            `json:"tiers"`
	Channels  []ChannelResult         `json:"channels"` // paid traffic channels, most spend first
	SKUs      []SKUResult             `json:"skus"`
	Funnel    livedeck.Funnel         `json:"funnel"`
	Keywords  []livedeck.KeywordCount `json:"keywords"`
	Questions []TextCount             `json:"questions"`
	Abuse     Abuse                   `json:"abuse"`
	Cues      []CueEffect             `json:"cues"`
}

// Headline holds the numbers a team reports after a show.
type Headline struct {
	GMV             int64   `json:"gmv"`    // paid minus refunded
	Orders          int64   `json:"orders"` // paid orders (refunded ones included: they were paid)
	OrdersCreated   int64   `json:"orders_created"`
	OrdersCancelled int64   `json:"orders_cancelled"`
	OrdersRefunded  int64   `json:"orders_refunded"`
	UV              int64   `json:"uv"`          // exact distinct visitors
	Buyers          int64   `json:"buyers"`      // distinct paying users
	PeakOnline      int64   `json:"peak_online"` //
	Conversion      float64 `json:"conversion"`  // buyers ÷ UV
	UVValue         float64 `json:"uv_value"`    // GMV ÷ UV, minor units
	AOV             float64 `json:"aov"`         // GMV ÷ paid orders, minor units
	AvgWatchSeconds float64 `json:"avg_watch_seconds"`
	Comments        int64   `json:"comments"`
	Likes           int64   `json:"likes"`
	Follows         int64   `json:"follows"`
	Shares          int64   `json:"shares"`
	DurationSeconds int64   `json:"duration_seconds"`
	Spend           int64   `json:"spend"`          // ad spend, corrections applied
	ROI             float64 `json:"roi"`            // GMV ÷ spend; 0 without spend
	CostPerBuyer    float64 `json:"cost_per_buyer"` // spend ÷ buyers, minor units
	CartAdds        int64   `json:"cart_adds"`
	CartRate        float64 `json:"cart_rate"` // cart adds ÷ clicks
}

// ChannelResult is one paid traffic channel's results: its spend and the
// GMV of the orders attributed to it.
type ChannelResult struct {
	Channel string `json:"channel"`
	livedeck.ChannelStats
}

// Minute is one minute of the timeline.
type Minute struct {
	T        int64 `json:"t"`        // start of the minute, Unix ms
	Online   int64 `json:"online"`   // newest viewers count within or before the minute
	GMV      int64 `json:"gmv"`      // paid minus refunded within the minute
	Orders   int64 `json:"orders"`   // orders paid within the minute
	Comments int64 `json:"comments"` //
	Visitors int64 `json:"visitors"` // distinct users seen within the minute
	Buyers   int64 `json:"buyers"`   // distinct users who paid within the minute
	Spend    int64 `json:"spend"`    // change of ad spend reported within the minute
	CartAdds int64 `json:"cart_adds"`
}

// Marker kinds.
const (
	MarkTier  = "tier"
	MarkCue   = "cue"
	MarkAlert = "alert"
)

// Marker is a tier change, cue or alert on the timeline.
type Marker struct {
	T        int64  `json:"t"` // Unix ms
	Kind     string `json:"kind"`
	Rule     string `json:"rule,omitempty"`
	Text     string `json:"text"`               // cue text, tier name and coupon, alert message
	Severity string `json:"severity,omitempty"` // alerts
	NeedsAck bool   `json:"needs_ack,omitempty"`
	Acked    bool   `json:"acked"`
	AckedBy  string `json:"acked_by,omitempty"`
}

// TierResult is what happened while one pricing tier was in effect. Orders
// count toward the tier in effect when they were created.
type TierResult struct {
	Tier       string  `json:"tier"` // "" before any tier was set
	Coupon     string  `json:"coupon,omitempty"`
	Seconds    int64   `json:"seconds"` // time in effect
	Orders     int64   `json:"orders"`  // paid
	GMV        int64   `json:"gmv"`
	Buyers     int64   `json:"buyers"`
	Visitors   int64   `json:"visitors"`   // distinct users seen while it was in effect
	Conversion float64 `json:"conversion"` // buyers ÷ visitors
	GMVPerMin  float64 `json:"gmv_per_min"`
	Spend      int64   `json:"spend"`     // ad spend reported while it was in effect (by report time)
	ROI        float64 `json:"roi"`       // GMV ÷ spend; 0 without spend
	CartAdds   int64   `json:"cart_adds"` // while it was in effect
	CartRate   float64 `json:"cart_rate"` // cart adds ÷ clicks while it was in effect
}

// SKUResult is one product's results.
type SKUResult struct {
	SKU  string `json:"sku"`
	Name string `json:"name,omitempty"`
	livedeck.SKUStats
}

// TextCount is a comment text and how often it was seen.
type TextCount struct {
	Text  string `json:"text"`
	Count int64  `json:"count"`
}

// Abuse counts abusive comments.
type Abuse struct {
	Comments   int64 `json:"comments"`
	Users      int64 `json:"users"` // distinct authors
	PeakPerMin int64 `json:"peak_per_min"`
}

// CueEffect is how one cue (by rule) moved the numbers: the N minutes after
// each firing against the N minutes before, averaged over its firings.
type CueEffect struct {
	Rule    string `json:"rule"`
	Text    string `json:"text"` // text of its first firing
	Firings int    `json:"firings"`
	Acked   int    `json:"acked"`
	// Measured is how many firings the averages cover: a firing needs
	// some broadcast before and after it.
	Measured int    `json:"measured"`
	Before   Window `json:"before"`
	After    Window `json:"after"`
	Change   Window `json:"change"` // after − before, averaged over firings
}

// Window is a stretch of N minutes around a cue.
type Window struct {
	Conversion float64 `json:"conversion"`  // paying buyers ÷ visitors in the window
	UVValue    float64 `json:"uv_value"`    // GMV ÷ visitors in the window, minor units
	GMVPerMin  float64 `json:"gmv_per_min"` // minor units
	ROI        float64 `json:"roi"`         // GMV ÷ spend reported in the window; 0 without spend
	CartRate   float64 `json:"cart_rate"`   // cart adds ÷ clicks in the window
}

// Comparison sets a review beside an earlier one.
type Comparison struct {
	Review  *Review  `json:"review"`
	Earlier *Review  `json:"earlier"`
	Change  Headline `json:"change"` // review − earlier, per headline number
}
