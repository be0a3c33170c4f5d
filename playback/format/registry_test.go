package format

import (
	"bytes"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// TestCodecs: the table of formats names every format once; each
// extension leads back to its format; a format that saves reads back what
// it saved; a read-only one is refused by Encode and Save.
func TestCodecs(t *testing.T) {
	seen := map[Format]bool{}
	exts := map[string]Format{}
	d := playback.Generate(playback.GenOptions{Strokes: 3, PointsPerStroke: 5, Seed: 2})
	for _, c := range codecs {
		if seen[c.format] || c.format == Unknown || c.name == "" || c.name != c.format.String() || c.decode == nil || c.sniff == nil {
			t.Errorf("%s: bad or duplicate entry", c.name)
		}
		seen[c.format] = true
		for _, e := range c.exts {
			if f, ok := exts[e]; ok || e != strings.ToLower(e) || !strings.HasPrefix(e, ".") {
				t.Errorf("%s: extension %q (also %s)", c.name, e, f)
			}
			exts[e] = c.format
			if got := ByExtension("Drawing" + strings.ToUpper(e)); got != c.format {
				t.Errorf("ByExtension(%q) = %s, want %s", "Drawing"+strings.ToUpper(e), got, c.format)
			}
		}
		var b bytes.Buffer
		err := Encode(&b, c.format, d)
		if c.encode == nil {
			if err == nil {
				t.Errorf("%s is read only, but Encode wrote it", c.name)
			}
			if len(c.exts) > 0 {
				if err := Save(t.TempDir()+"/x"+c.exts[0], d); err == nil || !strings.Contains(err.Error(), "cannot save") {
					t.Errorf("Save as %s: %v", c.name, err)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("Encode %s: %v", c.name, err)
		}
		name := "x" + c.exts[0]
		if f := Sniff(name, b.Bytes()); f != c.format {
			t.Errorf("%s: what it writes sniffs as %s", c.name, f)
		}
		back, err := Decode(name, b.Bytes(), Options{})
		if err != nil || back[0].NumPoints() != d.NumPoints() || len(back[0].Strokes) != len(d.Strokes) {
			t.Errorf("%s: round trip: %v", c.name, err)
		}
	}
	for _, f := range []Format{JSON, QuickDraw, SVG, WriteMath, MyScript, Tldraw, Excalidraw, InkML, SVC} {
		if !seen[f] {
			t.Errorf("%s has no entry in the table", f)
		}
	}
	if Unknown.String() != "unknown" || ByExtension("x.png") != Unknown {
		t.Errorf("Unknown: %q, %s", Unknown.String(), ByExtension("x.png"))
	}
}
