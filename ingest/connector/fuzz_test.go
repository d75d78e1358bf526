package connector_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
)

// fuzzDecode fuzzes one adapter's Decode over bodies (with the headers of
// the format's fixtures, so signed formats reach their decoders). Whatever
// the input: no panic; a refused body is EINVALID or ETOOLARGE; each
// message is exactly one of events, ignored or error, in order; every
// event passes ingest's validation; decoding the same delivery again gives
// the same result (ids are deterministic).
//
// Run one with a short minimizing time: the seeds are whole recorded
// deliveries, and minimizing one of those takes minutes on a busy machine,
// during which nothing is fuzzed:
//
//	go test -run XXX -fuzz '^FuzzDecodeTikTokLive$' -fuzztime 60s -fuzzminimizetime 5s ./ingest/connector/
func fuzzDecode(f *testing.F, format string, s *connector.Settings) {
	a, ok := connector.Lookup(format)
	if !ok {
		f.Fatalf("format %s not registered", format)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", format, "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	header := http.Header{}
	if hs, _ := filepath.Glob(filepath.Join("testdata", format, "*.headers")); len(hs) > 0 {
		header = loadDelivery(&testing.T{}, format, trimExt(hs[0])).Header
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := &connector.Delivery{Body: body, Room: "r1", Received: received, Header: header}
		msgs, err := a.Decode(d, s)
		if err != nil {
			if c := livedeck.ErrorCode(err); c != livedeck.EINVALID && c != livedeck.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		for i := range msgs {
			checkMessage(t, i, &msgs[i])
		}
		again, err := a.Decode(d, s)
		if err != nil || len(again) != len(msgs) {
			t.Fatalf("second decode: %v, %d messages want %d", err, len(again), len(msgs))
		}
		for i := range msgs {
			x, _ := json.Marshal(msgs[i].Events)
			y, _ := json.Marshal(again[i].Events)
			if !bytes.Equal(x, y) {
				t.Fatalf("message %d decodes differently the second time:\n%s\n%s", i, x, y)
			}
		}
	})
}

func trimExt(path string) string {
	base := filepath.Base(path)
	return base[:len(base)-len(filepath.Ext(base))]
}

func FuzzDecodeBilibili(f *testing.F) { fuzzDecode(f, "bilibili", &connector.Settings{}) }

func FuzzDecodeShopify(f *testing.F) {
	fuzzDecode(f, "shopify", &connector.Settings{Products: map[string]string{"49148385": "LIP-TINT"}})
}

func FuzzDecodeDoudian(f *testing.F) {
	fuzzDecode(f, "doudian", &connector.Settings{Products: map[string]string{"doudian": "LIP-01"}})
}

func FuzzDecodeDouyinOpen(f *testing.F) { fuzzDecode(f, "douyin-open", dyOpenSettings) }

func FuzzDecodeTikTokLive(f *testing.F) { fuzzDecode(f, "tiktok-live", &connector.Settings{}) }

func FuzzDecodeDouyinWebcast(f *testing.F) { fuzzDecode(f, "douyin-webcast", &connector.Settings{}) }
