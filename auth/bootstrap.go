package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/livedeck/livedeck"
)

// SecretsFromEnv fills the admin and metrics tokens from the environment:
// LIVEDECK_ADMIN_TOKEN or LIVEDECK_ADMIN_TOKEN_FILE, LIVEDECK_METRICS_TOKEN
// or LIVEDECK_METRICS_TOKEN_FILE (a file wins; its content is trimmed).
// Secrets never come from flags, which other users see in ps.
func SecretsFromEnv(cfg *Config, getenv func(string) string) error {
	var err error
	if cfg.AdminToken, err = secretFrom(getenv, "LIVEDECK_ADMIN_TOKEN"); err != nil {
		return err
	}
	cfg.MetricsToken, err = secretFrom(getenv, "LIVEDECK_METRICS_TOKEN")
	return err
}

func secretFrom(getenv func(string) string, name string) (string, error) {
	file := getenv(name + "_FILE")
	if file == "" {
		return strings.TrimSpace(getenv(name)), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// HowToAdmin says how to give serve an admin credential.
const HowToAdmin = `no admin credential: LiveDeck refuses to start without one. Create a token and pass it in the environment:
  export LIVEDECK_ADMIN_TOKEN=$(openssl rand -hex 32)
or keep it in a file readable only by LiveDeck:
  openssl rand -hex 32 > /run/secrets/livedeck_admin && export LIVEDECK_ADMIN_TOKEN_FILE=/run/secrets/livedeck_admin
then create console users with it (POST /api/v1/users, see docs/security.md)`

// RequireAdmin checks that someone can administer this LiveDeck: a
// bootstrap token is configured or an enabled admin user exists in Redis.
func (s *Service) RequireAdmin(ctx context.Context) error {
	if s.cfg.AdminToken != "" {
		return nil
	}
	users, err := s.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Role == Admin && !u.Disabled {
			return nil
		}
	}
	return errors.New(HowToAdmin)
}

// DemoLogin is a demo credential to print.
type DemoLogin struct {
	Role     Role
	User     string // console user name; empty for the ingest token
	Password string // or the ingest token
}

// SeedDemo creates (or resets) a console user per role with a random
// password, plus an ingest token for rooms, for `livedeck demo`.
func (s *Service) SeedDemo(ctx context.Context, rooms []string) ([]DemoLogin, error) {
	var out []DemoLogin
	for _, role := range []Role{Admin, Producer, Operator, Host} {
		scope := []string{AllRooms}
		if role == Host && len(rooms) > 0 {
			scope = rooms[:1]
		}
		name, pw := "demo-"+string(role), newSecret("")[:20]
		_, err := s.CreateUser(ctx, nil, NewUser{Name: name, Password: pw, Role: string(role), Rooms: scope})
		if livedeck.ErrorCode(err) == livedeck.ECONFLICT {
			r, sc := string(role), scope
			_, err = s.UpdateUser(ctx, nil, name, UserPatch{Role: &r, Rooms: &sc, Password: &pw})
		}
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", name, err)
		}
		out = append(out, DemoLogin{Role: role, User: name, Password: pw})
	}
	tok, err := s.CreateToken(ctx, nil, NewToken{Name: "demo ingest", Role: string(Ingest), Rooms: rooms, ExpiresIn: "24h"})
	if err != nil {
		return nil, fmt.Errorf("demo ingest token: %w", err)
	}
	return append(out, DemoLogin{Role: Ingest, Password: tok.Secret}), nil
}

// FormatDemo renders demo logins for the terminal.
func FormatDemo(logins []DemoLogin) string {
	var b strings.Builder
	b.WriteString("  Logins (new random passwords each run):\n")
	for _, l := range logins {
		if l.User == "" {
			fmt.Fprintf(&b, "    %-9s token %s  (Authorization: Bearer …)\n", l.Role, l.Password)
			continue
		}
		fmt.Fprintf(&b, "    %-9s user %-14s password %s\n", l.Role, l.User, l.Password)
	}
	return b.String()
}
