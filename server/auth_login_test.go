package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/livedeck/livedeck/auth"
)

// TestLoginSessionCookieAndCSRF: the console's login gives an HttpOnly,
// SameSite=Strict cookie; reads need only the cookie, changes also the
// CSRF token from /api/auth/me.
func TestLoginSessionCookieAndCSRF(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	pw := f.user(t, "pat", auth.Producer, "a")

	rec := f.do(request{method: "POST", path: "/api/auth/login", body: `{"username":"pat","password":"` + pw + `"}`, header: jsonHeader(nil)})
	if rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var ck *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == auth.SessionCookie {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", ck)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("login answer may be cached")
	}
	first := http.Header{"Cookie": {ck.String()}}
	ck2, csrf := f.login(t, "pat", pw)
	cookie := http.Header{"Cookie": {ck2.String()}}

	rules := testRules
	for _, tc := range []struct {
		name   string
		method string
		path   string
		csrf   string
		want   string
	}{
		{"read with cookie", "GET", "/api/v1/rooms/a/metrics", "", "admitted"},
		{"read other room", "GET", "/api/v1/rooms/b/metrics", "", "403"},
		{"change without CSRF", "PUT", "/api/v1/rooms/a/rules", "", "403"},
		{"change with wrong CSRF", "PUT", "/api/v1/rooms/a/rules", "nope", "403"},
		{"change with CSRF", "PUT", "/api/v1/rooms/a/rules", csrf, "admitted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := cookie.Clone()
			h.Set("Content-Type", "application/yaml")
			if tc.csrf != "" {
				h.Set(auth.CSRFHeader, tc.csrf)
			}
			rec := f.do(request{method: tc.method, path: tc.path, header: h, body: rules})
			if got := statusClass(rec.Code); got != tc.want {
				t.Fatalf("%d %s, want %s", rec.Code, rec.Body, tc.want)
			}
		})
	}

	// A CSRF token is good for its own session only.
	h := first.Clone()
	h.Set(auth.CSRFHeader, csrf)
	if rec := f.do(request{method: "POST", path: "/api/auth/logout", header: h}); rec.Code != http.StatusForbidden {
		t.Fatalf("logout with another session's CSRF token: %d, want 403", rec.Code)
	}
	if rec := f.do(request{method: "POST", path: "/api/auth/logout", header: cookie}); rec.Code != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d, want 403", rec.Code)
	}
	h = cookie.Clone()
	h.Set(auth.CSRFHeader, csrf)
	if rec := f.do(request{method: "POST", path: "/api/auth/logout", header: h}); rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(request{method: "GET", path: "/api/auth/me", header: cookie}); rec.Code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", rec.Code)
	}
	if rec := f.do(request{method: "GET", path: "/api/auth/me", header: first}); rec.Code != http.StatusOK {
		t.Fatalf("the other session must live on: %d", rec.Code)
	}
}

func TestLoginRefusals(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits, PublicOrigin: "https://live.example.com"}, Config{})
	pw := f.user(t, "ops", auth.Operator, "*")
	for _, tc := range []struct {
		name, body, ctype string
		want              int
	}{
		{"form post", "username=ops&password=" + pw, "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"text body", `{"username":"ops","password":"` + pw + `"}`, "text/plain", http.StatusBadRequest},
		{"wrong password", `{"username":"ops","password":"nope nope nope"}`, "application/json", http.StatusUnauthorized},
		{"unknown field", `{"username":"ops","password":"x","admin":true}`, "application/json", http.StatusBadRequest},
		{"huge", `{"username":"` + strings.Repeat("x", 8<<10) + `"}`, "application/json", http.StatusRequestEntityTooLarge},
		{"ok", `{"username":"ops","password":"` + pw + `"}`, "application/json; charset=utf-8", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.do(request{method: "POST", path: "/api/auth/login", body: tc.body, header: http.Header{"Content-Type": {tc.ctype}}})
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if rec.Code == http.StatusOK {
				if c := rec.Result().Cookies(); len(c) != 1 || !c[0].Secure {
					t.Fatalf("behind an https public origin the cookie must be Secure: %+v", c)
				}
			}
		})
	}
}

// TestLoginBruteForceRateLimited: the 11th attempt in a minute from one
// address is 429 with Retry-After, even with the right password.
func TestLoginBruteForceRateLimited(t *testing.T) {
	f := newAuthFixture(t, auth.Config{}, Config{})
	pw := f.user(t, "victim", auth.Admin, "*")
	for i := range 10 {
		rec := f.do(request{method: "POST", path: "/api/auth/login", header: jsonHeader(nil),
			body: `{"username":"victim","password":"guess number ` + strconv.Itoa(i) + `"}`})
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := f.do(request{method: "POST", path: "/api/auth/login", header: jsonHeader(nil), body: `{"username":"victim","password":"` + pw + `"}`})
	ra, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
	if rec.Code != http.StatusTooManyRequests || ra < 1 || ra > 60 {
		t.Fatalf("11th attempt: %d Retry-After %q %s, want 429 with 1..60", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	// From another address the user name's failure budget is spent too.
	rec = f.do(request{method: "POST", path: "/api/auth/login", remote: "198.51.100.9:4000", header: jsonHeader(nil), body: `{"username":"victim","password":"` + pw + `"}`})
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("other address: %d, want 429", rec.Code)
	}
}

// TestAuthAPIRateLimited: one token's requests are limited across the API.
func TestAuthAPIRateLimited(t *testing.T) {
	lim := roomyLimits
	lim.APIPerPrincipal.Rate, lim.APIPerPrincipal.Burst = 5, 5
	f := newAuthFixture(t, auth.Config{Limits: lim}, Config{})
	tok := f.token(t, auth.Operator, "a")
	codes := []int{}
	for range 7 {
		codes = append(codes, f.do(request{method: "GET", path: "/api/v1/rooms/a/metrics", header: bearer(tok)}).Code)
	}
	if codes[4] != http.StatusOK || codes[6] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want 5 × 200 then 429", codes)
	}
	if rec := f.do(request{method: "GET", path: "/api/v1/rooms/a/metrics", header: bearer(f.token(t, auth.Operator, "a"))}); rec.Code != http.StatusOK {
		t.Fatalf("another token shares the limit: %d", rec.Code)
	}
}
