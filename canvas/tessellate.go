package canvas

import (
	"image/color"
	"math"

	"mbotdraw/playback"
)

// Vec is a point or direction in canvas pixels.
type Vec struct{ X, Y float32 }

// Piece is a run of one stroke to draw: its points First..Last (indices into
// the drawing's point store, inclusive), optionally extended by EndFrac of
// the segment from Last to Last+1 (the pen's partial segment), with a round
// cap at the end when Cap is set. A piece that begins at the stroke's first
// point gets a round start cap; one that begins later gets the round join
// with the segment before it.
type Piece struct {
	Stroke      int
	First, Last int
	EndFrac     float32
	Cap         bool
}

// PolygonSink receives the convex polygons of a tessellated piece. The slice
// is only valid during the call.
type PolygonSink interface {
	Polygon(p []Vec)
}

// arcTolerance is the largest distance, in pixels, between a round join or
// cap and the polygon that stands for it.
const arcTolerance = 0.125

// Circle segment counts are kept between these.
const (
	minCircleSegments = 8
	maxCircleSegments = 1024
)

// Tessellator turns pieces of strokes into convex polygons (see the package
// doc). Prepare a piece, read its bounds, then Emit its polygons. It reuses
// its buffers: after the first few pieces it allocates nothing. The zero
// value uses the identity fit and no simplification.
type Tessellator struct {
	// Fit maps the drawing onto the canvas (the zero Fit means Identity).
	Fit Fit
	// Tolerance, in pixels, drops points closer than this to the last point
	// kept (0: only exact repeats are dropped).
	Tolerance float64

	pts, dirs, poly []Vec
	r               float32
	col             color.RGBA
	joinIn          Vec
	hasJoin         bool
	startCap        bool
	endCap          bool
	// circle: n segments for a full turn, one step's cosine and sine.
	n          int
	cosS, sinS float32
}

// minSegment is the shortest segment kept, in pixels: shorter ones are
// repeats of the point before.
const minSegment = 1e-3

// Prepare readies piece p of d and returns the box its ink can touch, in
// pixels (one pixel wider than the geometry, for anti-aliasing). ok is false
// when the piece draws nothing.
func (t *Tessellator) Prepare(d *playback.Drawing, p Piece) (minX, minY, maxX, maxY float32, ok bool) {
	f := t.Fit
	if f.Scale == 0 {
		f = Identity
	}
	st := d.Strokes[p.Stroke]
	if p.Last < p.First || p.First < st.Start || p.Last >= st.End {
		return 0, 0, 0, 0, false // no points (an empty stroke)
	}
	t.col = st.Color
	t.r = f.Radius(st.Width)
	t.pts = t.pts[:0]
	tol2 := float32(t.Tolerance * t.Tolerance)
	if tol2 < minSegment*minSegment {
		tol2 = minSegment * minSegment
	}
	xy := d.XY
	add := func(x, y float32, last bool) {
		px, py := f.Apply(x, y)
		if n := len(t.pts); n > 0 {
			q := t.pts[n-1]
			if dx, dy := px-q.X, py-q.Y; dx*dx+dy*dy < tol2 {
				if last && n > 1 {
					t.pts[n-1] = Vec{px, py} // the end point wins over the one kept before it
				}
				return
			}
		}
		t.pts = append(t.pts, Vec{px, py})
	}
	for i := p.First; i <= p.Last; i++ {
		add(xy[2*i], xy[2*i+1], i == p.Last && !(p.EndFrac > 0))
	}
	if p.EndFrac > 0 && p.Last+1 < st.End {
		x, y := lerpPoint(xy, p.Last, p.EndFrac)
		add(x, y, true)
	}
	t.startCap = p.First == st.Start
	t.endCap = p.Cap
	t.hasJoin = false
	if !t.startCap && len(t.pts) > 1 {
		// The join with the segment before: the last earlier point that differs.
		p0 := t.pts[0]
		for i := p.First - 1; i >= st.Start; i-- {
			qx, qy := f.Apply(xy[2*i], xy[2*i+1])
			if dx, dy := p0.X-qx, p0.Y-qy; dx*dx+dy*dy >= minSegment*minSegment {
				t.joinIn, t.hasJoin = unit(dx, dy), true
				break
			}
		}
	}
	if len(t.pts) == 1 && !(t.startCap && t.endCap) {
		return 0, 0, 0, 0, false // a piece of no length inside a longer stroke
	}
	t.setCircle()
	minX, minY = t.pts[0].X, t.pts[0].Y
	maxX, maxY = minX, minY
	for _, q := range t.pts[1:] {
		minX, maxX = min(minX, q.X), max(maxX, q.X)
		minY, maxY = min(minY, q.Y), max(maxY, q.Y)
	}
	e := t.r + 1
	return minX - e, minY - e, maxX + e, maxY + e, true
}

