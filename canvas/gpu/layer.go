// Package gpu is the canvas's ink layer on the GPU: a persistent offscreen
// *ebiten.Image that receives only newly completed stroke chunks, drawn as
// triangles from the canvas package's tessellation, one DrawTriangles call
// per batch of up to Quality.BatchVertices vertices (per-vertex colour, a
// white source, FillRuleFillAll). The bookkeeping — which chunks to bake,
// the live tail drawn over the layer each frame, keyframes for backward
// seeks — is canvas.Ink's, the same as the software renderer's, so the two
// agree: within the small differences of GPU anti-aliasing (see the tests).
//
// Like everything that imports Ebiten, this package needs a display (Xvfb
// in tests), and its drawing methods must run on the game's goroutine.
package gpu

import (
	"image"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/canvas"
	"mbotdraw/playback"
)

// Options configures a Layer. The zero value is a 1920×1080 layer with the
// drawing fitted, full quality and canvas.DefaultKeyframeBudget of GPU
// memory for keyframes.
type Options struct {
	// Width and Height of the layer in pixels (0: 1920×1080).
	Width, Height int
	// Fit, if set, maps the drawing onto the layer instead of canvas.FitTo.
	Fit *canvas.Fit
	// Quality knobs; SetQuality changes them later.
	Quality canvas.Quality
	// KeyframeBudget is the GPU memory keyframes may take, in bytes
	// (0: canvas.DefaultKeyframeBudget; negative: no keyframes).
	KeyframeBudget int64
	// Redraw makes the naive layer: every Update starts from the paper and
	// draws every revealed chunk again (the benchmark's baseline).
	Redraw bool
	// NoPen leaves out the pen marker in Draw.
	NoPen bool
}

var (
	whiteImage = ebiten.NewImage(3, 3)
	// whiteSrc is the one white pixel every triangle samples.
	whiteSrc = whiteImage.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
)

func init() { whiteImage.Fill(color.White) }

// Layer is an ink layer on an Ebiten image (see the package doc). It is not
// safe for concurrent use.
type Layer struct {
	d    *playback.Drawing
	o    Options
	fit  canvas.Fit
	w, h int
	bg   color.RGBA

	img     *ebiten.Image
	scratch *ebiten.Image // translucent pieces are drawn opaque here first
	keys    map[int]*ebiten.Image
	maxKeys int

	ink   *canvas.Ink
	tess  canvas.Tessellator
	batch canvas.Batcher
	verts []ebiten.Vertex
	poly  []canvas.Vec
	// target and geo are where the batcher's triangles go.
	target *ebiten.Image
	geo    ebiten.GeoM
	useGeo bool
	draws  int
}

// NewLayer returns a layer for d. Nothing is drawn until Update.
func NewLayer(d *playback.Drawing, o Options) *Layer {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = canvas.DefaultWidth, canvas.DefaultHeight
	}
	l := &Layer{d: d, o: o, w: o.Width, h: o.Height, bg: d.Background, keys: map[int]*ebiten.Image{}}
	if o.Fit != nil {
		l.fit = *o.Fit
	} else {
		l.fit = canvas.FitTo(d, o.Width, o.Height)
	}
	l.img = ebiten.NewImageWithOptions(image.Rect(0, 0, l.w, l.h), &ebiten.NewImageOptions{Unmanaged: true})
	budget := o.KeyframeBudget
	if budget == 0 {
		budget = canvas.DefaultKeyframeBudget
	}
	if budget > 0 && !o.Redraw {
		l.maxKeys = int(budget / (4 * int64(l.w) * int64(l.h)))
	}
	l.tess.Fit = l.fit
	l.batch.Flush = l.flushBatch
	l.ink = canvas.NewInk(d, (*surface)(l), o.Quality)
	l.SetQuality(o.Quality)
	return l
}

// Image returns the ink layer: the paper and every baked chunk, without the
// live tail or the pen (Draw adds them).
func (l *Layer) Image() *ebiten.Image { return l.img }

// Fit returns the mapping from drawing units to layer pixels.
func (l *Layer) Fit() canvas.Fit { return l.fit }

// Ink returns the layer's bookkeeping (statistics, the baked position).
func (l *Layer) Ink() *canvas.Ink { return l.ink }

