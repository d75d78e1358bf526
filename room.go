package livedeck

import "regexp"

// Room is one broadcast (场次) with its product line-up (货盘).
type Room struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Currency string    `json:"currency"` // ISO 4217, e.g. CNY
	Products []Product `json:"products"`
	Status   string    `json:"status,omitempty"` // live (default), closed or archived
	Created  int64     `json:"created,omitempty"`
	Closed   int64     `json:"closed,omitempty"`   // Unix ms it was last closed; zero while live
	Archived int64     `json:"archived,omitempty"` // Unix ms it was archived
}

// Product is an item on sale in a room. Prices are integer minor units (分).
type Product struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price int64  `json:"price"`
	Stock int64  `json:"stock"`

	// Guardrails: FloorPrice is the lowest price any promotion may bring the
	// item to; MaxDiscount the largest rebate in minor units. Zero means unset.
	FloorPrice  int64 `json:"floor_price,omitempty"`
	MaxDiscount int64 `json:"max_discount,omitempty"`

	// BuyerLimit is how many units one buyer may buy (限购), for flash-sale
	// items; paid orders over it are flagged to operators. Zero means none.
	BuyerLimit int64 `json:"buyer_limit,omitempty"`
}

// Room status values. A room goes live → closed (and back, to reopen it)
// → archived (for good: it takes no more events, its kept review stays) and
// may then be deleted.
const (
	RoomLive     = "live"
	RoomClosed   = "closed"
	RoomArchived = "archived"
)

// idPattern bounds room ids and SKUs to characters that are safe inside a
// Redis hash tag and a URL path segment.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ValidID reports whether s may be used as a room id or SKU.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Product returns the product with the given SKU.
func (r *Room) Product(sku string) (Product, bool) {
	for _, p := range r.Products {
		if p.SKU == sku {
			return p, true
		}
	}
	return Product{}, false
}
