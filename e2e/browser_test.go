// Package e2e drives the whole product in a real headless Chromium
// (Debian's chromium package) against the real server and a real
// redis-server. Screenshots are kept under artifacts/screenshots; with
// -update-screenshots they also refresh docs/screenshots for the README.
package e2e

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "also write screenshots to docs/screenshots")

// chromiumPath finds the browser; make test installs Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: apt-get install chromium (make test does it through scripts/deps.sh)")
	return ""
}

// browser starts a fresh headless Chromium for the test with the flags this
// workplace needs (no sandbox as root, no background networking).
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs steps with a deadline so a stuck page fails the test instead of
// hanging it.
func do(ctx context.Context, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// get runs one action that returns a value, with a deadline.
func get[T any](ctx context.Context, timeout time.Duration, a chromedp.Action[T]) (T, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return chromedp.Run(tctx, a)
}

// screenshot saves a PNG of the page as a test artifact (quality 100 means
// PNG; below it Chromium encodes JPEG).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := get(ctx, 20*time.Second, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	keep(t, name, png)
}

// keep saves a PNG under artifacts/screenshots (and docs/screenshots with
// -update-screenshots).
func keep(t *testing.T, name string, png []byte) {
	t.Helper()
	dirs := []string{filepath.Join("..", "artifacts", "screenshots")}
	if *updateScreenshots {
		dirs = append(dirs, filepath.Join("..", "docs", "screenshots"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
