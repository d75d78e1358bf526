package connector

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// shopify maps Shopify order webhooks: the body is one order (or refund)
// object in the REST shape, the topic is in X-Shopify-Topic, and the
// signature is X-Shopify-Hmac-Sha256 (shopify.dev, "Verify webhooks").
type shopify struct{}

func init() { Register(shopify{}) }

const shopifyPrefix = "shopify:"

func (shopify) Name() string                { return "shopify" }
func (shopify) Signed() bool                { return true }
func (shopify) Reply(bool) (string, []byte) { return "", nil }

// Verify checks the base64 HMAC-SHA256 of the raw body, keyed with the
// app's client secret, in constant time.
func (shopify) Verify(d *Delivery, secrets []string) error {
	got, err := base64.StdEncoding.DecodeString(d.Header.Get("X-Shopify-Hmac-Sha256"))
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("X-Shopify-Hmac-Sha256 missing or not a base64 SHA-256: %w", ErrBadSignature)
	}
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(d.Body)
		if hmac.Equal(mac.Sum(nil), got) {
			return nil
		}
	}
	return fmt.Errorf("X-Shopify-Hmac-Sha256: %w", ErrBadSignature)
}

type shopifyLine struct {
	ID              idText `json:"id"`
	SKU             string `json:"sku"`
	VariantID       idText `json:"variant_id"`
	ProductID       idText `json:"product_id"`
	Quantity        int64  `json:"quantity"`
	Price           string `json:"price"`
	TotalDiscount   string `json:"total_discount"`
	DiscountAllocns []struct {
		Amount string `json:"amount"`
	} `json:"discount_allocations"`
}

type shopifyOrder struct {
	ID          idText `json:"id"`
	Currency    string `json:"currency"`
	CreatedAt   string `json:"created_at"`
	ProcessedAt string `json:"processed_at"`
	UpdatedAt   string `json:"updated_at"`
	CancelledAt string `json:"cancelled_at"`
	Customer    *struct {
		ID idText `json:"id"`
	} `json:"customer"`
	LineItems []shopifyLine `json:"line_items"`
}

type shopifyRefund struct {
	ID        idText `json:"id"`
	OrderID   idText `json:"order_id"`
	CreatedAt string `json:"created_at"`
	Lines     []struct {
		LineItemID  idText           `json:"line_item_id"`
		Quantity    int64            `json:"quantity"`
		Subtotal    jsontext.Value   `json:"subtotal"` // a JSON number in the shop currency
		SubtotalSet *shopifyMoneySet `json:"subtotal_set"`
		LineItem    shopifyLine      `json:"line_item"`
	} `json:"refund_line_items"`
	Transactions []struct {
		Currency string `json:"currency"`
	} `json:"transactions"`
}

type shopifyMoneySet struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currency_code"`
	} `json:"shop_money"`
}

var shopifyStatus = map[string]livedeck.OrderStatus{
	"orders/create":    livedeck.OrderCreated,
	"orders/paid":      livedeck.OrderPaid,
	"orders/cancelled": livedeck.OrderCancelled,
	"refunds/create":   livedeck.OrderRefunded,
}

func (shopify) Decode(d *Delivery, s *Settings) ([]Message, error) {
	s = orDefault(s)
	topic := d.Header.Get("X-Shopify-Topic")
	if topic == "" {
		return nil, livedeck.Errorf(livedeck.EINVALID, "X-Shopify-Topic", "header missing: Shopify names the webhook topic there")
	}
	raws, err := splitMessages(d.Body)
	if err != nil {
		return nil, err
	}
	if len(raws) != 1 || raws[0].Kind() != '{' {
		return nil, livedeck.Errorf(livedeck.EINVALID, "", "a Shopify webhook body is one JSON object")
	}
	m := Message{Kind: topic, Raw: raws[0]}
	status, known := shopifyStatus[topic]
	switch {
	case !known:
	case status == livedeck.OrderRefunded:
		m.ID, m.Events, m.Err = shopifyRefundEvents(raws[0], s)
	default:
		m.ID, m.Events, m.Err = shopifyOrderEvents(raws[0], status, d.Header.Get("X-Shopify-Triggered-At"), s)
	}
	settle(&m, d.Received)
	return []Message{m}, nil
}

