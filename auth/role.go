package auth

import (
	"context"
	"slices"

	"github.com/livedeck/livedeck"
)

// Role is what a principal may do; rooms say where.
type Role string

// Roles, from most to least powerful. Ingest credentials only push events.
const (
	Admin    Role = "admin"    // manage rooms, users, tokens; everything
	Producer Role = "producer" // edit rules of their rooms
	Operator Role = "operator" // dashboard, acknowledge alerts, change stock
	Host     Role = "host"     // cue view of their room, acknowledge cues
	Ingest   Role = "ingest"   // push events to their rooms
)

// Roles lists every role.
var Roles = []Role{Admin, Producer, Operator, Host, Ingest}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", livedeck.Errorf(livedeck.EINVALID, "role", "want admin, producer, operator, host or ingest, got %q", s)
	}
	return r, nil
}

// AllRooms in a scope means every room, present and future.
const AllRooms = "*"

// Principal kinds: how a request proved who it is.
const (
	KindUser      = "user"      // console session of a user
	KindToken     = "token"     // API token
	KindHostLink  = "host_link" // per-room host link
	KindBootstrap = "bootstrap" // LIVEDECK_ADMIN_TOKEN
	KindWebhook   = "webhook"   // HMAC-signed webhook
)

// Principal is an authenticated caller.
type Principal struct {
	Kind  string   `json:"kind"`
	ID    string   `json:"id"`   // user name or token id: the key for limits and audit
	Name  string   `json:"name"` // for people: user name or token label
	Role  Role     `json:"role"`
	Rooms []string `json:"rooms"` // room ids, or ["*"] for all

	// Session is set for console sessions; state-changing requests must
	// carry its CSRF token.
	Session *Session `json:"-"`
}

// AllRooms reports whether p's scope covers every room.
func (p *Principal) AllRooms() bool { return slices.Contains(p.Rooms, AllRooms) }

// CanRoom reports whether p's scope covers room.
func (p *Principal) CanRoom(room string) bool {
	return p.AllRooms() || slices.Contains(p.Rooms, room)
}

// Is reports whether p has one of roles.
func (p *Principal) Is(roles ...Role) bool { return slices.Contains(roles, p.Role) }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller the request was authenticated as, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// checkRooms validates a scope: "*" alone, or room ids.
func checkRooms(rooms []string) ([]string, error) {
	if len(rooms) == 0 {
		return nil, livedeck.Errorf(livedeck.EINVALID, "rooms", `want room ids or ["*"] for all rooms`)
	}
	out := make([]string, 0, len(rooms))
	for _, r := range rooms {
		if r == AllRooms {
			if len(rooms) > 1 {
				return nil, livedeck.Errorf(livedeck.EINVALID, "rooms", `"*" must be alone`)
			}
		} else if !livedeck.ValidID(r) {
			return nil, livedeck.Errorf(livedeck.EINVALID, "rooms", "%q is not a room id", r)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) > 1000 {
		return nil, livedeck.Errorf(livedeck.EINVALID, "rooms", "at most 1000 rooms")
	}
	return out, nil
}
