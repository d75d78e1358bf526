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

// Stamp never breaks a JSON object, and the stamp reads back.
func FuzzStamp(f *testing.F) {
	for _, s := range []string{`{"cmd":"LIKE_INFO_V3_CLICK","data":{"uid":1}}`, `{}`, ` { } `, `[]`, `{"a":"}"}`, `{"cmd":"X"}` + "\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Stamp(in, time.UnixMilli(1764619200123))
		var obj map[string]json.RawMessage
		if json.Unmarshal(in, &obj) != nil {
			return // not an object: whatever comes back is not checked
		}
		if _, dup := obj["ld_received_ms"]; dup {
			return
		}
		var back map[string]json.RawMessage
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Stamp(%q) = %q: %v", in, out, err)
		}
		if string(back["ld_received_ms"]) != "1764619200123" || len(back) != len(obj)+1 {
			t.Fatalf("Stamp(%q) = %q", in, out)
		}
	})
}
