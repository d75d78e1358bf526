package rules

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Outbound webhooks may not reach the machine or network LiveDeck runs on
// unless an operator says so: loopback, private (RFC 1918, ULA), shared
// (RFC 6598, where Alibaba Cloud keeps its metadata service), link-local
// (169.254.169.254, the metadata service of most clouds), unspecified,
// multicast and reserved addresses are refused at validation and again at
// dial time, on the address actually dialled, so a name that resolves to
// something else later (DNS rebinding) gains nothing.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",      // "this network", unspecified
		"10.0.0.0/8",     // RFC 1918
		"100.64.0.0/10",  // RFC 6598 shared address space (100.100.100.200: Alibaba Cloud metadata)
		"127.0.0.0/8",    // loopback
		"169.254.0.0/16", // link-local, 169.254.169.254 metadata
		"172.16.0.0/12",  // RFC 1918
		"192.0.0.0/24",   // IETF protocol assignments
		"192.168.0.0/16", // RFC 1918
		"198.18.0.0/15",  // benchmarking
		"224.0.0.0/3",    // multicast, reserved, broadcast
		"::/128",         // unspecified
		"::1/128",        // loopback
		"64:ff9b::/96",   // NAT64: embeds an IPv4 address
		"64:ff9b:1::/48", // local-use NAT64
		"100::/64",       // discard
		"2001:db8::/32",  // documentation
		"2002::/16",      // 6to4: embeds an IPv4 address
		"fc00::/7",       // ULA, fd00:ec2::254 (AWS metadata over IPv6)
		"fe80::/10",      // link-local
		"ff00::/8",       // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// AddrPolicy says which addresses outbound webhooks may reach. Its zero
// value refuses every internal address.
type AddrPolicy struct {
	// Allow lists internal addresses webhooks may reach anyway (a shop
	// system on the private network, a test receiver on loopback).
	Allow []netip.Prefix
}

// ParseAllowList reads a comma-separated list of CIDRs or single
// addresses, e.g. "10.1.2.0/24,127.0.0.1".
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("webhook allow-list: %q is neither a CIDR nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Allowed reports whether a webhook may reach a.
func (p AddrPolicy) Allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, al := range p.Allow {
		if al.Contains(a) {
			return true
		}
	}
	for _, b := range blockedPrefixes {
		if b.Contains(a) {
			return false
		}
	}
	return !a.IsLoopback() && !a.IsPrivate() && !a.IsLinkLocalUnicast() && !a.IsUnspecified() && !a.IsMulticast()
}

// errBlocked is a dial refused by the address policy.
var errBlocked = errors.New("address not allowed for webhooks")

// control is the dialer's Control func: it runs after the name is resolved
// and before each connection attempt, on the address actually dialled.
func (p AddrPolicy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", errBlocked, err)
	}
	if !p.Allowed(ap.Addr()) {
		return errBlocked
	}
	return nil
}

// dialer is a net.Dialer that refuses what the policy does not allow.
func (p AddrPolicy) dialer() *net.Dialer {
	return &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: p.control}
}

// checkURL refuses a webhook URL whose host is, or now resolves to, an
// address the policy does not allow. A name that does not resolve now is
// not refused (the dial-time check still holds): warn is set instead.
func (p AddrPolicy) checkURL(ctx context.Context, raw string, r *net.Resolver) (problem string, warn bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return "want an http(s) URL", false
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !p.Allowed(a) {
			return fmt.Sprintf("%s is an internal address (loopback, private, link-local or metadata); an operator can allow it with --webhook-allow", host), false
		}
		return "", false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Sprintf("host %s does not resolve now; it is checked again at each delivery", host), true
	}
	for _, a := range addrs {
		if !p.Allowed(a) {
			return fmt.Sprintf("host %s resolves to an internal address (loopback, private, link-local or metadata); an operator can allow it with --webhook-allow", host), false
		}
	}
	return "", false
}
