package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/redisx"
)

// wsOutcome is what a dial to /ws came to: "open" (hello received), an
// HTTP status refusing the upgrade, or a close code after it.
func wsOutcome(t *testing.T, url string, h http.Header) string {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 3 * time.Second}
	ws, resp, err := d.Dial(url, h)
	if err != nil {
		if resp != nil {
			return "http " + resp.Status[:3]
		}
		t.Fatalf("dial %s: %v", url, err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, msg, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return "close " + itoa(ce.Code)
	}
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !strings.Contains(string(msg), `"hello"`) {
		t.Fatalf("first message %s, want hello", msg)
	}
	return "open"
}

// TestAuthWebsocketUpgrade: the console feed's upgrade is authenticated,
// scoped to the caller's rooms and views, and refused to foreign pages.
func TestAuthWebsocketUpgrade(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{AllowedOrigins: []string{"https://console.example"}})
	ctx := context.Background()
	wsBase := "ws" + strings.TrimPrefix(f.hs.URL, "http") + "/ws?"
	own := f.hs.URL
	hostA, _ := f.login(t, "hana", f.user(t, "hana", auth.Host, "a"))
	opAll, _ := f.login(t, "olga", f.user(t, "olga", auth.Operator, "*"))
	link, err := f.svc.CreateHostLink(ctx, nil, "a", auth.NewHostLink{Name: "OBS"})
	if err != nil {
		t.Fatal(err)
	}
	revoked, _ := f.svc.CreateHostLink(ctx, nil, "a", auth.NewHostLink{Name: "old tablet"})
	_ = f.svc.RevokeHostLink(ctx, nil, "a", revoked.ID)
	hostTok := f.token(t, auth.Host, "a")
	opTok := f.token(t, auth.Operator, "a")
	ingTok := f.token(t, auth.Ingest, "*")

	hdr := func(origin string, ck *http.Cookie, tok string) http.Header {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		if ck != nil {
			h.Set("Cookie", ck.String())
		}
		if tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
		return h
	}
	for _, tc := range []struct {
		name, query string
		h           http.Header
		want        string
	}{
		{"foreign page with a session", "rooms=a&view=host", hdr("https://evil.example", hostA, ""), "http 403"},
		{"foreign page with a token", "rooms=a", hdr("https://evil.example", nil, opTok), "http 403"},
		{"foreign page, no credential", "rooms=a", hdr("https://evil.example", nil, ""), "http 401"},
		{"session without Origin", "rooms=a&view=host", hdr("", hostA, ""), "http 403"},
		{"own page, no credential", "rooms=a&view=host", hdr(own, nil, ""), "close 4001"},
		{"own page, revoked host link", "rooms=a&view=host&key=" + revoked.Secret, hdr(own, nil, ""), "close 4001"},
		{"own page, host of a asks for b", "rooms=b&view=host", hdr(own, hostA, ""), "close 4003"},
		{"own page, host of a asks for a and b", "rooms=a,b&view=host", hdr(own, hostA, ""), "close 4003"},
		{"own page, host asks for the operator view", "rooms=a&view=operator", hdr(own, hostA, ""), "close 4003"},
		{"own page, host of a", "rooms=a&view=host", hdr(own, hostA, ""), "open"},
		{"allowed origin, operator", "rooms=a,b&view=operator", hdr("https://console.example", opAll, ""), "open"},
		{"host link key", "rooms=a&view=host&key=" + link.Secret, hdr(own, nil, ""), "open"},
		{"host link key for room b", "rooms=b&view=host&key=" + link.Secret, hdr(own, nil, ""), "close 4003"},
		{"API token in ?key=", "rooms=a&view=host&key=" + hostTok, hdr(own, nil, ""), "close 4001"},
		{"connector token, room b", "rooms=b&view=host", hdr("", nil, hostTok), "http 403"},
		{"connector token, room a", "rooms=a&view=host", hdr("", nil, hostTok), "open"},
		{"ingest token", "rooms=a", hdr("", nil, ingTok), "http 403"},
		{"no credential", "rooms=a", hdr("", nil, ""), "http 401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wsOutcome(t, wsBase+tc.query, tc.h); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestAuthHostCannotReadOtherRoom over HTTP: every read of room b is 403
// for a host of room a, and the room list shows room a only.
func TestAuthHostCannotReadOtherRoom(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	for _, cred := range []struct {
		name string
		h    http.Header
	}{
		{"token", bearer(f.token(t, auth.Host, "a"))},
		{"session", func() http.Header {
			ck, _ := f.login(t, "hank", f.user(t, "hank", auth.Host, "a"))
			return http.Header{"Cookie": {ck.String()}}
		}()},
	} {
		t.Run(cred.name, func(t *testing.T) {
			for _, p := range []string{"/api/v1/rooms/b", "/api/v1/rooms/b/metrics", "/api/v1/rooms/b/series", "/api/v1/rooms/b/pricing", "/api/v1/rooms/b/rules"} {
				if rec := f.do(request{method: "GET", path: p, header: cred.h}); rec.Code != http.StatusForbidden {
					t.Errorf("GET %s: %d %s, want 403", p, rec.Code, rec.Body)
				}
			}
			if rec := f.do(request{method: "GET", path: "/api/v1/rooms/a/metrics", header: cred.h}); rec.Code != http.StatusOK {
				t.Errorf("own room: %d", rec.Code)
			}
			rec := f.do(request{method: "GET", path: "/api/v1/rooms", header: cred.h})
			var list []struct{ ID string }
			decodeJSONTest(t, rec.Body.Bytes(), &list)
			if rec.Code != http.StatusOK || len(list) != 1 || list[0].ID != "a" {
				t.Errorf("room list: %d %s, want room a only", rec.Code, rec.Body)
			}
		})
	}
	var all []struct{ ID string }
	decodeJSONTest(t, f.do(request{method: "GET", path: "/api/v1/rooms", header: bearer(f.admin)}).Body.Bytes(), &all)
	if len(all) != 2 {
		t.Fatalf("admin sees %d rooms, want 2", len(all))
	}
}

// TestAuthWebsocketConnectionLimit: a principal holds at most
// MaxConnsPerUser sockets; a closed one frees its slot.
func TestAuthWebsocketConnectionLimit(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits, MaxConnsPerUser: 2}, Config{})
	tok := f.token(t, auth.Operator, "a")
	url := "ws" + strings.TrimPrefix(f.hs.URL, "http") + "/ws?rooms=a"
	var open []*websocket.Conn
	for i := range 2 {
		ws, _, err := websocket.DefaultDialer.Dial(url, bearer(tok))
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		open = append(open, ws)
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, bearer(tok))
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection: %v %v, want 429", err, resp)
	}
	if _, _, err := websocket.DefaultDialer.Dial(url, bearer(f.token(t, auth.Operator, "a"))); err != nil {
		t.Fatalf("another token is not limited by this one: %v", err)
	}
	open[0].Close()
	defer open[1].Close()
	waitFor(t, "the closed connection's slot", func() bool {
		ws, _, err := websocket.DefaultDialer.Dial(url, bearer(tok))
		if err == nil {
			ws.Close()
		}
		return err == nil
	})
}

// TestAuthAckNamesWho: an acknowledgement sent over an authenticated
// console socket records who sent it, for the alert list and the review.
func TestAuthAckNamesWho(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	ctx := context.Background()
	tok := f.token(t, auth.Host, "a")
	h := http.Header{"Authorization": {"Bearer " + tok}}
	ws, _, err := (&websocket.Dialer{HandshakeTimeout: 3 * time.Second}).Dial("ws"+strings.TrimPrefix(f.hs.URL, "http")+"/ws?rooms=a&view=host", h)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	addSignal(t, f.rdb, cue("a", "cue-1"))
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ack","room":"a","data":{"key":"cue-1"}}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		msgs, _ := f.rdb.XRange(ctx, redisx.Room("a").Signals(), "-", "+").Result()
		for _, m := range msgs {
			if s, _ := m.Values["s"].(string); strings.Contains(s, `"cue-1"`) && strings.Contains(s, `"ack"`) {
				if !strings.Contains(s, `"by":"host a"`) { // the token's name (f.token)
					t.Fatalf("ack %s, want by \"host a\"", s)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("ack not stored")
}
