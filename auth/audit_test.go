package auth

import (
	"os"
	"testing"

	"github.com/livedeck/livedeck"
)

func TestAuditLog(t *testing.T) {
	s := newTestService(t, Config{})
	alice := &Principal{Kind: KindUser, ID: "alice", Name: "alice", Role: Producer, Rooms: []string{"a"}}
	for _, act := range []string{"one", "two", "three"} {
		s.Audit(WithClientIP(ctx, "192.0.2.1"), alice, Entry{Action: act, Room: "a"})
	}
	s.Audit(ctx, nil, Entry{Action: "login.failed", Target: "mallory"})
	es, err := s.AuditLog(ctx, 3, "")
	if err != nil || len(es) != 3 {
		t.Fatalf("%+v %v", es, err)
	}
	if es[0].Action != "login.failed" || es[0].Who != "anonymous" || es[0].Target != "mallory" {
		t.Fatalf("newest first: %+v", es[0])
	}
	if e := es[1]; e.Action != "three" || e.Who != "user:alice" || e.Role != Producer || e.IP != "192.0.2.1" || e.Room != "a" || e.At == 0 {
		t.Fatalf("entry %+v", e)
	}
	older, err := s.AuditLog(ctx, 10, es[2].ID)
	if err != nil || len(older) != 1 || older[0].Action != "one" {
		t.Fatalf("page before %s: %+v %v", es[2].ID, older, err)
	}
	_, err = s.AuditLog(ctx, 10, "not an id")
	wantCode(t, err, livedeck.EINVALID)
}

func TestConnLimiter(t *testing.T) {
	l := NewConnLimiter(2)
	r1, ok1 := l.Acquire("u")
	_, ok2 := l.Acquire("u")
	_, ok3 := l.Acquire("u")
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("acquire: %v %v %v, want true true false", ok1, ok2, ok3)
	}
	if _, ok := l.Acquire("v"); !ok {
		t.Fatal("another principal shares u's limit")
	}
	r1()
	r1() // twice frees one slot only
	if l.Count("u") != 1 {
		t.Fatalf("count %d after release, want 1", l.Count("u"))
	}
	if _, ok := l.Acquire("u"); !ok {
		t.Fatal("released slot not reusable")
	}
	if _, ok := l.Acquire("u"); ok {
		t.Fatal("double release freed two slots")
	}
}

func TestClientIP(t *testing.T) {
	s := &Service{proxies: parsePrefixes([]string{"10.0.0.0/8"})}
	for _, tc := range []struct {
		name, remote, want string
		xff                []string
	}{
		{"direct", "192.0.2.1:5000", "192.0.2.1", nil},
		{"untrusted peer's header ignored", "192.0.2.1:5000", "192.0.2.1", []string{"203.0.113.9"}},
		{"trusted proxy", "10.1.2.3:5000", "203.0.113.9", []string{"203.0.113.9"}},
		{"proxy chain", "10.1.2.3:5000", "203.0.113.9", []string{"198.51.100.1, 203.0.113.9", "10.9.9.9"}},
		{"spoofed left part ignored", "10.1.2.3:5000", "203.0.113.9", []string{"1.2.3.4, 203.0.113.9"}},
		{"garbage", "10.1.2.3:5000", "10.1.2.3", []string{"nonsense"}},
		{"only proxies", "10.1.2.3:5000", "10.1.2.3", []string{"10.4.4.4"}},
		{"ipv6", "[2001:db8::1]:443", "2001:db8::1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.ClientIP(tc.remote, tc.xff); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRequireAdminAndDemo(t *testing.T) {
	s := newTestService(t, Config{})
	if err := s.RequireAdmin(ctx); err == nil {
		t.Fatal("no admin credential accepted")
	}
	logins, err := s.SeedDemo(ctx, []string{"demo-a", "demo-b"})
	if err != nil || len(logins) != 5 {
		t.Fatalf("%+v %v", logins, err)
	}
	if err := s.RequireAdmin(ctx); err != nil {
		t.Fatalf("demo admin user not counted: %v", err)
	}
	for _, l := range logins {
		if l.User == "" {
			p, err := s.TokenPrincipal(ctx, l.Password)
			if err != nil || p.Role != Ingest {
				t.Fatalf("demo ingest token: %+v %v", p, err)
			}
			continue
		}
		if _, _, err := s.Login(ctx, "127.0.0.1", l.User, l.Password); err != nil {
			t.Fatalf("demo login %s: %v", l.User, err)
		}
	}
	again, err := s.SeedDemo(ctx, []string{"demo-a"})
	if err != nil || again[0].Password == logins[0].Password {
		t.Fatalf("second demo run must reset passwords: %v", err)
	}
	if _, _, err := s.Login(ctx, "127.0.0.2", logins[0].User, logins[0].Password); livedeck.ErrorCode(err) != livedeck.EUNAUTHORIZED {
		t.Fatalf("old demo password still works: %v", err)
	}
	withToken := newTestService(t, Config{AdminToken: "0123456789abcdef0123456789abcdef"})
	if err := withToken.RequireAdmin(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"short admin token", Config{AdminToken: "short"}, false},
		{"bad proxy", Config{TrustedProxies: []string{"10.0.0.1"}}, false},
		{"public origin with path", Config{PublicOrigin: "https://x.example/console"}, false},
		{"public origin", Config{PublicOrigin: "https://live.example.com"}, true},
		{"bcrypt cost", Config{BcryptCost: 40}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestSecretsFromEnv(t *testing.T) {
	file := t.TempDir() + "/admin"
	if err := os.WriteFile(file, []byte("  from-the-file-0123456789abcdef0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LIVEDECK_ADMIN_TOKEN": "from-env", "LIVEDECK_ADMIN_TOKEN_FILE": file, "LIVEDECK_METRICS_TOKEN": " scrape-me "}
	var cfg Config
	if err := SecretsFromEnv(&cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.AdminToken != "from-the-file-0123456789abcdef0123456789" || cfg.MetricsToken != "scrape-me" {
		t.Fatalf("%q %q", cfg.AdminToken, cfg.MetricsToken)
	}
	env["LIVEDECK_METRICS_TOKEN_FILE"] = file + ".missing"
	if err := SecretsFromEnv(&cfg, func(k string) string { return env[k] }); err == nil {
		t.Fatal("missing token file accepted")
	}
}