// DrawCalls returns how many DrawTriangles calls the layer has made.
func (l *Layer) DrawCalls() int { return l.draws }

// SetQuality changes the quality knobs from the next Update on.
func (l *Layer) SetQuality(q canvas.Quality) {
	l.o.Quality = q
	l.tess.Tolerance = q.SimplifyTolerance
	l.batch.Max = q.BatchVertices
	l.ink.SetQuality(q)
}

// Quality returns the knobs in force.
func (l *Layer) Quality() canvas.Quality { return l.o.Quality }

// Update brings the layer to mark m: it bakes the chunks completed since
// the last Update (or restores a keyframe and bakes from there after a
// backward seek).
func (l *Layer) Update(m playback.Mark) {
	if l.o.Redraw {
		l.ink.Redraw()
	}
	l.ink.Update(m)
	l.flush()
}

// Shown returns the mark the layer shows: m, or where the baked ink is when
// it lags behind m (Quality.DeferBake).
func (l *Layer) Shown(m playback.Mark) playback.Mark {
	if l.ink.Lagging() {
		return l.ink.Baked()
	}
	return m
}

// Draw draws the whole frame at mark m onto dst, mapped by geo: the ink
// layer, the live tail and (unless Options.NoPen) the pen. Call Update(m)
// first.
func (l *Layer) Draw(dst *ebiten.Image, m playback.Mark, geo ebiten.GeoM) {
	op := &ebiten.DrawImageOptions{GeoM: geo, Filter: ebiten.FilterLinear}
	dst.DrawImage(l.img, op)
	l.DrawTail(dst, m, geo)
	if !l.o.NoPen {
		l.DrawPen(dst, m, geo)
	}
}

// DrawTail draws the live tail at m (the revealed part of the chunk the pen
// is drawing, never baked) onto dst, mapped by geo.
func (l *Layer) DrawTail(dst *ebiten.Image, m playback.Mark, geo ebiten.GeoM) {
	m = l.Shown(m)
	p, ok := l.ink.Tail(m)
	if !ok {
		return
	}
	if _, _, _, _, ok := l.tess.Prepare(l.d, p); !ok {
		return
	}
	l.begin(dst, geo)
	l.piece(p)
	l.flush()
}

// DrawPen draws the pen marker at m onto dst, mapped by geo.
func (l *Layer) DrawPen(dst *ebiten.Image, m playback.Mark, geo ebiten.GeoM) {
	if l.d.NumPoints() == 0 {
		return
	}
	pm := canvas.MarkerFor(l.d, l.fit, playback.PenAt(l.d, l.Shown(m)))
	l.begin(dst, geo)
	l.batch.SetColor(pm.Ring)
	l.poly = canvas.AppendDisc(l.poly[:0], pm.X, pm.Y, pm.Radius)
	l.batch.Polygon(l.poly)
	l.batch.SetColor(pm.Fill)
	l.poly = canvas.AppendDisc(l.poly[:0], pm.X, pm.Y, pm.Inner)
	l.batch.Polygon(l.poly)
	l.flush()
}

// Dispose frees the layer's images.
func (l *Layer) Dispose() {
	l.ink.Invalidate()
	l.img.Deallocate()
	if l.scratch != nil {
		l.scratch.Deallocate()
	}
}

// begin points the batcher at dst through geo (identity for the layer).
func (l *Layer) begin(dst *ebiten.Image, geo ebiten.GeoM) {
	l.flush()
	l.target, l.geo = dst, geo
	l.useGeo = !isIdentity(geo)
}

func isIdentity(g ebiten.GeoM) bool {
	a, b, c, d, tx, ty := g.Element(0, 0), g.Element(0, 1), g.Element(1, 0), g.Element(1, 1), g.Element(0, 2), g.Element(1, 2)
	return a == 1 && b == 0 && c == 0 && d == 1 && tx == 0 && ty == 0
}

