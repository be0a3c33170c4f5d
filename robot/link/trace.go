package link

import (
	"image"
	"image/color"
	"math"
)

// Point is a position on the paper in mm (y down the page).
type Point struct {
	X, Y float64
}

// Path is a run of the pen's positions with the pen down (ink) or up
// (travel).
type Path struct {
	Down   bool
	Points []Point
}

// Trace is everything the pen did, in order.
type Trace []Path

// Ink returns the pen-down paths that have at least two points.
func (t Trace) Ink() Trace {
	var out Trace
	for _, p := range t {
		if p.Down && len(p.Points) > 1 {
			out = append(out, p)
		}
	}
	return out
}

// Length returns the length in mm of the pen-down paths (down) or the
// pen-up ones.
func (t Trace) Length(down bool) float64 {
	var sum float64
	for _, p := range t {
		if p.Down != down {
			continue
		}
		for i := 1; i < len(p.Points); i++ {
			sum += math.Hypot(p.Points[i].X-p.Points[i-1].X, p.Points[i].Y-p.Points[i-1].Y)
		}
	}
	return sum
}

// Bounds returns the smallest rectangle (min, max in mm) holding every
// point of the pen-down paths, or of all paths when there is no ink; ok is
// false for an empty trace.
func (t Trace) Bounds() (lo, hi Point, ok bool) {
	src := t.Ink()
	if len(src) == 0 {
		src = t
	}
	lo = Point{math.Inf(1), math.Inf(1)}
	hi = Point{math.Inf(-1), math.Inf(-1)}
	for _, p := range src {
		for _, q := range p.Points {
			lo.X, lo.Y = math.Min(lo.X, q.X), math.Min(lo.Y, q.Y)
			hi.X, hi.Y = math.Max(hi.X, q.X), math.Max(hi.Y, q.Y)
			ok = true
		}
	}
	return lo, hi, ok
}

// RenderOptions say what part of the paper to render and how. The zero value
// renders the ink's bounds with a 5 mm margin at 4 px/mm.
type RenderOptions struct {
	// Origin and Size are the rendered rectangle of paper in mm. A zero Size
	// means the trace's bounds plus a 5 mm margin.
	Origin, Size Point
	// Scale is pixels per mm. Zero: 4.
	Scale float64
	// PenWidth is the pen's line width in mm. Zero: 0.5.
	PenWidth float64
	// Ink is the ink colour. Zero: black.
	Ink color.RGBA
	// Travel also draws the pen-up moves, thin and light blue.
	Travel bool
}

// Render draws the trace as the paper would show it: the ink (anti-aliased
// round-capped lines of PenWidth) on white.
func (t Trace) Render(o RenderOptions) *image.RGBA {
	if o.Scale <= 0 {
		o.Scale = 4
	}
	if o.PenWidth <= 0 {
		o.PenWidth = 0.5
	}
	if o.Ink == (color.RGBA{}) {
		o.Ink = color.RGBA{A: 255}
	}
	if o.Size.X <= 0 || o.Size.Y <= 0 {
		lo, hi, ok := t.Bounds()
		if !ok {
			lo, hi = Point{}, Point{}
		}
		o.Origin = Point{lo.X - 5, lo.Y - 5}
		o.Size = Point{hi.X - lo.X + 10, hi.Y - lo.Y + 10}
	}
	w := max(1, int(math.Ceil(o.Size.X*o.Scale)))
	h := max(1, int(math.Ceil(o.Size.Y*o.Scale)))
	const maxPixels = 64 << 20
	if w*h > maxPixels {
		f := math.Sqrt(float64(maxPixels) / float64(w*h))
		o.Scale *= f
		w, h = max(1, int(o.Size.X*o.Scale)), max(1, int(o.Size.Y*o.Scale))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	if o.Travel {
		cov := newCoverage(w, h)
		for _, p := range t {
			if !p.Down {
				cov.polyline(p.Points, o, 0.5)
			}
		}
		cov.paint(img, color.RGBA{R: 150, G: 190, B: 255, A: 255})
	}
	cov := newCoverage(w, h)
	for _, p := range t {
		if p.Down {
			cov.polyline(p.Points, o, o.PenWidth*o.Scale)
		}
	}
	cov.paint(img, o.Ink)
	return img
}

// coverage is a per-pixel ink coverage in 0…1; overlapping lines take the
// maximum, so a line crossing itself is no darker.
type coverage struct {
	w, h int
	c    []float32
}

func newCoverage(w, h int) *coverage { return &coverage{w: w, h: h, c: make([]float32, w*h)} }

// polyline adds round-capped segments of width px pixels.
func (c *coverage) polyline(pts []Point, o RenderOptions, px float64) {
	tr := func(p Point) (float64, float64) {
		return (p.X - o.Origin.X) * o.Scale, (p.Y - o.Origin.Y) * o.Scale
	}
	if len(pts) == 1 {
		x, y := tr(pts[0])
		c.segment(x, y, x, y, px/2)
	}
	for i := 1; i < len(pts); i++ {
		x0, y0 := tr(pts[i-1])
		x1, y1 := tr(pts[i])
		c.segment(x0, y0, x1, y1, px/2)
	}
}

// segment adds a capsule of radius r around (x0,y0)–(x1,y1), pixel centres
// at half-integers, anti-aliased over one pixel.
func (c *coverage) segment(x0, y0, x1, y1, r float64) {
	r = math.Max(r, 0.5)
	minX := max(0, int(math.Floor(math.Min(x0, x1)-r-1)))
	maxX := min(c.w-1, int(math.Ceil(math.Max(x0, x1)+r+1)))
	minY := max(0, int(math.Floor(math.Min(y0, y1)-r-1)))
	maxY := min(c.h-1, int(math.Ceil(math.Max(y0, y1)+r+1)))
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	for py := minY; py <= maxY; py++ {
		for px := minX; px <= maxX; px++ {
			qx, qy := float64(px)+0.5-x0, float64(py)+0.5-y0
			u := 0.0
			if l2 > 0 {
				u = math.Max(0, math.Min(1, (qx*dx+qy*dy)/l2))
			}
			d := math.Hypot(qx-u*dx, qy-u*dy)
			a := float32(math.Max(0, math.Min(1, r+0.5-d)))
			if i := py*c.w + px; a > c.c[i] {
				c.c[i] = a
			}
		}
	}
}

// paint blends col over img by the coverage.
func (c *coverage) paint(img *image.RGBA, col color.RGBA) {
	for i, a := range c.c {
		if a == 0 {
			continue
		}
		p := img.Pix[4*i : 4*i+4]
		p[0] = blend(p[0], col.R, a)
		p[1] = blend(p[1], col.G, a)
		p[2] = blend(p[2], col.B, a)
	}
}

func blend(dst, src uint8, a float32) uint8 {
	return uint8(float32(dst)*(1-a) + float32(src)*a + 0.5)
}
