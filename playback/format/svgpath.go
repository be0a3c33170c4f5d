package format

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"unsafe"

	"mbotdraw/playback"
)

// maxCurveSegments bounds the line segments one curve is cut into, so that
// hostile SVG cannot take all the time there is; Options.MaxPoints bounds
// the points of the whole file.
const maxCurveSegments = 4096

// pen turns path geometry in an element's user space into strokes in
// drawing units: every subpath becomes a stroke, curves are flattened so
// the polyline strays at most tol from the curve.
type pen struct {
	d     *playback.Drawing
	m     affine
	tol   float64
	max   int // the most points (Options.MaxPoints)
	col   color.RGBA
	width float32
	open  bool    // the current subpath has begun a stroke
	px    float64 // the subpath's start, in user space
	py    float64
	err   error
}

// move starts a new subpath at (x, y); it becomes a stroke when something
// is drawn from it.
func (p *pen) move(x, y float64) { p.open, p.px, p.py = false, x, y }

func (p *pen) begin() {
	if p.open {
		return
	}
	p.d.BeginStroke(p.col, p.width)
	p.open = true
	p.add(p.m.apply(p.px, p.py))
}

// add appends a point in drawing units.
func (p *pen) add(x, y float64) {
	if p.err != nil {
		return
	}
	if !(math.Abs(x) <= playback.MaxCoord && math.Abs(y) <= playback.MaxCoord) {
		p.err = fmt.Errorf("point (%.6g, %.6g) lies beyond ±1e7 after transforms", x, y)
		return
	}
	if len(p.d.T) >= p.max {
		p.err = errTooManyPoints(p.max)
		return
	}
	p.d.AddPoint(float32(x), float32(y), 0)
}

func (p *pen) line(x, y float64) {
	p.begin()
	p.add(p.m.apply(x, y))
}

func segments(n float64) int {
	if !(n >= 1) { // also NaN
		return 1
	}
	if n > maxCurveSegments {
		return maxCurveSegments
	}
	return int(math.Ceil(n))
}

// cubic draws a cubic Bézier from the current point (x0, y0).
func (p *pen) cubic(x0, y0, x1, y1, x2, y2, x3, y3 float64) {
	p.begin()
	ax, ay := p.m.apply(x0, y0)
	bx, by := p.m.apply(x1, y1)
	cx, cy := p.m.apply(x2, y2)
	dx, dy := p.m.apply(x3, y3)
	// A uniform split into n pieces strays at most |B''|max/(8n²), and
	// |B''| <= 6·max of the control polygon's second differences.
	dd := math.Max(math.Hypot(ax-2*bx+cx, ay-2*by+cy), math.Hypot(bx-2*cx+dx, by-2*cy+dy))
	n := segments(math.Sqrt(0.75 * dd / p.tol))
	for i := 1; i < n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		p.add(a*ax+b*bx+c*cx+d*dx, a*ay+b*by+c*cy+d*dy)
	}
	p.add(dx, dy)
}

// quad draws a quadratic Bézier from the current point (x0, y0).
func (p *pen) quad(x0, y0, x1, y1, x2, y2 float64) {
	p.begin()
	ax, ay := p.m.apply(x0, y0)
	bx, by := p.m.apply(x1, y1)
	cx, cy := p.m.apply(x2, y2)
	dd := math.Hypot(ax-2*bx+cx, ay-2*by+cy) // |B''| = 2·dd; error <= |B''|/(8n²)
	n := segments(math.Sqrt(dd / (4 * p.tol)))
	for i := 1; i < n; i++ {
		t := float64(i) / float64(n)
		u := 1 - t
		a, b, c := u*u, 2*u*t, t*t
		p.add(a*ax+b*bx+c*cx, a*ay+b*by+c*cy)
	}
	p.add(cx, cy)
}

