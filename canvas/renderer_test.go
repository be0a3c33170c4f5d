package canvas

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"mbotdraw/playback"
)

// playDrawing is a small drawing with every kind of stroke: generated
// strokes, a long stroke baked in several chunks, dots, a hairline, a
// translucent stroke and a stroke that leaves the canvas.
func playDrawing() *playback.Drawing {
	d := playback.Generate(playback.GenOptions{Strokes: 120, Seed: 11, Width: 320, Height: 240})
	t := float32(d.Duration())
	add := func(c color.RGBA, w float32, pts ...[2]float32) {
		d.BeginStroke(c, w)
		for _, p := range pts {
			t += 16
			d.AddPoint(p[0], p[1], t)
		}
		t += 100
	}
	var long [][2]float32
	for i := 0; i < 200; i++ { // three chunks and a bit
		a := float64(i) / 15
		long = append(long, [2]float32{160 + float32(100*math.Cos(a)*float64(i)/200), 120 + float32(80*math.Sin(a)*float64(i)/200)})
	}
	add(color.RGBA{0x8e, 0x24, 0xaa, 0xff}, 6, long...)
	add(black, 4, [2]float32{30, 30})
	add(black, 0, [2]float32{10, 200}, [2]float32{300, 210})
	add(color.RGBA{0, 0, 90, 128}, 14, [2]float32{20, 20}, [2]float32{200, 200}, [2]float32{20, 200}, [2]float32{200, 20})
	add(color.RGBA{0xe5, 0x39, 0x35, 0xff}, 8, [2]float32{300, 100}, [2]float32{5000, 100}, [2]float32{300, 140})
	return d
}

func newPlayer(t *testing.T, d *playback.Drawing, o Options) (*Renderer, *playback.Cursor) {
	t.Helper()
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	return NewRenderer(d, o), playback.NewCursor(tm)
}

// sameAsScratch fails unless img equals the from-scratch render at m.
func sameAsScratch(t *testing.T, what string, d *playback.Drawing, m playback.Mark, o Options, img *image.RGBA) {
	t.Helper()
	want := RenderAt(d, m, o)
	if !bytes.Equal(img.Pix, want.Pix) {
		n, first := 0, -1
		for i := range img.Pix {
			if img.Pix[i] != want.Pix[i] {
				if first < 0 {
					first = i / 4
				}
				n++
			}
		}
		t.Fatalf("%s (mark %+v): %d channels differ from the render from scratch, first at (%d, %d)",
			what, m, n, first%img.Rect.Dx(), first/img.Rect.Dx())
	}
}

// smallKeyframes makes keyframes happen in a small drawing: two in memory,
// two on disk.
func smallKeyframes(t *testing.T, w, h int) Options {
	return Options{Width: w, Height: h, KeyframeBudget: int64(2 * 4 * w * h), KeyframeDiskBudget: int64(2 * 4 * w * h),
		KeyframeDir: t.TempDir(), Quality: Quality{KeyframeSpacing: 700}}
}

func TestPlayingEqualsRenderingFromScratch(t *testing.T) {
	d := playDrawing()
	for _, frame := range []float64{16.7, 250, 3000} {
		o := smallKeyframes(t, 320, 240)
		r, c := newPlayer(t, d, o)
		dur := c.Timing().Duration()
		checks := 0
		for i, now := 0, 0.0; now <= dur+frame; i, now = i+1, now+frame {
			img := r.Render(c.Advance(now).To)
			if i%max(1, int(dur/frame/12)) == 0 || now > dur {
				sameAsScratch(t, fmt.Sprintf("frame %v ms, t %v", frame, now), d, c.Mark(), o, img)
				checks++
			}
		}
		if checks < 3 {
			t.Fatalf("only %d checks", checks)
		}
		if frame == 16.7 && r.Ink().Stats().Keyframes == 0 {
			t.Fatal("no keyframe was made")
		}
	}
}

