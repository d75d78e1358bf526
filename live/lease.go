package live

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// A lease gives one instance a room: SET NX with a TTL, renewed while the
// owner lives. When an owner dies its lease expires and another instance
// takes the room at its next scan.
var (
	renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)
	acquireScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`)
	releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
)

func acquire(ctx context.Context, rdb redis.UniversalClient, key, token string, ttl time.Duration) (bool, error) {
	// Taking a lease this instance already holds (e.g. after its runner
	// stopped on an error) succeeds, so the room need not wait for the TTL.
	n, err := acquireScript.Run(ctx, rdb, []string{key}, token, ttl.Milliseconds()).Int()
	return n == 1, err
}

func renew(ctx context.Context, rdb redis.UniversalClient, key, token string, ttl time.Duration) (bool, error) {
	n, err := renewScript.Run(ctx, rdb, []string{key}, token, ttl.Milliseconds()).Int()
	return n == 1, err
}

func release(ctx context.Context, rdb redis.UniversalClient, key, token string) error {
	return releaseScript.Run(ctx, rdb, []string{key}, token).Err()
}
