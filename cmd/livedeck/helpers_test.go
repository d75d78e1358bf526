package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/server"
)

const cliToken = "cli-test-admin-token-0123456789abcdef0123"

// startCLIApp runs the whole app against a throwaway redis-server until the
// test ends, with cliToken as its admin token; it returns the base URL.
func startCLIApp(t *testing.T) string {
	t.Helper()
	rs := redistest.Start(t)
	cfg := app.Config{RedisURL: rs.URL(), Instance: "cli", Server: server.Config{Addr: "127.0.0.1:0"}}
	cfg.Auth.AdminToken = cliToken
	cfg.Auth.Limits.APIPerIP = redis_rate.PerSecond(100000)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	return "http://" + a.Addr()
}

// cliDo sends a JSON request with cliToken and fails the test on a non-2xx answer.
func cliDo(t *testing.T, base, method, path, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+cliToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return string(b)
}
