package rules

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestRuleSecretsAreReferences: a rule set names a webhook secret; a value
// pasted in, or a name no admin created, is refused with the rule and its
// line, and nothing anyone can read of the rules shows a secret's value —
// not even a value saved before secrets became references.
func TestRuleSecretsAreReferences(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	svc, _ := hookService(t, rdb, WebhookConfig{})
	const value = "9f3c1e0b7a5d4c2e8f6a1b3c5d7e9f00"
	createSecret(t, svc, "shop-hook", value)
	plan := func(secret string) string {
		return "rules:\n- name: shop\n  when: online >= 500\n  actions:\n  - webhook: {url: \"https://93.184.216.34/hook\", secret: \"" + secret + "\"}\n"
	}
	for _, c := range []struct {
		secret, want string
	}{
		{secret: "whsec_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==", want: "never holds one"},
		{secret: "Sup3r Secret!", want: "never holds one"},
		{secret: value, want: "no secret called"},
		{secret: "other-hook", want: "no secret called"},
	} {
		_, probs, err := svc.Put(ctx, "r", []byte(plan(c.secret)), "test", "")
		var inv *InvalidError
		if !errors.As(err, &inv) {
			t.Fatalf("secret %q accepted (%v)", c.secret, err)
		}
		p := probs.Errors()[0]
		if p.Rule != "shop" || p.Field != "actions[0].webhook.secret" || p.Source != 5 || !strings.Contains(p.Message, c.want) {
			t.Errorf("secret %q: problem %+v, want rule shop, line 5, %q", c.secret, p, c.want)
		}
		if strings.Contains(inv.Error(), "Sup3r") || strings.Contains(inv.Error(), "whsec_") {
			t.Errorf("the refusal repeats the pasted value: %s", inv.Error())
		}
	}
	if _, _, err := svc.Put(ctx, "r", []byte(plan("shop-hook")), "test", ""); err != nil {
		t.Fatalf("a named secret refused: %v", err)
	}
	// A version saved before secrets were names, with a value in it.
	legacy := "rules:\n- name: old\n  when: online >= 500\n  actions:\n  - webhook: {url: \"https://93.184.216.34/hook\", secret: legacy-s3cret-value}\n"
	if _, err := svc.Store.Save(ctx, "r", Version{Author: "before", Source: legacy}, -1); err != nil {
		t.Fatal(err)
	}
	cur, err := svc.Current(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := svc.Versions(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(vs, cur) {
		if strings.Contains(v.Source, value) || strings.Contains(v.Source, "legacy-s3cret-value") {
			t.Errorf("version %d shows a secret: %s", v.Version, v.Source)
		}
	}
	if !strings.Contains(cur.Source, "secret: "+redacted) {
		t.Errorf("legacy secret not redacted: %s", cur.Source)
	}
	if len(vs) != 2 || !strings.Contains(vs[1].Source, "secret: \"shop-hook\"") {
		t.Errorf("the named reference should stay readable: %+v", vs)
	}
}

// TestRuleSecretStore: create, rotate, list and delete; values are checked
// and never listed.
func TestRuleSecretStore(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	s := NewSecrets(rdb)
	const v1, v2 = "first-value-0123456789", "second-value-0123456789"
	cases := []struct {
		name string
		op   func() error
		code string
	}{
		{"create", func() error { _, err := s.Create(ctx, "shop-hook", v1); return err }, ""},
		{"create again", func() error { _, err := s.Create(ctx, "shop-hook", v2); return err }, livedeck.ECONFLICT},
		{"bad name", func() error { _, err := s.Create(ctx, "Shop Hook", v1); return err }, livedeck.EINVALID},
		{"short value", func() error { _, err := s.Create(ctx, "short", "abc"); return err }, livedeck.EINVALID},
		{"rotate", func() error { _, err := s.Rotate(ctx, "shop-hook", v2); return err }, ""},
		{"rotate missing", func() error { _, err := s.Rotate(ctx, "nope", v2); return err }, livedeck.ENOTFOUND},
		{"delete missing", func() error { return s.Delete(ctx, "nope") }, livedeck.ENOTFOUND},
	}
	for _, c := range cases {
		if err := c.op(); livedeck.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s: %v, want code %q", c.name, err, c.code)
		}
	}
	if got, _ := s.Value(ctx, "shop-hook"); got != v2 {
		t.Errorf("value after rotation %q, want %q", got, v2)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "shop-hook" || list[0].Created == 0 || list[0].Rotated == 0 {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := s.Delete(ctx, "shop-hook"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Value(ctx, "shop-hook"); livedeck.ErrorCode(err) != livedeck.ENOTFOUND {
		t.Errorf("deleted secret still readable: %v", err)
	}
}
