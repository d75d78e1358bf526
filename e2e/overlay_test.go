package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// overlayRules fire at once: a countdown cue for the host and a price tier.
const overlayRules = "rules:\n- name: overlay-cue\n  when: online >= 0\n  actions:\n" +
	"  - cue: {text: 上链接！冲, ttl: 600s, needs_ack: true, kind: countdown}\n" +
	"  - tier: {name: 满减档, coupon: 满199减20, threshold: 19900, discount: 2000}\n"

// transparentBackground makes the page's default background transparent, as
// OBS's browser source does, so a screenshot keeps the page's own alpha.
// (The protocol's RGBA drops a zero alpha when encoded by cdproto, which
// would mean opaque; the command is sent with the alpha spelled out.)
func transparentBackground() chromedp.Action[chromedp.Void] {
	type rgba struct {
		R int64   `json:"r"`
		G int64   `json:"g"`
		B int64   `json:"b"`
		A float64 `json:"a"`
	}
	params := struct {
		Color rgba `json:"color"`
	}{}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Emulation.setDefaultBackgroundColorOverride", params, nil)
	})
}

type rect struct{ X, Y, W, H float64 }

func (r rect) contains(x, y int, pad float64) bool {
	fx, fy := float64(x), float64(y)
	return fx >= r.X-pad && fx < r.X+r.W+pad && fy >= r.Y-pad && fy < r.Y+r.H+pad
}

