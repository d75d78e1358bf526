package ingest

import (
	"strconv"
	"strings"

	"github.com/livedeck/livedeck"
)

// Bounds of the public contract (docs/events.md).
const (
	maxIDLen       = 128  // id, user_id, order_id, in bytes
	maxNicknameLen = 128  // bytes
	maxTextLen     = 2000 // bytes, about 660 Chinese characters
	maxGiftLen     = 64   // bytes
	maxChannelLen  = 64   // bytes
	maxOnline      = 1_000_000_000
	maxCount       = 1_000_000         // likes in one event, units in one order
	maxMoney       = 100_000_000_000   // minor units: 10 亿元
	minTS          = 946_684_800_000   // 2000-01-01T00:00:00Z
	maxTS          = 4_102_444_800_000 // 2100-01-01T00:00:00Z
)

// Validate checks one event as ingest would, normalising it in place, and
// returns the field at fault and why (an empty reason when it is valid).
// Producers of events from other formats (platform connectors) use it to
// check what they build before it reaches a batch.
func Validate(ev *livedeck.Event) (field, reason string) { return validate(ev) }

// validate checks ev against the contract for its type and drops the fields
// its type does not use, so the stored form is canonical. It returns the
// field at fault and why, or an empty reason.
func validate(ev *livedeck.Event) (field, reason string) {
	if r := boundedID(ev.ID); r != "" {
		return "id", r
	}
	if ev.TS == 0 {
		return "ts", "required: RFC 3339 text or Unix milliseconds"
	}
	if ev.TS < minTS || ev.TS >= maxTS {
		return "ts", "out of range: must be in 2000..2099 (Unix milliseconds, not seconds)"
	}
	u := ev.UserID
	switch ev.Type {
	case livedeck.EventViewers:
		if ev.Online == nil {
			return "online", "required"
		}
		if *ev.Online < 0 || *ev.Online > maxOnline {
			return "online", "out of range 0..1000000000"
		}
		*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, Online: ev.Online}
		return "", ""
	case livedeck.EventEnter, livedeck.EventLeave, livedeck.EventFollow, livedeck.EventShare:
		if f, r := user(u, true); r != "" {
			return f, r
		}
	case livedeck.EventComment:
		if f, r := user(u, true); r != "" {
			return f, r
		}
		if len(ev.Nickname) > maxNicknameLen {
			return "nickname", "longer than 128 bytes"
		}
		if ev.Text == "" {
			return "text", "required"
		}
		if len(ev.Text) > maxTextLen {
			return "text", "longer than 2000 bytes"
		}
		*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: u, Nickname: ev.Nickname, Text: ev.Text}
		return "", ""
	case livedeck.EventLike:
		if f, r := user(u, false); r != "" {
			return f, r
		}
		if ev.Count == 0 {
			ev.Count = 1
		}
		if ev.Count < 1 || ev.Count > maxCount {
			return "count", "out of range 1..1000000"
		}
		*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: u, Count: ev.Count}
		return "", ""
	case livedeck.EventGift:
		if f, r := user(u, true); r != "" {
			return f, r
		}
		if ev.Gift == "" {
			return "gift", "required"
		}
		if len(ev.Gift) > maxGiftLen {
			return "gift", "longer than 64 bytes"
		}
		if ev.Value < 0 || ev.Value > maxMoney {
			return "value", "out of range 0..100000000000 minor units"
		}
		*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: u, Gift: ev.Gift, Value: ev.Value}
		return "", ""
	case livedeck.EventProductExposure, livedeck.EventProductClick:
		if f, r := user(u, false); r != "" {
			return f, r
		}
		if !livedeck.ValidID(ev.SKU) {
			return "sku", skuReason(ev.SKU)
		}
		*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: u, SKU: ev.SKU}
		return "", ""
	case livedeck.EventOrder:
		return validateOrder(ev)
	case livedeck.EventCartAdd:
		return validateCartAdd(ev)
	case livedeck.EventAdSpend:
		return validateAdSpend(ev)
	case livedeck.EventStock:
		return "type", "stock is internal: change stock with PATCH /api/v1/rooms/{room}"
	case "":
		return "type", "required"
	default:
		return "type", "unknown event type " + quoteShort(string(ev.Type))
	}
	// enter, leave, follow, share: a viewer and nothing else.
	*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: u}
	return "", ""
}