// Color returns the colour of the piece prepared last.
func (t *Tessellator) Color() color.RGBA { return t.col }

// Radius returns the half-width in pixels of the piece prepared last.
func (t *Tessellator) Radius() float32 { return t.r }

func lerpPoint(xy []float32, i int, frac float32) (x, y float32) {
	x0, y0, x1, y1 := xy[2*i], xy[2*i+1], xy[2*i+2], xy[2*i+3]
	return x0 + (x1-x0)*frac, y0 + (y1-y0)*frac
}

func unit(dx, dy float32) Vec {
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	return Vec{dx / l, dy / l}
}

// AppendDisc appends to dst the polygon of a disc of radius r around
// (cx, cy), as many sides as keep it within arcTolerance of a circle.
func AppendDisc(dst []Vec, cx, cy, r float32) []Vec {
	n := circleSegments(r)
	s, c := math.Sincos(2 * math.Pi / float64(n))
	sn, cs := float32(s), float32(c)
	x, y := r, float32(0)
	for i := 0; i < n; i++ {
		dst = append(dst, Vec{cx + x, cy + y})
		x, y = x*cs-y*sn, x*sn+y*cs
	}
	return dst
}

// circleSegments returns how many segments approximate a circle of radius r
// within arcTolerance: an even number in [minCircleSegments, maxCircleSegments].
func circleSegments(r float32) int {
	if r <= arcTolerance {
		return minCircleSegments
	}
	n := math.Ceil(math.Pi / math.Acos(1-arcTolerance/float64(r)))
	if !(n <= maxCircleSegments) {
		return maxCircleSegments
	}
	k := int(n)
	k += k & 1
	return max(k, minCircleSegments)
}

func (t *Tessellator) setCircle() {
	n := circleSegments(t.r)
	if n != t.n {
		t.n = n
		s, c := math.Sincos(2 * math.Pi / float64(n))
		t.sinS, t.cosS = float32(s), float32(c)
	}
}

// Emit sends the polygons of the piece prepared last to sink.
func (t *Tessellator) Emit(sink PolygonSink) {
	pts, r := t.pts, t.r
	if len(pts) == 1 {
		t.arc(sink, pts[0], Vec{r, 0}, t.n, t.cosS, t.sinS, false)
		return
	}
	t.dirs = t.dirs[:0]
	for k := 0; k+1 < len(pts); k++ {
		t.dirs = append(t.dirs, unit(pts[k+1].X-pts[k].X, pts[k+1].Y-pts[k].Y))
	}
	for k, d := range t.dirs {
		a, b := pts[k], pts[k+1]
		nx, ny := -d.Y*r, d.X*r
		t.poly = append(t.poly[:0], Vec{a.X + nx, a.Y + ny}, Vec{b.X + nx, b.Y + ny}, Vec{b.X - nx, b.Y - ny}, Vec{a.X - nx, a.Y - ny})
		t.emit(sink, t.poly)
	}
	if t.hasJoin {
		t.join(sink, pts[0], t.joinIn, t.dirs[0])
	}
	for k := 1; k < len(t.dirs); k++ {
		t.join(sink, pts[k], t.dirs[k-1], t.dirs[k])
	}
	half := t.n / 2
	if t.startCap {
		d := t.dirs[0]
		// From the left normal, turning through -d, to the right normal.
		t.arc(sink, pts[0], Vec{-d.Y * r, d.X * r}, half, t.cosS, t.sinS, true)
	}
	if t.endCap {
		d := t.dirs[len(t.dirs)-1]
		t.arc(sink, pts[len(pts)-1], Vec{-d.Y * r, d.X * r}, half, t.cosS, -t.sinS, true)
	}
}

