//go:build !js

package player

import "embed"

// web holds index.html and, after `make wasm`, wasm_exec.js and
// mbotdraw.wasm.gz. index.html is always there, so the pattern matches on a
// fresh clone too.
//
//go:embed web
var web embed.FS