func TestSeekingEqualsRenderingFromScratch(t *testing.T) {
	d := playDrawing()
	o := smallKeyframes(t, 320, 240)
	tm, _ := playback.NewTiming(d, playback.Pacing{})
	dur := tm.Duration()
	orders := map[string][]float64{
		"backwards":         {dur, 0.9 * dur, 0.5 * dur, 0.49 * dur, 0.1 * dur, 0},
		"forwards in jumps": {0.05 * dur, 0.3 * dur, 0.31 * dur, 0.8 * dur, dur},
		"to and fro":        {0.7 * dur, 0.2 * dur, 0.75 * dur, 0.74 * dur, 0.01 * dur, dur, 0.33 * dur},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var random []float64
	for i := 0; i < 15; i++ {
		random = append(random, rng.Float64()*dur)
	}
	orders["random"] = random
	for name, times := range orders {
		t.Run(name, func(t *testing.T) {
			r, c := newPlayer(t, d, o)
			// Play once to the end so that keyframes exist.
			for now := 0.0; now < dur; now += 40 {
				r.Render(c.Advance(now).To)
			}
			for _, now := range times {
				st := c.Advance(now)
				img := r.Render(st.To)
				sameAsScratch(t, fmt.Sprintf("seek to %.0f ms", now), d, st.To, o, img)
			}
			if name == "backwards" && r.Ink().Stats().Restores == 0 {
				t.Error("no keyframe was restored")
			}
		})
	}
}

func TestDeferredBakingCatchesUp(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 600, Seed: 3, Width: 320, Height: 240})
	o := Options{Width: 320, Height: 240, Quality: Quality{DeferBake: true}}
	r, c := newPlayer(t, d, o)
	st := c.Advance(c.Timing().Duration())
	r.Render(st.To)
	if !r.Ink().Lagging() {
		t.Fatal("a frame baked more than DeferBakePoints points")
	}
	var img *image.RGBA
	for i := 0; i < 100 && (img == nil || r.Ink().Lagging()); i++ {
		img = r.Render(st.To)
	}
	sameAsScratch(t, "after catching up", d, st.To, Options{Width: 320, Height: 240}, img)
}

func TestHardCasesPlay(t *testing.T) {
	cases := map[string]func(d *playback.Drawing){
		"no strokes": func(d *playback.Drawing) {},
		"one-point strokes": func(d *playback.Drawing) {
			for i := 0; i < 5; i++ {
				d.BeginStroke(black, float32(i))
				d.AddPoint(float32(20*i+10), 50, float32(100*i))
			}
		},
		"zero width": func(d *playback.Drawing) {
			d.BeginStroke(black, 0)
			d.AddPoint(0, 0, 0)
			d.AddPoint(100, 80, 100)
			d.AddPoint(100, 80, 200)
		},
		"huge width": func(d *playback.Drawing) {
			d.BeginStroke(color.RGBA{0, 90, 0, 255}, 1e6)
			d.AddPoint(50, 50, 0)
			d.AddPoint(60, 50, 100)
			d.BeginStroke(color.RGBA{90, 0, 0, 255}, 3e4)
			d.AddPoint(-2e4, 40, 200)
			d.AddPoint(-2e4, 60, 300)
		},
		"far outside": func(d *playback.Drawing) {
			d.BeginStroke(black, 5)
			d.AddPoint(-1e7, -1e7, 0)
			d.AddPoint(50, 40, 100)
			d.AddPoint(1e7, 1e7, 200)
			d.AddPoint(1e7, -1e7, 300)
			d.BeginStroke(black, 3)
			d.AddPoint(5e6, 5e6, 400)
		},
		"all points equal": func(d *playback.Drawing) {
			d.BeginStroke(black, 6)
			for i := 0; i < 100; i++ {
				d.AddPoint(30, 30, float32(i))
			}
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			d := playback.NewDrawing(100, 80)
			build(d)
			if err := d.Validate(); err != nil {
				t.Fatalf("test drawing invalid: %v", err)
			}
			o := Options{Width: 100, Height: 80, Fit: &Identity}
			r, c := newPlayer(t, d, o)
			dur := c.Timing().Duration()
			for now := 0.0; now <= dur+20; now += 7 {
				img := r.Render(c.Advance(now).To)
				sameAsScratch(t, fmt.Sprintf("t %v", now), d, c.Mark(), o, img)
			}
			r.Render(c.Advance(0).To)
		})
	}
}

