package server

import (
	"github.com/labstack/echo/v4"

	"github.com/livedeck/livedeck/auth"
)

// access says who may call one route. The zero value admits nobody.
type access struct {
	public  bool        // no credential needed
	roles   []auth.Role // the principal's role must be one of these
	room    bool        // the principal's rooms must include :room
	class   string      // rate limit class; empty means auth.ClassAPI
	body    int64       // request body limit in bytes; zero means defaultBodyLimit, -1 the ingest limit
	webhook bool        // HMAC-signed webhooks are accepted (and required where a secret is set)
	ws      bool        // a websocket: Origin checked, connections per principal limited
	audit   string      // action recorded in the audit log when a change succeeds
	filter  bool        // a room list: entries outside a scoped caller's rooms are removed
	// check runs after role and room passed (p is nil on public routes).
	check func(s *Server, c echo.Context, p *auth.Principal) error
}

// Role groups.
var (
	staff   = []auth.Role{auth.Admin, auth.Producer, auth.Operator} // the control room
	viewers = []auth.Role{auth.Admin, auth.Producer, auth.Operator, auth.Host}
	anyone  = []auth.Role{auth.Admin, auth.Producer, auth.Operator, auth.Host, auth.Ingest}
	admins  = []auth.Role{auth.Admin}
	editors = []auth.Role{auth.Admin, auth.Producer}
	feeders = []auth.Role{auth.Admin, auth.Ingest}
	openly  = access{public: true}
)

func allow(roles ...auth.Role) access { return access{roles: roles} }

func (a access) inRoom() access            { a.room = true; return a }
func (a access) audited(act string) access { a.audit = act; return a }
func (a access) limit(class string) access { a.class = class; return a }
func (a access) maxBody(n int64) access    { a.body = n; return a }
func (a access) socket() access            { a.ws = true; return a }
func (a access) filtered() access          { a.filter = true; return a }
func (a access) signed() access            { a.webhook = true; return a }
func (a access) also(f func(*Server, echo.Context, *auth.Principal) error) access {
	a.check = f
	return a
}

