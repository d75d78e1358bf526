package auth

import (
	"context"
	"net"
)

// TrustedPeer reports whether remoteAddr (host:port or host) is one of the
// trusted reverse proxies, whose X-Forwarded-For and X-Request-Id are
// believed.
func (s *Service) TrustedPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	return len(s.proxies) > 0 && s.trusted(host)
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request's id for the audit log.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom is the request id ctx carries ("" if none).
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
