package canvas

import (
	"image"
	"image/color"
	"runtime"

	"mbotdraw/perf"
	"mbotdraw/playback"
)

// Default canvas size.
const (
	DefaultWidth  = 1920
	DefaultHeight = 1080
)

// MemoryAccount is told about the renderer's big buffers (perf's
// MemoryOptimizer is one). Fits is asked before each keyframe is kept.
type MemoryAccount interface {
	Track(name string, bytes int64)
	Release(name string)
	Fits(bytes int64) bool
}

// Options configures a Renderer. The zero value renders at 1920×1080 with
// the drawing fitted, full quality, DefaultKeyframeBudget and the pen drawn.
type Options struct {
	// Width and Height of the canvas in pixels (0: DefaultWidth×DefaultHeight).
	Width, Height int
	// Fit, if set, maps the drawing onto the canvas instead of FitTo.
	Fit *Fit
	// Quality knobs; SetQuality changes them later.
	Quality Quality
	// KeyframeBudget is the most memory keyframes take, in compressed bytes
	// (0: DefaultKeyframeBudget; negative: none in memory).
	KeyframeBudget int64
	// KeyframeDiskBudget is the most room keyframes take in a temporary
	// file once the memory budget is full, in compressed bytes (0:
	// DefaultKeyframeDiskBudget; negative: none on disk).
	KeyframeDiskBudget int64
	// KeyframeDir is the folder of that file ("": the system's temporary
	// folder).
	KeyframeDir string
	// Memory, if set, accounts for the frame and keyframes and may refuse a
	// keyframe.
	Memory MemoryAccount
	// Workers is how many goroutines bake, compress and restore keyframe
	// tiles (0: runtime.GOMAXPROCS; 1: all on the caller's). The frames are
	// the same whatever the number.
	Workers int
	// Redraw makes the naive renderer: every frame starts from the
	// background and redraws every revealed chunk (the benchmark's baseline).
	Redraw bool
	// NoPen leaves out the pen marker.
	NoPen bool
	// Profiler, if set, times each Render's phases as spans: "bake" (the
	// ink brought up to the mark: restoring the last overlay's patch,
	// keyframe copies, baking new chunks) and "compose" (the live tail and
	// the pen drawn over it). Nil costs nothing.
	Profiler *perf.Profiler
}

// Renderer renders frames of a playing drawing into an *image.RGBA in
// software, doing each frame only the new work (see the package doc). It
// allocates nothing per frame once its buffers have grown. It is not safe
// for concurrent use.
type Renderer struct {
	d    *playback.Drawing
	o    Options
	fit  Fit
	img  *image.RGBA
	bg   color.RGBA
	tess Tessellator
	ras  Raster
	ink  *Ink
	mem  MemoryAccount

	keys *keyframeStore
	pool *pool
	jobs []bakeJob
	// patch holds the pixels under the last frame's overlay, at patchR.
	patch  []byte
	patchR image.Rectangle
	pen    playback.Pen
}

// NewRenderer returns a renderer of d. Nothing is drawn until Render.
func NewRenderer(d *playback.Drawing, o Options) *Renderer {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = DefaultWidth, DefaultHeight
	}
	r := &Renderer{d: d, o: o, bg: d.Background, mem: o.Memory}
	if o.Fit != nil {
		r.fit = *o.Fit
	} else {
		r.fit = FitTo(d, o.Width, o.Height)
	}
	r.img = image.NewRGBA(image.Rect(0, 0, o.Width, o.Height))
	if r.mem != nil {
		r.mem.Track("canvas.frame", int64(len(r.img.Pix)))
	}
	r.tess.Fit = r.fit
	ram, disk := o.KeyframeBudget, o.KeyframeDiskBudget
	if ram == 0 {
		ram = DefaultKeyframeBudget
	}
	if disk == 0 {
		disk = DefaultKeyframeDiskBudget
	}
	if o.Redraw {
		ram, disk = -1, -1
	}
	r.keys = newKeyframeStore(r.img.Rect, r.bg, ram, disk, o.KeyframeDir, o.Memory)
	r.pool = newPool(workerCount(o.Workers))
	// The helpers end with Close or, for a renderer never closed, once the
	// renderer is garbage.
	runtime.AddCleanup(r, (*pool).stop, r.pool)
	r.ink = NewInk(d, (*surface)(r), o.Quality)
	r.SetQuality(o.Quality)
	return r
}