// piece tessellates the piece prepared in l.tess into the batch. A
// translucent piece is first drawn opaque into a scratch image and then
// composited once, so that its overlapping triangles do not darken.
func (l *Layer) piece(p canvas.Piece) {
	c := l.tess.Color()
	if c.A == 0xff || c.A == 0 {
		if c.A != 0 {
			l.batch.SetColor(c)
			l.tess.Emit(&l.batch)
		}
		return
	}
	dst, geo := l.target, l.geo
	l.flush()
	if l.scratch == nil {
		l.scratch = ebiten.NewImageWithOptions(image.Rect(0, 0, l.w, l.h), &ebiten.NewImageOptions{Unmanaged: true})
	}
	l.scratch.Clear()
	l.target, l.geo, l.useGeo = l.scratch, ebiten.GeoM{}, false
	opaqueC := color.RGBA{unmul(c.R, c.A), unmul(c.G, c.A), unmul(c.B, c.A), 0xff}
	l.batch.SetColor(opaqueC)
	l.tess.Emit(&l.batch)
	l.flush()
	op := &ebiten.DrawImageOptions{GeoM: geo}
	op.ColorScale.ScaleAlpha(float32(c.A) / 255)
	dst.DrawImage(l.scratch, op)
	l.target, l.geo, l.useGeo = dst, geo, !isIdentity(geo)
}

func unmul(c, a uint8) uint8 { return uint8(min(255, int(c)*255/int(a))) }

// flush draws the pending batch.
func (l *Layer) flush() { l.batch.Finish() }

// flushBatch draws one full batch with one DrawTriangles call.
func (l *Layer) flushBatch(b *canvas.Batch) {
	if l.target == nil {
		return
	}
	l.verts = l.verts[:0]
	for _, v := range b.Vertices {
		x, y := float64(v.X), float64(v.Y)
		if l.useGeo {
			x, y = l.geo.Apply(x, y)
		}
		l.verts = append(l.verts, ebiten.Vertex{DstX: float32(x), DstY: float32(y), SrcX: 1, SrcY: 1,
			ColorR: v.R, ColorG: v.G, ColorB: v.B, ColorA: v.A})
	}
	op := &ebiten.DrawTrianglesOptions{
		ColorScaleMode: ebiten.ColorScaleModePremultipliedAlpha,
		FillRule:       ebiten.FillRuleFillAll,
		AntiAlias:      !l.o.Quality.NoAntiAlias,
	}
	l.target.DrawTriangles(l.verts, b.Indices, whiteSrc, op)
	l.draws++
}

// surface is the Layer seen as its ink's canvas.Surface.
type surface Layer

// Clear paints the paper over the whole layer.
func (s *surface) Clear() {
	l := (*Layer)(s)
	l.batch.Finish()
	l.img.Fill(l.bg)
	l.target, l.useGeo = l.img, false
}

// Bake adds a complete piece to the batch bound for the layer.
func (s *surface) Bake(p canvas.Piece) {
	l := (*Layer)(s)
	if l.target != l.img || l.useGeo {
		l.begin(l.img, ebiten.GeoM{})
	}
	if _, _, _, _, ok := l.tess.Prepare(l.d, p); ok {
		l.piece(p)
	}
}

// KeyframeCapacity is how many keyframes fit the GPU memory budget.
func (s *surface) KeyframeCapacity() int { return s.maxKeys }

// Snapshot copies the layer into keyframe slot.
func (s *surface) Snapshot(slot int) bool {
	l := (*Layer)(s)
	l.batch.Finish()
	k := l.keys[slot]
	if k == nil {
		k = ebiten.NewImageWithOptions(image.Rect(0, 0, l.w, l.h), &ebiten.NewImageOptions{Unmanaged: true})
		l.keys[slot] = k
	}
	k.DrawImage(l.img, &ebiten.DrawImageOptions{Blend: ebiten.BlendCopy})
	return true
}

// Restore copies keyframe slot back into the layer.
func (s *surface) Restore(slot int) bool {
	l := (*Layer)(s)
	k := l.keys[slot]
	if k == nil {
		return false
	}
	l.batch.Finish()
	l.img.DrawImage(k, &ebiten.DrawImageOptions{Blend: ebiten.BlendCopy})
	return true
}

// Drop frees keyframe slot.
func (s *surface) Drop(slot int) {
	if k := s.keys[slot]; k != nil {
		k.Deallocate()
		delete(s.keys, slot)
	}
}