// arc draws an SVG elliptical arc from (x1, y1) to (x2, y2), converting the
// endpoint parameters to centre parameters as SVG 1.1 appendix F.6.5 says,
// with out-of-range radii scaled up as F.6.6 says.
func (p *pen) arc(x1, y1, rx, ry, phiDeg float64, large, sweep bool, x2, y2 float64) {
	if x1 == x2 && y1 == y2 {
		return // F.6.2: the arc is omitted
	}
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 {
		p.line(x2, y2)
		return
	}
	phi := math.Mod(phiDeg, 360) * math.Pi / 180
	sin, cos := math.Sincos(phi)
	dx2, dy2 := (x1-x2)/2, (y1-y2)/2
	x1p := cos*dx2 + sin*dy2
	y1p := -sin*dx2 + cos*dy2
	if l := x1p*x1p/(rx*rx) + y1p*y1p/(ry*ry); l > 1 {
		s := math.Sqrt(l)
		rx, ry = rx*s, ry*s
	}
	rx2, ry2 := rx*rx, ry*ry
	num := rx2*ry2 - rx2*y1p*y1p - ry2*x1p*x1p
	den := rx2*y1p*y1p + ry2*x1p*x1p
	coef := math.Sqrt(math.Max(0, num/den))
	if large == sweep {
		coef = -coef
	}
	cxp := coef * rx * y1p / ry
	cyp := -coef * ry * x1p / rx
	cx := cos*cxp - sin*cyp + (x1+x2)/2
	cy := sin*cxp + cos*cyp + (y1+y2)/2
	ux, uy := (x1p-cxp)/rx, (y1p-cyp)/ry
	vx, vy := (-x1p-cxp)/rx, (-y1p-cyp)/ry
	th1 := math.Atan2(uy, ux)
	dth := math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
	if !sweep && dth > 0 {
		dth -= 2 * math.Pi
	} else if sweep && dth < 0 {
		dth += 2 * math.Pi
	}
	if math.IsNaN(cx) || math.IsNaN(cy) || math.IsNaN(th1) || math.IsNaN(dth) || math.IsInf(rx, 0) || math.IsInf(ry, 0) {
		p.line(x2, y2) // degenerate numbers: draw the chord
		return
	}
	p.ellipse(cx, cy, rx, ry, sin, cos, th1, dth, x2, y2)
}

// ellipse draws the elliptical arc of centre (cx, cy), radii rx, ry rotated
// by the angle of sin, cos, from angle th1 through dth, ending exactly at
// (ex, ey), all in user space.
func (p *pen) ellipse(cx, cy, rx, ry, sin, cos, th1, dth, ex, ey float64) {
	p.begin()
	r := math.Max(rx, ry) * p.m.maxScale()
	step := math.Pi / 2
	if r > p.tol {
		step = math.Min(step, 2*math.Acos(1-p.tol/r))
	}
	n := segments(math.Abs(dth) / step)
	for i := 1; i < n; i++ {
		th := th1 + dth*float64(i)/float64(n)
		s, c := math.Sincos(th)
		x := cx + rx*cos*c - ry*sin*s
		y := cy + rx*sin*c + ry*cos*s
		p.add(p.m.apply(x, y))
	}
	p.add(p.m.apply(ex, ey))
}

// pathError is an error at a byte of a path's d attribute.
func pathError(i int, format string, a ...any) error {
	return fmt.Errorf("at byte %d of the path data: %s", i, fmt.Sprintf(format, a...))
}

// drawPath draws SVG path data: every command (M L H V C S Q T A Z), in
// absolute and relative forms, with implicit repeats. Each subpath is a
// stroke; a subpath that draws nothing (a lone moveto) makes none.
func drawPath(d string, p *pen) error {
	return drawPathChunks([][]byte{unsafe.Slice(unsafe.StringData(d), len(d))}, p)
}

// drawPathChunks draws path data held in chunks, each cut after a
// separator, so that no number or command spans two; it forgets each
// chunk once read.
func drawPathChunks(chunks [][]byte, p *pen) error {
	if len(chunks) == 0 {
		return nil
	}
	pp := pathParser{p: p, chunks: chunks, d: chunks[0]}
	return pp.run()
}

// pathParser reads path data and draws it with a pen.
type pathParser struct {
	p        *pen
	chunks   [][]byte // the path data, read only
	k        int      // the chunk being read
	base     int      // the offset of chunk k in the path data
	d        []byte   // chunk k
	i        int      // the next byte of d
	cx, cy   float64  // current point
	sx, sy   float64  // subpath start
	ctx, cty float64  // last control point, for S and T
	cmd      byte     // the command in force (for implicit repeats)
	prev     byte     // the previous command, upper case
}

func (pp *pathParser) run() error {
	p := pp.p
	for p.err == nil {
		pp.skipSep()
		if pp.i >= len(pp.d) {
			break
		}
		closed, err := pp.command()
		if err != nil {
			return err
		}
		if !closed {
			pp.draw()
		}
	}
	return p.err
}

// skipSep skips white space and commas, on to the next chunk if need be.
func (pp *pathParser) skipSep() {
	for {
		for pp.i < len(pp.d) && (isSVGSpace(pp.d[pp.i]) || pp.d[pp.i] == ',') {
			pp.i++
		}
		if pp.i < len(pp.d) || pp.k+1 >= len(pp.chunks) {
			return
		}
		pp.chunks[pp.k] = nil
		pp.k++
		pp.base += len(pp.d)
		pp.d, pp.i = pp.chunks[pp.k], 0
	}
}