// TestOBSOverlayIsTransparent: the host view with &transparent=1, in a
// 1920×1080 frame, shows only the cue (with its countdown) and the tier;
// every pixel outside them is fully transparent (corners and margins), the
// cards are not, and the page holds no button or other control.
func TestOBSOverlayIsTransparent(t *testing.T) {
	st := startStack(t, stackOpts{seed: true, rate: 100})
	if code, body := st.api(t, "PUT", "/api/v1/rooms/demo-beauty/rules", "application/yaml", overlayRules); code != 200 {
		t.Fatalf("put rules: %d %s", code, body)
	}
	ctx := browser(t)
	login(t, ctx, st.URL+"/#/host?room=demo-beauty", "demo-host", st.Logins["demo-host"], "host-view")
	if err := do(ctx, 20*time.Second,
		chromedp.EmulateViewport(1920, 1080),
		transparentBackground(),
		chromedp.Navigate(st.URL+"/#/host?room=demo-beauty&transparent=1"),
		chromedp.WaitVisible(sel("host-view")),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, textOf("cue-text"), 20*time.Second, func(s string) bool { return strings.Contains(s, "上链接！冲") })
	waitText(t, ctx, textOf("tier-coupon"), 10*time.Second, func(s string) bool { return strings.Contains(s, "满199减20") })
	waitText(t, ctx, textOf("cue-countdown"), 5*time.Second, func(s string) bool { return strings.Contains(s, ":") })

	// Nothing to press: no button, and no link, field or focusable element rendered.
	controls := waitText(t, ctx, `(() => {
		const all = Array.from(document.querySelectorAll('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"]), [contenteditable]'));
		const shown = all.filter((e) => e.getClientRects().length > 0);
		return document.querySelectorAll('button').length + '|' + shown.map((e) => e.outerHTML.slice(0, 60)).join(' ');
	})()`, 5*time.Second, func(string) bool { return true })
	if controls != "0|" {
		t.Fatalf("the overlay holds controls (buttons|rendered controls): %s", controls)
	}
	text := waitText(t, ctx, `document.body.innerText`, time.Second, func(string) bool { return true })
	for _, gone := range []string{"Fired while offline", "错过", "No cue", "继续讲解", "Next", "下一条"} {
		if strings.Contains(text, gone) {
			t.Fatalf("the overlay shows %q: %q", gone, text)
		}
	}

	cards := waitText(t, ctx, `JSON.stringify(['cue-current', 'tier-current'].map((id) => {
		const r = document.querySelector('[data-testid="' + id + '"]').getBoundingClientRect();
		return {X: r.x, Y: r.y, W: r.width, H: r.height};
	}))`, 5*time.Second, func(string) bool { return true })
	var rects []rect
	if err := json.Unmarshal([]byte(cards), &rects); err != nil || len(rects) != 2 {
		t.Fatalf("card rects %s: %v", cards, err)
	}
	shot, err := get(ctx, 20*time.Second, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 1920 || b.Dy() != 1080 {
		t.Fatalf("screenshot is %dx%d, want 1920x1080", b.Dx(), b.Dy())
	}
	alpha := func(x, y int) uint32 { _, _, _, a := img.At(x, y).RGBA(); return a }
	for _, p := range [][2]int{{0, 0}, {1919, 0}, {0, 1079}, {1919, 1079}} {
		if a := alpha(p[0], p[1]); a != 0 {
			t.Fatalf("corner %v has alpha %d, want 0", p, a>>8)
		}
	}
	// Every 10th pixel outside the cards (and a margin for their text shadow) is clear.
	checked := 0
	for y := 0; y < 1080; y += 10 {
		for x := 0; x < 1920; x += 10 {
			if rects[0].contains(x, y, 12) || rects[1].contains(x, y, 12) {
				continue
			}
			if a := alpha(x, y); a != 0 {
				t.Fatalf("pixel (%d,%d) outside the cards has alpha %d, want 0", x, y, a>>8)
			}
			checked++
		}
	}
	// The cards themselves are drawn.
	for i, r := range rects {
		if a := alpha(int(r.X+r.W/2), int(r.Y+r.H/2)); a == 0 {
			t.Fatalf("card %d is transparent at its centre", i)
		}
	}
	t.Logf("%d margin pixels checked, all alpha 0; cue card %+v, tier %+v", checked, rects[0], rects[1])
	keep(t, "obs-overlay", shot)
	keep(t, "obs-overlay-over-camera", composite(t, img))
}

// composite draws the overlay over a stand-in camera frame, as OBS would.
func composite(t *testing.T, overlay image.Image) []byte {
	t.Helper()
	b := overlay.Bounds()
	frame := sampleCameraFrame(b.Dx(), b.Dy())
	draw.Draw(frame, b, overlay, b.Min, draw.Over)
	var out bytes.Buffer
	if err := png.Encode(&out, frame); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// sampleCameraFrame is a neutral stand-in for a live-commerce camera
// frame, drawn here (no photograph): a softly lit curtain with a
// vignette, a table edge, a product box and a presenter's silhouette in
// muted tones, so the overlay is judged over something busy.
func sampleCameraFrame(w, h int) *image.RGBA {
	frame := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)*0.45, float64(h)*0.35
	maxD := math.Hypot(float64(w), float64(h)) * 0.6
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Backdrop: warm grey, lighter towards the key light, darker at the edges.
			light := 1 - math.Min(1, math.Hypot(float64(x)-cx, float64(y)-cy)/maxD)
			r, g, bl := 70+120*light, 64+105*light, 60+90*light
			if (y/6)%2 == 0 { // the faint vertical folds of a curtain
				fold := 0.96 + 0.04*math.Sin(float64(x)/23)
				r, g, bl = r*fold, g*fold, bl*fold
			}
			if y > h*70/100 { // the table top, lit from above
				d := float64(y-h*70/100) / float64(h*30/100)
				r, g, bl = 150-60*d, 118-50*d, 92-40*d
			}
			frame.Set(x, y, color.RGBA{uint8(r), uint8(g), uint8(bl), 255})
		}
	}
	// The presenter: a head and shoulders silhouette, behind the table.
	body := color.RGBA{46, 52, 64, 255}
	for y := h * 20 / 100; y < h*70/100; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			head := math.Hypot(fx-float64(w)*0.42, fy-float64(h)*0.33) < float64(h)*0.085
			shoulders := fy > float64(h)*0.44 && math.Abs(fx-float64(w)*0.42) < float64(h)*0.11+(fy-float64(h)*0.44)*0.9
			if head {
				frame.Set(x, y, color.RGBA{196, 160, 138, 255})
			} else if shoulders {
				frame.Set(x, y, body)
			}
		}
	}
	// A product on the table: a lipstick-red box with a darker lid.
	draw.Draw(frame, image.Rect(w*58/100, h*52/100, w*66/100, h*74/100), &image.Uniform{color.RGBA{176, 42, 58, 255}}, image.Point{}, draw.Src)
	draw.Draw(frame, image.Rect(w*58/100, h*49/100, w*66/100, h*53/100), &image.Uniform{color.RGBA{40, 36, 38, 255}}, image.Point{}, draw.Src)
	return frame
}
