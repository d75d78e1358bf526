package connector

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// doudian maps 抖店 (Douyin shop) order message pushes: a JSON array of
// {tag, msg_id, data} whose data is itself JSON text, signed in the
// event-sign header (zsmhub/doudian-sdk message/doudian_message.go,
// doudian_sign.go).
type doudian struct{}

func init() { Register(doudian{}) }

const (
	doudianPrefix = "doudian:"
	// doudianSKU is the key of Settings.Products that names the room SKU
	// 抖店 orders count under: order messages carry no product.
	doudianSKU = "doudian"
)

func (doudian) Name() string { return "doudian" }
func (doudian) Signed() bool { return true }

// Reply is the body 抖店 expects; anything else counts as a failed push.
func (doudian) Reply(ok bool) (string, []byte) {
	if ok {
		return "application/json", []byte(`{"code":0,"msg":"success"}`)
	}
	return "application/json", []byte(`{"code":1,"msg":"fail"}`)
}

// Verify checks event-sign: the lowercase hex MD5 of app key (header
// app-id) + raw body + app secret.
func (doudian) Verify(d *Delivery, secrets []string) error {
	sign := strings.ToLower(d.Header.Get("event-sign"))
	appKey := d.Header.Get("app-id")
	if len(sign) != 2*md5.Size || appKey == "" {
		return fmt.Errorf("event-sign or app-id header missing: %w", ErrBadSignature)
	}
	for _, secret := range secrets {
		h := md5.New()
		h.Write([]byte(appKey))
		h.Write(d.Body)
		h.Write([]byte(secret))
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(h.Sum(nil))), []byte(sign)) == 1 {
			return nil
		}
	}
	return fmt.Errorf("event-sign: %w", ErrBadSignature)
}

type doudianEnvelope struct {
	Tag   string       `json:"tag"`
	MsgID idText       `json:"msg_id"`
	Data  embeddedJSON `json:"data"`
	// data is where doudianOne reads Data into, so that it is not
	// allocated for every message (unmarshal leaves it alone).
	data doudianData
}

// embeddedJSON is a JSON value that platforms send either as itself or as
// JSON text inside a string; it holds the value's bytes either way (one
// copy, unquoted as it is read).
type embeddedJSON []byte

func (e *embeddedJSON) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	if v.Kind() == '"' {
		u, err := jsontext.AppendUnquote(nil, v)
		*e = u
		return err
	}
	*e = append((*e)[:0], v...)
	return nil
}

// doudianData holds the fields LiveDeck reads from the order messages:
// 100 TradeCreate, 101 TradePaid, 106 TradeCanceled, 206 RefundSuccess.
type doudianData struct {
	PID          idText  `json:"p_id"`
	SIDs         count   `json:"s_ids"`
	SID          idText  `json:"s_id"`
	CreateTime   integer `json:"create_time"`
	PayTime      integer `json:"pay_time"`
	PayAmount    integer `json:"pay_amount"` // fen
	CancelTime   integer `json:"cancel_time"`
	SuccessTime  integer `json:"success_time"`
	RefundAmount integer `json:"refund_amount"` // fen
}

var doudianStatus = map[string]livedeck.OrderStatus{
	"100": livedeck.OrderCreated,
	"101": livedeck.OrderPaid,
	"106": livedeck.OrderCancelled,
	"206": livedeck.OrderRefunded,
}

func (a doudian) Decode(d *Delivery, s *Settings) ([]Message, error) {
	return a.decode(d, s, readDoudianEnvelope)
}

// decode reads messages with read (nil: unmarshal, which tests compare
// the reader with).
func (doudian) decode(d *Delivery, s *Settings, read func(*msgReader, *doudianEnvelope) error) ([]Message, error) {
	s = orDefault(s)
	return decodeEach(d, read, func(env *doudianEnvelope, err error, m *Message) { doudianOne(env, err, m, s) })
}

func doudianOne(env *doudianEnvelope, err error, m *Message, s *Settings) {
	if m.Err = err; err != nil {
		return
	}
	m.ID, m.Kind = string(env.MsgID), env.Tag
	if env.Tag == "" {
		m.Err = errors.New("tag: missing")
		return
	}
	status, ok := doudianStatus[env.Tag]
	if !ok {
		return // 110 paid-pending, 200 refund requested, shipping, after-sale steps…
	}
	data := []byte(env.Data)
	dd := &env.data
	if m.Err = unmarshalDoudianData(data, dd); m.Err != nil {
		m.Err = fmt.Errorf("data: %w", m.Err)
		return
	}
	if dd.PID == "" {
		m.Err = errors.New("data.p_id: missing")
		return
	}
	order := NativeID(doudianPrefix, string(dd.PID))
	id := NativeID(doudianPrefix, m.ID)
	if id == "" {
		id = DerivedID(doudianPrefix, env.Tag, string(data))
	}
	ev := livedeck.Event{ID: id, Type: livedeck.EventOrder, OrderID: order, Status: status,
		UserID: doudianPrefix + "order:" + string(dd.PID), // pushes name no buyer
		SKU:    s.SKU(doudianSKU), Qty: int64(max(dd.SIDs, 1))}
	switch status {
	case livedeck.OrderCreated:
		ev.TS = int64(dd.CreateTime)
	case livedeck.OrderPaid:
		ev.TS, ev.Amount = int64(dd.PayTime), int64(dd.PayAmount)
	case livedeck.OrderCancelled:
		ev.TS = int64(dd.CancelTime)
	case livedeck.OrderRefunded:
		ev.TS, ev.Amount = int64(dd.SuccessTime), int64(dd.RefundAmount)
	}
	if ev.Amount < 0 || ev.Amount > maxMinor {
		m.Err = fmt.Errorf("data: amount %d fen out of range", ev.Amount)
		return
	}
	if !livedeck.ValidID(ev.SKU) {
		m.Err = fmt.Errorf("products[%q] = %.64q is not a LiveDeck SKU", doudianSKU, ev.SKU)
		return
	}
	m.Events = []livedeck.Event{ev}
}
