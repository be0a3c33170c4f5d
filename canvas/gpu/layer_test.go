package gpu

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/canvas"
	"mbotdraw/playback"
)

// Every test runs inside the game loop (Ebiten's own tests do the same,
// internal/testing.MainWithRunLoop): drawing and ReadPixels are legal there.
type loop struct {
	m    *testing.M
	code int
}

func (g *loop) Update() error {
	g.code = g.m.Run()
	return ebiten.Termination
}
func (g *loop) Draw(*ebiten.Image)         {}
func (g *loop) Layout(int, int) (int, int) { return 320, 240 }

func TestMain(m *testing.M) {
	ebiten.SetWindowSize(320, 240)
	g := &loop{m: m}
	if err := ebiten.RunGame(g); err != nil {
		fmt.Fprintln(os.Stderr, "ebiten:", err)
		os.Exit(1)
	}
	os.Exit(g.code)
}

const w, h = 320, 240

// Tolerance of the GPU against the software renderer, on the same frame:
// GPU anti-aliasing (Ebiten's 2x supersampling) and software coverage differ
// on edge pixels, so the bound is on the mean and on how many pixels differ
// much, not on every pixel.
const (
	maxMeanDiff   = 3.0   // mean absolute difference per channel, 0..255
	maxFarPixels  = 0.005 // fraction of pixels with a channel off by more than 64
	farDifference = 64
)

func testDrawing() *playback.Drawing {
	d := playback.Generate(playback.GenOptions{Strokes: 60, Seed: 21, Width: w, Height: h})
	t := float32(d.Duration())
	add := func(c color.RGBA, width float32, pts ...[2]float32) {
		d.BeginStroke(c, width)
		for _, p := range pts {
			t += 16
			d.AddPoint(p[0], p[1], t)
		}
		t += 50
	}
	var long [][2]float32
	for i := 0; i < 150; i++ {
		a := float64(i) / 12
		long = append(long, [2]float32{160 + float32(90*math.Cos(a)*float64(i)/150), 120 + float32(70*math.Sin(a)*float64(i)/150)})
	}
	add(color.RGBA{0x8e, 0x24, 0xaa, 0xff}, 5, long...)
	add(color.RGBA{0, 0, 90, 128}, 14, [2]float32{20, 20}, [2]float32{200, 200}, [2]float32{20, 200})
	add(color.RGBA{0, 0, 0, 255}, 0, [2]float32{10, 230}, [2]float32{310, 220})
	add(color.RGBA{0xe5, 0x39, 0x35, 0xff}, 9, [2]float32{300, 30})
	add(color.RGBA{0x43, 0xa0, 0x47, 0xff}, 4, [2]float32{280, 120}, [2]float32{5000, 130}, [2]float32{280, 140})
	return d
}

// frame renders the frame at m through l into a new image and reads it.
func frame(l *Layer, m playback.Mark) *image.RGBA {
	dst := ebiten.NewImage(w, h)
	defer dst.Deallocate()
	l.Update(m)
	l.Draw(dst, m, ebiten.GeoM{})
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	dst.ReadPixels(img.Pix)
	return img
}

func compare(t *testing.T, what string, got, want *image.RGBA) {
	t.Helper()
	var sum float64
	far := 0
	for i := 0; i < len(got.Pix); i += 4 {
		worst := 0
		for c := 0; c < 4; c++ {
			d := int(got.Pix[i+c]) - int(want.Pix[i+c])
			if d < 0 {
				d = -d
			}
			sum += float64(d)
			worst = max(worst, d)
		}
		if worst > farDifference {
			far++
		}
	}
	mean := sum / float64(len(got.Pix))
	frac := float64(far) / float64(len(got.Pix)/4)
	t.Logf("%s: mean difference %.3f, %.3f%% of pixels off by more than %d", what, mean, 100*frac, farDifference)
	if mean > maxMeanDiff || frac > maxFarPixels {
		t.Errorf("%s: GPU and software disagree: mean %.3f (max %.1f), %.2f%% far pixels (max %.1f%%)",
			what, mean, maxMeanDiff, 100*frac, 100*maxFarPixels)
	}
}

