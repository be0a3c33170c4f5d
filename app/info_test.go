package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/playback/format"
)

func TestInfo(t *testing.T) {
	cat := filepath.Join(realData, "quickdraw", "raw", "cat.ndjson")
	stdout, stderr, status := fileCmd(t, "info", cat, "--index", "2", "--json")
	if status != 0 {
		t.Fatal(stderr)
	}
	var r infoReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, stdout)
	}
	d, err := format.Load(cat, format.Options{Index: 2})
	if err != nil {
		t.Fatal(err)
	}
	st := d.Stats()
	if r.Drawings != 25 || r.Index == nil || *r.Index != 2 || r.Format != "quickdraw" || r.Name != "cat" ||
		r.Strokes != st.Strokes || r.Points != st.Points || r.DurationMS != st.Duration || !r.Timed ||
		r.Bounds == nil || r.Bounds.MaxX != st.Bounds.MaxX || r.Width != d.Width {
		t.Errorf("report %+v does not match the drawing %+v", r, st)
	}

	kanji := filepath.Join(realData, "svg", "kanjivg", "09f8d.svg")
	stdout, _, status = fileCmd(t, "info", kanji)
	for _, want := range []string{"format:    svg", "strokes:   16", "canvas:    109 x 109", "untimed: times from a pen speed of 400 units/s"} {
		if status != 0 || !strings.Contains(stdout, want) {
			t.Errorf("info %s: missing %q in\n%s", kanji, want, stdout)
		}
	}
	stdout, _, _ = fileCmd(t, "info", cat, "--gallery")
	if !strings.Contains(stdout, "25 drawings laid out as a gallery") {
		t.Errorf("gallery info:\n%s", stdout)
	}
	// The other many-drawing formats: each library item or page is a
	// drawing, counted, and --index picks one.
	for _, c := range []struct {
		file, index, want string
	}{
		{"apps/excalidraw/swissarmysam_maps.excalidrawlib", "3", "format:    excalidraw, drawing 4 of 4 (--index 3)"},
		{"apps/excalidraw/kwirke_some-handdrawn-signs.excalidrawlib", "0", "format:    excalidraw, drawing 1 of 2 (--index 0)"},
		{"apps/tldraw-v1/Example.tldr", "0", "format:    tldraw\n"},
	} {
		stdout, stderr, status := fileCmd(t, "info", filepath.Join(realData, c.file), "--index", c.index)
		if status != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("info %s --index %s: status %d, %q; want %q in\n%s", c.file, c.index, status, stderr, c.want, stdout)
		}
	}
	_, stderr, status = fileCmd(t, "info", filepath.Join(t.TempDir(), "none.json"))
	if status != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "none.json: no such file or directory") {
		t.Errorf("missing file: %d %q", status, stderr)
	}
}

// TestMaxPointsFlag: every command that loads a drawing takes --max-points;
// a drawing over it is refused in one line that names the file and the
// flag (exit 1), a negative value is bad usage (exit 2), and the default
// loads the drawing.
func TestMaxPointsFlag(t *testing.T) {
	kanji := filepath.Join(realData, "svg", "kanjivg", "09f8d.svg")
	out := t.TempDir()
	cmds := []struct {
		name string
		args []string
	}{
		{"info", []string{"info", kanji}},
		{"convert", []string{"convert", kanji, filepath.Join(out, "k.json")}},
		{"export", []string{"export", kanji, "--png", filepath.Join(out, "k.png")}},
		{"plot", []string{"plot", kanji, "--dry-run"}},
		{"bench", []string{"bench", kanji, "--seconds", "0.1", "--strategy", "incremental"}},
	}
	for _, c := range cmds {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, status := fileCmd(t, append(c.args, "--max-points", "10")...)
			if status != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "09f8d.svg") ||
				!strings.Contains(stderr, "is too big") || !strings.Contains(stderr, "--max-points") {
				t.Errorf("--max-points 10: status %d, %q", status, stderr)
			}
			_, stderr, status = fileCmd(t, append(c.args, "--max-points", "-1")...)
			if status != 2 || !strings.Contains(stderr, "--max-points -1") {
				t.Errorf("--max-points -1: status %d, %q", status, stderr)
			}
			if _, stderr, status = fileCmd(t, c.args...); status != 0 {
				t.Errorf("default limit: status %d, %q", status, stderr)
			}
		})
	}
	if _, stderr, status := fileCmd(t, "play", kanji, "--max-points", "-1"); status != 2 || !strings.Contains(stderr, "--max-points -1") {
		t.Errorf("play --max-points -1: status %d, %q", status, stderr)
	}
}

// TestNotADrawingRefused: a JSON file that is not a drawing is refused in
// one line naming it (exit 1), by info and by convert, which writes nothing.
func TestNotADrawingRefused(t *testing.T) {
	dir := t.TempDir()
	shopping := filepath.Join(dir, "shopping.json")
	if err := os.WriteFile(shopping, []byte(`{"name":"shopping"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	for _, args := range [][]string{{"info", shopping}, {"convert", shopping, out}} {
		_, stderr, status := fileCmd(t, args...)
		if status != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "shopping.json:1:1: not a drawing") {
			t.Errorf("%s: status %d, %q", args[0], status, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("convert wrote %s for a file that is not a drawing", out)
	}
}
