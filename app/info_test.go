package app

import (
	"encoding/json"
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
	_, stderr, status = fileCmd(t, "info", filepath.Join(t.TempDir(), "none.json"))
	if status != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "none.json: no such file or directory") {
		t.Errorf("missing file: %d %q", status, stderr)
	}
}
