package server

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck/auth"
)

// TestPolicyCoversEveryRoute fails naming each registered route that has
// no line in policies: add one in policy.go.
func TestPolicyCoversEveryRoute(t *testing.T) {
	f := newAuthFixture(t, auth.Config{}, Config{})
	var missing []string
	for _, r := range f.srv.echo.Routes() {
		if _, ok := policies[r.Method+" "+r.Path]; !ok {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes without an access policy (add them to policies in policy.go):\n  %s", strings.Join(missing, "\n  "))
	}
}

// TestPolicyDeniesUnlistedRoute: a route nobody wrote a policy for is
// refused, even to the admin.
func TestPolicyDeniesUnlistedRoute(t *testing.T) {
	f := newAuthFixture(t, auth.Config{}, Config{})
	f.srv.echo.GET("/api/v1/forgotten", func(c echo.Context) error { return c.String(http.StatusOK, "secret") })
	if rec := f.do(request{method: "GET", path: "/api/v1/forgotten", header: bearer(f.admin)}); rec.Code != http.StatusForbidden {
		t.Fatalf("unlisted route: %d %s, want 403", rec.Code, rec.Body)
	}
	if rec := f.do(request{method: "DELETE", path: "/healthz"}); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("no such method: %d, want echo's 405", rec.Code)
	}
}

// expectedAccess is who may call each route, written independently of
// policy.go so the walk checks the table, not only the middleware.
// "public" needs nothing; room routes are walked on room "a".
var expectedAccess = map[string]struct {
	roles string
	room  bool
}{
	"GET /healthz": {"public", false}, "GET /readyz": {"public", false}, "GET /metrics": {"public", false},
	"GET /api/openapi.yaml": {"public", false},
	"GET /":                 {"public", false}, "GET /*": {"public", false}, "GET /assets/*": {"public", false},
	"POST /api/auth/login":  {"public", false},
	"POST /api/auth/logout": {"admin producer operator host ingest", false},
	"GET /api/auth/me":      {"admin producer operator host ingest", false},

	"GET /api/v1/rooms":                         {"admin producer operator host", false},
	"POST /api/v1/rooms":                        {"admin", false},
	"GET /api/v1/rooms/:room":                   {"admin producer operator host ingest", true},
	"PATCH /api/v1/rooms/:room":                 {"admin operator", true},
	"GET /api/v1/rooms/:room/metrics":           {"admin producer operator host", true},
	"GET /api/v1/rooms/:room/series":            {"admin producer operator", true},
	"POST /api/v1/rooms/:room/events":           {"admin ingest", true},
	"GET /api/v1/rooms/:room/ingest":            {"admin ingest", true},
	"GET /ws":                                   {"admin producer operator host", true},
	"GET /api/v1/rooms/:room/rules":             {"admin producer operator", true},
	"PUT /api/v1/rooms/:room/rules":             {"admin producer", true},
	"GET /api/v1/rules/templates":               {"admin producer operator", false},
	"GET /api/v1/rooms/:room/pricing":           {"admin producer operator host ingest", true},
	"GET /api/v1/rooms/:room/gifts":             {"admin producer operator", true},
	"GET /api/v1/rooms/:room/review":            {"admin producer operator", true},
	"POST /api/v1/rooms/:room/close":            {"admin producer", true},
	"POST /api/v1/rooms/:room/archive":          {"admin", true},
	"DELETE /api/v1/rooms/:room":                {"admin", true},
	"GET /api/v1/users":                         {"admin", false},
	"POST /api/v1/users":                        {"admin", false},
	"PATCH /api/v1/users/:user":                 {"admin", false},
	"GET /api/v1/tokens":                        {"admin", false},
	"POST /api/v1/tokens":                       {"admin", false},
	"DELETE /api/v1/tokens/:id":                 {"admin", false},
	"GET /api/v1/audit":                         {"admin", false},
	"GET /api/v1/rooms/:room/host-links":        {"admin producer", true},
	"POST /api/v1/rooms/:room/host-links":       {"admin producer", true},
	"DELETE /api/v1/rooms/:room/host-links/:id": {"admin producer", true},

	"GET /api/v1/rule-secrets":          {"all-rooms admin", false},
	"POST /api/v1/rule-secrets":         {"all-rooms admin", false},
	"PUT /api/v1/rule-secrets/:name":    {"all-rooms admin", false},
	"DELETE /api/v1/rule-secrets/:name": {"all-rooms admin", false},

	"POST /api/v1/rooms/:room/webhook-secrets":           {"admin", true},
	"DELETE /api/v1/rooms/:room/webhook-secrets/:source": {"admin", true},
	"POST /api/v1/rooms/:room/rules/validate":            {"admin producer", true},
	"POST /api/v1/rooms/:room/rules/dry-run":             {"admin producer", true},
	"POST /api/v1/rooms/:room/rules/rollback":            {"admin producer", true},
	"GET /api/v1/rooms/:room/rules/versions":             {"admin producer operator", true},
	"GET /api/v1/rooms/:room/rules/history":              {"admin producer operator", true},

	"GET /api/v1/connectors/formats":                  {"admin producer operator", false},
	"GET /api/v1/rooms/:room/connectors":              {"admin producer operator", true},
	"GET /api/v1/rooms/:room/connectors/:source":      {"admin producer operator", true},
	"PUT /api/v1/rooms/:room/connectors/:source":      {"admin", true},
	"DELETE /api/v1/rooms/:room/connectors/:source":   {"admin", true},
	"POST /api/v1/rooms/:room/connectors/:source/try": {"admin producer", true},
	"GET /api/v1/rooms/:room/dead-letters":            {"admin producer operator", true},
	"POST /api/v1/rooms/:room/dead-letters/replay":    {"admin producer", true},
}

