package app

import (
	"os"
	"testing"

	"github.com/livedeck/livedeck/live"
)

// TestMain loads the comment segmentation dictionary once before the
// tests: a server does so within seconds of starting, but under the race
// detector on a busy machine it takes long enough to outlast the deadlines
// the tests give their reviews. Until it is loaded, reviews come without
// keywords and are not kept (review.Review.KeywordsPending); the live
// package tests that case.
func TestMain(m *testing.M) {
	if text, err := live.LoadText(""); err == nil {
		text.Warm()
	}
	os.Exit(m.Run())
}
