package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestConnectorsDeadLettersCLI lists a dead letter through the CLI, fixes
// the mapping, and replays it with --replay against a real server.
func TestConnectorsDeadLettersCLI(t *testing.T) {
	base := startCLIApp(t)
	do := func(method, path, body string) string {
		t.Helper()
		return cliDo(t, base, method, path, body)
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
