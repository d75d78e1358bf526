package connector_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/connector"
)

var update = flag.Bool("update", false, "rewrite the .golden files of the fixture tests")

// received is the receive time of every fixture delivery.
var received = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// result is what a fixture's golden file holds: each message as the
// adapter maps it.
type result struct {
	Index   int              `json:"index"`
	ID      string           `json:"id,omitempty"`
	Kind    string           `json:"kind"`
	Ignored bool             `json:"ignored,omitempty"`
	Err     string           `json:"error,omitempty"`
	Events  []livedeck.Event `json:"events,omitempty"`
}

// loadDelivery reads testdata/<format>/<name>.json as the body and, when
// present, <name>.headers (one "Name: value" a line) as its headers.
func loadDelivery(t *testing.T, format, name string) *connector.Delivery {
	t.Helper()
	dir := filepath.Join("testdata", format)
	body, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	d := &connector.Delivery{Body: body, Room: "r1", Received: received, Header: http.Header{}}
	if hb, err := os.ReadFile(filepath.Join(dir, name+".headers")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(hb))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
				d.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
	}
	return d
}

// decodeAll decodes a delivery and checks what every adapter owes: each
// message is exactly one of events, ignored or error, indexes in order,
// and every event passes ingest's validation unchanged.
func decodeAll(t *testing.T, a connector.Adapter, d *connector.Delivery, s *connector.Settings) []result {
	t.Helper()
	msgs, err := a.Decode(d, s)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	out := make([]result, len(msgs))
	for i, m := range msgs {
		checkMessage(t, i, &m)
		r := result{Index: m.Index, ID: m.ID, Kind: m.Kind, Ignored: m.Ignored, Events: m.Events}
		if m.Err != nil {
			r.Err = m.Err.Error()
		}
		out[i] = r
	}
	return out
}

func checkMessage(t testing.TB, i int, m *connector.Message) {
	t.Helper()
	n := 0
	if len(m.Events) > 0 {
		n++
	}
	if m.Ignored {
		n++
	}
	if m.Err != nil {
		n++
	}
	if n != 1 || m.Index != i || len(m.Raw) == 0 {
		t.Fatalf("message %d: %d of events/ignored/error hold (want exactly 1), index %d, %d raw bytes", i, n, m.Index, len(m.Raw))
	}
	for _, ev := range m.Events {
		checked := ev
		if f, r := ingest.Validate(&checked); r != "" {
			t.Fatalf("message %d: event %+v fails ingest validation: %s: %s", i, ev, f, r)
		}
	}
}

// golden compares got with testdata/<format>/<name>.golden (rewritten
// with -update).
func golden(t *testing.T, format, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", format, name+".golden")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update once, then review the file)", err, t.Name())
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from the adapter's output:\n%s", path, b)
	}
}

// fixtures runs every testdata/<format>/*.json through the adapter
// against its golden file, and checks that decoding again gives the same
// events (a redelivery keeps its ids).
func fixtures(t *testing.T, format string, s *connector.Settings) map[string][]result {
	t.Helper()
	a, ok := connector.Lookup(format)
	if !ok {
		t.Fatalf("format %s not registered", format)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", format, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s", format)
	}
	all := map[string][]result{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			got := decodeAll(t, a, loadDelivery(t, format, name), s)
			again := decodeAll(t, a, loadDelivery(t, format, name), s)
			g1, _ := json.Marshal(got)
			g2, _ := json.Marshal(again)
			if !bytes.Equal(g1, g2) {
				t.Errorf("a redelivery maps differently:\n%s\n%s", g1, g2)
			}
			golden(t, format, name, got)
			all[name] = got
		})
	}
	return all
}

// eventsOf flattens the events of results.
func eventsOf(rs []result) []livedeck.Event {
	var out []livedeck.Event
	for _, r := range rs {
		out = append(out, r.Events...)
	}
	return out
}
