package danmaku

import (
	"net/url"
	"testing"
	"time"
)

// The keys and results below are the worked example published with the Wbi
// description in bilibili-API-collect (docs/misc/sign/wbi.md); the last
// row's w_rid was computed independently with Python's hashlib.
func TestWbiPublishedExample(t *testing.T) {
	key, err := WbiKey("https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png",
		"https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png")
	if err != nil || key != "ea1db124af3c7062474693fa704f4ff8" {
		t.Fatalf("mixin key %q, %v", key, err)
	}
	tests := []struct {
		q    url.Values
		want string
	}{
		{url.Values{"foo": {"114"}, "bar": {"514"}, "zab": {"1919810"}}, "8f6f2b5b3d485fe1886cec6a0be8c5d4"},
		{url.Values{"q": {"(a)!b*'"}}, "3f62fb74f53e11f3cbb0dfdf0225e605"}, // !'()* are left out of values
	}
	for _, tt := range tests {
		got := WbiSign(tt.q, key, time.Unix(1702204169, 0))
		if got.Get("w_rid") != tt.want || got.Get("wts") != "1702204169" {
			t.Errorf("%v: w_rid %s wts %s, want %s", tt.q, got.Get("w_rid"), got.Get("wts"), tt.want)
		}
	}
}

func TestWbiKeyRefusesShortKeys(t *testing.T) {
	for _, urls := range [][2]string{{"", ""}, {"https://x/a.png", "https://x/b.png"}, {"https://x/", "https://y/"}} {
		if k, err := WbiKey(urls[0], urls[1]); err == nil {
			t.Errorf("%v: key %q, want an error", urls, k)
		}
	}
}
