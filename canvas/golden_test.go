package canvas

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

// goldenTolerance is the largest difference allowed in any channel of any
// pixel. The software renderer is deterministic, so goldens made on one
// amd64 machine match on another exactly; the slack covers compilers that
// fuse multiply-adds on other architectures.
const goldenTolerance = 2

const goldenDir = "../testdata/golden"

// checkGolden compares img with testdata/golden/name.png, or rewrites it
// with -update. On a mismatch it writes name-bad.png beside it.
func checkGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".png")
	if *update {
		if err := writePNG(path, img); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test ./canvas -run Golden -update to make it)", err)
	}
	defer f.Close()
	ref, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if ref.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, rendered %v", path, ref.Bounds(), img.Bounds())
	}
	bad, worst := 0, 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			r, g, b, a := ref.At(x, y).RGBA()
			c := img.RGBAAt(x, y)
			for i, v := range [4]uint32{r >> 8, g >> 8, b >> 8, a >> 8} {
				got := [4]uint8{c.R, c.G, c.B, c.A}[i]
				d := int(got) - int(v)
				if d < 0 {
					d = -d
				}
				worst = max(worst, d)
				if d > goldenTolerance {
					bad++
				}
			}
		}
	}
	if bad > 0 {
		out := filepath.Join(goldenDir, name+"-bad.png")
		if err := writePNG(out, img); err != nil {
			t.Log(err)
		}
		t.Fatalf("%s: %d channels differ by more than %d (worst %d); this render is in %s", path, bad, goldenTolerance, worst, out)
	}
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func end(d *playback.Drawing) playback.Mark { return playback.Mark{N: d.NumPoints()} }

func loadReal(t *testing.T, path string) *playback.Drawing {
	t.Helper()
	d, err := format.Load(filepath.Join("../testdata/real", path), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		draw func(t *testing.T) *image.RGBA
	}{
		{"generated", func(t *testing.T) *image.RGBA {
			d := playback.Generate(playback.GenOptions{Strokes: 80, Seed: 7, Width: 320, Height: 240})
			return RenderAt(d, end(d), Options{Width: 320, Height: 240})
		}},
		{"generated-midway", func(t *testing.T) *image.RGBA {
			// The live tail and the pen, half-way through a segment.
			d := playback.Generate(playback.GenOptions{Strokes: 80, Seed: 7, Width: 320, Height: 240})
			return RenderAt(d, playback.Mark{N: d.Strokes[40].Start + 9, Frac: 0.5}, Options{Width: 320, Height: 240})
		}},
		{"hard-cases", func(t *testing.T) *image.RGBA {
			d := playDrawing()
			return RenderAt(d, end(d), Options{Width: 320, Height: 240, Quality: Quality{}})
		}},
		{"hard-cases-no-aa", func(t *testing.T) *image.RGBA {
			d := playDrawing()
			return RenderAt(d, end(d), Options{Width: 320, Height: 240, Quality: Quality{NoAntiAlias: true}})
		}},
		{"quickdraw-cat", func(t *testing.T) *image.RGBA {
			d := loadReal(t, "quickdraw/raw/cat.ndjson")
			return RenderAt(d, end(d), Options{Width: 256, Height: 256})
		}},
		{"quickdraw-bicycle-simplified", func(t *testing.T) *image.RGBA {
			d := loadReal(t, "quickdraw/simplified/bicycle.ndjson")
			return RenderAt(d, end(d), Options{Width: 256, Height: 256})
		}},
		{"svg-kanji", func(t *testing.T) *image.RGBA {
			d := loadReal(t, "svg/kanjivg/05b57.svg")
			return RenderAt(d, end(d), Options{Width: 256, Height: 256})
		}},
		{"svg-plotter", func(t *testing.T) *image.RGBA {
			d := loadReal(t, "svg/vpype/few_beziers.svg")
			return RenderAt(d, end(d), Options{Width: 400, Height: 300})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, tc.draw(t))
		})
	}
}
