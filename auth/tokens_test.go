package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

func TestTokenLifecycle(t *testing.T) {
	s := newTestService(t, Config{AdminToken: strings.Repeat("a", 40)})
	clk := withClock(s, time.Now())
	admin, err := s.TokenPrincipal(ctx, strings.Repeat("a", 40))
	if err != nil || admin.Role != Admin || !admin.AllRooms() || admin.Kind != KindBootstrap {
		t.Fatalf("bootstrap token: %+v, %v", admin, err)
	}
	forever, err := s.CreateToken(ctx, admin, NewToken{Name: "shop feed", Role: "ingest", Rooms: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	brief, err := s.CreateToken(ctx, admin, NewToken{Name: "one hour", Role: "operator", Rooms: []string{"*"}, ExpiresIn: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(forever.Secret, prefixToken) || len(forever.Secret) < 40 {
		t.Fatalf("secret %q: want ldt_ and 32 random bytes", forever.Secret)
	}

	p, err := s.TokenPrincipal(ctx, forever.Secret)
	if err != nil || p.Role != Ingest || !p.CanRoom("b") || p.CanRoom("c") || p.ID != forever.ID {
		t.Fatalf("token principal %+v, %v", p, err)
	}
	if _, err := s.TokenPrincipal(ctx, brief.Secret); err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	clk.advance(time.Hour)
	_, err = s.TokenPrincipal(ctx, brief.Secret)
	wantCode(t, err, livedeck.EUNAUTHORIZED)
	if !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token: %v", err)
	}

	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	for _, tok := range list {
		if strings.Contains(tok.Name+tok.ID, "ldt_") {
			t.Fatalf("listing shows a secret: %+v", tok)
		}
	}
	if err := s.RevokeToken(ctx, admin, forever.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenPrincipal(ctx, forever.Secret)
	wantCode(t, err, livedeck.EUNAUTHORIZED)
	wantCode(t, s.RevokeToken(ctx, admin, forever.ID), livedeck.ENOTFOUND)

	keys, _ := s.rdb.Keys(ctx, "ld:auth:token:*").Result()
	for _, k := range keys {
		if strings.Contains(k, brief.Secret) {
			t.Fatalf("a token is stored under its secret: %s", k)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	s := newTestService(t, Config{})
	for _, tc := range []struct {
		name string
		nt   NewToken
	}{
		{"no name", NewToken{Role: "admin", Rooms: []string{"*"}}},
		{"bad role", NewToken{Name: "x", Role: "root", Rooms: []string{"*"}}},
		{"no rooms", NewToken{Name: "x", Role: "host"}},
		{"star and rooms", NewToken{Name: "x", Role: "host", Rooms: []string{"*", "a"}}},
		{"bad room", NewToken{Name: "x", Role: "host", Rooms: []string{"a}b"}}},
		{"bad expiry", NewToken{Name: "x", Role: "host", Rooms: []string{"a"}, ExpiresIn: "-1h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateToken(ctx, nil, tc.nt)
			wantCode(t, err, livedeck.EINVALID)
		})
	}
	for _, secret := range []string{"", "ldt_nope", "ldh_nope", strings.Repeat("a", 40)} {
		_, err := s.TokenPrincipal(ctx, secret)
		wantCode(t, err, livedeck.EUNAUTHORIZED) // no admin token configured: nothing matches
	}
}

func TestHostLinks(t *testing.T) {
	s := newTestService(t, Config{})
	link, err := s.CreateHostLink(ctx, nil, "a", NewHostLink{Name: "OBS"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.TokenPrincipal(ctx, link.Secret)
	if err != nil || p.Kind != KindHostLink || p.Role != Host || !p.CanRoom("a") || p.CanRoom("b") {
		t.Fatalf("host link principal %+v, %v", p, err)
	}
	if ls, _ := s.ListHostLinks(ctx, "b"); len(ls) != 0 {
		t.Fatalf("room b lists room a's link: %+v", ls)
	}
	wantCode(t, s.RevokeHostLink(ctx, nil, "b", link.ID), livedeck.ENOTFOUND)
	if err := s.RevokeHostLink(ctx, nil, "a", link.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenPrincipal(ctx, link.Secret)
	wantCode(t, err, livedeck.EUNAUTHORIZED)
	if ls, _ := s.ListHostLinks(ctx, "a"); len(ls) != 0 {
		t.Fatalf("revoked link still listed: %+v", ls)
	}
}
