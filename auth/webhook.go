package auth

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/webhooksig"
	"github.com/livedeck/livedeck/redisx"
)

// Webhook signature headers: the Unix time in seconds, and
// "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body). The scheme
// is internal/webhooksig's, shared with the rules' outbound webhooks.
const (
	HeaderTimestamp = webhooksig.HeaderTimestamp
	HeaderSignature = webhooksig.HeaderSignature
)

// WebhookWindow is how far a webhook's timestamp may be from now, either
// way. A signature is accepted once within it.
const WebhookWindow = 5 * time.Minute

// AnySource keys a room's webhook secret that covers every source.
const AnySource = "*"

// SignWebhook returns the X-LiveDeck-Signature value for body sent at ts.
func SignWebhook(secret string, ts int64, body []byte) string {
	return webhooksig.Sign(secret, ts, body)
}

var errBadSignature = livedeck.Errorf(livedeck.EUNAUTHORIZED, HeaderSignature, "signature does not match the body and timestamp")

// VerifyWebhook checks a signature at now: the timestamp within the window,
// the MAC compared in constant time. It does not detect replays; the
// service's CheckWebhook does.
func VerifyWebhook(secret, tsHeader, sigHeader string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return livedeck.Errorf(livedeck.EUNAUTHORIZED, HeaderTimestamp, "want Unix seconds, got %q", tsHeader)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > WebhookWindow || d < -WebhookWindow {
		return livedeck.Errorf(livedeck.EUNAUTHORIZED, HeaderTimestamp, "more than %s from the server's clock", WebhookWindow)
	}
	got, ok := webhooksig.Decode(sigHeader)
	if !ok {
		return livedeck.Errorf(livedeck.EUNAUTHORIZED, HeaderSignature, `want "sha256=" and 64 hex digits`)
	}
	if !hmac.Equal(got, webhooksig.MAC(secret, tsHeader, body)) {
		return errBadSignature
	}
	return nil
}

// WebhookSecret returns the secret for a room's source (or the room-wide
// one); ok is false when neither is configured. The answer, either way, is
// reused within Config.LookupTTL: a secret set, rotated or deleted on
// another instance applies here within it, on this instance at once.
func (s *Service) WebhookSecret(ctx context.Context, room, source string) (secret string, ok bool, err error) {
	read := func() (webhookSecret, error) {
		vals, err := s.rdb.HMGet(ctx, redisx.Room(room).WebhookSecrets(), source, AnySource).Result()
		if err != nil {
			return webhookSecret{}, unavailable("read webhook secret", err)
		}
		for _, v := range vals {
			if str, isStr := v.(string); isStr && str != "" {
				return webhookSecret{secret: str, ok: true}, nil
			}
		}
		return webhookSecret{}, nil
	}
	var ws webhookSecret
	if source != "" && !livedeck.ValidID(source) {
		// Anyone may send any ?source=: only names a secret can have are
		// cached, so the cache holds short keys.
		ws, err = read()
	} else {
		ws, err = s.secrets.Lookup(roomSource{room: room, source: source}, s.now(), read)
	}
	return ws.secret, ws.ok, err
}

// roomSource keys the webhook secret cache.
type roomSource struct{ room, source string }

// webhookSecret is a cached WebhookSecret answer.
type webhookSecret struct {
	secret string
	ok     bool
}

// forgetWebhookSecrets drops a room's cached secrets after one changed:
// a change to "*" concerns every source.
func (s *Service) forgetWebhookSecrets(room string) {
	s.secrets.DropIf(func(k roomSource, _ webhookSecret) bool { return k.room == room })
}

// CheckWebhook verifies a signed request for room and source and refuses a
// signature seen before. On success the caller acts as an ingest credential
// for that room only.
func (s *Service) CheckWebhook(ctx context.Context, room, source, secret, tsHeader, sigHeader string, body []byte) (*Principal, error) {
	if err := VerifyWebhook(secret, tsHeader, sigHeader, body, s.now()); err != nil {
		return nil, err
	}
	// The marker is keyed on the MAC itself, not on its text: hex decoding
	// accepts either case, so the same signature upper-cased is the same
	// request.
	mac := webhooksig.MAC(secret, tsHeader, body)
	fresh, err := s.rdb.SetNX(ctx, redisx.Room(room).WebhookSeen(hex.EncodeToString(mac)), 1, 2*WebhookWindow+time.Minute).Result()
	if err != nil {
		return nil, unavailable("webhook replay check", err)
	}
	if !fresh {
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, HeaderSignature, "replayed: this signature was already accepted")
	}
	if source == "" {
		source = "default"
	}
	return &Principal{Kind: KindWebhook, ID: room + "/" + source, Name: "webhook " + source, Role: Ingest, Rooms: []string{room}}, nil
}

// SetWebhookSecret creates (or replaces) the secret for a room's source
// ("*" for every source) and returns it, shown once. Signing needs the
// secret itself, so unlike tokens it is stored as it is.
func (s *Service) SetWebhookSecret(ctx context.Context, by *Principal, room, source string) (string, error) {
	if err := checkSource(source); err != nil {
		return "", err
	}
	secret := newSecret(prefixWebhook)
	if err := s.rdb.HSet(ctx, redisx.Room(room).WebhookSecrets(), source, secret).Err(); err != nil {
		return "", unavailable("store webhook secret", err)
	}
	s.forgetWebhookSecrets(room)
	s.Audit(ctx, by, Entry{Action: "webhook_secret.set", Room: room, Target: source})
	return secret, nil
}

// DeleteWebhookSecret removes a source's secret: its requests then need a
// bearer token again.
func (s *Service) DeleteWebhookSecret(ctx context.Context, by *Principal, room, source string) error {
	n, err := s.rdb.HDel(ctx, redisx.Room(room).WebhookSecrets(), source).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return unavailable("delete webhook secret", err)
	}
	s.forgetWebhookSecrets(room)
	if n == 0 {
		return livedeck.Errorf(livedeck.ENOTFOUND, "source", "no webhook secret for source %q in room %q", source, room)
	}
	s.Audit(ctx, by, Entry{Action: "webhook_secret.delete", Room: room, Target: source})
	return nil
}

func checkSource(source string) error {
	if source != AnySource && !livedeck.ValidID(source) {
		return livedeck.Errorf(livedeck.EINVALID, "source", `want a source name (letters, digits, '_', '-', '.') or "*"`)
	}
	return nil
}
