package recentfiles

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestRemembersNewestFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recent.json")
	l, err := Load(path)
	if err != nil || len(l.Files) != 0 {
		t.Fatalf("a missing list: %v, %v; want empty", l.Files, err)
	}
	for i := range Max + 3 {
		l.Add(filepath.Join(dir, "d"+strconv.Itoa(i)+".json"))
	}
	l.Add(filepath.Join(dir, "d5.json")) // again: to the front, once
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Files) != Max || back.Files[0] != filepath.Join(dir, "d5.json") || back.Files[1] != filepath.Join(dir, "d14.json") {
		t.Errorf("read back %v; want %d files, d5 then d14 first", back.Files, Max)
	}
	seen := map[string]bool{}
	for _, f := range back.Files {
		if seen[f] {
			t.Errorf("%s twice", f)
		}
		seen[f] = true
	}
	if err := os.WriteFile(path, []byte(`{"files": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := Load(path); err == nil || len(l.Files) != 0 {
		t.Errorf("a damaged list: %v, %v; want empty and an error", l.Files, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"files":["/a/b.json","/a/b.json","rel.json"]}`))
	f.Add([]byte(`{"files":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Parse(data)
		if err != nil {
			return
		}
		if len(files) > Max {
			t.Fatalf("%d files, more than %d", len(files), Max)
		}
		for _, p := range files {
			if !filepath.IsAbs(p) {
				t.Fatalf("%q is not absolute", p)
			}
		}
	})
}
