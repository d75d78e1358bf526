package rules

import (
	"context"
	"fmt"
)

// checkHooks checks each webhook action of a compiled set against Redis
// and the network: its secret names an existing secret (a value pasted in
// is refused, never echoed), its URL reaches no internal address the
// operator did not allow. Problems carry the rule and the source line.
func (s *Service) checkHooks(ctx context.Context, c *Compiled) (Problems, error) {
	var (
		probs Problems
		names map[string]bool
		pos   []map[string]int
	)
	for i, r := range c.rules {
		for j, a := range r.Actions {
			if a.Webhook == nil {
				continue
			}
			field := fmt.Sprintf("actions[%d].webhook", j)
			add := func(f, msg string, warn bool) {
				if pos == nil {
					pos = positions(c.Set.src)
				}
				p := Problem{Rule: r.Name, Field: field + f, Message: msg, Warning: warn}
				p.Source = sourceLine(pos, i, p)
				probs = append(probs, p)
			}
			if msg, warn := s.Engine.policy.checkURL(ctx, a.Webhook.URL, s.resolver); msg != "" {
				add(".url", msg, warn)
			}
			name := a.Webhook.Secret
			if name == "" {
				continue
			}
			if checkSecretName(name) != nil {
				add(".secret", "a rule names a secret (secret: shop-hook), it never holds one: an admin stores the value with POST /api/v1/rule-secrets", false)
				continue
			}
			if names == nil {
				var err error
				if names, err = s.Secrets.Names(ctx); err != nil {
					return nil, err
				}
			}
			if !names[name] {
				add(".secret", fmt.Sprintf("no secret called %q: an admin creates it with POST /api/v1/rule-secrets (a rule names a secret, it never holds one)", name), false)
			}
		}
	}
	return probs, nil
}
