package auth

import (
	"slices"
	"strings"

	"github.com/livedeck/livedeck"
)

// Scope rules for administration: nobody hands out more than it holds.
//
//   - A caller grants only a role no stronger than its own (ingest only by
//     admins) and only rooms within its own scope ("*" only from "*").
//   - Only an all-rooms admin creates, changes or revokes admins.
//   - A scoped caller changes or revokes only users and tokens whose rooms
//     all lie within its scope, and lists only those.
//   - A scoped caller reads only audit entries about its rooms.
//
// A nil principal is LiveDeck itself (start-up, tests): unrestricted.

// rank orders the console roles; ingest stands apart and only admins grant it.
var rank = map[Role]int{Host: 1, Operator: 2, Producer: 3, Admin: 4}

// Covers reports whether every room in rooms lies within p's scope.
func (p *Principal) Covers(rooms []string) bool {
	if p == nil || p.AllRooms() {
		return true
	}
	for _, r := range rooms {
		if r == AllRooms || !slices.Contains(p.Rooms, r) {
			return false
		}
	}
	return true
}

// CheckGrant refuses a role and rooms p may not hand out (field: the
// request field at fault).
func (p *Principal) CheckGrant(role Role, rooms []string) error {
	if p == nil {
		return nil
	}
	switch {
	case role == Admin && !p.AllRooms():
		return livedeck.Errorf(livedeck.EFORBIDDEN, "role", "only an all-rooms admin may grant the admin role; %s is limited to rooms %s", p.Name, strings.Join(p.Rooms, ","))
	case role == Ingest && p.Role != Admin, role != Ingest && rank[role] > rank[p.Role]:
		return livedeck.Errorf(livedeck.EFORBIDDEN, "role", "%s (role %s) may not grant the %s role", p.Name, p.Role, role)
	case !p.Covers(rooms):
		return livedeck.Errorf(livedeck.EFORBIDDEN, "rooms", "%s may grant only rooms within its scope (%s), not %s", p.Name, strings.Join(p.Rooms, ","), strings.Join(rooms, ","))
	}
	return nil
}

// CheckManage refuses changing or revoking a user or token of role and
// rooms that p may not manage. what names it ("user alice", "token 9f…").
func (p *Principal) CheckManage(what string, role Role, rooms []string) error {
	if p == nil {
		return nil
	}
	switch {
	case role == Admin && !p.AllRooms():
		return livedeck.Errorf(livedeck.EFORBIDDEN, "", "%s is an admin: only an all-rooms admin may change it", what)
	case !p.Covers(rooms):
		return livedeck.Errorf(livedeck.EFORBIDDEN, "", "%s has rooms %s outside %s's scope (%s)", what, strings.Join(rooms, ","), p.Name, strings.Join(p.Rooms, ","))
	}
	return nil
}

// SeesEntry reports whether p may read an audit entry: all-rooms callers
// see everything, scoped ones only entries about one of their rooms.
func (p *Principal) SeesEntry(e Entry) bool {
	if p == nil || p.AllRooms() {
		return true
	}
	return e.Room != "" && p.CanRoom(e.Room)
}
