package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/auth"
)

// TestWebhookSignedIngest: once a source has a secret, its events need a
// fresh, untampered signature; replays are refused; other sources keep
// using tokens.
func TestWebhookSignedIngest(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	rec := f.do(request{method: "POST", path: "/api/v1/rooms/a/webhook-secrets", body: `{"source":"shop"}`, header: jsonHeader(bearer(f.admin))})
	var set struct{ Secret string }
	decodeJSONTest(t, rec.Body.Bytes(), &set)
	if rec.Code != http.StatusCreated || !strings.HasPrefix(set.Secret, "whsec_") {
		t.Fatalf("set secret: %d %s", rec.Code, rec.Body)
	}
	body := `[{"id":"v-1","type":"viewers","ts":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `,"online":120}]`
	signed := func(secret string, ts int64, body string) http.Header {
		return http.Header{
			"Content-Type":       {"application/json"},
			auth.HeaderTimestamp: {strconv.FormatInt(ts, 10)},
			auth.HeaderSignature: {auth.SignWebhook(secret, ts, []byte(body))},
		}
	}
	now := time.Now().Unix()
	first := signed(set.Secret, now, body)
	ingTok := f.token(t, auth.Ingest, "a")
	tampered := signed(set.Secret, now+1, body)
	withToken := bearer(ingTok)
	withToken.Set("Content-Type", "application/json")
	for _, tc := range []struct {
		name, path, body string
		h                http.Header
		want             int
	}{
		{"signed", "/api/v1/rooms/a/events?source=shop", body, first, http.StatusOK},
		{"replayed", "/api/v1/rooms/a/events?source=shop", body, first, http.StatusUnauthorized},
		{"tampered body", "/api/v1/rooms/a/events?source=shop", strings.Replace(body, "120", "99999", 1), tampered, http.StatusUnauthorized},
		{"stale", "/api/v1/rooms/a/events?source=shop", body, signed(set.Secret, now-400, body), http.StatusUnauthorized},
		{"wrong secret", "/api/v1/rooms/a/events?source=shop", body, signed("whsec_guess", now+2, body), http.StatusUnauthorized},
		{"token but no signature", "/api/v1/rooms/a/events?source=shop", body, withToken, http.StatusUnauthorized},
		{"source by header", "/api/v1/rooms/a/events", body, func() http.Header {
			h := withToken.Clone()
			h.Set("X-Livedeck-Source", "shop")
			return h
		}(), http.StatusUnauthorized},
		{"other source, token", "/api/v1/rooms/a/events?source=sim", body, withToken, http.StatusOK},
		{"signed for a room without a secret", "/api/v1/rooms/b/events?source=shop", body, signed(set.Secret, now+3, body), http.StatusUnauthorized},
		{"signed, other source", "/api/v1/rooms/a/events?source=sim", body, signed(set.Secret, now+4, body), http.StatusUnauthorized},
		{"signed again, new timestamp", "/api/v1/rooms/a/events?source=shop", body, signed(set.Secret, now+5, body), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.do(request{method: "POST", path: tc.path, body: tc.body, header: tc.h})
			if rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
	if rec := f.do(request{method: "DELETE", path: "/api/v1/rooms/a/webhook-secrets/shop", header: bearer(f.admin)}); rec.Code != http.StatusNoContent {
		t.Fatalf("delete secret: %d", rec.Code)
	}
	if rec := f.do(request{method: "POST", path: "/api/v1/rooms/a/events?source=shop", body: body, header: withToken}); rec.Code != http.StatusOK {
		t.Fatalf("after the secret is gone the token works again: %d %s", rec.Code, rec.Body)
	}
}

// TestAuthOperatorStockOnly: operators change stock, nothing else.
func TestAuthOperatorStockOnly(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	op := jsonHeader(bearer(f.token(t, auth.Operator, "a")))
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"stock", `{"stock":{"s1":3}}`, http.StatusOK},
		{"title", `{"title":"free stuff"}`, http.StatusForbidden},
		{"stock and status", `{"stock":{"s1":3},"status":"closed"}`, http.StatusForbidden},
		{"case trick", `{"Status":"closed"}`, http.StatusForbidden},
		{"not an object", `[1]`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := f.do(request{method: "PATCH", path: "/api/v1/rooms/a", body: tc.body, header: op}); rec.Code != tc.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
	if rec := f.do(request{method: "PATCH", path: "/api/v1/rooms/a", body: `{"title":"new"}`, header: jsonHeader(bearer(f.admin))}); rec.Code != http.StatusOK {
		t.Fatalf("admin title change: %d %s", rec.Code, rec.Body)
	}
}

// TestAuthBodyLimits: every route bounds its body; ingest has a larger bound.
func TestAuthBodyLimits(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	big := `{"username":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, p := range []string{"/api/v1/users", "/api/v1/tokens", "/api/v1/rooms"} {
		if rec := f.do(request{method: "POST", path: p, body: big, header: jsonHeader(bearer(f.admin))}); rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with 2 MiB: %d, want 413", p, rec.Code)
		}
	}
	comment := `{"id":"c","type":"comment","ts":1732280000000,"user_id":"u","text":"` + strings.Repeat("好", 100) + `"},`
	events := "[" + strings.Repeat(comment, 6000) + `{"id":"w","type":"viewers","ts":1732280000000,"online":1}]`
	if rec := f.do(request{method: "POST", path: "/api/v1/rooms/a/events", body: events, header: jsonHeader(bearer(f.admin))}); rec.Code == http.StatusRequestEntityTooLarge {
		t.Errorf("ingest of %d bytes refused by the general limit: %.200s", len(events), rec.Body)
	}
}

