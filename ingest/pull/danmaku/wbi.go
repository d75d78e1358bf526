package danmaku

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// wbiMixinOrder is the published permutation that picks the 32 characters
// of the Wbi mixin key out of img_key+sub_key.
var wbiMixinOrder = [32]int{
	46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35,
	27, 43, 5, 49, 33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13,
}

// WbiKey derives the mixin key from the nav API's wbi_img.img_url and
// sub_url: the file names (without extension) of both URLs, concatenated
// and permuted.
func WbiKey(imgURL, subURL string) (string, error) {
	img, sub := wbiPart(imgURL), wbiPart(subURL)
	full := img + sub
	if len(img) == 0 || len(sub) == 0 || len(full) < 64 {
		return "", fmt.Errorf("danmaku: wbi keys %q, %q too short", img, sub)
	}
	var b strings.Builder
	for _, i := range wbiMixinOrder {
		b.WriteByte(full[i])
	}
	return b.String(), nil
}

func wbiPart(u string) string {
	base := path.Base(u)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if base == "." || base == "/" {
		return ""
	}
	return base
}

// WbiSign adds wts (now, unix seconds) and w_rid to q: w_rid is the hex
// MD5 of the query sorted by key, with the characters !'()* removed from
// values, followed by the mixin key.
func WbiSign(q url.Values, key string, now time.Time) url.Values {
	signed := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			signed.Add(k, strings.Map(func(r rune) rune {
				if strings.ContainsRune("!'()*", r) {
					return -1
				}
				return r
			}, v))
		}
	}
	signed.Set("wts", strconv.FormatInt(now.Unix(), 10))
	sum := md5.Sum([]byte(signed.Encode() + key)) // Encode sorts by key
	signed.Set("w_rid", hex.EncodeToString(sum[:]))
	return signed
}
