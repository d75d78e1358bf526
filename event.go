package livedeck

// EventType names what happened in a live room.
type EventType string

// Event types of the public ingest contract (docs/events.md).
const (
	EventViewers         EventType = "viewers"
	EventEnter           EventType = "enter"
	EventLeave           EventType = "leave"
	EventComment         EventType = "comment"
	EventLike            EventType = "like"
	EventFollow          EventType = "follow"
	EventShare           EventType = "share"
	EventGift            EventType = "gift"
	EventProductExposure EventType = "product_exposure"
	EventProductClick    EventType = "product_click"
	EventOrder           EventType = "order"
	EventAdSpend         EventType = "ad_spend"
	EventCartAdd         EventType = "cart_add"

	// EventStock is written by LiveDeck itself when an operator sets a
	// product's stock mid-show, so that stock changes and orders are folded
	// in one order. Ingest refuses it from outside.
	EventStock EventType = "stock"
)

// PublicEventTypes lists the types an integrator may send, in contract order.
var PublicEventTypes = []EventType{
	EventViewers, EventEnter, EventLeave, EventComment, EventLike, EventFollow,
	EventShare, EventGift, EventProductExposure, EventProductClick, EventOrder,
	EventAdSpend, EventCartAdd,
}

// OrderStatus is a step in an order's lifecycle.
type OrderStatus string

// Order statuses. created → paid → refunded, or created → cancelled.
const (
	OrderCreated   OrderStatus = "created"
	OrderPaid      OrderStatus = "paid"
	OrderCancelled OrderStatus = "cancelled"
	OrderRefunded  OrderStatus = "refunded"
)

// Rank orders statuses along the lifecycle: a transition applies only to a
// higher rank, so a late "paid" never resurrects a refunded or cancelled
// order. Unknown statuses rank 0.
func (s OrderStatus) Rank() int {
	switch s {
	case OrderCreated:
		return 1
	case OrderPaid:
		return 2
	case OrderCancelled, OrderRefunded:
		return 3
	}
	return 0
}

// Event is one validated, normalised event as it is stored in a room's
// stream. Fields a type does not use are zero and omitted from JSON; Online
// and Stock are pointers because zero is a meaningful value for them.
type Event struct {
	ID     string    `json:"id"`
	Type   EventType `json:"type"`
	TS     int64     `json:"ts"` // Unix milliseconds, normalised from RFC 3339 or ms on input
	Source string    `json:"source,omitempty"`
	UserID string    `json:"user_id,omitempty"`

	Online *int64 `json:"online,omitempty"` // viewers

	Nickname string `json:"nickname,omitempty"` // comment
	Text     string `json:"text,omitempty"`     // comment

	Count int64 `json:"count,omitempty"` // like

	Gift  string `json:"gift,omitempty"`  // gift
	Value int64  `json:"value,omitempty"` // gift, minor units

	SKU string `json:"sku,omitempty"` // product_exposure, product_click, cart_add, order, stock

	OrderID string      `json:"order_id,omitempty"` // order
	Qty     int64       `json:"qty,omitempty"`      // order, cart_add
	Amount  int64       `json:"amount,omitempty"`   // order, ad_spend; minor units
	Status  OrderStatus `json:"status,omitempty"`   // order

	Channel  string `json:"channel,omitempty"`  // ad_spend; order (optional: the paid channel it is attributed to)
	Campaign string `json:"campaign,omitempty"` // ad_spend, optional
	Period   int64  `json:"period,omitempty"`   // ad_spend: start of the spend period, Unix ms (ts if not sent)

	Stock *int64 `json:"stock,omitempty"` // stock (internal)
}

// DedupeKey is what makes an event a duplicate of an earlier one: an order
// is identified by order id and status (each lifecycle step counts once),
// every other event by its id.
func (e *Event) DedupeKey() string { return string(e.AppendDedupeKey(nil)) }

// AppendDedupeKey appends DedupeKey to dst without allocating a string.
func (e *Event) AppendDedupeKey(dst []byte) []byte {
	if e.Type == EventOrder {
		return append(append(append(append(dst, "o:"...), e.OrderID...), ':'), e.Status...)
	}
	return append(append(dst, "e:"...), e.ID...)
}
