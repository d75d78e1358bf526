package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer the demo prints to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	curlLine = regexp.MustCompile(`curl -H 'Authorization: Bearer ([^']+)' (http://\S+)`)
	obsLine  = regexp.MustCompile(`(http://\S+)/#/host\?room=demo-beauty&transparent=1&key=(\S+)`)
)

// TestDemoPrintsWorkingFirstSteps runs `livedeck demo` on a free port (the
// --addr flag) and follows what it prints as a newcomer would: the curl
// line answers 200 with the demo rooms, the OBS overlay link's key reads its
// room, and every view has its link.
func TestDemoPrintsWorkingFirstSteps(t *testing.T) {
	t.Setenv("LIVEDECK_ADMIN_TOKEN", "")
	t.Setenv("LIVEDECK_ADMIN_TOKEN_FILE", "")
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- runDemo(ctx, []string{"--addr", "127.0.0.1:0", "--rate", "20"}, out) }()
	t.Cleanup(func() { cancel(); <-done })

	start := time.Now()
	for !strings.Contains(out.String(), "Press Ctrl-C") {
		if time.Since(start) > 2*time.Minute { // about 1 s alone; the race detector and a busy machine slow it much
			t.Fatalf("the demo printed no banner in 2 min:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	text := out.String()
	t.Logf("the demo printed after %s:\n%s", time.Since(start).Round(time.Millisecond), text)

	m := curlLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no curl line with a bearer token")
	}
	if code, body := get(t, m[2], m[1]); code != 200 || !strings.Contains(body, "demo-beauty") {
		t.Fatalf("the printed curl answers %d %s", code, body)
	}
	o := obsLine.FindStringSubmatch(text)
	if o == nil {
		t.Fatalf("no OBS overlay link with a key")
	}
	if code, body := get(t, o[1]+"/api/v1/rooms/demo-beauty", o[2]); code != 200 {
		t.Fatalf("the OBS link's key cannot read its room: %d %s", code, body)
	}
	if code, _ := get(t, o[1]+"/api/v1/rooms/demo-fashion", o[2]); code != 403 {
		t.Fatalf("the OBS link's key reads another room: %d", code)
	}
	for _, view := range []string{"/#/operator?rooms=", "/#/host?room=demo-beauty", "/#/wall?rooms=", "/#/producer?room=", "/#/review?room=", "/#/connectors?room=", "/metrics"} {
		if !strings.Contains(text, o[1]+view) {
			t.Errorf("no link to %s", view)
		}
	}
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
