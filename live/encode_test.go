package live

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/livedeck/livedeck"
)

// FuzzEncode holds the hand-written encoders to encoding/json's bytes.
func FuzzEncode(f *testing.F) {
	f.Add("run-1-0000000001-5", int64(1764650000000), "u42", "观众", "什么时候发货 第3次问", "question", "paid", "A", int64(1), int64(19900), true, "douyin")
	f.Add("", int64(0), "", "", "", "", "", "", int64(0), int64(0), false, "")
	f.Add("<a>&\"\\", int64(-1), "\x00\x1f\t\n\r\b\f", "\u2028\u2029", "\xff\xfe bad \xe4\xb8", "", "created", "\x7f", int64(-9), int64(1<<62), false, "&")
	f.Fuzz(func(t *testing.T, id string, ts int64, user, nick, text, class, status, sku string, qty, amount int64, paid bool, channel string) {
		c := livedeck.Comment{ID: id, TS: ts, UserID: user, Nickname: nick, Text: text, Class: class}
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendComment(nil, &c); !bytes.Equal(got, want) {
			t.Errorf("comment\n got %s\nwant %s", got, want)
		}
		o := order{Status: livedeck.OrderStatus(status), SKU: sku, Qty: qty, Amount: amount, UserID: user, Paid: paid, Channel: channel}
		if want, err = json.Marshal(&o); err != nil {
			t.Fatal(err)
		}
		if got := appendOrder(nil, &o); !bytes.Equal(got, want) {
			t.Errorf("order\n got %s\nwant %s", got, want)
		}
	})
}
