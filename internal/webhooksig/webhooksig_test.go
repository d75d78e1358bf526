package webhooksig

import (
	"bytes"
	"strings"
	"testing"
)

// TestSignDecode: the documented example (docs/security.md) signs to its
// pinned value, and Decode reads what Sign writes, in either case, and
// nothing else.
func TestSignDecode(t *testing.T) {
	body := []byte(`[{"id":"o-1012","type":"order","ts":1732280004100,"user_id":"u-89","order_id":"SO-20241122-0001","sku":"lipstick-01","qty":2,"amount":39800,"status":"paid"}]`)
	sig := Sign("whsec_example", 1732280000, body)
	if want := "sha256=f061112ad08d5243f224276152962bf1989496e0ac5a07625e1abf4997491243"; sig != want {
		t.Fatalf("Sign = %s, want the documented %s", sig, want)
	}
	mac := MAC("whsec_example", "1732280000", body)
	cases := []struct {
		in string
		ok bool
	}{
		{sig, true},
		{"sha256=" + strings.ToUpper(sig[len("sha256="):]), true},
		{sig[len("sha256="):], false},
		{"sha256=zz", false},
		{"", false},
	}
	for _, c := range cases {
		got, ok := Decode(c.in)
		if ok != c.ok || (ok && !bytes.Equal(got, mac)) {
			t.Errorf("Decode(%q) = %x, %v; want ok=%v and the MAC", c.in, got, ok, c.ok)
		}
	}
}