// Coordinates that Validate rejects still draw nothing wrong and never panic.
func TestNonFinitePointsDoNotPanic(t *testing.T) {
	d := playback.NewDrawing(100, 100)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	d.BeginStroke(black, 3)
	d.AddPoint(nan, 10, 0)
	d.AddPoint(50, inf, 10)
	d.AddPoint(20, 20, 20)
	d.BeginStroke(black, float32(math.Inf(1)))
	d.AddPoint(20, 20, 30)
	d.BeginStroke(black, 2) // empty
	d.BeginStroke(black, 2)
	d.AddPoint(30, 30, 40)
	d.AddPoint(40, 30, 50)
	r := NewRenderer(d, Options{Width: 100, Height: 100})
	for n := 0; n <= d.NumPoints(); n++ {
		r.Render(playback.Mark{N: n, Frac: 0.5})
	}
}

func TestRenderAllocatesNothingPerFrame(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 300, Seed: 9, Width: 320, Height: 240})
	r, c := newPlayer(t, d, smallKeyframes(t, 320, 240))
	dur := c.Timing().Duration()
	for now := 0.0; now <= dur; now += 16.7 { // grow the buffers
		r.Render(c.Advance(now).To)
	}
	now := 0.0
	allocs := testing.AllocsPerRun(300, func() {
		now += 16.7
		if now > dur {
			now = 0
		}
		r.Render(c.Advance(now).To)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame", allocs)
	}
}

func TestKeyframesStayInBudget(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 2000, Seed: 1, Width: 320, Height: 240})
	const frame = 320 * 240 * 4
	tests := []struct {
		ram, disk         int64
		wantRAM, wantDisk bool // some keyframes there
	}{
		{-1, -1, false, false},
		{1, -1, false, false},
		{frame, -1, true, false},
		{5 * frame, -1, true, false},
		{-1, 3 * frame, false, true},
		{frame, 2 * frame, true, true},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		o := Options{Width: 320, Height: 240, KeyframeBudget: tc.ram, KeyframeDiskBudget: tc.disk, KeyframeDir: dir, Quality: Quality{KeyframeSpacing: 1}}
		r, c := newPlayer(t, d, o)
		for now, dur := 0.0, c.Timing().Duration(); now <= dur; now += dur / 50 {
			r.Render(c.Advance(now).To)
		}
		ram, disk, ramBytes, diskBytes := r.KeyframeUsage()
		if (ram > 0) != tc.wantRAM || (disk > 0) != tc.wantDisk || ramBytes > max(0, tc.ram) || diskBytes > max(0, tc.disk) ||
			(ram == 0) != (ramBytes == 0) || (disk == 0) != (diskBytes == 0) {
			t.Errorf("budgets %d/%d: %d keyframes in memory (%d B), %d in the file (%d B); want some in memory: %v, in the file: %v",
				tc.ram, tc.disk, ram, ramBytes, disk, diskBytes, tc.wantRAM, tc.wantDisk)
		}
		if st := r.Ink().Stats(); st.Keyframes != ram+disk {
			t.Errorf("ink counts %d keyframes, the store %d", st.Keyframes, ram+disk)
		}
		r.Close()
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("keyframe files left behind: %v", left)
		}
	}
}

