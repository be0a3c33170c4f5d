package window

import (
	"image"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/canvas"
	"mbotdraw/canvas/gpu"
	"mbotdraw/playback"
)

// doc is one open drawing with its playback state: the clock (Timeline),
// what is drawn so far (Cursor) and the ink layer that holds it.
type doc struct {
	d    *playback.Drawing
	name string
	tl   *playback.Timeline
	cur  *playback.Cursor
	ink  *gpu.Layer
	// mark is what the ink layer shows: the cursor's position at the
	// timeline's time, as of the last reveal.
	mark    playback.Mark
	quality canvas.Quality

	mode fitMode
	// viewFit maps drawing units to viewport pixels; fit maps them to the
	// ink layer's pixels, whose corner is paper.Min in the viewport.
	viewFit fit
	fit     fit
	paper   image.Rectangle
	// viewW, viewH is the viewport size the ink layer was made for.
	viewW, viewH int
}

// newDoc prepares d for playback at speed.
func newDoc(d *playback.Drawing, name string, speed float64, q canvas.Quality) (*doc, error) {
	tl, err := playback.NewTimeline(d, playback.Pacing{})
	if err != nil {
		return nil, err
	}
	tl.SetSpeed(speed)
	return &doc{d: d, name: name, tl: tl, cur: playback.NewCursor(tl.Timing()), mode: defaultFitMode(d), quality: q}, nil
}

// box returns what the viewport frames in the current fit mode.
func (dc *doc) box() playback.Rect {
	if dc.mode == fitInk {
		return inkBox(dc.d)
	}
	return pageBox(dc.d)
}

// setView sizes the ink layer for a viewport of w x h pixels with margin
// pixels around the drawing, and redraws it when the size or fit changed.
// The ink layer is the paper: the framed box (page or strokes) on screen,
// clipped to the viewport; ink beyond the paper's edge is not shown.
func (dc *doc) setView(w, h int, margin float64) {
	w, h = max(w, 1), max(h, 1)
	f := fitBox(dc.box(), float64(w), float64(h), margin)
	paper := paperRect(dc.box(), f, w, h)
	if dc.ink != nil && w == dc.viewW && h == dc.viewH && f == dc.viewFit && paper == dc.paper {
		return
	}
	dc.viewW, dc.viewH, dc.viewFit, dc.paper = w, h, f, paper
	// The ink layer's own fit: relative to the paper's corner.
	dc.fit = fit{Scale: f.Scale, OffX: f.OffX - float64(paper.Min.X), OffY: f.OffY - float64(paper.Min.Y)}
	if dc.ink != nil {
		dc.ink.Dispose()
	}
	dc.ink = newLayer(dc.d, paper.Dx(), paper.Dy(), dc.fit, dc.quality)
	dc.cur.Reset()
	dc.mark = playback.Mark{}
}

// newLayer returns a canvas/gpu ink layer of w x h pixels showing d under f.
// The window draws its own pen marker.
func newLayer(d *playback.Drawing, w, h int, f fit, q canvas.Quality) *gpu.Layer {
	return gpu.NewLayer(d, gpu.Options{Width: w, Height: h, Quality: q, NoPen: true,
		Fit: &canvas.Fit{Scale: f.Scale, OffX: f.OffX, OffY: f.OffY}})
}

// setQuality changes the ink layer's quality knobs (the render optimizer's).
func (dc *doc) setQuality(q canvas.Quality) {
	dc.quality = q
	if dc.ink != nil {
		dc.ink.SetQuality(q)
	}
}

// paperRect returns box under f in whole viewport pixels, clipped to the
// w x h viewport, at least 1x1.
func paperRect(box playback.Rect, f fit, w, h int) image.Rectangle {
	x0, y0 := f.toView(box.MinX, box.MinY)
	x1, y1 := f.toView(box.MaxX, box.MaxY)
	r := image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1)))
	r = r.Intersect(image.Rect(0, 0, w, h))
	if r.Empty() {
		return image.Rect(0, 0, 1, 1)
	}
	return r
}

// reveal brings the ink layer up to the timeline's time: the layer bakes
// only the stroke pieces completed since the last call (after a backward
// seek it restores its nearest keyframe and bakes from there).
func (dc *doc) reveal() {
	dc.mark = dc.cur.MarkAt(dc.tl.Time())
	dc.cur.AdvanceTo(dc.mark)
	dc.ink.Update(dc.mark)
}

// drawInk draws the ink layer and the live tail with the layer's corner at
// (x, y) on dst.
func (dc *doc) drawInk(dst *ebiten.Image, x, y float64) {
	var geo ebiten.GeoM
	geo.Translate(x, y)
	dc.ink.Draw(dst, dc.mark, geo)
}

// penView returns the pen in viewport pixels and whether to show it: while
// the drawing plays or waits mid-way, not before the start or at the end.
func (dc *doc) penView() (x, y float64, p playback.Pen, show bool) {
	p = playback.PenAt(dc.d, dc.ink.Shown(dc.mark))
	if dc.d.NumPoints() == 0 || dc.tl.Ended() {
		return 0, 0, p, false
	}
	x, y = dc.viewFit.toView(float64(p.X), float64(p.Y))
	return x, y, p, true
}

// strokeWidthView returns stroke s's width in viewport pixels.
func (dc *doc) strokeWidthView(s int) float64 {
	if s < 0 || s >= len(dc.d.Strokes) {
		return 0
	}
	return math.Max(1, float64(dc.d.Strokes[s].Width)*dc.fit.Scale)
}

// currentStroke returns the 1-based number of the stroke being drawn or
// last drawn, for "stroke n of N" (0 before the first).
func (dc *doc) currentStroke() int {
	p := playback.PenAt(dc.d, dc.mark)
	if p.Down {
		return p.Stroke + 1
	}
	return dc.tl.StrokesDone()
}

func (dc *doc) dispose() {
	if dc.ink != nil {
		dc.ink.Dispose()
		dc.ink = nil
	}
}
