package main

import (
	"bytes"
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

// TestConnectorsDeadLettersCLI lists a dead letter through the CLI, fixes
// the mapping, and replays it with --replay against a real server.
func TestConnectorsDeadLettersCLI(t *testing.T) {
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
	base := "http://" + a.Addr()
	do := func(method, path, body string) string {
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
	do("POST", "/api/v1/rooms", `{"id":"r1","title":"t","currency":"CNY","products":[{"sku":"A","name":"a","price":100,"stock":10}]}`)
	mapping := func(text string) string {
		return `{"format":"mapping","mapping":{"id":"msg.id","rules":[{"type":"comment","fields":{"user_id":"msg.u","text":` + text + `}}]}}`
	}
	do("PUT", "/api/v1/rooms/r1/connectors/chat", mapping(`"msg.body.text"`))
	do("POST", "/api/v1/rooms/r1/events?source=chat", `[{"id":"m1","u":"v","body":{"text":"hi"}},{"id":"m2","u":"v","text":"flat"}]`)

	var out bytes.Buffer
	args := []string{"--server", base, "--room", "r1", "--token", cliToken}
	if err := connectorsDeadLetters(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Count(s, "\n") != 2 || !strings.Contains(s, "chat") || !strings.Contains(s, "m2") || !strings.Contains(s, "fields.text") {
		t.Fatalf("list:\n%s", s)
	}
	do("PUT", "/api/v1/rooms/r1/connectors/chat", mapping(`"msg.text ?? msg.body.text"`))
	out.Reset()
	if err := connectorsDeadLetters(context.Background(), append(args, "--replay"), &out); err != nil {
		t.Fatal(err)
	}
	if want := "chat: replayed 1 (events accepted 1, duplicates 0), still failing 0, remaining 0\n"; out.String() != want {
		t.Fatalf("replay: %q, want %q", out.String(), want)
	}
	out.Reset()
	if err := connectorsDeadLetters(context.Background(), args, &out); err != nil || out.String() != "no dead letters\n" {
		t.Fatalf("after replay: %q %v", out.String(), err)
	}
	if err := connectorsDeadLetters(context.Background(), []string{"--server", base, "--room", "nope", "--token", cliToken}, &out); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown room: %v", err)
	}
}
