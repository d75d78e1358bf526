package redisx

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// slogLogger routes go-redis' internal log lines (dial retries and the like)
// to slog at debug level, so a down Redis gives one clear error, not a flood.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// RouteLogs sends go-redis' process-wide logger to log. Call once at start.
func RouteLogs(log *slog.Logger) { redis.SetLogger(slogLogger{log}) }