func TestAgreesWithSoftware(t *testing.T) {
	d := testDrawing()
	n := d.NumPoints()
	for _, q := range []canvas.Quality{{}, {NoAntiAlias: true}} {
		l := NewLayer(d, Options{Width: w, Height: h, Quality: q})
		for _, m := range []playback.Mark{{N: n / 3, Frac: 0.5}, {N: 2 * n / 3}, {N: n - 20, Frac: 0.25}, {N: n}} {
			got := frame(l, m)
			want := canvas.RenderAt(d, m, canvas.Options{Width: w, Height: h, Quality: q})
			compare(t, fmt.Sprintf("aa %v, mark %+v", !q.NoAntiAlias, m), got, want)
		}
		l.Dispose()
	}
}

func TestSeeksAgreeWithSoftware(t *testing.T) {
	d := testDrawing()
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	c := playback.NewCursor(tm)
	o := Options{Width: w, Height: h, KeyframeBudget: 3 * 4 * w * h, Quality: canvas.Quality{KeyframeSpacing: 300}}
	l := NewLayer(d, o)
	defer l.Dispose()
	dur := tm.Duration()
	for now := 0.0; now < dur; now += dur / 40 {
		st := c.Advance(now)
		l.Update(st.To)
	}
	if l.Ink().Stats().Keyframes == 0 {
		t.Fatal("no keyframes on the GPU")
	}
	for _, f := range []float64{0.9, 0.2, 0.6, 0.05, 1} {
		st := c.Advance(f * dur)
		got := frame(l, st.To)
		compare(t, fmt.Sprintf("seek to %.0f%%", 100*f), got, canvas.RenderAt(d, st.To, canvas.Options{Width: w, Height: h}))
	}
	if l.Ink().Stats().Restores == 0 {
		t.Error("no keyframe was restored")
	}
}

func TestOneDrawCallPerBatch(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 400, Seed: 2, Width: w, Height: h})
	for _, bv := range []int{0, 256} {
		l := NewLayer(d, Options{Width: w, Height: h, Quality: canvas.Quality{BatchVertices: bv}})
		l.Update(playback.Mark{N: d.NumPoints()})
		// Count the vertices the same pieces make, and the batches they fill.
		var tess canvas.Tessellator
		tess.Fit = l.Fit()
		batches := 0
		bt := canvas.Batcher{Max: bv, Flush: func(*canvas.Batch) { batches++ }}
		for s := range d.Strokes {
			st := d.Strokes[s]
			if _, _, _, _, ok := tess.Prepare(d, canvas.Piece{Stroke: s, First: st.Start, Last: st.End - 1, Cap: true}); ok {
				bt.SetColor(tess.Color())
				tess.Emit(&bt)
			}
		}
		bt.Finish()
		if got := l.DrawCalls(); got != batches {
			t.Errorf("batch size %d: %d DrawTriangles calls for %d batches", bv, got, batches)
		}
		if bv == 0 && batches > 20 {
			t.Errorf("default batches: %d calls for 400 strokes", batches)
		}
		l.Dispose()
	}
}

func TestHardCasesOnGPU(t *testing.T) {
	d := playback.NewDrawing(100, 80)
	d.BeginStroke(color.RGBA{0, 0, 0, 255}, 1e6)
	d.AddPoint(50, 40, 0)
	d.BeginStroke(color.RGBA{200, 0, 0, 255}, 3)
	d.AddPoint(-1e7, -1e7, 10)
	d.AddPoint(1e7, 1e7, 20)
	d.BeginStroke(color.RGBA{0, 0, 200, 255}, 0)
	d.AddPoint(10, 10, 30)
	for _, dd := range []*playback.Drawing{playback.NewDrawing(100, 80), d} {
		l := NewLayer(dd, Options{Width: 100, Height: 80})
		for n := 0; n <= dd.NumPoints(); n++ {
			dst := ebiten.NewImage(100, 80)
			l.Update(playback.Mark{N: n})
			l.Draw(dst, playback.Mark{N: n}, ebiten.GeoM{})
			dst.Deallocate()
		}
		l.Dispose()
	}
}
