package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// Secret prefixes tell a leaked secret's kind at a glance (and to secret
// scanners).
const (
	prefixToken    = "ldt_"
	prefixHostLink = "ldh_"
	prefixSession  = "lds_"
	prefixWebhook  = "whsec_"
)

// newSecret returns prefix + 32 random bytes, base64url.
func newSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newID returns a short random id for listings and revocation.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// hashSecret is the stored form of a secret: SHA-256, hex. A 256-bit random
// secret needs no salt or slow hash.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// equalSecret compares a presented secret with a stored SHA-256 in
// constant time.
func equalSecret(presented string, want [32]byte) bool {
	got := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
