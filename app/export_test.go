package app

import (
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/canvas"
)

const exportCat = "../testdata/real/quickdraw/raw/cat.ndjson"

func TestExportPNG(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "cat.png")
	for _, tc := range []struct {
		args []string
		w, h int
	}{
		{[]string{"--size", "200x100"}, 200, 100},
		{nil, 0, 0}, // the drawing's own size
		{[]string{"--scale", "0.5"}, 0, 0},
	} {
		args := append([]string{"export", exportCat, "--png", out}, tc.args...)
		_, errs, st := renderCmd(t, nil, args...)
		if st != 0 {
			t.Fatalf("%v: status %d: %s", tc.args, st, errs)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if tc.w > 0 && (b.Dx() != tc.w || b.Dy() != tc.h) {
			t.Fatalf("%v: size %v", tc.args, b)
		}
		// Ink on paper: some dark pixels, mostly white.
		dark, light := 0, 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x4000 {
					dark++
				} else if r > 0xf000 {
					light++
				}
			}
		}
		if dark == 0 || light < dark {
			t.Fatalf("%v: %d dark and %d light pixels", tc.args, dark, light)
		}
	}
}

func TestExportGIF(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "cat.gif")
	stdout, errs, st := renderCmd(t, nil, "export", exportCat, "--gif", out, "--fps", "10", "--max-frames", "12", "--size", "160x120")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	if !strings.Contains(stdout, "160x120 GIF") {
		t.Errorf("stdout %q", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.Image); n < 3 || n > 12 {
		t.Fatalf("%d frames, want 3 to 12", n)
	}
	if g.Config.Width != 160 || g.Config.Height != 120 || g.Image[0].Rect.Dx() != 160 {
		t.Fatalf("size %dx%d, first frame %v", g.Config.Width, g.Config.Height, g.Image[0].Rect)
	}
	// Later frames only hold what changed.
	smaller := false
	for _, im := range g.Image[1:] {
		if im.Rect.Dx()*im.Rect.Dy() < 160*120 {
			smaller = true
		}
	}
	if !smaller {
		t.Error("no frame was cropped to its changes")
	}
	if g.Delay[len(g.Delay)-1] < canvas.GIFHoldCS {
		t.Errorf("last frame delay %d", g.Delay[len(g.Delay)-1])
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"mbotdraw","version":1,"strokes":[{"points":[[1,2],[3`), 0o644)
	out := filepath.Join(dir, "out.png")
	tests := []struct {
		args   []string
		status int
		say    string
	}{
		{[]string{"export", exportCat}, 2, "--png"},
		{[]string{"export", "--png", out}, 2, "FILE"},
		{[]string{"export", exportCat, "--png", out, "--size", "3x3"}, 2, "--size"},
		{[]string{"export", exportCat, "--gif", out, "--fps", "0"}, 2, "--fps"},
		{[]string{"export", exportCat, "--png", out, "--scale", "-1"}, 2, "--scale"},
		{[]string{"export", bad, "--png", out}, 1, "bad.json"},
		{[]string{"export", exportCat, "--png", filepath.Join(dir, "no", "x.png")}, 1, "does not exist"},
		{[]string{"export", exportCat, "--png", out, "--index", "1", "--key", "5"}, 2, "--key"},
		{[]string{"export", exportCat, "--png", out, "--key", "no-such-key"}, 1, "no-such-key"},
	}
	for _, tc := range tests {
		_, errs, st := renderCmd(t, nil, tc.args...)
		if st != tc.status || !strings.Contains(errs, tc.say) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want %d and %q on one line", tc.args, st, errs, tc.status, tc.say)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed export left an output file")
	}
}

// A speed so small that the frame count overflows an int is sped up to
// --max-frames like any other.
func TestExportGIFTinySpeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "slow.gif")
	stdout, errs, st := renderCmd(t, nil, "export", exportCat, "--gif", out, "--speed", "1e-300", "--max-frames", "4", "--size", "64x48")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	if !strings.Contains(stdout, "64x48 GIF") {
		t.Errorf("stdout %q", stdout)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}

// TestExportPicksAName: --png and --gif alone save under a name made from
// the drawing's, in the current folder, never over a file, and say which;
// a name after the flag is used as before; GIFs are 800 pixels wide.
func TestExportPicksAName(t *testing.T) {
	cat, err := filepath.Abs(exportCat)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args  []string
		files []string // made, in this order
		say   string
	}{
		{[]string{"--png"}, []string{"cat.png"}, "saving it as cat.png"},
		{[]string{"--png"}, []string{"cat-2.png"}, "saving it as cat-2.png"},
		{[]string{"--png", "mine.png"}, []string{"mine.png"}, ""},
		{[]string{"--gif", "--max-frames", "4", "--png", "both.png"}, []string{"cat.gif", "both.png"}, "saving it as cat.gif"},
	} {
		args := append([]string{"export", cat}, tc.args...)
		stdout, errs, st := renderCmd(t, nil, args...)
		if st != 0 {
			t.Fatalf("%v: status %d: %s", tc.args, st, errs)
		}
		if !strings.Contains(stdout, tc.say) {
			t.Errorf("%v: stdout %q, want it to say %q", tc.args, stdout, tc.say)
		}
		for _, f := range tc.files {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%v: %v", tc.args, err)
			}
		}
	}
	f, err := os.Open("cat.gif")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if g.Width != canvas.GIFWidth {
		t.Errorf("GIF %d pixels wide, want %d by default", g.Width, canvas.GIFWidth)
	}
	_, errs, st := renderCmd(t, nil, "export", "--png", "out.png")
	if st != 2 || !strings.Contains(errs, "FILE") {
		t.Errorf("export --png out.png: status %d, %q; want 2 and a missing FILE", st, errs)
	}
}
