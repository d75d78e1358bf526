package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Token is an API token or host link as listed: never its secret.
type Token struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"` // token or host_link
	Role      Role     `json:"role"`
	Rooms     []string `json:"rooms"`
	Created   int64    `json:"created"`           // Unix ms
	Expires   int64    `json:"expires,omitempty"` // Unix ms; zero: never
	CreatedBy string   `json:"created_by"`
}

// Expired reports whether t has expired at nowMs.
func (t Token) Expired(nowMs int64) bool { return t.Expires != 0 && nowMs >= t.Expires }

// NewToken is what an admin asks for.
type NewToken struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Rooms     []string `json:"rooms"`
	ExpiresIn string   `json:"expires_in,omitempty"` // Go duration, e.g. "720h"; empty: never
}

// IssuedToken is a new token with its secret, shown once.
type IssuedToken struct {
	Token
	Secret string `json:"token"`
}

// keepExpired is how long an expired token stays listed before Redis drops it.
const keepExpired = 7 * 24 * time.Hour

// CreateToken issues an API token scoped to a role and rooms.
func (s *Service) CreateToken(ctx context.Context, by *Principal, nt NewToken) (IssuedToken, error) {
	t, err := s.tokenFrom(nt)
	if err != nil {
		return IssuedToken{}, err
	}
	if err := by.CheckGrant(t.Role, t.Rooms); err != nil {
		return IssuedToken{}, err
	}
	t.Kind, t.CreatedBy = KindToken, who(by)
	issued, err := s.issue(ctx, t, prefixToken, redisx.AuthTokensKey)
	if err != nil {
		return IssuedToken{}, err
	}
	s.Audit(ctx, by, Entry{Action: "token.create", Target: t.ID, Detail: scopeText(t.Role, t.Rooms)})
	return issued, nil
}

// issue stores t under a fresh secret and names it in the index hash.
func (s *Service) issue(ctx context.Context, t Token, prefix, index string) (IssuedToken, error) {
	secret := newSecret(prefix)
	hash := hashSecret(secret)
	b, _ := json.Marshal(t)
	var ttl time.Duration
	if t.Expires != 0 {
		ttl = time.Until(time.UnixMilli(t.Expires)) + keepExpired
	}
	if err := s.rdb.Set(ctx, redisx.AuthToken(hash), b, ttl).Err(); err != nil {
		return IssuedToken{}, unavailable("store token", err)
	}
	if err := s.rdb.HSet(ctx, index, t.ID, hash).Err(); err != nil {
		return IssuedToken{}, unavailable("index token", err)
	}
	return IssuedToken{Token: t, Secret: secret}, nil
}

func (s *Service) tokenFrom(nt NewToken) (Token, error) {
	name := strings.TrimSpace(nt.Name)
	if name == "" || len(name) > 100 {
		return Token{}, livedeck.Errorf(livedeck.EINVALID, "name", "want a label of 1 to 100 bytes")
	}
	role, err := ParseRole(nt.Role)
	if err != nil {
		return Token{}, err
	}
	rooms, err := checkRooms(nt.Rooms)
	if err != nil {
		return Token{}, err
	}
	t := Token{ID: newID(), Name: name, Role: role, Rooms: rooms, Created: s.nowMs()}
	if nt.ExpiresIn != "" {
		d, err := time.ParseDuration(nt.ExpiresIn)
		if err != nil || d <= 0 {
			return Token{}, livedeck.Errorf(livedeck.EINVALID, "expires_in", "want a positive duration such as 720h, got %q", nt.ExpiresIn)
		}
		t.Expires = s.now().Add(d).UnixMilli()
	}
	return t, nil
}

// tokenByHash reads a token record; a missing one is a revoked or unknown token.
func (s *Service) tokenByHash(ctx context.Context, hash string) (Token, bool, error) {
	var t Token
	b, err := s.rdb.Get(ctx, redisx.AuthToken(hash)).Bytes()
	if errors.Is(err, redis.Nil) {
		return t, false, nil
	}
	if err != nil {
		return t, false, unavailable("read token", err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, false, livedeck.Errorf(livedeck.EINTERNAL, "", "token record corrupt: %v", err)
	}
	return t, true, nil
}

// ListTokensFor lists the API tokens by may manage (see scope.go).
func (s *Service) ListTokensFor(ctx context.Context, by *Principal) ([]Token, error) {
	ts, err := s.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ts, func(t Token) bool {
		return by.CheckManage("", t.Role, t.Rooms) != nil
	}), nil
}

// ListTokens lists API tokens, newest first, without secrets.
func (s *Service) ListTokens(ctx context.Context) ([]Token, error) {
	return s.listIndexed(ctx, redisx.AuthTokensKey)
}

