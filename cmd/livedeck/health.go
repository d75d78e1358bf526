package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// cmdHealth checks a server's readiness: the container health check, since
// the runtime image has no shell or curl.
func cmdHealth(ctx context.Context, args []string) error {
	var url string
	fs := newFlagSet("health", "Exits 0 when the server at --url answers 200, 1 otherwise.")
	fs.String(&url, "url", "LIVEDECK_HEALTH_URL", "http://127.0.0.1:8080/readyz", "readiness URL")
	if err := fs.parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %d", url, resp.StatusCode)
	}
	return nil
}
