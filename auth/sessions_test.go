package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

func TestLoginSessions(t *testing.T) {
	s := newTestService(t, Config{SessionTTL: time.Hour})
	clk := withClock(s, time.Now())
	u, err := s.CreateUser(ctx, nil, NewUser{Name: "Alice", Password: "correct horse battery", Role: "producer", Rooms: []string{"a"}})
	if err != nil || u.Name != "alice" {
		t.Fatalf("create: %+v, %v", u, err)
	}
	_, err = s.CreateUser(ctx, nil, NewUser{Name: "alice", Password: "another password", Role: "host", Rooms: []string{"a"}})
	wantCode(t, err, livedeck.ECONFLICT)

	for _, tc := range []struct{ name, user, pw string }{
		{"wrong password", "alice", "correct horse battery!"},
		{"unknown user", "bob", "correct horse battery"},
		{"empty", "", ""},
		{"too long", "alice", strings.Repeat("x", 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Login(ctx, "10.0.0.1", tc.user, tc.pw)
			wantCode(t, err, livedeck.EUNAUTHORIZED)
		})
	}

	sess, _, err := s.Login(ctx, "10.0.0.2", "ALICE", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.SessionPrincipal(ctx, sess.ID)
	if err != nil || p.Role != Producer || p.Session == nil || !p.Session.CheckCSRF(sess.CSRF) || p.Session.CheckCSRF("") {
		t.Fatalf("session principal %+v, %v", p, err)
	}

	// A role change applies to the open session at once.
	role := "operator"
	if _, err := s.UpdateUser(ctx, nil, "alice", UserPatch{Role: &role}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.SessionPrincipal(ctx, sess.ID); p == nil || p.Role != Operator {
		t.Fatalf("after role change: %+v", p)
	}
	off := true
	if _, err := s.UpdateUser(ctx, nil, "alice", UserPatch{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionPrincipal(ctx, sess.ID)
	wantCode(t, err, livedeck.EUNAUTHORIZED)
	_, _, err = s.Login(ctx, "10.0.0.2", "alice", "correct horse battery")
	wantCode(t, err, livedeck.EUNAUTHORIZED)

	on := false
	if _, err := s.UpdateUser(ctx, nil, "alice", UserPatch{Disabled: &on}); err != nil {
		t.Fatal(err)
	}
	sess, _, err = s.Login(ctx, "10.0.0.2", "alice", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	p, _ = s.SessionPrincipal(ctx, sess.ID)
	if err := s.Logout(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionPrincipal(ctx, sess.ID)
	wantCode(t, err, livedeck.EUNAUTHORIZED)

	sess, _, _ = s.Login(ctx, "10.0.0.2", "alice", "correct horse battery")
	clk.advance(time.Hour)
	_, err = s.SessionPrincipal(ctx, sess.ID)
	wantCode(t, err, livedeck.EUNAUTHORIZED)

	raw, _ := s.rdb.Get(ctx, "ld:auth:user:alice").Result()
	if strings.Contains(raw, "correct horse") || !strings.Contains(raw, "$2a$") {
		t.Fatalf("stored user is not a bcrypt hash: %s", raw)
	}
}

func TestLoginRateLimited(t *testing.T) {
	s := newTestService(t, Config{})
	if _, err := s.CreateUser(ctx, nil, NewUser{Name: "op", Password: "operator password", Role: "operator", Rooms: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	// One IP: 10 attempts a minute, whatever they are.
	for i := range 10 {
		_, _, err := s.Login(ctx, "192.0.2.7", "op", "guess "+strings.Repeat("x", i+8))
		wantCode(t, err, livedeck.EUNAUTHORIZED)
	}
	_, _, err := s.Login(ctx, "192.0.2.7", "op", "operator password")
	wantCode(t, err, livedeck.ERATELIMIT)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfterSeconds() < 1 || rl.RetryAfterSeconds() > 60 {
		t.Fatalf("rate limit error %v: want Retry-After 1..60 s", err)
	}
	// Another IP can still log in: the user has 10 failures, none left.
	_, _, err = s.Login(ctx, "192.0.2.8", "op", "operator password")
	wantCode(t, err, livedeck.ERATELIMIT)
	// Failures spread over many IPs are limited per user name too.
	if _, err := s.CreateUser(ctx, nil, NewUser{Name: "prod", Password: "producer password", Role: "producer", Rooms: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		_, _, err := s.Login(ctx, "198.51.100."+string(rune('0'+i)), "prod", "wrong password!")
		wantCode(t, err, livedeck.EUNAUTHORIZED)
	}
	_, _, err = s.Login(ctx, "203.0.113.1", "prod", "wrong password!")
	wantCode(t, err, livedeck.ERATELIMIT)
	// A user who logs in correctly does not use up the per-user budget.
	if _, err := s.CreateUser(ctx, nil, NewUser{Name: "host", Password: "host password!", Role: "host", Rooms: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if _, _, err := s.Login(ctx, "203.0.113."+string(rune('a'+i)), "host", "host password!"); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
	}
}

func TestUserRefusals(t *testing.T) {
	s := newTestService(t, Config{})
	for _, tc := range []struct {
		name, field string
		nu          NewUser
	}{
		{"short password", "password", NewUser{Name: "a", Password: "short", Role: "host", Rooms: []string{"a"}}},
		{"long password", "password", NewUser{Name: "a", Password: strings.Repeat("p", 73), Role: "host", Rooms: []string{"a"}}},
		{"bad name", "username", NewUser{Name: "a b", Password: "long enough pw", Role: "host", Rooms: []string{"a"}}},
		{"ingest user", "role", NewUser{Name: "a", Password: "long enough pw", Role: "ingest", Rooms: []string{"a"}}},
		{"no rooms", "rooms", NewUser{Name: "a", Password: "long enough pw", Role: "host"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, nil, tc.nu)
			var e *livedeck.Error
			if !errors.As(err, &e) || e.Code != livedeck.EINVALID || e.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	_, err := s.UpdateUser(ctx, nil, "nobody", UserPatch{})
	wantCode(t, err, livedeck.ENOTFOUND)
}
