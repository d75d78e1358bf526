package pull

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStamp(t *testing.T) {
	at := time.UnixMilli(1764619200123)
	tests := []struct{ in, want string }{
		{`{"cmd":"LIKE_INFO_V3_CLICK","data":{}}`, `{"cmd":"LIKE_INFO_V3_CLICK","data":{},"ld_received_ms":1764619200123}`},
		{" {\"cmd\":\"X\"} \n", `{"cmd":"X","ld_received_ms":1764619200123}`},
		{`{}`, `{"ld_received_ms":1764619200123}`},
		{`{ }`, `{ "ld_received_ms":1764619200123}`},
		{`[1]`, `[1]`},
		{`"x"`, `"x"`},
	}
	for _, tt := range tests {
		got := string(Stamp([]byte(tt.in), at))
		if got != tt.want {
			t.Errorf("Stamp(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("Stamp(%q) = %s: not JSON", tt.in, got)
		}
	}
}
