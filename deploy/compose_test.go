// Package deploy holds the files that run LiveDeck next to its peers and
// the tests that keep them true; docker-compose.yml stays at the top level.
package deploy

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// loadCompose loads ../docker-compose.yml as `docker compose config` does
// (compose-go is Compose's own loader), with env as the only environment.
func loadCompose(t *testing.T, env ...string) (map[string]*string, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"}, cli.WithEnv(env), cli.WithName("livedeck"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	svc, ok := p.Services["livedeck"]
	if !ok {
		t.Fatal("no livedeck service")
	}
	return svc.Environment, nil
}

// The compose file refuses to start without an admin token: a fallback
// value in the file would be a known password on a published port.
func TestComposeNeedsAdminToken(t *testing.T) {
	_, err := loadCompose(t)
	if err == nil || !strings.Contains(err.Error(), "LIVEDECK_ADMIN_TOKEN") {
		t.Fatalf("loaded without LIVEDECK_ADMIN_TOKEN (err %v): a default token would be in use", err)
	}
	const tok = "0123456789abcdef0123456789abcdef0123456789abcdef"
	env, err := loadCompose(t, "LIVEDECK_ADMIN_TOKEN="+tok)
	if err != nil {
		t.Fatalf("with a token: %v", err)
	}
	if got := env["LIVEDECK_ADMIN_TOKEN"]; got == nil || *got != tok {
		t.Errorf("LIVEDECK_ADMIN_TOKEN in the service = %v, want the one given", got)
	}
}

// The build context leaves out what must not reach the image or would
// overwrite what the Dockerfile installs.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{".git", "bin", "artifacts", "console/node_modules", "**/node_modules"} {
		if !lines[want] {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
}
