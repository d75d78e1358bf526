package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/livedeck/livedeck/auth"
)

// TestScopedAdminWalk walks the user, token and audit routes as an admin
// scoped to room a, an admin of all rooms and a producer of a, with bodies
// that try to grant more than the caller holds. A scoped admin manages only
// non-admin users and tokens within its rooms; only an all-rooms admin
// manages admins. Before the scope checks, every refusal here was admitted.
func TestScopedAdminWalk(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	ctx := context.Background()
	creds := map[string]http.Header{
		"admin@a":    bearer(f.token(t, auth.Admin, "a")),
		"admin@*":    bearer(f.token(t, auth.Admin, "*")),
		"producer@a": bearer(f.token(t, auth.Producer, "a")),
	}
	f.user(t, "opa", auth.Operator, "a")
	f.user(t, "opb", auth.Operator, "b")
	f.user(t, "opab", auth.Operator, "a", "b")
	f.user(t, "adma", auth.Admin, "a")
	f.user(t, "root", auth.Admin, "*")
	tokID := func(role auth.Role, rooms ...string) string {
		it, err := f.svc.CreateToken(ctx, nil, auth.NewToken{Name: "victim", Role: string(role), Rooms: rooms})
		if err != nil {
			t.Fatal(err)
		}
		return it.ID
	}

	cases := []struct {
		as, method, path, body string
		want                   int
		field                  string // of a 403
	}{
		// Tokens: role and rooms within the caller's scope.
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"admin","rooms":["*"]}`, 403, "role"},
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"admin","rooms":["a"]}`, 403, "role"},
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"operator","rooms":["*"]}`, 403, "rooms"},
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"operator","rooms":["a","b"]}`, 403, "rooms"},
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"ingest","rooms":["a"]}`, 201, ""},
		{"admin@a", "POST", "/api/v1/tokens", `{"name":"x","role":"producer","rooms":["a"]}`, 201, ""},
		{"admin@*", "POST", "/api/v1/tokens", `{"name":"x","role":"admin","rooms":["*"]}`, 201, ""},
		{"admin@a", "DELETE", "/api/v1/tokens/" + tokID(auth.Operator, "b"), "", 403, ""},
		{"admin@a", "DELETE", "/api/v1/tokens/" + tokID(auth.Operator, "*"), "", 403, ""},
		{"admin@a", "DELETE", "/api/v1/tokens/" + tokID(auth.Admin, "a"), "", 403, ""},
		{"admin@a", "DELETE", "/api/v1/tokens/" + tokID(auth.Operator, "a"), "", 204, ""},
		{"admin@*", "DELETE", "/api/v1/tokens/" + tokID(auth.Admin, "a"), "", 204, ""},
		// Users: the same for creating; changing needs the user within scope.
		{"admin@a", "POST", "/api/v1/users", `{"username":"n1","password":"long enough pw","role":"admin","rooms":["a"]}`, 403, "role"},
		{"admin@a", "POST", "/api/v1/users", `{"username":"n2","password":"long enough pw","role":"operator","rooms":["b"]}`, 403, "rooms"},
		{"admin@a", "POST", "/api/v1/users", `{"username":"n3","password":"long enough pw","role":"operator","rooms":["a"]}`, 201, ""},
		{"admin@a", "PATCH", "/api/v1/users/opb", `{"password":"taken over pw"}`, 403, ""},
		{"admin@a", "PATCH", "/api/v1/users/opab", `{"disabled":true}`, 403, ""},
		{"admin@a", "PATCH", "/api/v1/users/root", `{"disabled":true}`, 403, ""},
		{"admin@a", "PATCH", "/api/v1/users/adma", `{"disabled":true}`, 403, ""},
		{"admin@a", "PATCH", "/api/v1/users/opa", `{"rooms":["*"]}`, 403, "rooms"},
		{"admin@a", "PATCH", "/api/v1/users/opa", `{"rooms":["a","b"]}`, 403, "rooms"},
		{"admin@a", "PATCH", "/api/v1/users/opa", `{"role":"admin"}`, 403, "role"},
		{"admin@a", "PATCH", "/api/v1/users/opa", `{"role":"producer"}`, 200, ""},
		{"admin@*", "PATCH", "/api/v1/users/adma", `{"rooms":["a","b"]}`, 200, ""},
		{"admin@*", "PATCH", "/api/v1/users/opb", `{"disabled":true}`, 200, ""},
		// Routes for admins only stay so.
		{"producer@a", "POST", "/api/v1/tokens", `{"name":"x","role":"host","rooms":["a"]}`, 403, ""},
		{"producer@a", "GET", "/api/v1/audit", "", 403, ""},
	}
	for _, tc := range cases {
		rec := f.do(request{method: tc.method, path: tc.path, body: tc.body, header: jsonHeader(creds[tc.as].Clone())})
		if rec.Code != tc.want {
			t.Errorf("%s %s %s as %s: %d %s, want %d", tc.method, tc.path, tc.body, tc.as, rec.Code, rec.Body, tc.want)
			continue
		}
		if tc.want == http.StatusForbidden {
			var b errorBody
			decodeJSONTest(t, rec.Body.Bytes(), &b)
			if b.Error.Code != "forbidden" || b.Error.Field != tc.field || b.Error.Message == "" {
				t.Errorf("%s %s %s as %s: body %s, want code forbidden, field %q and a reason", tc.method, tc.path, tc.body, tc.as, rec.Body, tc.field)
			}
		}
	}

	// Lists show a scoped admin only what it manages.
	var users []auth.User
	decodeJSONTest(t, f.do(request{method: "GET", path: "/api/v1/users", header: creds["admin@a"]}).Body.Bytes(), &users)
	for _, u := range users {
		if u.Role == auth.Admin || slices.ContainsFunc(u.Rooms, func(r string) bool { return r != "a" }) {
			t.Errorf("admin@a lists user %s (%s %v)", u.Name, u.Role, u.Rooms)
		}
	}
	if !slices.ContainsFunc(users, func(u auth.User) bool { return u.Name == "opa" }) {
		t.Errorf("admin@a does not list opa: %v", users)
	}
	var toks []auth.Token
	decodeJSONTest(t, f.do(request{method: "GET", path: "/api/v1/tokens", header: creds["admin@a"]}).Body.Bytes(), &toks)
	for _, tk := range toks {
		if tk.Role == auth.Admin || slices.ContainsFunc(tk.Rooms, func(r string) bool { return r != "a" }) {
			t.Errorf("admin@a lists token %s (%s %v)", tk.ID, tk.Role, tk.Rooms)
		}
	}

	// The audit log: a scoped admin sees entries about its rooms only.
	for _, room := range []string{"a", "b", ""} {
		f.svc.Audit(ctx, nil, auth.Entry{Action: "test.mark", Room: room})
	}
	audit := func(as string) []auth.Entry {
		rec := f.do(request{method: "GET", path: "/api/v1/audit?count=1000", header: creds[as]})
		if rec.Code != http.StatusOK {
			t.Fatalf("audit as %s: %d %s", as, rec.Code, rec.Body)
		}
		var es []auth.Entry
		if err := json.Unmarshal(rec.Body.Bytes(), &es); err != nil {
			t.Fatal(err)
		}
		return es
	}
	scoped, all := audit("admin@a"), audit("admin@*")
	if len(scoped) == 0 {
		t.Fatal("admin@a sees no audit entries, want room a's")
	}
	for _, e := range scoped {
		if e.Room != "a" {
			t.Errorf("admin@a sees audit entry %s %s room %q", e.ID, e.Action, e.Room)
		}
	}
	marks := 0
	for _, e := range all {
		if e.Action == "test.mark" {
			marks++
		}
	}
	if marks != 3 || len(all) <= len(scoped) {
		t.Errorf("admin@* sees %d of 3 marks and %d entries (scoped: %d), want every entry", marks, len(all), len(scoped))
	}
}
