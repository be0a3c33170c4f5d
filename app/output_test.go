package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Every error of writeFile names the output file, once, and leaves no file.
func TestWriteFileErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	boom := errors.New("boom")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{boom, path + ": boom"},
		{fmt.Errorf("%s: %w", path, boom), path + ": boom"},
	} {
		err := writeFile(path, func(w io.Writer) error {
			io.WriteString(w, "partial")
			return tc.err
		})
		if err == nil || err.Error() != tc.want || !errors.Is(err, boom) {
			t.Errorf("writeFile returned %v, want %q wrapping the cause", err, tc.want)
		}
		if _, err := os.Stat(path); err == nil {
			t.Error("a failed write left the output file")
		}
	}
}
