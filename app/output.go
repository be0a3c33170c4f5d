package app

import (
	"io"

	"mbotdraw/atomicfile"
)

// writeFile writes an output file whole or not at all: write produces the
// content into a temporary file beside path, which replaces path only when
// write and the flush succeed. A failed write leaves no partial file and an
// existing file untouched. write's own errors come back as they are; the
// others name path. See package atomicfile.
func writeFile(path string, write func(w io.Writer) error) error {
	return atomicfile.Write(path, write)
}