// listIndexed reads the records an index hash names, newest first, and
// forgets the ones Redis has dropped (long expired).
func (s *Service) listIndexed(ctx context.Context, index string) ([]Token, error) {
	ids, err := s.rdb.HGetAll(ctx, index).Result()
	if err != nil {
		return nil, unavailable("list tokens", err)
	}
	out := make([]Token, 0, len(ids))
	for id, hash := range ids {
		t, ok, err := s.tokenByHash(ctx, hash)
		if err != nil {
			return nil, err
		}
		if !ok {
			s.rdb.HDel(ctx, index, id)
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created > out[j].Created })
	return out, nil
}

// RevokeToken deletes an API token: its next use is refused. by may
// revoke only a token it manages.
func (s *Service) RevokeToken(ctx context.Context, by *Principal, id string) error {
	if err := s.checkRevoke(ctx, by, id); err != nil {
		return err
	}
	if err := s.revokeIndexed(ctx, redisx.AuthTokensKey, id); err != nil {
		return err
	}
	s.Audit(ctx, by, Entry{Action: "token.revoke", Target: id})
	return nil
}

// checkRevoke refuses revoking a token by does not manage. An unknown id
// passes: revokeIndexed says it is not found.
func (s *Service) checkRevoke(ctx context.Context, by *Principal, id string) error {
	if by == nil || by.AllRooms() {
		return nil
	}
	hash, err := s.rdb.HGet(ctx, redisx.AuthTokensKey, id).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return unavailable("revoke token", err)
	}
	t, ok, err := s.tokenByHash(ctx, hash)
	if err != nil || !ok {
		return err
	}
	return by.CheckManage("token "+id, t.Role, t.Rooms)
}

// revokeIndexed deletes the record an index names by id.
func (s *Service) revokeIndexed(ctx context.Context, index, id string) error {
	hash, err := s.rdb.HGet(ctx, index, id).Result()
	if errors.Is(err, redis.Nil) {
		return livedeck.Errorf(livedeck.ENOTFOUND, "id", "no token or link %q", id)
	}
	if err != nil {
		return unavailable("revoke token", err)
	}
	if err := s.rdb.Del(ctx, redisx.AuthToken(hash)).Err(); err != nil {
		return unavailable("revoke token", err)
	}
	s.forgetToken(hash)
	s.rdb.HDel(ctx, index, id)
	return nil
}

// forgetToken drops a revoked token from this instance's cache, after its
// record is deleted, so its next use here is refused. hash is the hex the
// record is stored under: only a secret whose SHA-256 it is can be cached.
func (s *Service) forgetToken(hash string) {
	var sum [32]byte
	if b, err := hex.DecodeString(hash); err == nil && len(b) == len(sum) {
		copy(sum[:], b)
		s.tokens.Drop(sum)
	}
}

// TokenPrincipal resolves a bearer secret: the bootstrap admin token, an
// API token or a host link.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (*Principal, error) {
	if s.cfg.AdminToken != "" && equalSecret(secret, s.adminHash) {
		return &Principal{Kind: KindBootstrap, ID: "admin-token", Name: "bootstrap admin token", Role: Admin, Rooms: []string{AllRooms}}, nil
	}
	if !strings.HasPrefix(secret, prefixToken) && !strings.HasPrefix(secret, prefixHostLink) {
		return nil, errUnknownToken
	}
	t, err := s.tokenBySecret(ctx, secret)
	if err != nil {
		return nil, err
	}
	if t.Expired(s.nowMs()) {
		return nil, livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "token %s expired", t.ID)
	}
	return &Principal{Kind: t.Kind, ID: t.ID, Name: t.Name, Role: t.Role, Rooms: t.Rooms}, nil
}

var errUnknownToken = livedeck.Errorf(livedeck.EUNAUTHORIZED, "", "unknown or revoked token")

// tokenBySecret reads the token record of a presented secret, reusing one
// read within Config.LookupTTL. An unknown secret is never remembered: a
// token created on another instance works at once.
func (s *Service) tokenBySecret(ctx context.Context, secret string) (Token, error) {
	sum := sha256.Sum256([]byte(secret))
	return s.tokens.Lookup(sum, s.now(), func() (Token, error) {
		t, ok, err := s.tokenByHash(ctx, hex.EncodeToString(sum[:]))
		if err == nil && !ok {
			err = errUnknownToken
		}
		return t, err
	})
}

// MetricsTokenOK reports whether GET /metrics may be served to a request
// bearing secret: always when no metrics token is configured.
func (s *Service) MetricsTokenOK(secret string) bool {
	return s.cfg.MetricsToken == "" || equalSecret(secret, s.metricsHash)
}

// who names a principal in records and the audit log.
func who(p *Principal) string {
	if p == nil {
		return "anonymous"
	}
	return p.Kind + ":" + p.ID
}