// join emits the round wedge on the outer side of the turn from direction u
// to direction v at c.
func (t *Tessellator) join(sink PolygonSink, c, u, v Vec) {
	cross := u.X*v.Y - u.Y*v.X
	dot := u.X*v.X + u.Y*v.Y
	if dot > 0.99999 && cross < 1e-5 && cross > -1e-5 {
		return // straight on: the quads meet
	}
	r := t.r
	// Outer normals: the side away from the turn.
	a := Vec{-u.Y * r, u.X * r}
	b := Vec{-v.Y * r, v.X * r}
	sign := float32(-1)
	if cross > 0 || (cross == 0 && dot < 0) {
		a, b = Vec{-a.X, -a.Y}, Vec{-b.X, -b.Y}
		sign = 1
	}
	if dot >= t.cosS {
		t.poly = append(t.poly[:0], c, Vec{c.X + a.X, c.Y + a.Y}, Vec{c.X + b.X, c.Y + b.Y})
		t.emit(sink, t.poly)
		return
	}
	phi := math.Acos(math.Max(-1, math.Min(1, float64(dot))))
	m := int(math.Ceil(phi / (2 * math.Pi / float64(t.n))))
	s, co := math.Sincos(phi / float64(m))
	t.poly = append(t.poly[:0], c)
	t.arcPoints(c, a, m, float32(co), sign*float32(s))
	t.poly[len(t.poly)-1] = Vec{c.X + b.X, c.Y + b.Y} // land exactly on the outgoing edge
	t.emit(sink, t.poly)
}

// arc emits the polygon of an arc of m steps around c starting at offset a,
// each step turning by the angle of (cos, sin); with open it is closed by the
// chord, else it is a whole circle (m = n).
func (t *Tessellator) arc(sink PolygonSink, c, a Vec, m int, cos, sin float32, open bool) {
	t.poly = t.poly[:0]
	t.arcPoints(c, a, m, cos, sin)
	if !open {
		t.poly = t.poly[:len(t.poly)-1] // the last point repeats the first
	}
	t.emit(sink, t.poly)
}

func (t *Tessellator) arcPoints(c, a Vec, m int, cos, sin float32) {
	x, y := a.X, a.Y
	t.poly = append(t.poly, Vec{c.X + x, c.Y + y})
	for i := 0; i < m; i++ {
		x, y = x*cos-y*sin, x*sin+y*cos
		t.poly = append(t.poly, Vec{c.X + x, c.Y + y})
	}
}

