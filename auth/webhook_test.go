package auth

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

func TestWebhookVerify(t *testing.T) {
	const secret = "whsec_test"
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`[{"id":"o1","type":"order","status":"paid"}]`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := SignWebhook(secret, now.Unix(), body)
	for _, tc := range []struct {
		name, secret, ts, sig, field string
		body                         []byte
		at                           time.Time
	}{
		{name: "good", secret: secret, ts: ts, sig: good, body: body, at: now},
		{name: "good at the window's edge", secret: secret, ts: ts, sig: good, body: body, at: now.Add(WebhookWindow)},
		{name: "tampered body", secret: secret, ts: ts, sig: good, body: []byte(`[{"id":"o1","type":"order","status":"refunded"}]`), at: now, field: HeaderSignature},
		{name: "wrong secret", secret: "whsec_other", ts: ts, sig: good, body: body, at: now, field: HeaderSignature},
		{name: "timestamp changed", secret: secret, ts: strconv.FormatInt(now.Unix()+1, 10), sig: good, body: body, at: now, field: HeaderSignature},
		{name: "too old", secret: secret, ts: ts, sig: good, body: body, at: now.Add(WebhookWindow + time.Second), field: HeaderTimestamp},
		{name: "from the future", secret: secret, ts: ts, sig: good, body: body, at: now.Add(-WebhookWindow - time.Second), field: HeaderTimestamp},
		{name: "no timestamp", secret: secret, ts: "", sig: good, body: body, at: now, field: HeaderTimestamp},
		{name: "no prefix", secret: secret, ts: ts, sig: good[len("sha256="):], body: body, at: now, field: HeaderSignature},
		{name: "not hex", secret: secret, ts: ts, sig: "sha256=zz", body: body, at: now, field: HeaderSignature},
		{name: "empty", secret: secret, ts: ts, sig: "", body: body, at: now, field: HeaderSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyWebhook(tc.secret, tc.ts, tc.sig, tc.body, tc.at)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*livedeck.Error)
			if !ok || e.Code != livedeck.EUNAUTHORIZED || e.Field != tc.field {
				t.Fatalf("got %v, want unauthorized on %s", err, tc.field)
			}
		})
	}
}

func TestWebhookReplayAndSecrets(t *testing.T) {
	s := newTestService(t, Config{})
	withClock(s, time.Now())
	if _, ok, _ := s.WebhookSecret(ctx, "a", "shop"); ok {
		t.Fatal("secret before any was set")
	}
	secret, err := s.SetWebhookSecret(ctx, nil, "a", "shop")
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.WebhookSecret(ctx, "a", "shop")
	if err != nil || !ok || got != secret {
		t.Fatalf("secret %q %v %v", got, ok, err)
	}
	if _, ok, _ := s.WebhookSecret(ctx, "a", "platform"); ok {
		t.Fatal("a source-specific secret covers another source")
	}
	if _, ok, _ := s.WebhookSecret(ctx, "b", "shop"); ok {
		t.Fatal("room a's secret covers room b")
	}

	body := []byte(`[]`)
	ts := s.now().Unix()
	sig := SignWebhook(secret, ts, body)
	p, err := s.CheckWebhook(ctx, "a", "shop", secret, strconv.FormatInt(ts, 10), sig, body)
	if err != nil || p.Role != Ingest || !p.CanRoom("a") || p.CanRoom("b") || p.Kind != KindWebhook {
		t.Fatalf("webhook principal %+v, %v", p, err)
	}
	_, err = s.CheckWebhook(ctx, "a", "shop", secret, strconv.FormatInt(ts, 10), sig, body)
	wantCode(t, err, livedeck.EUNAUTHORIZED) // replayed
	// The same signature in upper case is the same MAC: still a replay
	// (the marker was keyed on the text, so this was accepted again).
	upper := "sha256=" + strings.ToUpper(strings.TrimPrefix(sig, "sha256="))
	_, err = s.CheckWebhook(ctx, "a", "shop", secret, strconv.FormatInt(ts, 10), upper, body)
	wantCode(t, err, livedeck.EUNAUTHORIZED)

	all, err := s.SetWebhookSecret(ctx, nil, "b", AnySource)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s.WebhookSecret(ctx, "b", "anything"); !ok || got != all {
		t.Fatalf(`"*" secret does not cover a source: %q %v`, got, ok)
	}
	if err := s.DeleteWebhookSecret(ctx, nil, "a", "shop"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteWebhookSecret(ctx, nil, "a", "shop"), livedeck.ENOTFOUND)
	_, err = s.SetWebhookSecret(ctx, nil, "a", "bad source!")
	wantCode(t, err, livedeck.EINVALID)
}

// FuzzVerifyWebhook: no input panics, and none but the true signature of
// the body passes.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add("1700000000", "sha256=00", []byte("[]"))
	f.Add("1700000000", SignWebhook("k", 1700000000, []byte("[]")), []byte("[]"))
	f.Add("", "", []byte{})
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		now := time.Unix(1700000000, 0)
		err := VerifyWebhook("k", ts, sig, body, now)
		n, perr := strconv.ParseInt(ts, 10, 64)
		// Hex is read in either case; nothing else about the text may vary.
		if err == nil && (perr != nil || !strings.HasPrefix(sig, "sha256=") || !strings.EqualFold(sig, SignWebhook("k", n, body))) {
			t.Fatalf("accepted ts=%q sig=%q", ts, sig)
		}
	})
}

// TestWebhookDocExample pins the worked example in docs/security.md, whose
// signature was computed with openssl.
func TestWebhookDocExample(t *testing.T) {
	body := `[{"id":"o-1012","type":"order","ts":1732280004100,"user_id":"u-89","order_id":"SO-20241122-0001","sku":"lipstick-01","qty":2,"amount":39800,"status":"paid"}]`
	const want = "sha256=f061112ad08d5243f224276152962bf1989496e0ac5a07625e1abf4997491243"
	if got := SignWebhook("whsec_example", 1732280000, []byte(body)); got != want {
		t.Fatalf("SignWebhook = %s, want the documented %s", got, want)
	}
	if err := VerifyWebhook("whsec_example", "1732280000", want, []byte(body), time.Unix(1732280000, 0)); err != nil {
		t.Fatal(err)
	}
}
