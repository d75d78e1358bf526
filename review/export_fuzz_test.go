package review

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// hostileReview puts text wherever viewers, producers or platforms write
// into a review, and id where an id (room, SKU, rule, user) goes; an id
// is used only if it would pass livedeck.ValidID, as the ingest checks.
func hostileReview(text, id string) *Review {
	if !livedeck.ValidID(id) {
		id = "r1"
	}
	return &Review{
		Room: id, Title: text, Currency: "CNY", Status: "closed", From: 1_700_000_000_000, To: 1_700_000_060_000,
		Window:   5,
		Timeline: []Minute{{T: 1_700_000_000_000, Online: 3, GMV: 100}},
		Markers: []Marker{
			{T: 1_700_000_010_000, Kind: MarkCue, Rule: id, Text: text, NeedsAck: true, Acked: true, AckedBy: id},
			{T: 1_700_000_020_000, Kind: MarkAlert, Rule: id, Text: text, Severity: "warn"},
		},
		Tiers:     []TierResult{{Tier: text, Coupon: text, Seconds: 60, GMV: 100}},
		Channels:  []ChannelResult{{Channel: text}},
		SKUs:      []SKUResult{{SKU: id, Name: text}},
		Cues:      []CueEffect{{Rule: id, Text: text, Firings: 1, Measured: 1}},
		Keywords:  []livedeck.KeywordCount{{Word: text, Count: 2}},
		Questions: []TextCount{{Text: text, Count: 1}},
	}
}

// Seeds: testdata/fuzz/FuzzReviewCSV and FuzzReviewHTML.

// FuzzReviewCSV checks the CSV export with hostile text and ids: it parses
// back as CSV, no text cell can be read as a formula, and every text comes
// back (with at most a leading quote added).
func FuzzReviewCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, text, id string) {
		r := hostileReview(text, id)
		var b bytes.Buffer
		if err := WriteCSV(&b, r); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		cr := csv.NewReader(&b)
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("export does not parse as CSV: %v\n%s", err, b.String())
		}
		// encoding/csv's reader drops a carriage return before a newline
		// inside a quoted cell (the file keeps it): compare likewise.
		want := strings.ReplaceAll(text, "\r\n", "\n")
		found := 0
		for _, rec := range recs {
			for _, cell := range rec {
				if formulaStart(cell) {
					t.Fatalf("cell %q could be read as a formula", cell)
				}
				if text != "" && (cell == want || cell == "'"+want) {
					found++
				}
			}
		}
		if text != "" && found == 0 {
			t.Fatalf("text %q is not in the export", text)
		}
	})
}

// formulaStart reports whether a spreadsheet could take cell as a formula:
// it starts with = + - @ tab or CR and is not a plain number.
func formulaStart(cell string) bool {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return false
	}
	_, err := strconv.ParseFloat(cell, 64)
	return err != nil
}

// FuzzReviewHTML checks the HTML export with hostile text and ids: the page
// has exactly the markup it has with harmless text of the same shape, so
// no text can add a tag, attribute or entity-borne markup.
func FuzzReviewHTML(f *testing.F) {
	f.Fuzz(func(t *testing.T, text, id string) {
		harmless := strings.Repeat("x", min(len(text), 1))
		safeID := "r1"
		if livedeck.ValidID(id) {
			safeID = strings.Repeat("i", len(id))
		}
		got := renderHTML(t, hostileReview(text, id))
		want := renderHTML(t, hostileReview(harmless, safeID))
		for _, c := range []string{"<", ">"} {
			if g, w := strings.Count(got, c), strings.Count(want, c); g != w {
				t.Fatalf("%q appears %d times with text %q, %d times with harmless text", c, g, text, w)
			}
		}
	})
}

func renderHTML(t *testing.T, r *Review) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r, time.UTC); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}
