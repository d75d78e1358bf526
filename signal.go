package livedeck

// Signal kinds: what the rules engine emits into a room's signal stream and
// what the console shows immediately (never coalesced).
const (
	SignalCue   = "cue"
	SignalTier  = "tier"
	SignalAlert = "alert"
	SignalGift  = "gift"
	SignalAck   = "ack"
	// SignalWithdraw takes a cue off the host's queue: a newer tier
	// superseded the one it announced.
	SignalWithdraw = "withdraw"
)

// Signal is one entry of a room's signal stream. ID is the Redis stream id,
// which a reconnecting console resumes from.
type Signal struct {
	ID   string `json:"id,omitempty"`
	Kind string `json:"kind"`
	Room string `json:"room"`
	Rule string `json:"rule,omitempty"`
	At   int64  `json:"at"` // Unix ms

	Cue   *Cue   `json:"cue,omitempty"`
	Tier  *Tier  `json:"tier,omitempty"`
	Alert *Alert `json:"alert,omitempty"`
	Gift  *Gift  `json:"gift,omitempty"`
	Ack   *Ack   `json:"ack,omitempty"`

	Withdraw *Withdraw `json:"withdraw,omitempty"`
}

// Cue is a script line for the host.
type Cue struct {
	Key      string `json:"key"` // stable id: rule name + fire number
	Text     string `json:"text"`
	Priority int    `json:"priority"`
	TTLms    int64  `json:"ttl_ms,omitempty"`
	NeedsAck bool   `json:"needs_ack,omitempty"`
	SKU      string `json:"sku,omitempty"`
	Kind     string `json:"kind,omitempty"` // e.g. countdown, card
	// Update: new text for the cue of this key, which fired before (its
	// rule was edited while firing). It replaces that cue where it is still
	// shown and is never shown on its own.
	Update bool `json:"update,omitempty"`
}

// Tier is the pricing tier in effect.
type Tier struct {
	Name   string `json:"name"`
	Coupon string `json:"coupon,omitempty"` // e.g. 满199减20
	// Threshold and Discount in minor units: spend Threshold, get Discount off.
	Threshold int64  `json:"threshold,omitempty"`
	Discount  int64  `json:"discount,omitempty"`
	SKU       string `json:"sku,omitempty"`
}

// Alert is a notice for operators.
type Alert struct {
	Key      string `json:"key"`
	Severity string `json:"severity"` // info, warning, critical
	Message  string `json:"message"`
	// Messages is the message in other languages, by language ("en",
	// "zh"), when the rule gives them; consoles show their language's.
	Messages map[string]string `json:"messages,omitempty"`
	SKU      string            `json:"sku,omitempty"` // the product it is about, if any
}

// Gift is a gift assigned to an order from a quota.
type Gift struct {
	Quota   string `json:"quota"`
	OrderID string `json:"order_id"`
	UserID  string `json:"user_id,omitempty"`
	SKU     string `json:"sku,omitempty"`
	N       int64  `json:"n"` // 1-based place in the quota

	// Status is "" while the order holds its place; GiftRevoked when it was
	// refunded or cancelled and its place passed on; GiftRefunded when it was
	// refunded but keeps its place (a quota with on_refund: keep).
	Status     string `json:"status,omitempty"`
	RefundedAt int64  `json:"refunded_at,omitempty"` // Unix ms the refund was processed
	Replaces   string `json:"replaces,omitempty"`    // the revoked order whose place this order took
}

// Gift statuses.
const (
	GiftRevoked  = "revoked"
	GiftRefunded = "refunded"
)

// Ack acknowledges a cue or alert by key.
type Ack struct {
	Key string `json:"key"`
	By  string `json:"by,omitempty"`
}

// Withdraw takes the cue of Key off the host's queue, unacknowledged: what
// it said no longer holds.
type Withdraw struct {
	Key    string `json:"key"`
	Reason string `json:"reason,omitempty"` // e.g. "superseded"
	By     string `json:"by,omitempty"`     // the rule whose firing superseded it, if any
}
