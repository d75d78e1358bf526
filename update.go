package livedeck

// Update is what the live metrics processor hands downstream (to the rules
// engine, in process, on the instance that owns the room) after folding a
// batch of events, and on an idle tick so that time-based rule state moves.
type Update struct {
	Room     string
	Now      int64 // Unix ms the rules engine measures `for` and cooldowns by: wall clock live, event time in a backtest
	Snapshot Snapshot
	Orders   []OrderChange // lifecycle transitions applied in this batch, in stream order
	Comments []Comment     // comments folded in this batch, classified
}

// OrderChange is one applied order lifecycle transition.
type OrderChange struct {
	StreamID string      `json:"stream_id"`
	OrderID  string      `json:"order_id"`
	UserID   string      `json:"user_id,omitempty"`
	SKU      string      `json:"sku"`
	Qty      int64       `json:"qty"`
	Amount   int64       `json:"amount"`
	From     OrderStatus `json:"from,omitempty"` // empty for a first sighting
	To       OrderStatus `json:"to"`
	TS       int64       `json:"ts"`
}

// LiveMessage is what the processor publishes on a room's live channel after
// each batch; every instance's websocket hub relays it to its clients.
type LiveMessage struct {
	Metrics  *Snapshot `json:"metrics,omitempty"`
	Comments []Comment `json:"comments,omitempty"`
}
