package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/redisx"
)

// authCommands counts the Redis commands that authentication and rate
// limits send: those naming an auth or rate-limit key, or a room's webhook
// secrets.
type authCommands struct {
	webhookKeys map[string]bool
	n           atomic.Int64
}

func (h *authCommands) count(cmd redis.Cmder) {
	for _, a := range cmd.Args() {
		if s, ok := a.(string); ok && (strings.HasPrefix(s, "ld:auth:") || strings.HasPrefix(s, "rate:") || h.webhookKeys[s]) {
			h.n.Add(1)
			return
		}
	}
}

func (h *authCommands) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *authCommands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count(cmd)
		return next(ctx, cmd)
	}
}

func (h *authCommands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.count(c)
		}
		return next(ctx, cmds)
	}
}

// TestAuthOffTheRedisPath: once a credential's first request has taken its
// rate-limit blocks and looked up its token and webhook secret, its next
// requests cost Redis nothing for authentication (until a block is spent
// or LookupTTL, 10 s here, far longer than the test, passes), where each
// used to make four calls.
func TestAuthOffTheRedisPath(t *testing.T) {
	f := newAuthFixture(t, auth.Config{Limits: roomyLimits, LookupTTL: 10 * time.Second}, Config{})
	hook := &authCommands{webhookKeys: map[string]bool{redisx.Room("a").WebhookSecrets(): true}}
	f.rdb.AddHook(hook)
	ingest, operator := f.token(t, auth.Ingest, "a"), f.token(t, auth.Operator, "a")
	ingestHeader := jsonHeader(bearer(ingest))
	for _, tc := range []struct {
		name string
		req  func(i int) request
	}{
		{"ingest with a token", func(i int) request {
			return request{method: "POST", path: "/api/v1/rooms/a/events?source=shop", header: ingestHeader,
				body: fmt.Sprintf(`[{"id":"e-%d","type":"viewers","ts":%d,"online":%d}]`, i, time.Now().UnixMilli(), i)}
		}},
		{"API with a token", func(int) request {
			return request{method: "GET", path: "/api/v1/rooms/a", header: bearer(operator)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 51 {
				if i == 1 {
					hook.n.Store(0) // the first request took the blocks and made the lookups
				}
				if rec := f.do(tc.req(i)); rec.Code != http.StatusOK {
					t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body)
				}
			}
			if got := hook.n.Load(); got != 0 {
				t.Fatalf("50 requests after the first sent %d auth commands to Redis, want none", got)
			}
		})
	}
}