func validateOrder(ev *livedeck.Event) (string, string) {
	if f, r := user(ev.UserID, true); r != "" {
		return f, r
	}
	if r := boundedID(ev.OrderID); r != "" {
		return "order_id", r
	}
	if !livedeck.ValidID(ev.SKU) {
		return "sku", skuReason(ev.SKU)
	}
	if ev.Qty < 1 || ev.Qty > maxCount {
		return "qty", "required, 1..1000000"
	}
	if ev.Amount < 0 || ev.Amount > maxMoney {
		return "amount", "out of range 0..100000000000 minor units"
	}
	if ev.Status.Rank() == 0 {
		if ev.Status == "" {
			return "status", "required: created, paid, cancelled or refunded"
		}
		return "status", "must be created, paid, cancelled or refunded"
	}
	if ev.Channel != "" {
		if r := channelReason(ev.Channel); r != "" {
			return "channel", r
		}
	}
	*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: ev.UserID,
		SKU: ev.SKU, OrderID: ev.OrderID, Qty: ev.Qty, Amount: ev.Amount, Status: ev.Status, Channel: ev.Channel}
	return "", ""
}

func validateCartAdd(ev *livedeck.Event) (string, string) {
	if f, r := user(ev.UserID, true); r != "" {
		return f, r
	}
	if !livedeck.ValidID(ev.SKU) {
		return "sku", skuReason(ev.SKU)
	}
	if ev.Qty == 0 {
		ev.Qty = 1
	}
	if ev.Qty < 1 || ev.Qty > maxCount {
		return "qty", "out of range 1..1000000"
	}
	*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, UserID: ev.UserID, SKU: ev.SKU, Qty: ev.Qty}
	return "", ""
}

// validateAdSpend checks a spend report. Its period is stored explicitly
// (ts when not sent), so that the stored report names the key a later
// correction replaces: channel, campaign and period.
func validateAdSpend(ev *livedeck.Event) (string, string) {
	if ev.Channel == "" {
		return "channel", "required: the paid traffic channel, e.g. qianchuan"
	}
	if r := channelReason(ev.Channel); r != "" {
		return "channel", r
	}
	if ev.Campaign != "" {
		if r := boundedID(ev.Campaign); r != "" {
			return "campaign", r
		}
	}
	if ev.Amount < 0 || ev.Amount > maxMoney {
		return "amount", "out of range 0..100000000000 minor units"
	}
	if ev.Period == 0 {
		ev.Period = ev.TS
	}
	if ev.Period < minTS || ev.Period >= maxTS {
		return "period", "out of range: must be in 2000..2099 (Unix milliseconds, not seconds)"
	}
	if ev.Period > ev.TS {
		return "period", "must not be after ts: a report covers spend from period up to ts"
	}
	*ev = livedeck.Event{ID: ev.ID, Type: ev.Type, TS: ev.TS, Source: ev.Source, Channel: ev.Channel,
		Campaign: ev.Campaign, Period: ev.Period, Amount: ev.Amount}
	return "", ""
}

func channelReason(s string) string {
	if strings.TrimSpace(s) == "" {
		return "must not be blank"
	}
	return bounded(s, maxChannelLen)
}

func boundedID(s string) string {
	if s == "" {
		return "required"
	}
	return bounded(s, maxIDLen)
}

// bounded checks a name's length in bytes and that it has no control
// characters.
func bounded(s string, max int) string {
	switch {
	case len(s) > max:
		return "longer than " + strconv.Itoa(max) + " bytes"
	case strings.ContainsFunc(s, isControl):
		return "must not contain control characters"
	}
	return ""
}

func user(u string, required bool) (string, string) {
	if u == "" {
		if required {
			return "user_id", "required"
		}
		return "", ""
	}
	if r := boundedID(u); r != "" {
		return "user_id", r
	}
	return "", ""
}

func skuReason(s string) string {
	if s == "" {
		return "required"
	}
	return "must be 1-64 letters, digits, '_', '.' or '-'"
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func quoteShort(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
