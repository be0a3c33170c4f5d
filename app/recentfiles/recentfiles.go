// Package recentfiles remembers the drawings opened lately, newest first,
// in a small JSON file in mbotdraw's settings folder
// ({"files": ["/home/ada/cat.ndjson", …]}), written whole or not at all.
package recentfiles

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"mbotdraw/atomicfile"
)

// Max is how many files a List keeps.
const Max = 12

// maxFileBytes bounds the file read back: a list is a few kilobytes.
const maxFileBytes = 1 << 20

// List is the files opened lately, newest first. The zero value is an
// empty list that is not saved anywhere.
type List struct {
	// Path is the file the list lives in ("": nowhere).
	Path  string
	Files []string
}

type file struct {
	Files []string `json:"files"`
}

// Load reads the list at path. A missing file is an empty list; so is a
// damaged one (it is replaced at the next Save), with the error saying
// what was wrong.
func Load(path string) (*List, error) {
	l := &List{Path: path}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes))
	if err != nil {
		return l, err
	}
	files, err := Parse(data)
	if err != nil {
		return l, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	l.Files = files
	return l, nil
}

// Parse reads a list's JSON, keeping at most Max absolute paths, each once.
func Parse(data []byte) ([]string, error) {
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range f.Files {
		if len(out) == Max {
			break
		}
		if c := filepath.Clean(p); filepath.IsAbs(c) && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Add puts path (made absolute) first, dropping an older mention and the
// files beyond Max.
func (l *List) Add(path string) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	out := []string{path}
	for _, p := range l.Files {
		if p != path && len(out) < Max {
			out = append(out, p)
		}
	}
	l.Files = out
}

// Save writes the list to its Path, whole or not at all (nothing when Path
// is empty).
func (l *List) Save() error {
	if l.Path == "" {
		return nil
	}
	return atomicfile.Write(l.Path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(file{Files: l.Files})
	})
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