// policies is the one table of who may call what, keyed by method and route
// template (echo's c.Path()). A registered route missing here is refused
// with 403, and TestPolicyCoversEveryRoute fails naming it: a new route
// needs its line here.
var policies = map[string]access{
	// Probes, metrics and the console's static files.
	"GET /healthz":  openly,
	"GET /readyz":   openly,
	"GET /metrics":  openly.also(metricsToken), // firewall it, or set a metrics token
	"GET /":         openly,
	"GET /*":        openly,
	"GET /assets/*": openly,

	// The API's description, docs/openapi.yaml.
	"GET /api/openapi.yaml": openly,

	// Console sessions.
	"POST /api/auth/login":  openly.limit(auth.ClassLogin).maxBody(4 << 10),
	"POST /api/auth/logout": allow(anyone...),
	"GET /api/auth/me":      allow(anyone...),

	// Rooms. A scoped caller's room list is filtered to its rooms.
	"GET /api/v1/rooms":               allow(viewers...).filtered(),
	"POST /api/v1/rooms":              allow(admins...).audited("room.create"),
	"GET /api/v1/rooms/:room":         allow(anyone...).inRoom(),
	"PATCH /api/v1/rooms/:room":       allow(auth.Admin, auth.Operator).inRoom().audited("room.update").also(operatorStockOnly),
	"GET /api/v1/rooms/:room/metrics": allow(viewers...).inRoom(),
	"GET /api/v1/rooms/:room/series":  allow(staff...).inRoom(),

	// Ingest: bearer tokens of role ingest (or admin), or signed webhooks;
	// a signed platform format (?format=shopify) only by its platform's
	// signature with the source's secret (policy_checks.go).
	"POST /api/v1/rooms/:room/events": allow(feeders...).inRoom().limit(auth.ClassIngest).maxBody(-1).signed(),
	"GET /api/v1/rooms/:room/ingest":  allow(feeders...).inRoom().limit(auth.ClassIngest).socket(),

	// Connectors: platform formats at ingest (above), settings and secrets
	// per room and source, samples tried without effect, dead letters.
	"GET /api/v1/connectors/formats":                  allow(staff...),
	"GET /api/v1/rooms/:room/connectors":              allow(staff...).inRoom(),
	"GET /api/v1/rooms/:room/connectors/:source":      allow(staff...).inRoom(),
	"PUT /api/v1/rooms/:room/connectors/:source":      allow(admins...).inRoom().audited("connector.put"),
	"DELETE /api/v1/rooms/:room/connectors/:source":   allow(admins...).inRoom().audited("connector.delete"),
	"POST /api/v1/rooms/:room/connectors/:source/try": allow(editors...).inRoom().maxBody(-1),
	"GET /api/v1/rooms/:room/dead-letters":            allow(staff...).inRoom(),
	"POST /api/v1/rooms/:room/dead-letters/replay":    allow(editors...).inRoom().audited("dead_letters.replay"),

	// The console's live feed: every requested room in scope, views by role.
	"GET /ws": allow(viewers...).socket().also(wsRoomsAndView),

	// Rules, pricing, gifts and the review.
	"GET /api/v1/rooms/:room/rules":           allow(staff...).inRoom(),
	"PUT /api/v1/rooms/:room/rules":           allow(editors...).inRoom().audited("rules.put"),
	"POST /api/v1/rooms/:room/rules/validate": allow(editors...).inRoom(),
	"POST /api/v1/rooms/:room/rules/dry-run":  allow(editors...).inRoom(),
	"POST /api/v1/rooms/:room/rules/rollback": allow(editors...).inRoom().audited("rules.rollback"),
	"GET /api/v1/rooms/:room/rules/history":   allow(staff...).inRoom(),
	"GET /api/v1/rules/templates":             allow(staff...),
	"GET /api/v1/rooms/:room/rules/versions":  allow(staff...).inRoom(),
	"GET /api/v1/rooms/:room/pricing":         allow(anyone...).inRoom(),
	"GET /api/v1/rooms/:room/gifts":           allow(staff...).inRoom(),
	"GET /api/v1/rooms/:room/review":          allow(staff...).inRoom().also(reviewCompareInScope),
	"POST /api/v1/rooms/:room/close":          allow(editors...).inRoom().audited("room.close"),
	"POST /api/v1/rooms/:room/archive":        allow(admins...).inRoom().audited("room.archive"),
	"DELETE /api/v1/rooms/:room":              allow(admins...).inRoom().audited("room.delete"),

	// Named secrets rule webhooks sign with: admins of every room; values
	// are write-only; the handlers audit each change.
	"GET /api/v1/rule-secrets":          allow(admins...).also(allRoomsAdmin),
	"POST /api/v1/rule-secrets":         allow(admins...).also(allRoomsAdmin),
	"PUT /api/v1/rule-secrets/:name":    allow(admins...).also(allRoomsAdmin),
	"DELETE /api/v1/rule-secrets/:name": allow(admins...).also(allRoomsAdmin),

	// Administration.
	"GET /api/v1/users":                                  allow(admins...),
	"POST /api/v1/users":                                 allow(admins...),
	"PATCH /api/v1/users/:user":                          allow(admins...),
	"GET /api/v1/tokens":                                 allow(admins...),
	"POST /api/v1/tokens":                                allow(admins...),
	"DELETE /api/v1/tokens/:id":                          allow(admins...),
	"GET /api/v1/rooms/:room/host-links":                 allow(editors...).inRoom(),
	"POST /api/v1/rooms/:room/host-links":                allow(editors...).inRoom(),
	"DELETE /api/v1/rooms/:room/host-links/:id":          allow(editors...).inRoom(),
	"POST /api/v1/rooms/:room/webhook-secrets":           allow(admins...).inRoom(),
	"DELETE /api/v1/rooms/:room/webhook-secrets/:source": allow(admins...).inRoom(),
	"GET /api/v1/audit":                                  allow(admins...),
}
