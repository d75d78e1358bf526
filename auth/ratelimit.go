package auth

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Rate limit classes.
const (
	ClassLogin  = "login"
	ClassAPI    = "api"
	ClassIngest = "ingest"
)

// RateLimitedError is a 429 that says when to come back; the server turns
// RetryAfterSeconds into a Retry-After header.
type RateLimitedError struct {
	err   *livedeck.Error
	retry time.Duration
}

func (e *RateLimitedError) Error() string { return e.err.Error() }
func (e *RateLimitedError) Unwrap() error { return e.err }

// RetryAfterSeconds is the wait, rounded up, at least 1.
func (e *RateLimitedError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.retry.Seconds())))
}

func rateLimited(what string, retry time.Duration) error {
	return &RateLimitedError{
		err:   livedeck.Errorf(livedeck.ERATELIMIT, "", "too many %s requests: retry in %s", what, retry.Round(time.Second)),
		retry: retry,
	}
}

// allow takes n from the bucket of class/who; n = 0 only looks whether
// one more would be allowed, without taking it.
func (s *Service) allow(ctx context.Context, class, who string, limit redis_rate.Limit, n int) error {
	res, err := s.limiter.AllowN(ctx, redisx.AuthRateLimit(class, who), limit, n)
	if err != nil {
		return unavailable("rate limit", err)
	}
	retry := res.RetryAfter
	if n == 0 && res.Remaining < 1 && retry <= 0 {
		retry = limit.Period / time.Duration(limit.Rate) // the next slot frees within one interval
	}
	if res.Allowed < n || (n == 0 && res.Remaining < 1) {
		s.m.limited.WithLabelValues(class).Inc()
		return rateLimited(class, retry)
	}
	return nil
}

// AllowIP counts one request from a client IP against the per-IP API limit.
func (s *Service) AllowIP(ctx context.Context, ip string) error {
	return s.allowBlock(ctx, ClassAPI, "ip:"+ip, s.cfg.Limits.APIPerIP)
}

// AllowPrincipal counts one request of p against its class's limit: ingest
// or API.
func (s *Service) AllowPrincipal(ctx context.Context, class string, p *Principal) error {
	limit := s.cfg.Limits.APIPerPrincipal
	if class == ClassIngest {
		limit = s.cfg.Limits.IngestPerCred
	}
	return s.allowBlock(ctx, class, p.Kind+":"+p.ID, limit)
}

// allowBlock takes one request from the bucket of class/who through the
// instance's blocks (blocklimit.go): the same buckets, refusals and
// Retry-After as allow, with Redis asked about once per block.
func (s *Service) allowBlock(ctx context.Context, class, who string, limit redis_rate.Limit) error {
	ok, retry, err := s.blocks.take(ctx, redisx.AuthRateLimit(class, who), limit)
	if err != nil {
		return unavailable("rate limit", err)
	}
	if !ok {
		s.m.limited.WithLabelValues(class).Inc()
		return rateLimited(class, retry)
	}
	return nil
}
