package live

import (
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	text, err := LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"1", "intent"},
		{" 111 ", "intent"},
		{"想要想要", "intent"},
		{"主播上链接啊", "intent"},
		{"I want it!", "intent"},
		{"这个多少钱", "question"},
		{"尺码怎么选？", "question"},
		{"how much is it", "question"},
		{"什么时候发货", "question"},
		{"骗子主播", "abuse"},
		{"this is a SCAM", "abuse"},
		{"骗子，多少钱", "abuse"}, // abuse wins over question
		{"好看", ""},
		{"<img src=x onerror=alert(1)>", ""},
		{"12", ""},
	} {
		if got := text.Classify(tc.in); got != tc.want {
			t.Errorf("Classify(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	text, _ := LoadText("")
	text.Warm()
	got := text.Words("这件衣服多少钱，想要上链接！尺码有XL吗 so nice 😍 1")
	for _, w := range []string{"衣服", "多少钱", "想要", "上链接", "尺码", "xl", "nice"} {
		if !slices.Contains(got, w) {
			t.Errorf("Words lacks %q: %v", w, got)
		}
	}
	for _, w := range []string{"，", "！", "1", "😍", "吗", "这"} {
		if slices.Contains(got, w) {
			t.Errorf("Words keeps %q: %v", w, got)
		}
	}
}

func TestLoadTextRejectsUnknownClass(t *testing.T) {
	if _, err := LoadText("testdata/bad_classifier.yaml"); err == nil {
		t.Fatal("unknown class accepted")
	}
}
