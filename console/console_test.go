package console

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestIndexIsBuiltPageWhenPresent(t *testing.T) {
	cases := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"placeholder only", fstest.MapFS{"index.html": {Data: []byte("placeholder")}}, "placeholder"},
		{"built", fstest.MapFS{"index.html": {Data: []byte("placeholder")}, "app.html": {Data: []byte("built")}}, "built"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := fs.ReadFile(builtFirst{tc.files}, "index.html")
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Fatalf("index.html = %q, want %q", b, tc.want)
			}
		})
	}
}

func TestEmbeddedIndex(t *testing.T) {
	b, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "LiveDeck") {
		t.Fatalf("index.html does not look like the console: %.100q", b)
	}
}
