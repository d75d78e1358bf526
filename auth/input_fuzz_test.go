package auth

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
)

// fuzzService is a service for checks that need no Redis.
func fuzzService(f *testing.F, proxies ...string) *Service {
	s, err := New(nil, Config{BcryptCost: bcrypt.MinCost, TrustedProxies: proxies}, prometheus.NewRegistry())
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzClientIP checks X-Forwarded-For behind trusted proxies (10.0.0.0/8,
// fd00::/8): the answer is the peer itself unless the peer is a trusted
// proxy; otherwise it is the nearest address, walking the header from the
// right over trusted addresses only, that is untrusted, or the peer if
// there is none. Seeds: testdata/fuzz/FuzzClientIP.
func FuzzClientIP(f *testing.F) {
	s := fuzzService(f, "10.0.0.0/8", "fd00::/8")
	f.Fuzz(func(t *testing.T, remote, xff1, xff2 string) {
		got := s.ClientIP(remote, []string{xff1, xff2})
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		if !s.trusted(host) {
			if got != host {
				t.Fatalf("untrusted peer %q: got %q", remote, got)
			}
			return
		}
		hops := strings.Split(xff1+","+xff2, ",")
		want := host
		for i := len(hops) - 1; i >= 0; i-- {
			h := strings.TrimSpace(hops[i])
			if _, err := netip.ParseAddr(h); err != nil {
				break
			}
			if !s.trusted(h) {
				want = h
				break
			}
		}
		if got != want {
			t.Fatalf("peer %q, X-Forwarded-For %q, %q: got %q, want %q", remote, xff1, xff2, got, want)
		}
		if got != host {
			if _, err := netip.ParseAddr(got); err != nil || s.trusted(got) {
				t.Fatalf("client ip %q is not an untrusted address", got)
			}
		}
	})
}

// FuzzUserInput decodes a new user and a user patch as the admin routes
// do: a refusal is an invalid error on username, role, rooms or password;
// an accepted user has a normalised name, a console role, distinct valid
// rooms and a hash that checks against the password given.
func FuzzUserInput(f *testing.F) {
	s := fuzzService(f)
	f.Fuzz(func(t *testing.T, newJSON, patchJSON []byte) {
		var nu NewUser
		if json.Unmarshal(newJSON, &nu) == nil {
			rec, err := s.newUserRecord(nu)
			if err != nil {
				wantUserFieldErr(t, err)
			} else {
				checkRecord(t, rec, nu.Password)
				if again, err := normUser(rec.Name); err != nil || again != rec.Name {
					t.Fatalf("name %q normalises to %q, %v", rec.Name, again, err)
				}
			}
		}
		var p UserPatch
		if json.Unmarshal(patchJSON, &p) != nil {
			return
		}
		const old = "old password 1"
		hash, _ := bcrypt.GenerateFromPassword([]byte(old), bcrypt.MinCost)
		rec := userRecord{User: User{Name: "ana", Role: Operator, Rooms: []string{"r1"}}, Hash: string(hash)}
		if err := s.applyPatch(&rec, p); err != nil {
			wantUserFieldErr(t, err)
			return
		}
		pw := old
		if p.Password != nil {
			pw = *p.Password
		}
		checkRecord(t, rec, pw)
	})
}

func checkRecord(t *testing.T, rec userRecord, pw string) {
	t.Helper()
	if rec.Role == Ingest || !slices.Contains(Roles, rec.Role) {
		t.Fatalf("user with role %q", rec.Role)
	}
	if len(rec.Rooms) == 0 {
		t.Fatal("user with no rooms")
	}
	for i, r := range rec.Rooms {
		if (r != AllRooms || len(rec.Rooms) > 1) && !livedeck.ValidID(r) || slices.Contains(rec.Rooms[:i], r) {
			t.Fatalf("rooms %q", rec.Rooms)
		}
	}
	if err := bcrypt.CompareHashAndPassword([]byte(rec.Hash), []byte(pw)); err != nil {
		t.Fatalf("hash does not check against the password: %v", err)
	}
}

func wantUserFieldErr(t *testing.T, err error) {
	t.Helper()
	var le *livedeck.Error
	if !errors.As(err, &le) || le.Code != livedeck.EINVALID || !slices.Contains([]string{"username", "role", "rooms", "password"}, le.Field) {
		t.Fatalf("error %v is not an invalid error on a user field", err)
	}
}
