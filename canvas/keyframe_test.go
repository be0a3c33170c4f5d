package canvas

import (
	"bytes"
	"fmt"
	"image/color"
	"math/rand/v2"
	"testing"

	"mbotdraw/playback"
)

// sparseDrawing draws its strokes in a few small patches of the canvas, as
// real drawings do, so that most keyframe tiles stay blank or unchanged.
func sparseDrawing() *playback.Drawing {
	d := playback.NewDrawing(320, 240)
	rng := rand.New(rand.NewPCG(4, 4))
	t := float32(0)
	for s := 0; s < 300; s++ {
		cx, cy := float32(40+200*(s/100)), float32(60+40*(s%3))
		d.BeginStroke(color.RGBA{uint8(rng.IntN(200)), 0, 90, 255}, float32(1+rng.IntN(4)))
		x, y := cx+float32(rng.IntN(30)), cy+float32(rng.IntN(30))
		for i := 0; i < 12; i++ {
			x, y = x+float32(rng.IntN(7)-3), y+float32(rng.IntN(7)-3)
			t += 10
			d.AddPoint(x, y, t)
		}
		t += 50
	}
	return d
}

// Random seeks with keyframes stored as compressed tile deltas, in memory,
// in the file and in both, baked on one core or several: every frame equals
// the one rendered from scratch.
func TestTileKeyframesSeekAnywhere(t *testing.T) {
	const frame = 320 * 240 * 4
	drawings := map[string]*playback.Drawing{
		"dense":  playback.Generate(playback.GenOptions{Strokes: 1500, Seed: 2, Width: 320, Height: 240}),
		"sparse": sparseDrawing(),
	}
	stores := []struct {
		name      string
		ram, disk int64
	}{
		{"memory", 100 << 20, -1},
		{"file", -1, 100 << 20},
		{"both", frame / 2, 100 << 20},
	}
	for dname, d := range drawings {
		for _, st := range stores {
			for _, workers := range []int{1, 3} {
				name := fmt.Sprintf("%s/%s/workers=%d", dname, st.name, workers)
				t.Run(name, func(t *testing.T) {
					o := Options{Width: 320, Height: 240, KeyframeBudget: st.ram, KeyframeDiskBudget: st.disk,
						KeyframeDir: t.TempDir(), Workers: workers, Quality: Quality{KeyframeSpacing: 400}}
					r, c := newPlayer(t, d, o)
					defer r.Close()
					dur := c.Timing().Duration()
					for now := 0.0; now <= dur; now += 200 {
						r.Render(c.Advance(now).To)
					}
					ram, disk, _, _ := r.KeyframeUsage()
					if ram+disk < 3 || (st.ram < 0 && ram > 0) || (st.disk < 0 && disk > 0) {
						t.Fatalf("%d keyframes in memory, %d in the file", ram, disk)
					}
					rng := rand.New(rand.NewPCG(7, uint64(workers)))
					for i := 0; i < 40; i++ {
						now := rng.Float64() * dur
						if i%5 == 4 {
							now = dur // and back again from the end
						}
						st := c.Advance(now)
						img := r.Render(st.To)
						sameAsScratch(t, fmt.Sprintf("seek %d to %.0f ms", i, now), d, st.To, o, img)
					}
					if r.Ink().Stats().Restores == 0 {
						t.Fatal("no keyframe was restored")
					}
				})
			}
		}
	}
}

// A keyframe of a sparse drawing stores only the tiles that changed, and
// they compress well: far less than a frame each.
func TestSparseKeyframesAreSmall(t *testing.T) {
	d := sparseDrawing()
	o := Options{Width: 320, Height: 240, KeyframeDiskBudget: -1, Quality: Quality{KeyframeSpacing: 300}}
	r, c := newPlayer(t, d, o)
	defer r.Close()
	for now, dur := 0.0, c.Timing().Duration(); now <= dur; now += 100 {
		r.Render(c.Advance(now).To)
	}
	ram, _, ramBytes, _ := r.KeyframeUsage()
	const frame = 320 * 240 * 4
	if ram < 5 || ramBytes*20 > int64(ram)*frame {
		t.Fatalf("%d keyframes take %d B: more than a twentieth of a %d B frame each", ram, ramBytes, frame)
	}
}