func TestMemoryAccount(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 2000, Seed: 1, Width: 320, Height: 240})
	const frame = 320 * 240 * 4
	acc := &account{sizes: map[string]int64{}, limit: frame + frame/2}
	o := Options{Width: 320, Height: 240, Memory: acc, KeyframeBudget: 100 << 20, KeyframeDiskBudget: -1, Quality: Quality{KeyframeSpacing: 1}}
	r, c := newPlayer(t, d, o)
	for now, dur := 0.0, c.Timing().Duration(); now <= dur; now += dur / 50 {
		r.Render(c.Advance(now).To)
	}
	if acc.total() > acc.limit || acc.sizes["canvas.frame"] != frame {
		t.Fatalf("accounted %v, over the limit %d", acc.sizes, acc.limit)
	}
	_, _, ramBytes, _ := r.KeyframeUsage()
	if n := r.Ink().Stats().Keyframes; n == 0 || acc.sizes[keyframeMemName] != ramBytes {
		t.Fatalf("%d keyframes, %d B in memory, accounted %v", n, ramBytes, acc.sizes)
	}
	r.Close()
	if acc.total() != 0 {
		t.Fatalf("after Close: %v", acc.sizes)
	}
}

type account struct {
	sizes map[string]int64
	limit int64
}

func (a *account) Track(name string, n int64) { a.sizes[name] = n }
func (a *account) Release(name string)        { delete(a.sizes, name) }
func (a *account) Fits(n int64) bool          { return a.total()+n <= a.limit }
func (a *account) total() (t int64) {
	for _, n := range a.sizes {
		t += n
	}
	return t
}

// The optimizer may turn any knob between any two frames.
func TestQualityChangesAreSafe(t *testing.T) {
	d := playDrawing()
	o := smallKeyframes(t, 320, 240)
	r, c := newPlayer(t, d, o)
	rng := rand.New(rand.NewPCG(5, 6))
	dur := c.Timing().Duration()
	var q Quality
	for i := 0; i < 300; i++ {
		q = Quality{
			NoAntiAlias:       rng.IntN(2) == 0,
			SimplifyTolerance: []float64{0, 0.5, 3}[rng.IntN(3)],
			BatchVertices:     []int{0, 64, 1 << 20}[rng.IntN(3)],
			KeyframeSpacing:   []int{0, 500, 900}[rng.IntN(3)],
			DeferBake:         rng.IntN(3) == 0,
		}
		r.SetQuality(q)
		r.Render(c.Advance(rng.Float64() * dur).To)
	}
	// Once redrawn, the picture is the one this quality gives from scratch.
	q.DeferBake = false
	r.SetQuality(q)
	r.Ink().Invalidate()
	img := r.Render(c.Advance(0.8 * dur).To)
	o.Quality = q
	sameAsScratch(t, "after the knobs settle", d, c.Mark(), o, img)
}

// Simplification drops points but keeps the drawing's shape.
func TestSimplifyTolerance(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 30, Seed: 8, Width: 320, Height: 240})
	m := playback.Mark{N: d.NumPoints()}
	full := RenderAt(d, m, Options{Width: 320, Height: 240, NoPen: true})
	simple := RenderAt(d, m, Options{Width: 320, Height: 240, NoPen: true, Quality: Quality{SimplifyTolerance: 12}})
	var tess Tessellator
	var a, b countSink
	for s := range d.Strokes {
		tess.Tolerance = 0
		tess.Prepare(d, wholeStroke(d, s))
		tess.EmitOutline(&a)
		tess.Tolerance = 12
		tess.Prepare(d, wholeStroke(d, s))
		tess.EmitOutline(&b)
	}
	if b.n >= a.n*2/3 {
		t.Fatalf("tolerance 12 px kept %d of %d outline points", b.n, a.n)
	}
	diff := 0
	for i := range full.Pix {
		if full.Pix[i] != simple.Pix[i] {
			diff++
		}
	}
	if diff == 0 || diff > len(full.Pix)/10 {
		t.Fatalf("%d of %d channels changed", diff, len(full.Pix))
	}
}

// A renderer used after Close still renders, on the caller's goroutine.
func TestRenderAfterClose(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 200, Seed: 4, Width: 320, Height: 240})
	o := Options{Width: 320, Height: 240, Workers: 3}
	r := NewRenderer(d, o)
	r.Render(playback.Mark{N: d.NumPoints() / 2})
	r.Close()
	m := playback.Mark{N: d.NumPoints()}
	sameAsScratch(t, "after Close", d, m, o, r.Render(m))
}
