package e2e

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/server"
)

// adminToken is the bootstrap admin token of every stack these tests start.
const adminToken = "e2e-admin-token-0123456789abcdef0123456789"

// stack is a running LiveDeck on a throwaway redis-server.
type stack struct {
	App    *app.App
	URL    string
	Redis  *redistest.Server
	Logins map[string]string // demo user → password
	stop   context.CancelFunc
	done   chan error
}

type stackOpts struct {
	redis *redistest.Server // nil: a new one
	addr  string            // "": a free port
	rate  int               // simulated events/s in the demo rooms; 0: none
	seed  bool              // create the demo rooms and users
	// staleAfter is how long a source may be silent before it is marked
	// stale; zero: the server's default (30 s).
	staleAfter time.Duration
}

// startStack runs the app in-process, as `livedeck demo` does.
func startStack(t *testing.T, o stackOpts) *stack {
	t.Helper()
	if o.redis == nil {
		o.redis = redistest.Start(t)
	}
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := app.Config{RedisURL: o.redis.URL(), Server: server.Config{Addr: o.addr}}
	cfg.Auth.AdminToken = adminToken
	cfg.Live.StaleAfter = o.staleAfter
	cfg.Auth.Limits.APIPerIP = redis_rate.PerSecond(100000) // the browser, the simulator and the test share one address
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stack{App: a, URL: "http://" + a.Addr(), Redis: o.redis, Logins: map[string]string{}, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.Run(ctx) }()
	if o.seed {
		if err := a.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(app.DemoRooms))
		for i, r := range app.DemoRooms {
			ids[i] = r.ID
		}
		logins, err := a.Auth().SeedDemo(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range logins {
			if l.Role != auth.Ingest {
				s.Logins[l.User] = l.Password
			}
		}
	}
	if o.rate > 0 {
		go a.Simulate(ctx, o.rate)
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the app down gracefully; safe to call twice.
func (s *stack) Stop() {
	if s.stop == nil {
		return
	}
	s.stop()
	<-s.done
	s.App.Close()
	s.stop = nil
}

// api calls the server's API as the bootstrap admin.
func (s *stack) api(t *testing.T, method, path, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
