package review

import (
	"os"
	"testing"

	"github.com/livedeck/livedeck/live"
)

// TestMain loads the comment segmentation dictionary once before the
// tests, as a running server has: until it is loaded, reviews come without
// keywords (Review.KeywordsPending) and would differ from the offline
// reviews the tests compare them with.
func TestMain(m *testing.M) {
	if text, err := live.LoadText(""); err == nil {
		text.Warm()
	}
	os.Exit(m.Run())
}
