package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// twoInstances are two services on one Redis, each with a settable clock.
func twoInstances(t *testing.T, cfg Config) (a, b *Service, clkA, clkB *clock) {
	t.Helper()
	srv := redistest.Start(t)
	cfg.BcryptCost = bcrypt.MinCost
	svc := func() *Service {
		s, err := New(srv.Client(t), cfg, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b = svc(), svc()
	start := time.Now()
	return a, b, withClock(a, start), withClock(b, start)
}

// credential is one kind of cached lookup: issue makes it on an instance,
// use checks it on one, change revokes or rotates it on one.
type credential struct {
	name   string
	issue  func(t *testing.T, s *Service) string
	use    func(s *Service, cred string) error
	change func(t *testing.T, s *Service, cred string)
}

var admin = &Principal{Kind: KindBootstrap, ID: "admin-token", Role: Admin, Rooms: []string{AllRooms}}

func credentials() []credential {
	user := func(t *testing.T, s *Service) string {
		if _, err := s.CreateUser(ctx, admin, NewUser{Name: "mei", Password: "a long passphrase", Role: "producer", Rooms: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		sess, _, err := s.Login(ctx, "192.0.2.1", "mei", "a long passphrase")
		if err != nil {
			t.Fatal(err)
		}
		return sess.ID
	}
	session := func(s *Service, cookie string) error {
		_, err := s.SessionPrincipal(ctx, cookie)
		return err
	}
	return []credential{
		revocable("API token revoked",
			func(s *Service) (IssuedToken, error) {
				return s.CreateToken(ctx, admin, NewToken{Name: "feed", Role: "ingest", Rooms: []string{"a"}})
			},
			func(s *Service, id string) error { return s.RevokeToken(ctx, admin, id) }),
		revocable("host link revoked",
			func(s *Service) (IssuedToken, error) {
				return s.CreateHostLink(ctx, admin, "a", NewHostLink{Name: "OBS"})
			},
			func(s *Service, id string) error { return s.RevokeHostLink(ctx, admin, "a", id) }),
		{
			name:  "session logged out",
			issue: user,
			use:   session,
			change: func(t *testing.T, s *Service, cookie string) {
				p, err := s.SessionPrincipal(ctx, cookie)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Logout(ctx, p); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "user disabled",
			issue: user,
			use:   session,
			change: func(t *testing.T, s *Service, _ string) {
				disabled := true
				if _, err := s.UpdateUser(ctx, admin, "mei", UserPatch{Disabled: &disabled}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "user's rooms changed",
			issue: user,
			use: func(s *Service, cookie string) error {
				p, err := s.SessionPrincipal(ctx, cookie)
				if err == nil && !p.CanRoom("a") {
					err = livedeck.Errorf(livedeck.EFORBIDDEN, "", "not in room a")
				}
				return err
			},
			change: func(t *testing.T, s *Service, _ string) {
				rooms := []string{"b"}
				if _, err := s.UpdateUser(ctx, admin, "mei", UserPatch{Rooms: &rooms}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:   "webhook secret rotated",
			issue:  setShopSecret,
			use:    webhookSecretIs("shop"),
			change: func(t *testing.T, s *Service, _ string) { setShopSecret(t, s) },
		},
		{
			name: "room-wide webhook secret set over a source's absence",
			issue: func(t *testing.T, s *Service) string {
				return "" // no secret: the source takes bearer tokens
			},
			use: webhookSecretIs("shop"),
			change: func(t *testing.T, s *Service, _ string) {
				if _, err := s.SetWebhookSecret(ctx, admin, "a", AnySource); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "webhook secret deleted",
			issue: setShopSecret,
			use:   webhookSecretIs("shop"),
			change: func(t *testing.T, s *Service, _ string) {
				if err := s.DeleteWebhookSecret(ctx, admin, "a", "shop"); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
}

// revocable is a bearer secret (an API token or host link) used with
// TokenPrincipal; the credential is its id and secret.
func revocable(name string, issue func(*Service) (IssuedToken, error), revoke func(s *Service, id string) error) credential {
	return credential{
		name: name,
		issue: func(t *testing.T, s *Service) string {
			tok, err := issue(s)
			if err != nil {
				t.Fatal(err)
			}
			return tok.ID + " " + tok.Secret
		},
		use: func(s *Service, cred string) error {
			_, secret, _ := strings.Cut(cred, " ")
			_, err := s.TokenPrincipal(ctx, secret)
			return err
		},
		change: func(t *testing.T, s *Service, cred string) {
			id, _, _ := strings.Cut(cred, " ")
			if err := revoke(s, id); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// setShopSecret sets a secret for room a's source shop.
func setShopSecret(t *testing.T, s *Service) string {
	secret, err := s.SetWebhookSecret(ctx, admin, "a", "shop")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// webhookSecretIs checks that room a's source has the secret issued ("" for
// none).
func webhookSecretIs(source string) func(s *Service, want string) error {
	return func(s *Service, want string) error {
		got, ok, err := s.WebhookSecret(ctx, "a", source)
		if err != nil {
			return err
		}
		if got != want || ok != (want != "") {
			return fmt.Errorf("secret changed")
		}
		return nil
	}
}

// TestLookupCacheRevocation: a change on one instance applies there at
// once, and on another instance within Config.LookupTTL (at once with no
// cache). The other instance's clock is what the TTL is measured on.
func TestLookupCacheRevocation(t *testing.T) {
	for _, cred := range credentials() {
		for _, tc := range []struct {
			name     string
			ttl      time.Duration
			staleFor time.Duration // how long b may still see the old answer
		}{
			{"default TTL", 0, time.Second},
			{"TTL 250ms", 250 * time.Millisecond, 250 * time.Millisecond},
			{"no cache", -1, 0},
		} {
			t.Run(cred.name+"/"+tc.name, func(t *testing.T) {
				a, b, _, clkB := twoInstances(t, Config{LookupTTL: tc.ttl, Limits: Limits{}})
				c := cred.issue(t, a)
				for _, s := range []*Service{a, b} {
					if err := cred.use(s, c); err != nil {
						t.Fatalf("before the change: %v", err)
					}
				}
				cred.change(t, a, c)
				if cred.use(a, c) == nil {
					t.Fatal("the instance that made the change still sees the old answer")
				}
				if tc.staleFor > 0 {
					clkB.advance(tc.staleFor - time.Millisecond)
					if err := cred.use(b, c); err != nil {
						t.Fatalf("the other instance within the TTL: %v (want the cached answer)", err)
					}
				}
				clkB.advance(time.Millisecond)
				if cred.use(b, c) == nil {
					t.Fatalf("the other instance after %s still sees the old answer", tc.staleFor)
				}
			})
		}
	}
}

// TestLookupCacheNoNegatives: an unknown token or session is asked of Redis
// every time, so one created elsewhere works at once, and Redis errors are
// not remembered either.
func TestLookupCacheNoNegatives(t *testing.T) {
	s := newTestService(t, Config{})
	for _, tc := range []struct {
		name   string
		secret string
		create func(secret string)
		use    func(secret string) error
	}{
		{
			name: "token", secret: newSecret(prefixToken),
			create: func(secret string) {
				b, _ := json.Marshal(Token{ID: "t9", Name: "made elsewhere", Kind: KindToken, Role: Ingest, Rooms: []string{"a"}})
				s.rdb.Set(ctx, redisx.AuthToken(hashSecret(secret)), b, 0)
			},
			use: func(secret string) error { _, err := s.TokenPrincipal(ctx, secret); return err },
		},
		{
			name: "session", secret: newSecret(prefixSession),
			create: func(secret string) {
				if _, err := s.CreateUser(ctx, nil, NewUser{Name: "ann", Password: "a long passphrase", Role: "host", Rooms: []string{"a"}}); err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(Session{User: "ann", CSRF: "x", Expires: time.Now().Add(time.Hour).UnixMilli()})
				s.rdb.Set(ctx, redisx.AuthSession(hashSecret(secret)), b, 0)
			},
			use: func(secret string) error { _, err := s.SessionPrincipal(ctx, secret); return err },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.use(tc.secret), livedeck.EUNAUTHORIZED)
			tc.create(tc.secret)
			if err := tc.use(tc.secret); err != nil {
				t.Fatalf("created elsewhere, refused here: %v", err)
			}
		})
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.WebhookSecret(cctx, "a", "shop"); err == nil {
		t.Fatal("a cancelled read answered")
	}
	s.rdb.HSet(ctx, redisx.Room("a").WebhookSecrets(), "shop", "whsec_set_elsewhere")
	if got, ok, err := s.WebhookSecret(ctx, "a", "shop"); !ok || err != nil || got != "whsec_set_elsewhere" {
		t.Fatalf("after a failed read: %q %v %v, want the secret", got, ok, err)
	}
}

// TestLookupCacheExpiryStillChecked: a cached token or session still
// expires on time.
func TestLookupCacheExpiryStillChecked(t *testing.T) {
	s := newTestService(t, Config{SessionTTL: time.Hour})
	clk := withClock(s, time.Now())
	tok, err := s.CreateToken(ctx, admin, NewToken{Name: "brief", Role: "ingest", Rooms: []string{"a"}, ExpiresIn: "1m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, nil, NewUser{Name: "bo", Password: "a long passphrase", Role: "host", Rooms: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.Login(ctx, "192.0.2.1", "bo", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		use     func() error
		expires time.Duration
	}{
		{"token", func() error { _, err := s.TokenPrincipal(ctx, tok.Secret); return err }, time.Minute},
		{"session", func() error { _, err := s.SessionPrincipal(ctx, sess.ID); return err }, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := clk.t
			defer func() { clk.t = start }()
			clk.advance(tc.expires - 500*time.Millisecond)
			if err := tc.use(); err != nil { // cached from here on
				t.Fatal(err)
			}
			clk.advance(500 * time.Millisecond)
			wantCode(t, tc.use(), livedeck.EUNAUTHORIZED)
		})
	}
}

// TestWebhookSecretCacheKeys: only source names a secret can have are
// cached, so requests naming long sources do not fill memory.
func TestWebhookSecretCacheKeys(t *testing.T) {
	s := newTestService(t, Config{})
	for _, source := range []string{"", "shop", strings.Repeat("x", 65), "a b", strings.Repeat("y", 1<<16)} {
		if _, ok, err := s.WebhookSecret(ctx, "a", source); ok || err != nil {
			t.Fatalf("source %.20q: %v %v", source, ok, err)
		}
	}
	if n := s.secrets.Len(); n != 2 {
		t.Fatalf("%d cached, want 2 (\"\" and shop)", n)
	}
}
