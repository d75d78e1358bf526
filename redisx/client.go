// Package redisx builds LiveDeck's Redis clients from a URL and names every
// Redis key LiveDeck uses. Keys of one room share a hash tag, so multi-key
// scripts and pipelines on a room run unchanged on Redis Cluster.
package redisx

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options tune the clients; zero values take the defaults noted.
type Options struct {
	PoolSize     int           // zero means go-redis' default (10 per CPU)
	DialTimeout  time.Duration // zero means 2 s
	ReadTimeout  time.Duration // zero means 3 s
	WriteTimeout time.Duration // zero means 3 s
}

// ParseURL turns a LiveDeck Redis URL into universal client options.
// Context deadlines bound every call (go-redis ignores them otherwise and
// waits out its own read timeout), so a request's budget holds whatever
// Redis does.
//
//	redis://[user:pass@]host:port[/db]         standalone
//	rediss://...                                standalone over TLS
//	redis+cluster://host1:port?addr=host2:port  Redis Cluster (any seed node;
//	rediss+cluster://...                        more seeds with addr=)
func ParseURL(raw string, o Options) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("redis url %q: no host", redact(raw))
	}
	dial, rd, wr := def(o.DialTimeout, 2*time.Second), def(o.ReadTimeout, 3*time.Second), def(o.WriteTimeout, 3*time.Second)
	switch u.Scheme {
	case "redis", "rediss":
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("redis url %q: %w", redact(raw), err)
		}
		return &redis.UniversalOptions{
			Addrs: []string{opt.Addr}, DB: opt.DB, Username: opt.Username, Password: opt.Password,
			TLSConfig: opt.TLSConfig, PoolSize: o.PoolSize, DialTimeout: dial, ReadTimeout: rd, WriteTimeout: wr,
			ContextTimeoutEnabled: true,
		}, nil
	case "redis+cluster", "rediss+cluster":
		plain := strings.TrimSuffix(u.Scheme, "+cluster") + raw[len(u.Scheme):]
		copt, err := redis.ParseClusterURL(plain)
		if err != nil {
			return nil, fmt.Errorf("redis cluster url %q: %w", redact(raw), err)
		}
		return &redis.UniversalOptions{
			Addrs: copt.Addrs, Username: copt.Username, Password: copt.Password, TLSConfig: copt.TLSConfig,
			IsClusterMode: true, PoolSize: o.PoolSize, DialTimeout: dial, ReadTimeout: rd, WriteTimeout: wr,
			ContextTimeoutEnabled: true,
		}, nil
	default:
		return nil, fmt.Errorf("redis url %q: scheme must be redis, rediss, redis+cluster or rediss+cluster", redact(raw))
	}
}

// New connects to the Redis at raw and checks it answers before ctx ends.
func New(ctx context.Context, raw string, o Options) (redis.UniversalClient, error) {
	opts, err := ParseURL(raw, o)
	if err != nil {
		return nil, err
	}
	c := redis.NewUniversalClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis %s unreachable: %w", redact(raw), err)
	}
	return c, nil
}

// Open builds a client without checking the server is up.
func Open(raw string, o Options) (redis.UniversalClient, error) {
	opts, err := ParseURL(raw, o)
	if err != nil {
		return nil, err
	}
	return redis.NewUniversalClient(opts), nil
}

func def(d, v time.Duration) time.Duration {
	if d == 0 {
		return v
	}
	return d
}

// redact hides a password so URLs may be logged.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redact hides the password in a Redis URL for logs and errors.
func Redact(raw string) string { return redact(raw) }
