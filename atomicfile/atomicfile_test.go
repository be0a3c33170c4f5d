package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWrite: the file appears whole or not at all. While write runs, the
// target still holds what it held; a failed write leaves it untouched and
// no temporary file behind; errors name the file.
func TestWrite(t *testing.T) {
	errBoom := errors.New("encoder gave up")
	big := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB: past the buffer
	cases := []struct {
		name string
		// old is the target's content before (nil: no file).
		old []byte
		// target is the path written, relative to the folder ("" : out.txt).
		target string
		// body is what write writes before returning err.
		body []byte
		err  error
		// wantErr is a part of the error's text ("": no error).
		wantErr string
	}{
		{name: "new file", body: []byte("hello\n")},
		{name: "replaces", old: []byte("old content"), body: big},
		{name: "empty", old: []byte("old content"), body: nil},
		{name: "write fails early", old: []byte("old content"), body: []byte("half"), err: errBoom, wantErr: errBoom.Error()},
		{name: "write fails past the buffer", old: []byte("old content"), body: big, err: errBoom, wantErr: errBoom.Error()},
		{name: "write fails, no file before", body: big, err: errBoom, wantErr: errBoom.Error()},
		{name: "missing folder", target: filepath.Join("missing", "out.txt"), body: []byte("x"), wantErr: "out.txt: "},
		{name: "target is a folder", target: "folder", body: []byte("x"), wantErr: "folder: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rel := c.target
			if rel == "" {
				rel = "out.txt"
			}
			path := filepath.Join(dir, rel)
			if c.target == "folder" {
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if c.old != nil {
				if err := os.WriteFile(path, c.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := listDir(t, dir)
			err := Write(path, func(w io.Writer) error {
				if _, err := w.Write(c.body); err != nil {
					return err
				}
				// Mid-write the target is still what it was.
				if got, err := os.ReadFile(path); c.old != nil && (err != nil || !bytes.Equal(got, c.old)) {
					t.Errorf("mid-write the file holds %d bytes (%v), want the old %d", len(got), err, len(c.old))
				} else if c.old == nil && c.target == "" && !os.IsNotExist(err) {
					t.Errorf("mid-write the file exists already (%v)", err)
				}
				return c.err
			})
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(path)
				if err != nil || !bytes.Equal(got, c.body) {
					t.Fatalf("file holds %d bytes (%v), want the %d written", len(got), err, len(c.body))
				}
				if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != Mode {
					t.Errorf("mode %v (%v), want %v", fi.Mode().Perm(), err, Mode)
				}
				if after := listDir(t, dir); len(after) != len(before)+boolInt(c.old == nil) {
					t.Errorf("folder holds %v, want only the file (no temporary files)", after)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, c.wantErr)
			}
			if c.err != nil && err != c.err {
				t.Errorf("write's error came back as %v, want it as it was", err)
			}
			if c.err == nil && !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %q does not begin with the file's name", err)
			}
			if after := listDir(t, dir); !slices.Equal(after, before) {
				t.Errorf("folder holds %v after a failed write, want %v as before", after, before)
			}
			if c.old != nil {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, c.old) {
					t.Errorf("a failed write changed the existing file to %q", got)
				}
			}
		})
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = e.Name()
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
