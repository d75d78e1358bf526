package rules

// RuleSet is a room's playbook.
type RuleSet struct {
	Rules []Rule `yaml:"rules" json:"rules"`

	src []byte // as parsed, to locate problems in it
}

// Rule is one playbook line.
type Rule struct {
	Name     string `yaml:"name" json:"name"`
	Enabled  *bool  `yaml:"enabled,omitempty" json:"enabled,omitempty"` // nil means true
	When     string `yaml:"when" json:"when"`                           // condition over the snapshot, e.g. online >= 500
	Clear    string `yaml:"clear,omitempty" json:"clear,omitempty"`     // hysteresis: a firing rule resolves only when this holds (default: when no longer holds)
	Band     *Band  `yaml:"band,omitempty" json:"band,omitempty"`       // when, clear and keep_firing_for on one metric, each number written once
	Priority int    `yaml:"priority,omitempty" json:"priority,omitempty"`

	For           Duration `yaml:"for,omitempty" json:"for,omitempty"`                         // must hold this long before firing
	KeepFiringFor Duration `yaml:"keep_firing_for,omitempty" json:"keep_firing_for,omitempty"` // minimum hold once firing
	Cooldown      Duration `yaml:"cooldown,omitempty" json:"cooldown,omitempty"`               // least time between two firings
	MaxFires      int      `yaml:"max_fires,omitempty" json:"max_fires,omitempty"`             // zero means no limit

	// Active is a daily window in the room's local clock ("20:00-22:30");
	// outside it the rule does not fire. Empty means always.
	Active string `yaml:"active,omitempty" json:"active,omitempty"`

	Actions []Action `yaml:"actions" json:"actions"`
}

// Band is a rule (a tier, mostly) on one metric with each threshold
// written once: it enters when the metric reaches Enter and leaves when it
// falls below LeaveBelow — or, for a metric whose low values matter
// (stock), enters at or under Enter and leaves above LeaveAbove — and
// once it no longer holds it is kept Hold longer (keep_firing_for).
//
//	band: {metric: online, enter: 500, leave_below: 450, hold: 60s}
//
// is when: online >= 500, clear: online < 450, keep_firing_for: 60s.
type Band struct {
	Metric     string   `yaml:"metric" json:"metric"` // a number of the snapshot: online, gmv_per_min, skus["A"].stock
	Enter      float64  `yaml:"enter" json:"enter"`
	LeaveBelow *float64 `yaml:"leave_below,omitempty" json:"leave_below,omitempty"`
	LeaveAbove *float64 `yaml:"leave_above,omitempty" json:"leave_above,omitempty"`
	Hold       Duration `yaml:"hold,omitempty" json:"hold,omitempty"`
}

// On reports whether the rule is enabled.
func (r *Rule) On() bool { return r.Enabled == nil || *r.Enabled }

// Action is one thing a firing does; exactly one field is set.
type Action struct {
	Tier    *TierAction    `yaml:"tier,omitempty" json:"tier,omitempty"`
	Cue     *CueAction     `yaml:"cue,omitempty" json:"cue,omitempty"`
	Alert   *AlertAction   `yaml:"alert,omitempty" json:"alert,omitempty"`
	Gift    *GiftAction    `yaml:"gift,omitempty" json:"gift,omitempty"`
	Webhook *WebhookAction `yaml:"webhook,omitempty" json:"webhook,omitempty"`
}

// TierAction sets the pricing tier while the rule fires. Among firing tier
// rules the highest priority wins; when none fires there is no tier.
type TierAction struct {
	Name      string `yaml:"name" json:"name"`
	Coupon    string `yaml:"coupon,omitempty" json:"coupon,omitempty"`       // e.g. 满199减20
	Threshold int64  `yaml:"threshold,omitempty" json:"threshold,omitempty"` // spend this (minor units) …
	Discount  int64  `yaml:"discount,omitempty" json:"discount,omitempty"`   // … get this off (minor units)
	SKU       string `yaml:"sku,omitempty" json:"sku,omitempty"`
}

// CueAction sends a script line to the host. Text is a Go template over the
// snapshot: {{.Online}}, {{(index .SKUs "A").Stock}}.
type CueAction struct {
	Text     string   `yaml:"text" json:"text"`
	Priority int      `yaml:"priority,omitempty" json:"priority,omitempty"`
	TTL      Duration `yaml:"ttl,omitempty" json:"ttl,omitempty"`
	NeedsAck bool     `yaml:"needs_ack,omitempty" json:"needs_ack,omitempty"`
	SKU      string   `yaml:"sku,omitempty" json:"sku,omitempty"`
	// ForSKU picks the product at firing: a condition on one product, as
	// inside any(sku_list, {…}); the match with the least stock above zero.
	ForSKU string `yaml:"for_sku,omitempty" json:"for_sku,omitempty"`
	Kind   string `yaml:"kind,omitempty" json:"kind,omitempty"` // card, countdown, …
}

// AlertAction raises an operator alert.
type AlertAction struct {
	Severity string `yaml:"severity" json:"severity"` // info, warning, critical
	Message  string `yaml:"message" json:"message"`   // template, like a cue's text
	// Messages are the message in other languages, by language ("en",
	// "zh"), for consoles in that language; templates too.
	Messages map[string]string `yaml:"messages,omitempty" json:"messages,omitempty"`
	// ForSKU picks the product the alert is about, as a cue's for_sku
	// does (the match with the least stock, sold out included): its texts
	// see it as {{.Product}}, and the alert carries its SKU.
	ForSKU string `yaml:"for_sku,omitempty" json:"for_sku,omitempty"`
}

// GiftAction gives each newly paid order a gift from a quota while the
// rule's condition holds: the first Limit paid orders (optionally of one
// SKU) win, exactly. "First" is by the arrival of the paid step in the
// room's stream, or by its event time with Order: event_time.
type GiftAction struct {
	Quota string `yaml:"quota" json:"quota"`
	Limit int64  `yaml:"limit" json:"limit"`
	SKU   string `yaml:"sku,omitempty" json:"sku,omitempty"`
	// Order is what "first" means: arrival (the default) or event_time.
	Order string `yaml:"order,omitempty" json:"order,omitempty"`
	// Settle is how long an event_time quota waits for late paid steps
	// before it gives places; zero means 10 s.
	Settle Duration `yaml:"settle,omitempty" json:"settle,omitempty"`
	// OnRefund is what a refunded or cancelled winner loses: revoke (the
	// default: the place goes to the next paid order in line) or keep.
	OnRefund string `yaml:"on_refund,omitempty" json:"on_refund,omitempty"`
}

// Gift orders and refund policies.
const (
	GiftByArrival   = "arrival"
	GiftByEventTime = "event_time"
	RefundRevoke    = "revoke"
	RefundKeep      = "keep"
)

// WebhookAction posts the firing to the shop system.
type WebhookAction struct {
	URL string `yaml:"url" json:"url"`
	// Secret names the secret (managed by admins, /api/v1/rule-secrets)
	// the delivery is signed with, HMAC-SHA256; empty means unsigned. A
	// rule set never holds a secret's value.
	Secret string `yaml:"secret,omitempty" json:"secret,omitempty"`
}
