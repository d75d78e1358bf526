package connector_test

import (
	"testing"
	"time"

	"github.com/livedeck/livedeck/ingest/connector"
)

func TestParseMinor(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             int64
		ok               bool
	}{
		{"19.99", "USD", 1999, true},
		{"0.1", "USD", 10, true},
		{"0.10", "CNY", 10, true},
		{"49", "USD", 4900, true},
		{"5.000", "USD", 500, true}, // extra zeros are exact
		{"-0.00", "USD", 0, true},   // a negative zero is zero
		{"-0", "JPY", 0, true},
		{"500", "JPY", 500, true},
		{"500.00", "JPY", 500, true},
		{"500.5", "JPY", 0, false},
		{"1.234", "KWD", 1234, true},
		{"1.2345", "KWD", 0, false},
		{"1.2340", "KWD", 1234, true},
		{"0.0001", "CLF", 1, true},
		{"19.999", "USD", 0, false}, // too many decimals
		{"1000000000.00", "CNY", 100_000_000_000, true},
		{"1000000000.01", "CNY", 0, false},           // above LiveDeck's limit
		{"99999999999999999999999", "USD", 0, false}, // would overflow int64
		{"1e3", "USD", 0, false},                     // exponent
		{"1E3", "USD", 0, false},
		{"-1.00", "USD", 0, false}, // negative money
		{"+1.00", "USD", 0, false},
		{" 1.00", "USD", 0, false},
		{"1,000.00", "USD", 0, false},
		{".5", "USD", 0, false},
		{"5.", "USD", 0, false},
		{"", "USD", 0, false},
		{"-", "USD", 0, false},
		{"NaN", "USD", 0, false},
		{"0x10", "USD", 0, false},
		{"１２", "USD", 0, false}, // full-width digits
		{"1.00", "usd", 0, false},
		{"1.00", "XYZ", 0, false},
		{"1.00", "", 0, false},
		{"1.00", "IQD", 1000, true}, // ISO 4217 says 3 decimals (CLDR says 0)
	}
	for _, tt := range tests {
		got, err := connector.ParseMinor(tt.amount, tt.currency)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMinor(%q, %q) = %d, %v; want %d, ok=%v", tt.amount, tt.currency, got, err, tt.want, tt.ok)
		}
	}
}

func TestApplyRate(t *testing.T) {
	tests := []struct {
		units int64
		rate  string
		want  int64
		ok    bool
	}{
		{300, "0.1", 30, true},
		{1, "0.1", 0, true}, // 0.1 fen rounds to 0
		{5, "0.1", 1, true}, // 0.5 rounds half up
		{15, "0.1", 2, true},
		{3, "0.5", 2, true},
		{10, "1", 10, true},
		{7, "0.014", 0, true},
		{100, "0.014", 1, true},
		{0, "0.5", 0, true},
		{1, "1e2", 0, false},
		{1, "-1", 0, false},
		{1, "abc", 0, false},
		{1, "", 0, false},
		{1, "0.1234567891", 0, false}, // more than 9 decimals
		{-1, "1", 0, false},
		{1 << 62, "100", 0, false},
	}
	for _, tt := range tests {
		got, err := connector.ApplyRate(tt.units, tt.rate)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ApplyRate(%d, %q) = %d, %v; want %d, ok=%v", tt.units, tt.rate, got, err, tt.want, tt.ok)
		}
	}
}

func TestEventTS(t *testing.T) {
	recv := time.UnixMilli(1_777_636_800_000)
	tests := []struct{ in, want int64 }{
		{1_715_000_000, 1_715_000_000_000},     // seconds
		{1_715_000_000_123, 1_715_000_000_123}, // milliseconds
		{0, recv.UnixMilli()},
		{-5, recv.UnixMilli()},
		{1_715_000_000_123_456, recv.UnixMilli()}, // microseconds: out of range
		{5_000_000_000_000, recv.UnixMilli()},     // after 2099
		{12345, recv.UnixMilli()},                 // 1970 in seconds
	}
	for _, tt := range tests {
		if got := connector.EventTS(tt.in, recv); got != tt.want {
			t.Errorf("EventTS(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestIDs(t *testing.T) {
	if got := connector.NativeID("bili:", "123"); got != "bili:123" {
		t.Errorf("NativeID = %q", got)
	}
	long := string(make([]byte, 200))
	if got := connector.NativeID("x:", long); len(got) > 128 || got != connector.NativeID("x:", long) {
		t.Errorf("NativeID of an unusable id = %q: want a short deterministic hash", got)
	}
	if connector.NativeID("x:", "") != "" {
		t.Error("NativeID of no id must be empty")
	}
	a, b := connector.DerivedID("p:", "a", "bc"), connector.DerivedID("p:", "ab", "c")
	if a == b || a != connector.DerivedID("p:", "a", "bc") {
		t.Errorf("DerivedID must separate its parts and be deterministic: %s %s", a, b)
	}
	s := connector.Settings{Products: map[string]string{"shopify:123": "LIP-01"}}
	if s.SKU("shopify:123") != "LIP-01" || s.SKU("other") != "other" {
		t.Error("Settings.SKU")
	}
}