// emit sends p to sink wound like the quads (negative signed area in
// x-right, y-down pixels), so that overlapping polygons add up instead of
// cancelling in a rasterizer that sums coverage.
func (t *Tessellator) emit(sink PolygonSink, p []Vec) {
	var area float32
	for i := range p {
		j := i + 1
		if j == len(p) {
			j = 0
		}
		area += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	if area > 0 {
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	sink.Polygon(p)
}

// EmitOutline sends the piece prepared last to sink as few polygons as
// possible: the stroke's whole outline as one polygon (left side forward,
// end cap, right side back, start cap; inner corners pass through the
// corner's centre point) plus, for a piece that continues a stroke, the
// wedge of the join before it. The outline may overlap itself but every
// part of it winds the same way, so a rasterizer that sums coverage (like
// Raster) fills exactly the union that Emit's convex polygons cover, with
// about a third of the edges. It is not for triangle fans: use Emit there.
func (t *Tessellator) EmitOutline(sink PolygonSink) {
	pts, r := t.pts, t.r
	if len(pts) == 1 {
		t.Emit(sink)
		return
	}
	t.dirs = t.dirs[:0]
	for k := 0; k+1 < len(pts); k++ {
		t.dirs = append(t.dirs, unit(pts[k+1].X-pts[k].X, pts[k+1].Y-pts[k].Y))
	}
	if t.hasJoin {
		t.join(sink, pts[0], t.joinIn, t.dirs[0])
	}
	dirs := t.dirs
	last := len(dirs) - 1
	o := t.poly[:0]
	add := func(c Vec, nx, ny float32) { o = append(o, Vec{c.X + nx, c.Y + ny}) }
	// Left side, forward.
	d0 := dirs[0]
	add(pts[0], -d0.Y*r, d0.X*r)
	for k, d := range dirs {
		p := pts[k+1]
		add(p, -d.Y*r, d.X*r)
		if k == last {
			break
		}
		v := dirs[k+1]
		cross := d.X*v.Y - d.Y*v.X
		switch {
		case cross > 0 || (cross == 0 && d.X*v.X+d.Y*v.Y < 0):
			// The left side is inside the turn (for a U-turn, as join
			// decides): pass through the centre.
			o = append(o, p)
		case cross < 0:
			t.poly = o
			t.outerArc(p, Vec{-d.Y * r, d.X * r}, Vec{-v.Y * r, v.X * r}, d, v, -1)
			o = t.poly
		}
		add(p, -v.Y*r, v.X*r)
	}
	// End cap, from the left normal through +d to the right normal.
	dl, pl := dirs[last], pts[last+1]
	if t.endCap {
		t.poly = o
		t.arcPoints(pl, Vec{-dl.Y * r, dl.X * r}, t.n/2, t.cosS, -t.sinS)
		o = t.poly
	} else {
		add(pl, dl.Y*r, -dl.X*r)
	}
	// Right side, backward.
	for k := last; k >= 0; k-- {
		d := dirs[k]
		p := pts[k]
		add(p, d.Y*r, -d.X*r)
		if k == 0 {
			break
		}
		u := dirs[k-1]
		cross := u.X*d.Y - u.Y*d.X
		switch {
		case cross < 0:
			o = append(o, p)
		case cross > 0 || u.X*d.X+u.Y*d.Y < 0:
			t.poly = o
			t.outerArc(p, Vec{d.Y * r, -d.X * r}, Vec{u.Y * r, -u.X * r}, d, u, -1)
			o = t.poly
		}
		add(p, u.Y*r, -u.X*r)
	}
	// Start cap, from the right normal through -d to the left normal.
	if t.startCap {
		t.poly = o
		t.arcPoints(pts[0], Vec{d0.Y * r, -d0.X * r}, t.n/2, t.cosS, -t.sinS)
		o = t.poly
		o = o[:len(o)-1] // it ends where the outline began
	}
	t.poly = o
	sink.Polygon(o)
}

// outerArc appends to t.poly the arc around c from offset a to offset b
// (both of length r), the points strictly between them, turning the short
// way (through the side of travel for a U-turn). dir -1 or 1 says which way
// the rotation from a to b goes when a and b are exact opposites.
func (t *Tessellator) outerArc(c, a, b, u, v Vec, dir float32) {
	dot := u.X*v.X + u.Y*v.Y
	if dot >= t.cosS {
		return // within one step: the straight edge from a to b will do
	}
	cross := a.X*b.Y - a.Y*b.X
	sign := dir
	if cross > 0 {
		sign = 1
	} else if cross < 0 {
		sign = -1
	}
	phi := math.Acos(math.Max(-1, math.Min(1, float64(dot))))
	m := int(math.Ceil(phi / (2 * math.Pi / float64(t.n))))
	s, co := math.Sincos(phi / float64(m))
	n0 := len(t.poly)
	t.arcPoints(c, a, m, float32(co), sign*float32(s))
	// Drop the arc's first and last points: the caller adds them exactly.
	copy(t.poly[n0:], t.poly[n0+1:len(t.poly)-1])
	t.poly = t.poly[:len(t.poly)-2]
}