func shopifyOrderEvents(raw jsontext.Value, status livedeck.OrderStatus, triggeredAt string, s *Settings) (string, []livedeck.Event, error) {
	var o shopifyOrder
	if err := unmarshal(raw, &o); err != nil {
		return "", nil, err
	}
	if o.ID == "" {
		return "", nil, errors.New("id: missing")
	}
	if len(o.LineItems) == 0 {
		return string(o.ID), nil, errors.New("line_items: none")
	}
	ts := o.CreatedAt
	switch status {
	case livedeck.OrderPaid: // the order has no paid_at: the webhook's trigger time is the payment's
		ts = firstOf(triggeredAt, o.ProcessedAt, o.UpdatedAt)
	case livedeck.OrderCancelled:
		ts = firstOf(o.CancelledAt, o.UpdatedAt)
	}
	user := shopifyPrefix + "order:" + string(o.ID) // a guest checkout has no customer
	if o.Customer != nil && o.Customer.ID != "" {
		user = UserID(shopifyPrefix, string(o.Customer.ID))
	}
	evs := make([]livedeck.Event, 0, len(o.LineItems))
	for i, li := range o.LineItems {
		amount, err := lineAmount(&li, o.Currency)
		if err != nil {
			return string(o.ID), nil, fmt.Errorf("line_items[%d]: %w", i, err)
		}
		ev, err := shopifyEvent(&o.ID, &li, status, user, s)
		if err != nil {
			return string(o.ID), nil, fmt.Errorf("line_items[%d]: %w", i, err)
		}
		ev.TS, ev.Qty, ev.Amount = rfc3339(ts), li.Quantity, amount
		evs = append(evs, ev)
	}
	return string(o.ID), evs, nil
}

// lineAmount is a line's revenue: price × quantity less its discounts,
// before tax and shipping, in minor units of the shop currency.
func lineAmount(li *shopifyLine, currency string) (int64, error) {
	price, err := ParseMinor(li.Price, currency)
	if err != nil {
		return 0, fmt.Errorf("price: %w", err)
	}
	if li.Quantity < 1 || li.Quantity > maxMinor/max(price, 1) {
		return 0, fmt.Errorf("quantity %d: out of range", li.Quantity)
	}
	total := price * li.Quantity
	var discount int64
	if len(li.DiscountAllocns) > 0 {
		for _, a := range li.DiscountAllocns {
			v, err := ParseMinor(a.Amount, currency)
			if err != nil {
				return 0, fmt.Errorf("discount_allocations: %w", err)
			}
			discount += v
		}
	} else if li.TotalDiscount != "" {
		if discount, err = ParseMinor(li.TotalDiscount, currency); err != nil {
			return 0, fmt.Errorf("total_discount: %w", err)
		}
	}
	return max(total-discount, 0), nil
}

func shopifyEvent(orderID *idText, li *shopifyLine, status livedeck.OrderStatus, user string, s *Settings) (livedeck.Event, error) {
	if li.ID == "" {
		return livedeck.Event{}, errors.New("id: missing")
	}
	sku, err := productSKU(s, li.SKU, string(li.VariantID), string(li.ProductID))
	if err != nil {
		return livedeck.Event{}, err
	}
	order := NativeID(shopifyPrefix, string(*orderID)+"/"+string(li.ID))
	return livedeck.Event{ID: NativeID(order+":", string(status)), Type: livedeck.EventOrder, UserID: user, OrderID: order, SKU: sku, Status: status}, nil
}

func shopifyRefundEvents(raw jsontext.Value, s *Settings) (string, []livedeck.Event, error) {
	var r shopifyRefund
	if err := unmarshal(raw, &r); err != nil {
		return "", nil, err
	}
	if r.OrderID == "" {
		return string(r.ID), nil, errors.New("order_id: missing")
	}
	// A refund of shipping or an amount only names no line: nothing to map.
	evs := make([]livedeck.Event, 0, len(r.Lines))
	for i, rl := range r.Lines {
		li := rl.LineItem
		if li.ID == "" {
			li.ID = rl.LineItemID
		}
		ev, err := shopifyEvent(&r.OrderID, &li, livedeck.OrderRefunded, shopifyPrefix+"order:"+string(r.OrderID), s)
		if err != nil {
			return string(r.ID), nil, fmt.Errorf("refund_line_items[%d]: %w", i, err)
		}
		amount, err := refundAmount(rl.SubtotalSet, rl.Subtotal, r.Transactions)
		if err != nil {
			return string(r.ID), nil, fmt.Errorf("refund_line_items[%d].subtotal: %w", i, err)
		}
		if rl.Quantity < 1 {
			return string(r.ID), nil, fmt.Errorf("refund_line_items[%d].quantity: %d", i, rl.Quantity)
		}
		ev.TS, ev.Qty, ev.Amount = rfc3339(r.CreatedAt), rl.Quantity, amount
		evs = append(evs, ev)
	}
	return string(r.ID), evs, nil
}

// refundAmount reads a refund line's subtotal: subtotal_set.shop_money
// (a decimal string with its currency) when present, else the subtotal
// number's literal text in the currency of the refund's transactions.
func refundAmount(set *shopifyMoneySet, subtotal jsontext.Value, txs []struct {
	Currency string `json:"currency"`
}) (int64, error) {
	if set != nil && set.ShopMoney.Amount != "" {
		return ParseMinor(set.ShopMoney.Amount, set.ShopMoney.CurrencyCode)
	}
	if len(txs) == 0 || subtotal.Kind() != '0' {
		return 0, errors.New("no subtotal_set and no currency to read subtotal in")
	}
	return ParseMinor(string(subtotal), txs[0].Currency)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// rfc3339 is a Shopify time in Unix ms; 0 (then the receive time) when
// absent or unreadable.
func rfc3339(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}
