package connector_test

import (
	"errors"
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

const doudianSecret = "test-app-secret"

func TestDoudianFixtures(t *testing.T) {
	all := fixtures(t, "doudian", &connector.Settings{Products: map[string]string{"doudian": "LIP-01"}})
	o := all["orders"]
	if len(o) != 4 || !o[1].Ignored || !o[3].Ignored || o[2].Events[0].Amount != 9900 ||
		o[2].Events[0].OrderID != "doudian:6919000000000000001" || o[2].Events[0].ID != "doudian:7350000000000000003" ||
		o[0].Events[0].SKU != "LIP-01" || o[2].Events[0].TS != 1777636830000 {
		t.Errorf("orders: 100 created, 110 ignored, 101 paid with pay_amount fen, 19-digit ids exact: %+v", o)
	}
	cr := all["cancel-refund"]
	if cr[0].Events[0].Status != "cancelled" || cr[0].Events[0].Qty != 2 || !cr[1].Ignored || cr[2].Events[0].Status != "refunded" || cr[2].Events[0].Amount != 9900 {
		t.Errorf("cancel-refund: %+v", cr)
	}
	for i, m := range all["bad"] {
		if (i == 3) != m.Ignored || (i != 3) != (m.Err != "") {
			t.Errorf("bad[%d]: %+v", i, m)
		}
	}
}

func TestDoudianVerify(t *testing.T) {
	a, _ := connector.Lookup("doudian")
	for _, name := range []string{"orders", "cancel-refund", "bad"} {
		d := loadDelivery(t, "doudian", name)
		if err := a.Verify(d, []string{"old", doudianSecret}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		upper := withHeader(d, "event-sign", toUpper(d.Header.Get("event-sign")))
		if err := a.Verify(upper, []string{doudianSecret}); err != nil {
			t.Errorf("%s: an upper-case event-sign must match too: %v", name, err)
		}
		for what, dd := range map[string]*connector.Delivery{
			"other app key": withHeader(d, "app-id", "7123456789012345679"),
			"no app key":    withHeader(d, "app-id", ""),
			"no sign":       withHeader(d, "event-sign", ""),
		} {
			if err := a.Verify(dd, []string{doudianSecret}); !errors.Is(err, connector.ErrBadSignature) {
				t.Errorf("%s, %s: %v", name, what, err)
			}
		}
		if err := a.Verify(d, []string{"wrong"}); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: wrong secret: %v", name, err)
		}
	}
	if ct, body := a.Reply(true); ct != "application/json" || string(body) != `{"code":0,"msg":"success"}` {
		t.Errorf("Reply(true) = %s %s", ct, body)
	}
	if _, body := a.Reply(false); string(body) != `{"code":1,"msg":"fail"}` {
		t.Errorf("Reply(false) = %s", body)
	}
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