// Fit returns the mapping from drawing units to pixels.
func (r *Renderer) Fit() Fit { return r.fit }

// Ink returns the layer's bookkeeping (for statistics).
func (r *Renderer) Ink() *Ink { return r.ink }

// Image returns the frame buffer: the last frame rendered. It belongs to
// the renderer and changes with the next Render; copy it to keep it.
func (r *Renderer) Image() *image.RGBA { return r.img }

// Pen returns the pen as drawn in the last frame.
func (r *Renderer) Pen() playback.Pen { return r.pen }

// SetQuality changes the quality knobs from the next frame on.
func (r *Renderer) SetQuality(q Quality) {
	r.o.Quality = q
	r.ras.NoAntiAlias = q.NoAntiAlias
	r.tess.Tolerance = q.SimplifyTolerance
	r.ink.SetQuality(q)
}

// Quality returns the knobs in force.
func (r *Renderer) Quality() Quality { return r.o.Quality }

// Render draws the frame at mark m (from a playback.Cursor) and returns it:
// the ink up to m, the live tail and the pen. The image is complete; it is
// the renderer's frame buffer (see Image).
func (r *Renderer) Render(m playback.Mark) *image.RGBA {
	bake := r.o.Profiler.Start("bake")
	r.keys.poll()
	r.unpatch()
	if r.o.Redraw {
		r.ink.Redraw()
	}
	r.ink.Update(m)
	if r.ink.Lagging() {
		m = r.ink.Baked()
	}
	bake.Stop()
	compose := r.o.Profiler.Start("compose")
	r.overlay(m)
	compose.Stop()
	return r.img
}

// unpatch puts back the pixels under the last overlay.
func (r *Renderer) unpatch() {
	if r.patchR.Empty() {
		return
	}
	copyRect(r.img, r.patchR, r.patch, false)
	r.patchR = image.Rectangle{}
}

// copyRect copies rectangle rc of img to buf (save) or buf back to img.
func copyRect(img *image.RGBA, rc image.Rectangle, buf []byte, save bool) {
	w := 4 * rc.Dx()
	for y := rc.Min.Y; y < rc.Max.Y; y++ {
		off := img.PixOffset(rc.Min.X, y)
		b := buf[(y-rc.Min.Y)*w : (y-rc.Min.Y+1)*w]
		if save {
			copy(b, img.Pix[off:off+w])
		} else {
			copy(img.Pix[off:off+w], b)
		}
	}
}

// Pen marker sizes in pixels.
const (
	penRadius = 6
	penRing   = 1.5
)

var penInk = color.RGBA{0x30, 0x30, 0x30, 0xff}

// overlay draws the tail and the pen over the ink, saving what they cover.
func (r *Renderer) overlay(m playback.Mark) {
	var box image.Rectangle
	tail, hasTail := r.ink.Tail(m)
	var tx0, ty0, tx1, ty1 float32
	if hasTail {
		tx0, ty0, tx1, ty1, hasTail = r.tess.Prepare(r.d, tail)
		if hasTail {
			box = boxRect(tx0, ty0, tx1, ty1)
		}
	}
	r.pen = playback.PenAt(r.d, m)
	drawPen := !r.o.NoPen && r.d.NumPoints() > 0
	var pm PenMarker
	if drawPen {
		pm = MarkerFor(r.d, r.fit, r.pen)
		e := pm.Radius + 1
		box = box.Union(boxRect(pm.X-e, pm.Y-e, pm.X+e, pm.Y+e))
	}
	box = box.Intersect(r.img.Rect)
	if box.Empty() {
		return
	}
	r.keys.beforeWrite(box)
	if n := 4 * box.Dx() * box.Dy(); cap(r.patch) < n {
		r.patch = make([]byte, n)
	}
	copyRect(r.img, box, r.patch, true)
	r.patchR = box
	if hasTail {
		r.ras.Fill(r.img, r.img.Rect, &r.tess, tx0, ty0, tx1, ty1)
	}
	if drawPen {
		hard := r.ras.NoAntiAlias
		r.ras.NoAntiAlias = false
		r.ras.Disc(r.img, r.img.Rect, pm.X, pm.Y, pm.Radius, pm.Ring)
		r.ras.Disc(r.img, r.img.Rect, pm.X, pm.Y, pm.Inner, pm.Fill)
		r.ras.NoAntiAlias = hard
	}
}

