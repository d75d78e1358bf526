package auth

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

// ClientIP is the caller's IP: the peer address, or, when the peer is a
// trusted proxy, the nearest untrusted address in X-Forwarded-For.
func (s *Service) ClientIP(remoteAddr string, forwardedFor []string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	if len(s.proxies) == 0 || !s.trusted(host) {
		return host
	}
	var hops []string
	for _, v := range forwardedFor {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if _, err := netip.ParseAddr(hops[i]); err != nil {
			break // garbage: stop believing the header
		}
		if !s.trusted(hops[i]) {
			return hops[i]
		}
	}
	return host
}

func (s *Service) trusted(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// parsePrefixes parses validated CIDRs.
func parsePrefixes(cidrs []string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

type ipKey struct{}

// WithClientIP returns ctx carrying the caller's IP for the audit log.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

func clientIPFrom(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}
