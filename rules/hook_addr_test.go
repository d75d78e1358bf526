package rules

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/internal/redistest"
)

// TestWebhookAddressPolicy: a rule webhook to an internal address is
// refused at validation, with the rule and its line, unless the operator's
// allow-list names it.
func TestWebhookAddressPolicy(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	cases := []struct {
		url   string
		allow string
		ok    bool
	}{
		{url: "http://127.0.0.1:9/hook"},
		{url: "http://127.0.0.1:9/hook", allow: "127.0.0.1", ok: true},
		{url: "http://127.0.0.1:9/hook", allow: "10.0.0.0/8"},
		{url: "http://[::1]:9/hook"},
		{url: "http://[::ffff:127.0.0.1]/hook"},
		{url: "http://localhost:8080/hook"},
		{url: "http://169.254.169.254/latest/meta-data/"},
		{url: "http://[fd00:ec2::254]/latest/meta-data/"},
		{url: "http://100.100.100.200/latest/meta-data/"},
		{url: "http://10.1.2.3/hook"},
		{url: "http://10.1.2.3/hook", allow: "10.1.2.0/24", ok: true},
		{url: "http://172.16.0.1/hook"},
		{url: "http://192.168.1.1/hook"},
		{url: "http://[fc00::1]/hook"},
		{url: "http://[fe80::1]/hook"},
		{url: "http://0.0.0.0/hook"},
		{url: "http://[::]/hook"},
		{url: "http://224.0.0.1/hook"},
		{url: "https://93.184.216.34/hook", ok: true},
		{url: "https://[2606:2800:220:1:248:1893:25c8:1946]/hook", ok: true},
	}
	for _, c := range cases {
		t.Run(c.url+" allow "+c.allow, func(t *testing.T) {
			allow, err := ParseAllowList(c.allow)
			if err != nil {
				t.Fatal(err)
			}
			svc, _ := hookService(t, rdb, WebhookConfig{Policy: AddrPolicy{Allow: allow}})
			src := "rules:\n- name: shop\n  when: online >= 500\n  actions:\n  - webhook: {url: \"" + c.url + "\"}\n"
			_, probs, err := svc.Validate(ctx, []byte(src), "")
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("accepted (%v), want refused", err)
			}
			p := probs.Errors()[0]
			if p.Rule != "shop" || p.Field != "actions[0].webhook.url" || p.Source != 5 || !strings.Contains(p.Message, "--webhook-allow") {
				t.Errorf("problem %+v: want rule shop, field actions[0].webhook.url, line 5, naming --webhook-allow", p)
			}
		})
	}
}

// TestWebhookDialTimeCheck: the address policy holds at dial time, on the
// address actually dialled, even for a rule set that passed validation
// elsewhere (or a name that resolves differently later): nothing reaches
// the receiver and the alert says "blocked".
func TestWebhookDialTimeCheck(t *testing.T) {
	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	saver, _ := hookService(t, rdb, fastHooks(loopback))
	src := "rules:\n- name: internal\n  when: online >= 500\n  actions: [{webhook: {url: " + rc.URL + "}}]\n"
	if _, _, err := saver.Put(ctx, "d", []byte(src), "test", ""); err != nil {
		t.Fatal(err)
	}
	strict, reg := hookService(t, rdb, fastHooks(AddrPolicy{}))
	defer runEngine(strict)()
	fire(t, strict, "d")
	waitFor(t, "the blocked webhook's alert", 10*time.Second, func() bool {
		for _, m := range alerts(t, strict, "d") {
			if strings.Contains(m, "blocked") {
				return true
			}
		}
		return false
	})
	if n := rc.count(); n != 0 {
		t.Fatalf("receiver on loopback got %d requests without an allow-list", n)
	}
	if got := counter(t, reg, "livedeck_rules_webhook_failures_total", "blocked"); got != 3 {
		t.Errorf("webhook_failures_total{code=blocked} = %v, want the 3 tries", got)
	}
}

func TestParseAllowList(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: "", want: nil},
		{in: "127.0.0.1", want: []string{"127.0.0.1/32"}},
		{in: " 10.1.2.7/24 , ::1 ", want: []string{"10.1.2.0/24", "::1/128"}},
		{in: "::ffff:10.0.0.1", want: []string{"10.0.0.1/32"}},
		{in: "shop.internal", bad: true},
		{in: "10.0.0.0/33", bad: true},
	}
	for _, c := range cases {
		got, err := ParseAllowList(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v, want bad=%v", c.in, err, c.bad)
			continue
		}
		var gs []string
		for _, p := range got {
			gs = append(gs, p.String())
		}
		if strings.Join(gs, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q: %v, want %v", c.in, gs, c.want)
		}
	}
}

// FuzzParseAllowList: whatever an operator writes, a parsed list only
// allows what it names.
func FuzzParseAllowList(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1", "10.0.0.0/8,::1", "fd00::/8, 192.168.0.1", "x", "1.2.3.4/99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseAllowList(s)
		if err != nil {
			return
		}
		p := AddrPolicy{Allow: ps}
		for _, a := range []string{"127.0.0.1", "169.254.169.254", "10.0.0.1", "fd00:ec2::254"} {
			addr := netip.MustParseAddr(a)
			named := false
			for _, pr := range ps {
				named = named || pr.Contains(addr)
			}
			if p.Allowed(addr) != named {
				t.Fatalf("%q: %s allowed=%v, named=%v", s, a, p.Allowed(addr), named)
			}
		}
	})
}
