// Package webhooksig is LiveDeck's one webhook signature scheme, used both
// ways: auth verifies signed requests that post events in, and rules signs
// the webhooks it sends out to shop systems.
//
// A signed request carries X-LiveDeck-Timestamp (Unix seconds) and
// X-LiveDeck-Signature: "sha256=" + hex HMAC-SHA256(secret, timestamp + "."
// + body).
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// The signature headers.
const (
	HeaderTimestamp = "X-LiveDeck-Timestamp"
	HeaderSignature = "X-LiveDeck-Signature"
)

// MAC is HMAC-SHA256 keyed with secret over ts, a dot, and body.
func MAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the X-LiveDeck-Signature value for body sent at ts (Unix
// seconds).
func Sign(secret string, ts int64, body []byte) string {
	return "sha256=" + hex.EncodeToString(MAC(secret, strconv.FormatInt(ts, 10), body))
}

// Decode returns the MAC a signature header carries; ok is false unless it
// is "sha256=" and hex digits (either case).
func Decode(sig string) (mac []byte, ok bool) {
	h, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return nil, false
	}
	mac, err := hex.DecodeString(h)
	return mac, err == nil
}