// Baking on several workers gives the bytes that one worker gives, at every
// mark, with and without anti-aliasing, on canvases whose height is not a
// whole number of cells.
func TestParallelBakingIsByteIdentical(t *testing.T) {
	drawings := map[string]*playback.Drawing{
		"hard cases": playDrawing(),
		"generated":  playback.Generate(playback.GenOptions{Strokes: 400, Seed: 5, Width: 320, Height: 240}),
	}
	for name, d := range drawings {
		for _, size := range [][2]int{{320, 240}, {333, 201}, {150, 700}, {1100, 300}} {
			for _, hard := range []bool{false, true} {
				q := Quality{NoAntiAlias: hard}
				for i := 1; i <= 8; i++ {
					m := playback.Mark{N: d.NumPoints() * i / 8, Frac: 0.5}
					one := RenderAt(d, m, Options{Width: size[0], Height: size[1], Workers: 1, Quality: q})
					many := RenderAt(d, m, Options{Width: size[0], Height: size[1], Workers: 5, Quality: q})
					if !bytes.Equal(one.Pix, many.Pix) {
						t.Fatalf("%s %v no-aa=%v at %d/8: five workers differ from one", name, size, hard, i)
					}
				}
			}
		}
	}
}

// A keyframe is stored in the background while the following frames draw
// over its tiles, and seeks restore other keyframes over them: each holds
// the layer as it was when taken. The encoder is held back until the
// keyframe is needed, or until a frame with its tail and pen is on the
// canvas, so every tile drawn over in between must have been copied first.
func TestKeyframeTakenWhileDrawingOn(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 1500, Seed: 3, Width: 320, Height: 240})
	for _, disk := range []bool{false, true} {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("file=%v/workers=%d", disk, workers), func(t *testing.T) {
				o := Options{Width: 320, Height: 240, KeyframeBudget: 100 << 20, KeyframeDiskBudget: -1,
					KeyframeDir: t.TempDir(), Workers: workers, Quality: Quality{KeyframeSpacing: 400}}
				if disk {
					o.KeyframeBudget, o.KeyframeDiskBudget = -1, 100<<20
				}
				r, c := newPlayer(t, d, o)
				defer r.Close()
				r.keys.holdEncoder = true
				dur := c.Timing().Duration()
				pending := 0
				for now := 0.0; now <= dur; now += 150 {
					r.Render(c.Advance(now).To)
					if r.keys.pend != nil {
						pending++
						if pending%3 == 0 {
							r.keys.settle() // with the overlay drawn
						}
					}
				}
				if pending == 0 {
					t.Fatal("no frame was drawn while a keyframe was pending")
				}
				rng := rand.New(rand.NewPCG(9, uint64(workers)))
				for i := 0; i < 30; i++ {
					now := rng.Float64() * dur
					if i%4 == 3 {
						now = dur
					}
					st := c.Advance(now)
					img := r.Render(st.To)
					sameAsScratch(t, fmt.Sprintf("seek %d to %.0f ms", i, now), d, st.To, o, img)
				}
				if r.Ink().Stats().Restores < 10 {
					t.Fatalf("%d keyframes restored, want 10 or more", r.Ink().Stats().Restores)
				}
			})
		}
	}
}

// A re-bake longer than one run (maxRun pieces), as after a seek with no
// keyframe near, is baked in several runs: the frame is the same as
// rendering from scratch, on one core or several.
func TestLongRebakeInRuns(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 3*maxRun + 100, Seed: 6, Width: 200, Height: 150, PointsPerStroke: 4})
	for _, workers := range []int{1, 3} {
		o := Options{Width: 200, Height: 150, KeyframeBudget: -1, KeyframeDiskBudget: -1, Workers: workers}
		r, c := newPlayer(t, d, o)
		dur := c.Timing().Duration()
		r.Render(c.Advance(dur / 10).To)
		st := c.Advance(dur)
		img := r.Render(st.To)
		if got := r.Ink().Stats().Pieces; got < 3*maxRun {
			t.Fatalf("%d pieces baked, want over %d", got, 3*maxRun)
		}
		sameAsScratch(t, fmt.Sprintf("workers=%d, the end", workers), d, st.To, o, img)
		st = c.Advance(dur * 0.95)
		sameAsScratch(t, fmt.Sprintf("workers=%d, back from the end", workers), d, st.To, o, r.Render(st.To))
		r.Close()
	}
}
