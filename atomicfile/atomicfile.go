// Package atomicfile writes output files whole or not at all.
//
// Write produces the content into a temporary file beside the target (same
// folder, so the final rename stays on one file system), named
// ".NAME.tmp…", and renames it over the target only once the content was
// written, flushed and closed. A failure at any step leaves no partial file,
// no temporary file, and an existing file at the target untouched. The file
// written gets mode 0644. Write does not sync to disk: it guards against
// half-written files, not against power loss.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Mode is the permission of every file Write creates.
const Mode os.FileMode = 0o644

// bufferSize is the write buffer between write and the temporary file.
const bufferSize = 64 << 10

// Write creates or replaces the file at path with what write produces, whole
// or not at all (see the package doc). write gets a buffered writer and must
// not keep it. An error from write is returned as it is, so the caller's own
// messages keep their form; every other error is wrapped as "PATH: cause".
func Write(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	bw := bufio.NewWriterSize(tmp, bufferSize)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), Mode); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
