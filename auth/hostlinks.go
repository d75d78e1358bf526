package auth

import (
	"context"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// NewHostLink is what a producer or admin asks for: a label and an
// optional lifetime.
type NewHostLink struct {
	Name      string `json:"name"`
	ExpiresIn string `json:"expires_in,omitempty"` // Go duration; empty: never
}

// CreateHostLink issues a host-role key for one room, for a tablet or an OBS
// browser source (…/host?room=R&key=…). It is revocable like a token.
func (s *Service) CreateHostLink(ctx context.Context, by *Principal, room string, nl NewHostLink) (IssuedToken, error) {
	if !livedeck.ValidID(room) {
		return IssuedToken{}, livedeck.Errorf(livedeck.EINVALID, "room", "not a room id")
	}
	if nl.Name == "" {
		nl.Name = "host link"
	}
	t, err := s.tokenFrom(NewToken{Name: nl.Name, Role: string(Host), Rooms: []string{room}, ExpiresIn: nl.ExpiresIn})
	if err != nil {
		return IssuedToken{}, err
	}
	t.Kind, t.CreatedBy = KindHostLink, who(by)
	issued, err := s.issue(ctx, t, prefixHostLink, redisx.Room(room).HostLinks())
	if err != nil {
		return IssuedToken{}, err
	}
	s.Audit(ctx, by, Entry{Action: "host_link.create", Room: room, Target: t.ID})
	return issued, nil
}

// ListHostLinks lists a room's host links without their keys.
func (s *Service) ListHostLinks(ctx context.Context, room string) ([]Token, error) {
	return s.listIndexed(ctx, redisx.Room(room).HostLinks())
}

// RevokeHostLink deletes a room's host link.
func (s *Service) RevokeHostLink(ctx context.Context, by *Principal, room, id string) error {
	if err := s.revokeIndexed(ctx, redisx.Room(room).HostLinks(), id); err != nil {
		return err
	}
	s.Audit(ctx, by, Entry{Action: "host_link.revoke", Room: room, Target: id})
	return nil
}