// TestAuthAuditTrail: logins, token and user changes, rule edits and room
// changes are in the audit log with who, when and from where.
func TestAuthAuditTrail(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	admin := jsonHeader(bearer(f.admin))
	steps := []request{
		{method: "POST", path: "/api/v1/users", body: `{"username":"pia","password":"producer password","role":"producer","rooms":["a"]}`, header: admin},
		{method: "PATCH", path: "/api/v1/users/pia", body: `{"rooms":["a","b"]}`, header: admin},
		{method: "POST", path: "/api/v1/tokens", body: `{"name":"shop","role":"ingest","rooms":["a"]}`, header: admin},
		{method: "POST", path: "/api/auth/login", body: `{"username":"pia","password":"producer password"}`, header: jsonHeader(nil), remote: "203.0.113.5:999"},
		{method: "PATCH", path: "/api/v1/rooms/a", body: `{"title":"renamed"}`, header: admin},
	}
	for _, r := range steps {
		if rec := f.do(r); rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	}
	ck, csrf := f.login(t, "pia", "producer password")
	h := http.Header{"Cookie": {ck.String()}, auth.CSRFHeader: {csrf}, "Content-Type": {"application/yaml"}}
	rec := f.do(request{method: "PUT", path: "/api/v1/rooms/b/rules", header: h, body: testRules})
	if rec.Code >= 300 {
		t.Fatalf("put rules: %d %s", rec.Code, rec.Body)
	}
	var log []auth.Entry
	rec = f.do(request{method: "GET", path: "/api/v1/audit?count=50", header: bearer(f.admin)})
	decodeJSONTest(t, rec.Body.Bytes(), &log)
	want := map[string]func(auth.Entry) bool{
		"user.create":  func(e auth.Entry) bool { return e.Who == "bootstrap:admin-token" && e.Target == "pia" },
		"user.update":  func(e auth.Entry) bool { return strings.Contains(e.Detail, "rooms=a,b") },
		"token.create": func(e auth.Entry) bool { return strings.Contains(e.Detail, "role=ingest") },
		"login":        func(e auth.Entry) bool { return e.Who == "user:pia" && e.IP == "203.0.113.5" },
		"room.update":  func(e auth.Entry) bool { return e.Room == "a" && e.Role == auth.Admin },
		"rules.put":    func(e auth.Entry) bool { return e.Who == "user:pia" && e.Room == "b" && e.At > 0 },
	}
	for _, e := range log {
		if ok := want[e.Action]; ok != nil && ok(e) {
			delete(want, e.Action)
		}
	}
	for act := range want {
		t.Errorf("audit log lacks a matching %s entry: %+v", act, log)
	}
}