// num reads a number; after an error it reads nothing and returns 0.
func (pp *pathParser) num() float64 {
	if pp.p.err != nil {
		return 0
	}
	pp.skipSep()
	d, i := pp.d, pp.i
	if v, next, ok := fastNumber(d, i, len(d), false); ok {
		pp.i = next
		return v
	}
	rest := ""
	if i < len(d) {
		rest = unsafe.String(&d[i], len(d)-i)
	}
	v, n, err := scanSVGNumber(rest)
	if err != nil {
		pp.p.err = pathError(pp.base+i, "%v", err)
		return 0
	}
	pp.i += n
	return v
}

// flag reads an arc flag, 0 or 1.
func (pp *pathParser) flag() bool {
	if pp.p.err != nil {
		return false
	}
	pp.skipSep()
	if pp.i < len(pp.d) && (pp.d[pp.i] == '0' || pp.d[pp.i] == '1') {
		pp.i++
		return pp.d[pp.i-1] == '1'
	}
	pp.p.err = pathError(pp.base+pp.i, "expected an arc flag, 0 or 1")
	return false
}

// command reads a command letter, if there is one, and draws a closepath;
// closed says that it was one, and there are no numbers to read.
func (pp *pathParser) command() (closed bool, err error) {
	c := pp.d[pp.i]
	if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
		if !strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz", rune(c)) {
			return false, pathError(pp.base+pp.i, "unknown command %q", c)
		}
		if pp.cmd == 0 && c != 'M' && c != 'm' {
			return false, pathError(pp.base+pp.i, "path data must begin with a moveto (M or m), not %q", c)
		}
		pp.cmd = c
		pp.i++
		if c == 'Z' || c == 'z' {
			if pp.prev != 'Z' {
				pp.p.begin()
				if pp.cx != pp.sx || pp.cy != pp.sy {
					pp.p.line(pp.sx, pp.sy)
				}
			}
			pp.p.move(pp.sx, pp.sy)
			pp.cx, pp.cy, pp.prev = pp.sx, pp.sy, 'Z'
			return true, nil
		}
		return false, nil
	}
	switch {
	case pp.cmd == 0:
		return false, pathError(pp.base+pp.i, "path data must begin with a moveto (M or m)")
	case pp.cmd == 'Z' || pp.cmd == 'z':
		return false, pathError(pp.base+pp.i, "unexpected number after a closepath (Z)")
	}
	return false, nil
}

// draw reads the numbers of one command in force and draws it.
func (pp *pathParser) draw() {
	p := pp.p
	cx, cy := pp.cx, pp.cy
	var ox, oy float64
	rel := pp.cmd >= 'a'
	if rel {
		ox, oy = cx, cy
	}
	up := pp.cmd &^ 0x20
	switch up {
	case 'M':
		x, y := pp.num()+ox, pp.num()+oy
		p.move(x, y)
		pp.cx, pp.cy, pp.sx, pp.sy = x, y, x, y
		if rel { // further pairs are lineto
			pp.cmd = 'l'
		} else {
			pp.cmd = 'L'
		}
	case 'L':
		x, y := pp.num()+ox, pp.num()+oy
		if p.err == nil {
			p.line(x, y)
		}
		pp.cx, pp.cy = x, y
	case 'H':
		x := pp.num() + ox
		if p.err == nil {
			p.line(x, cy)
		}
		pp.cx = x
	case 'V':
		y := pp.num() + oy
		if p.err == nil {
			p.line(cx, y)
		}
		pp.cy = y
	case 'C', 'S':
		x1, y1 := cx, cy
		if up == 'C' {
			x1, y1 = pp.num()+ox, pp.num()+oy
		} else if pp.prev == 'C' || pp.prev == 'S' {
			x1, y1 = 2*cx-pp.ctx, 2*cy-pp.cty
		}
		x2, y2 := pp.num()+ox, pp.num()+oy
		x, y := pp.num()+ox, pp.num()+oy
		if p.err == nil {
			p.cubic(cx, cy, x1, y1, x2, y2, x, y)
		}
		pp.ctx, pp.cty, pp.cx, pp.cy = x2, y2, x, y
	case 'Q', 'T':
		x1, y1 := cx, cy
		if up == 'Q' {
			x1, y1 = pp.num()+ox, pp.num()+oy
		} else if pp.prev == 'Q' || pp.prev == 'T' {
			x1, y1 = 2*cx-pp.ctx, 2*cy-pp.cty
		}
		x, y := pp.num()+ox, pp.num()+oy
		if p.err == nil {
			p.quad(cx, cy, x1, y1, x, y)
		}
		pp.ctx, pp.cty, pp.cx, pp.cy = x1, y1, x, y
	case 'A':
		rx, ry, phi := pp.num(), pp.num(), pp.num()
		large, sweep := pp.flag(), pp.flag()
		x, y := pp.num()+ox, pp.num()+oy
		if p.err == nil {
			p.arc(cx, cy, rx, ry, phi, large, sweep, x, y)
		}
		pp.cx, pp.cy = x, y
	}
	pp.prev = up
}