// walkCred is one way of calling: a role scoped to some rooms, or a broken
// credential that must always get 401.
type walkCred struct {
	name   string
	role   auth.Role // empty: expect 401 on every non-public route
	rooms  []string
	header http.Header
}

// TestPolicyRouteWalk calls every registered route with every role (scoped
// to room a, to room b, or to all rooms), with no credential, a malformed
// one, an expired and a revoked token, and checks 401, 403 or admitted.
// Admitted means the handler ran: any status but 401 and 403.
func TestPolicyRouteWalk(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{})
	ctx := context.Background()
	var creds []walkCred
	for _, role := range auth.Roles {
		for _, rooms := range [][]string{{"a"}, {"b"}, {"*"}} {
			creds = append(creds, walkCred{name: string(role) + "@" + rooms[0], role: role, rooms: rooms, header: bearer(f.token(t, role, rooms...))})
		}
	}
	link, err := f.svc.CreateHostLink(ctx, nil, "a", auth.NewHostLink{})
	if err != nil {
		t.Fatal(err)
	}
	creds = append(creds, walkCred{name: "host link of a", role: auth.Host, rooms: []string{"a"}, header: bearer(link.Secret)})
	expired, _ := f.svc.CreateToken(ctx, nil, auth.NewToken{Name: "brief", Role: "admin", Rooms: []string{"*"}, ExpiresIn: "1ms"})
	revoked, _ := f.svc.CreateToken(ctx, nil, auth.NewToken{Name: "gone", Role: "admin", Rooms: []string{"*"}})
	if err := f.svc.RevokeToken(ctx, nil, revoked.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	creds = append(creds,
		walkCred{name: "bootstrap admin", role: auth.Admin, rooms: []string{"*"}, header: bearer(f.admin)},
		walkCred{name: "none"},
		walkCred{name: "expired admin token", header: bearer(expired.Secret)},
		walkCred{name: "revoked admin token", header: bearer(revoked.Secret)},
		walkCred{name: "basic auth", header: http.Header{"Authorization": {"Basic YWRtaW46YWRtaW4="}}},
		walkCred{name: "unknown token", header: bearer("ldt_" + strings.Repeat("A", 43))},
		walkCred{name: "api token in ?key=", header: http.Header{}},
	)

	routes := f.srv.echo.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered: is a part missing from the fixture?", len(routes))
	}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		exp, ok := expectedAccess[key]
		if !ok {
			t.Errorf("%s: no expected access in expectedAccess: add who may call it", key)
			continue
		}
		path := walkPath(r.Path)
		for _, cr := range creds {
			h := cr.header.Clone()
			p := path
			if cr.name == "api token in ?key=" {
				p += sep(p) + "key=" + f.admin
			}
			rec := f.do(request{method: r.Method, path: p, header: h})
			want := walkExpect(exp.roles, exp.room, cr)
			if got := statusClass(rec.Code); got != want {
				t.Errorf("%s as %s: %d %.100s, want %s", key, cr.name, rec.Code, rec.Body, want)
			}
		}
	}
}

func walkExpect(roles string, room bool, cr walkCred) string {
	roles, allRooms := strings.CutPrefix(roles, "all-rooms ") // only callers scoped to every room
	switch {
	case roles == "public":
		return "admitted"
	case cr.role == "":
		return "401"
	case !strings.Contains(" "+roles+" ", " "+string(cr.role)+" "):
		return "403"
	case room && cr.rooms[0] != "a" && cr.rooms[0] != "*":
		return "403"
	case allRooms && cr.rooms[0] != "*":
		return "403"
	}
	return "admitted"
}

func statusClass(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return "401"
	case http.StatusForbidden:
		return "403"
	}
	return "admitted"
}

// walkPath fills a route template: room a, other ids made up; /ws asks for
// room a's host view, which every console role may open.
func walkPath(tmpl string) string {
	if tmpl == "/ws" {
		return "/ws?rooms=a&view=host"
	}
	r := strings.NewReplacer(":room", "a", ":user", "nobody", ":id", "nope", ":source", "shop", ":name", "nope", "*", "x")
	return r.Replace(tmpl)
}

func sep(p string) string {
	if strings.Contains(p, "?") {
		return "&"
	}
	return "?"
}