// PenMarker is how the pen is shown: a dark ring of Radius around a disc of
// radius Inner, in the ink's colour while the pen draws, white when it is
// lifted. Positions and radii are in canvas pixels.
type PenMarker struct {
	X, Y, Radius, Inner float32
	Ring, Fill          color.RGBA
}

// MarkerFor returns the marker of pen p of d, mapped by f.
func MarkerFor(d *playback.Drawing, f Fit, p playback.Pen) PenMarker {
	x, y := f.Apply(p.X, p.Y)
	var w float32
	fill := color.RGBA{0xff, 0xff, 0xff, 0xff}
	if p.Down && p.Stroke >= 0 && p.Stroke < len(d.Strokes) {
		w = d.Strokes[p.Stroke].Width
		fill = d.Strokes[p.Stroke].Color
		fill.A, fill.R, fill.G, fill.B = 0xff, opaque(fill.R, fill.A), opaque(fill.G, fill.A), opaque(fill.B, fill.A)
	}
	rad := max(penRadius, min(f.Radius(w), 64)+penRing+1)
	return PenMarker{X: x, Y: y, Radius: rad, Inner: rad - penRing, Ring: penInk, Fill: fill}
}

// opaque returns a premultiplied channel as it looks at full alpha.
func opaque(c, a uint8) uint8 {
	if a == 0 {
		return 0
	}
	return uint8(min(255, int(c)*255/int(a)))
}

// surface is the Renderer seen as its ink's Surface.
type surface Renderer

// Clear paints the background over the whole frame.
func (s *surface) Clear() {
	s.keys.settle()
	fillRGBA(s.img, s.bg)
	s.keys.cleared()
}

func fillRGBA(img *image.RGBA, c color.RGBA) {
	pix := img.Pix
	if len(pix) == 0 {
		return
	}
	pix[0], pix[1], pix[2], pix[3] = c.R, c.G, c.B, c.A
	for n := 4; n < len(pix); n *= 2 {
		copy(pix[n:], pix[:n])
	}
}

// Bake composites a complete piece into the ink.
func (s *surface) Bake(p Piece) {
	x0, y0, x1, y1, ok := s.tess.Prepare(s.d, p)
	if !ok {
		return
	}
	box := boxRect(x0, y0, x1, y1).Intersect(s.img.Rect)
	s.keys.touch(box) // before drawing: a pending keyframe may need the tiles first
	s.ras.Fill(s.img, s.img.Rect, &s.tess, x0, y0, x1, y1)
}

// KeyframeCapacity is how many keyframes the budgets are expected to hold.
func (s *surface) KeyframeCapacity() int { return s.keys.capacity() }

// Snapshot keeps the ink as keyframe slot: its changed tiles, compressed in
// the background.
func (s *surface) Snapshot(slot int) bool { return s.keys.snapshot(slot, s.img) }

// Restore puts keyframe slot back into the ink.
func (s *surface) Restore(slot int) bool { return s.keys.restore(slot, s.pool, s.img) }

// Drop frees keyframe slot.
func (s *surface) Drop(slot int) { s.keys.drop(slot) }

// KeyframeUsage returns how many keyframes are kept in memory and on disk,
// and the bytes each place holds.
func (r *Renderer) KeyframeUsage() (ram, disk int, ramBytes, diskBytes int64) { return r.keys.usage() }

// Close releases the renderer's memory accounting and keyframes.
func (r *Renderer) Close() {
	r.ink.Invalidate()
	r.keys.close()
	r.pool.stop()
	if r.mem != nil {
		r.mem.Release("canvas.frame")
	}
}

// RenderAt renders d from scratch as it stands at mark m into a new image,
// with the given options (Redraw and keyframes do not matter). It is the
// reference that incremental rendering must equal.
func RenderAt(d *playback.Drawing, m playback.Mark, o Options) *image.RGBA {
	o.Redraw, o.Memory = true, nil
	r := NewRenderer(d, o)
	defer r.Close()
	return r.Render(m)
}
