// Package console embeds the built web console (console/dist) into the
// binary. `make` builds dist with Vite: the page as dist/app.html, hashed
// files under dist/assets. A committed placeholder dist/index.html keeps
// `go build` and `go test` working without Node; builds never touch it.
package console

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS is the console's files, rooted at dist. index.html is the built page
// when there is one, else the placeholder that says how to build it.
func FS() fs.FS {
	f, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; a failure here is a build bug
	}
	return builtFirst{f}
}

// builtFirst serves app.html (the Vite build) under the name index.html.
type builtFirst struct{ fsys fs.FS }

// built is the page Vite writes; index is what the server asks for.
const (
	built = "app.html"
	index = "index.html"
)

func (b builtFirst) Open(name string) (fs.File, error) {
	if name == index {
		if f, err := b.fsys.Open(built); err == nil {
			return f, nil
		}
	}
	return b.fsys.Open(name)
}
