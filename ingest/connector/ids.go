package connector

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livedeck/livedeck"
)

// Bounds LiveDeck's ingest puts on an event (docs/events.md); adapters keep
// what they build inside them so a platform's odd value does not cost the
// whole message.
const (
	maxIDBytes       = 128
	maxNicknameBytes = 128
	maxTextBytes     = 2000
	maxGiftBytes     = 64
	minTSMillis      = 946_684_800_000   // 2000-01-01
	maxTSMillis      = 4_102_444_800_000 // 2100-01-01
)

// EventTS normalises a platform time to Unix milliseconds: a value below
// 1e12 is taken as seconds. Zero, negative or out-of-range values (before
// 2000, after 2099) give the delivery's receive time.
func EventTS(v int64, received time.Time) int64 {
	if v > 0 && v < 1e12 {
		v *= 1000
	}
	if v >= minTSMillis && v < maxTSMillis {
		return v
	}
	return received.UnixMilli()
}

// NativeID is an event id from a platform's own message id: prefix + id.
// An id that would not fit LiveDeck's id rules (too long, control
// characters) is replaced by its hash, so it stays deterministic.
func NativeID(prefix, id string) string {
	if id == "" {
		return ""
	}
	full := prefix + id
	if len(full) > maxIDBytes || strings.ContainsFunc(full, isControl) || !utf8.ValidString(full) {
		return DerivedID(prefix, id)
	}
	return full
}

// DerivedID is a deterministic event id for a platform message that has no
// id of its own, built from its stable fields: the same message delivered
// again gets the same id. It is prefix + "h" + 24 hex digits of SHA-256.
func DerivedID(prefix string, parts ...string) string {
	// The parts are joined on the stack and hashed in one go: the
	// hash.Hash form cost an allocation per part.
	var buf [512]byte
	in := buf[:0]
	for _, p := range parts {
		in = idPart(in, p)
	}
	return derivedID(prefix, in)
}

// derivedID is DerivedID of parts joined as idPart and idNum join them:
// callers with numbers append them in place rather than make strings of
// them.
func derivedID(prefix string, in []byte) string {
	sum := sha256.Sum256(in)
	var buf [maxIDBytes]byte
	out := append(buf[:0], prefix...)
	out = append(out, 'h')
	return string(hex.AppendEncode(out, sum[:12]))
}

func idPart[S ~string | ~[]byte](in []byte, p S) []byte { return append(append(in, p...), 0) }

func idNum(in []byte, v int64) []byte { return append(strconv.AppendInt(in, v, 10), 0) }

// UserID prefixes a platform's user id ("bili:12345"); an empty id stays
// empty, an unusable one is hashed.
func UserID(prefix, id string) string { return NativeID(prefix, id) }

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// clip keeps at most n bytes of s, cut on a rune boundary, with invalid
// UTF-8 replaced.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// finish makes what an adapter built fit LiveDeck's bounds: times
// normalised (EventTS), texts clipped. Validation proper stays with ingest.
func finish(ev *livedeck.Event, received time.Time) {
	ev.TS = EventTS(ev.TS, received)
	ev.Nickname = clip(ev.Nickname, maxNicknameBytes)
	ev.Text = clip(strings.TrimSpace(ev.Text), maxTextBytes)
	ev.Gift = clip(ev.Gift, maxGiftBytes)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// productSKU picks the room SKU of a platform line: the first of ids that
// Settings.Products maps, else the first non-empty id used as it is. An id
// that is not a valid LiveDeck SKU is an error naming what to map.
func productSKU(s *Settings, ids ...string) (string, error) {
	first := ""
	for _, id := range ids {
		if id == "" {
			continue
		}
		if s != nil {
			if sku, ok := s.Products[id]; ok {
				return sku, nil
			}
		}
		if first == "" {
			first = id
		}
	}
	if first == "" {
		return "", errors.New("no product id: map the product in the connector's products")
	}
	if !livedeck.ValidID(first) {
		return "", fmt.Errorf("product %.64q is not a LiveDeck SKU (1-64 letters, digits, '_', '.', '-'): map it in the connector's products", first)
	}
	return first, nil
}
