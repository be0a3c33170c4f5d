package assets

import (
	"embed"
	"io/fs"
)

//go:embed companion
var companionFS embed.FS

// Companion returns the live companion web page: index.html, companion.js
// and companion.css, with no build step and no external resources. Package
// bridge serves it at / beside its /live WebSocket.
func Companion() fs.FS {
	sub, err := fs.Sub(companionFS, "companion")
	if err != nil {
		panic(err) // the embedded tree always has the directory
	}
	return sub
}
