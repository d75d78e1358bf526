package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/livedeck/livedeck/auth"
)

// Every request gets an id: a trusted proxy's X-Request-Id is kept,
// anyone else's is replaced, and the id is in the response header, in
// error bodies and in audit entries.
func TestRequestID(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits, TrustedProxies: []string{"10.0.0.0/8"}}, Config{})
	const proxy, client = "10.1.2.3:4000", "192.0.2.7:5000"
	for _, tc := range []struct {
		name, remote, sent string
		keep               bool
	}{
		{"trusted proxy", proxy, "edge-7f3a.42", true},
		{"untrusted client", client, "chosen-by-client", false},
		{"trusted proxy, garbage id", proxy, "two words\tand a tab", false},
		{"trusted proxy, overlong id", proxy, string(make([]byte, 129)), false},
		{"no id", client, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := bearer(f.admin)
			if tc.sent != "" {
				h.Set("X-Request-Id", tc.sent)
			}
			rec := f.do(request{method: http.MethodGet, path: "/api/v1/rooms/nope", header: h, remote: tc.remote})
			id := rec.Header().Get("X-Request-Id")
			switch {
			case tc.keep && id != tc.sent:
				t.Errorf("X-Request-Id %q, want the proxy's %q", id, tc.sent)
			case !tc.keep && (id == tc.sent || len(id) != 32):
				t.Errorf("X-Request-Id %q, want a new 32-character id", id)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusNotFound {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if body.Error.RequestID != id {
				t.Errorf("error body request_id %q, want %q", body.Error.RequestID, id)
			}
		})
	}

	// Two requests without an id get different ones.
	a := f.do(request{method: http.MethodGet, path: "/healthz"}).Header().Get("X-Request-Id")
	b := f.do(request{method: http.MethodGet, path: "/healthz"}).Header().Get("X-Request-Id")
	if a == "" || a == b {
		t.Errorf("ids %q and %q: want two different ones", a, b)
	}

	// The audit entry of a change names the request that made it.
	h := jsonHeader(bearer(f.admin))
	h.Set("X-Request-Id", "create-room-1")
	rec := f.do(request{method: http.MethodPost, path: "/api/v1/rooms", header: h, remote: proxy,
		body: `{"id":"rid","title":"t","currency":"CNY","products":[]}`})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create room: %d %s", rec.Code, rec.Body)
	}
	es, err := f.svc.AuditLog(context.Background(), 10, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Action == "room.create" { // newest first: this one
			if e.RequestID != "create-room-1" {
				t.Errorf("audit entry request_id %q, want create-room-1", e.RequestID)
			}
			return
		}
	}
	t.Fatalf("no room.create entry in %+v", es)
}
