package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/gateway"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/redisx"
	"github.com/livedeck/livedeck/review"
	"github.com/livedeck/livedeck/rules"
)

// authFixture is a server with every part and the auth service, on a real
// redis-server, with rooms "a" and "b", served over loopback HTTP.
type authFixture struct {
	t     testing.TB // exchanges are checked against docs/openapi.yaml
	srv   *Server
	svc   *auth.Service
	rdb   redis.UniversalClient
	hs    *httptest.Server
	admin string // bootstrap admin token
}

const testAdminToken = "test-admin-token-0123456789abcdef0123"

// roomyLimits lets a test make thousands of requests from one address.
var roomyLimits = auth.Limits{
	APIPerIP:        redis_rate.PerSecond(1_000_000),
	APIPerPrincipal: redis_rate.PerSecond(1_000_000),
	IngestPerCred:   redis_rate.PerSecond(1_000_000),
	LoginPerIP:      redis_rate.PerSecond(1_000_000),
	LoginPerUser:    redis_rate.PerSecond(1_000_000),
}

func newAuthFixture(t *testing.T, acfg auth.Config, scfg Config) *authFixture {
	t.Helper()
	return newAuthFixtureOn(t, redistest.Start(t).URL(), acfg, scfg)
}

// newAuthFixtureOn is newAuthFixture on the Redis at url (a fault proxy, say).
func newAuthFixtureOn(t *testing.T, url string, acfg auth.Config, scfg Config) *authFixture {
	t.Helper()
	rdb, err := redisx.Open(url, redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blocking, err := redisx.Open(url, redisx.Options{PoolSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ing, err := ingest.New(rdb, reg, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(HubConfig{Instance: "auth-test"}, rdb, blocking, reg, log)
	if acfg.AdminToken == "" {
		acfg.AdminToken = testAdminToken
	}
	acfg.BcryptCost = bcrypt.MinCost
	svc, err := auth.New(rdb, acfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(scfg, Deps{
		Redis: rdb, Registry: reg, Logger: log, Series: &live.SeriesStore{RDB: rdb},
		Console: fstest.MapFS{"index.html": {Data: []byte("<!doctype html>console")}, "assets/app.js": {Data: []byte("1")}},
		Ingest:  ing, Hub: hub, Rules: rules.NewService(rdb, rules.EngineConfig{}, rules.NewMetrics(reg)), Auth: svc,
		Connectors: gateway.New(rdb, ing, reg, gateway.Config{}), Review: &review.Store{RDB: rdb},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); _ = hub.Run(ctx) }()
	hs := httptest.NewServer(specChecked(t, srv.Handler()))
	t.Cleanup(func() {
		hub.Shutdown()
		cancel()
		<-ran
		hs.Close()
		blocking.Close()
		rdb.Close()
	})
	for _, id := range []string{"a", "b"} {
		if _, err := ing.Rooms().Create(ctx, livedeck.Room{ID: id, Title: "room " + id,
			Products: []livedeck.Product{{SKU: "s1", Name: "lipstick", Price: 100, Stock: 10}}}); err != nil {
			t.Fatal(err)
		}
	}
	return &authFixture{t: t, srv: srv, svc: svc, rdb: rdb, hs: hs, admin: acfg.AdminToken}
}

// token issues an API token through the service.
func (f *authFixture) token(t *testing.T, role auth.Role, rooms ...string) string {
	t.Helper()
	it, err := f.svc.CreateToken(context.Background(), nil, auth.NewToken{Name: string(role) + " " + strings.Join(rooms, ","), Role: string(role), Rooms: rooms})
	if err != nil {
		t.Fatal(err)
	}
	return it.Secret
}

// user creates a console user and returns its password.
func (f *authFixture) user(t *testing.T, name string, role auth.Role, rooms ...string) string {
	t.Helper()
	pw := "password of " + name
	if _, err := f.svc.CreateUser(context.Background(), nil, auth.NewUser{Name: name, Password: pw, Role: string(role), Rooms: rooms}); err != nil {
		t.Fatal(err)
	}
	return pw
}

// request is one HTTP call in process.
type request struct {
	method, path, body string
	header             http.Header
	remote             string // zero means 192.0.2.1:1234
}

func (f *authFixture) do(r request) *httptest.ResponseRecorder {
	req := httptest.NewRequest(r.method, r.path, bytes.NewBufferString(r.body))
	for k, vs := range r.header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	checkExchange(f.t, req, []byte(r.body), rec.Code, rec.Header(), rec.Body.Bytes())
	return rec
}

func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

func jsonHeader(h http.Header) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return h
}

// login opens a console session and returns its cookie and CSRF token.
func (f *authFixture) login(t *testing.T, name, pw string) (*http.Cookie, string) {
	t.Helper()
	rec := f.do(request{method: "POST", path: "/api/auth/login", body: `{"username":"` + name + `","password":"` + pw + `"}`, header: jsonHeader(nil)})
	if rec.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, rec.Code, rec.Body)
	}
	var ck *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == auth.SessionCookie {
			ck = c
		}
	}
	me := f.do(request{method: "GET", path: "/api/auth/me", header: http.Header{"Cookie": {ck.String()}}})
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	decodeJSONTest(t, me.Body.Bytes(), &body)
	return ck, body.CSRF
}

// waitFor polls cond for up to 2 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func decodeJSONTest(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// testRules is a small valid rule set.
const testRules = "rules:\n  - name: hello\n    when: online > 100\n    actions:\n      - cue: {text: 关注领券, ttl: 30s, kind: card}\n"
