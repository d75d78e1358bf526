package rules

import (
	"context"
	"strings"
)

// redacted replaces a secret's value in a stored rule set.
const redacted = "REDACTED"

// Current is the room's current version as anyone who may read rules sees
// it: a secret value a rule set saved before secrets became references may
// hold is replaced by REDACTED (webhooks only name secrets now).
func (s *Service) Current(ctx context.Context, room string) (Version, error) {
	v, err := s.Store.Current(ctx, room)
	if err != nil {
		return v, err
	}
	vs, err := s.redact(ctx, []Version{v})
	if err != nil {
		return Version{}, err
	}
	return vs[0], nil
}

// Versions is Store.Versions, redacted as Current is.
func (s *Service) Versions(ctx context.Context, room string) ([]Version, error) {
	vs, err := s.Store.Versions(ctx, room)
	if err != nil {
		return nil, err
	}
	return s.redact(ctx, vs)
}

func (s *Service) redact(ctx context.Context, vs []Version) ([]Version, error) {
	var names map[string]bool
	for i := range vs {
		if !strings.Contains(vs[i].Source, "secret") {
			continue
		}
		if names == nil {
			var err error
			if names, err = s.Secrets.Names(ctx); err != nil {
				return nil, err
			}
		}
		vs[i].Source = redactSource(vs[i].Source, names)
	}
	return vs, nil
}

// redactSource replaces every webhook secret of src that names no known
// secret: a value pasted into a rule set before secrets became names.
func redactSource(src string, names map[string]bool) string {
	rs, err := Parse([]byte(src))
	if err != nil {
		return src
	}
	for _, r := range rs.Rules {
		for _, a := range r.Actions {
			if a.Webhook != nil && a.Webhook.Secret != "" && !names[a.Webhook.Secret] {
				src = strings.ReplaceAll(src, a.Webhook.Secret, redacted)
			}
		}
	}
	return src
}
