package connector_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

const dyOpenSecret = "test-dy-secret"

var dyOpenSettings = &connector.Settings{Products: map[string]string{
	"n1/Dg1905sj1FyoBlQBvmbaDZFBNaKuKZH6zxHkv8Lg5x2cRfrKUTb8gzMs=": "小心心",
}}

func TestDouyinOpenFixtures(t *testing.T) {
	all := fixtures(t, "douyin-open", dyOpenSettings)
	g := all["gift"]
	if len(g[0].Events) != 1 || g[0].Events[0].Value != 300 || g[0].Events[0].Gift != "小心心" || g[0].Events[0].ID != "dyopen:7302000000000000001" ||
		g[1].Events[0].Value != 19900 || !g[2].Ignored {
		t.Errorf("gifts: gift_value is the total in fen (not × gift_num), name from products, test data ignored: %+v", g)
	}
	c := all["comment"]
	if c[0].Events[0].TS != 1777636800123 || c[1].Events[0].TS != 1777636801000 || c[0].Events[0].UserID != "dy:_000aBcDeFgHiJkLmNoPqRsTuVwXyZ012345" {
		t.Errorf("comments: ms and s timestamps, dy: user ids: %+v", c)
	}
	if l := all["like"]; l[0].Events[0].Count != 12 || l[1].Err == "" {
		t.Errorf("likes: %+v", l)
	}
	if f := all["fansclub"]; !f[0].Ignored || f[0].Kind != "live_fansclub" {
		t.Errorf("fansclub: %+v", f)
	}
}

func TestDouyinOpenAcceptTest(t *testing.T) {
	a, _ := connector.Lookup("douyin-open")
	got := decodeAll(t, a, loadDelivery(t, "douyin-open", "gift"), &connector.Settings{AcceptTest: true})
	if len(got[2].Events) != 1 || got[2].Events[0].Gift != "n1/Dg1905sj1FyoBlQBvmbaDZFBNaKuKZH6zxHkv8Lg5x2cRfrKUTb8gzMs=" {
		t.Errorf("AcceptTest keeps test gifts (named by id without a products entry): %+v", got[2])
	}
}

func TestDouyinOpenNoHeader(t *testing.T) {
	// Forwarded or tried without the push's headers: the type is told by the fields.
	a, _ := connector.Lookup("douyin-open")
	for name, want := range map[string]string{"comment": "live_comment", "gift": "live_gift", "like": "live_like"} {
		d := withHeader(loadDelivery(t, "douyin-open", name), "x-msg-type", "")
		got := decodeAll(t, a, d, dyOpenSettings)
		if got[0].Kind != want || len(got[0].Events) != 1 {
			t.Errorf("%s: %+v", name, got[0])
		}
	}
}

func TestDouyinOpenVerify(t *testing.T) {
	a, _ := connector.Lookup("douyin-open")
	// The published test vector (developer.open-douyin.com, viewer-data-query-dev).
	vector := &connector.Delivery{Body: []byte("abc123你好"), Header: http.Header{}}
	for k, v := range map[string]string{"x-nonce-str": "123456", "x-timestamp": "456789", "x-roomid": "268", "x-msg-type": "user_group", "x-signature": "GAkalGmhzqlUGQO/TgvMug=="} {
		vector.Header.Set(k, v)
	}
	if err := a.Verify(vector, []string{"123abc"}); err != nil {
		t.Errorf("published test vector: %v", err)
	}
	if err := a.Verify(vector, []string{"123abd"}); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("test vector with another secret: %v", err)
	}
	for _, name := range []string{"comment", "gift", "like", "fansclub"} {
		d := loadDelivery(t, "douyin-open", name)
		if err := a.Verify(d, []string{dyOpenSecret}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for what, dd := range map[string]*connector.Delivery{
			"other room":   withHeader(d, "x-roomid", "1"),
			"other type":   withHeader(d, "x-msg-type", "user_group"),
			"replayed ts":  withHeader(d, "x-timestamp", "1777636810001"),
			"no signature": withHeader(d, "x-signature", ""),
		} {
			if err := a.Verify(dd, []string{dyOpenSecret}); !errors.Is(err, connector.ErrBadSignature) {
				t.Errorf("%s, %s: %v", name, what, err)
			}
		}
	}
}
