package format

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"mbotdraw/playback"
)

// Helpers shared by the loaders of app ink formats (write-math, MyScript
// iink, tldraw, Excalidraw): files that give points in screen units and no
// canvas size.

// decodeWith runs a parser over data and turns its errors into *Error:
// a *synError names the line and column, anything else only the file.
func decodeWith[T any](name string, data []byte, parse func(s *scanner) (T, error)) (T, error) {
	s := &scanner{data: data, end: len(data)}
	if len(data) >= 3 && string(data[:3]) == "\xef\xbb\xbf" {
		s.pos = 3
	}
	v, err := parse(s)
	if err == nil {
		s.ws()
		if s.pos < s.end {
			err = s.errf(s.pos, "unexpected %s after the drawing", s.describe(s.pos))
		}
	}
	if err != nil {
		var zero T
		var se *synError
		if errors.As(err, &se) {
			return zero, errAt(name, data, se.off, se.err)
		}
		return zero, noPlace(name, err)
	}
	return v, nil
}

// placeAtMargin gives a drawing without a canvas size its canvas: the
// points are moved so that their bounds sit a margin (5% of the larger
// side, at least 8 units) from the top-left corner, and the canvas fits
// them with the same margin on the other sides. An empty drawing gets a
// QuickDrawCell square.
func placeAtMargin(d *playback.Drawing) error {
	b := d.Bounds()
	if b.Empty() {
		d.Width, d.Height = QuickDrawCell, QuickDrawCell
		return nil
	}
	m := math.Max(8, 0.05*math.Max(b.Dx(), b.Dy()))
	if b.Dx()+2*m > playback.MaxCoord || b.Dy()+2*m > playback.MaxCoord {
		return fmt.Errorf("the drawing spans %gx%g units, more than 1e7", b.Dx(), b.Dy())
	}
	dx, dy := m-b.MinX, m-b.MinY
	for i := 0; i < len(d.XY); i += 2 {
		d.XY[i] = float32(float64(d.XY[i]) + dx)
		d.XY[i+1] = float32(float64(d.XY[i+1]) + dy)
	}
	d.Width, d.Height = math.Ceil(b.Dx()+2*m), math.Ceil(b.Dy()+2*m)
	return nil
}

// finishInk places an ink drawing on its canvas, times it when untimed
// and checks it.
func finishInk(d *playback.Drawing, o Options) (*playback.Drawing, error) {
	if err := placeAtMargin(d); err != nil {
		return nil, err
	}
	if !d.Timed {
		d.AssignTimes(o.PenSpeed, -1)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("drawing: %w", err)
	}
	return d, nil
}

// coord parses a coordinate within ±MaxCoord.
func (s *scanner) coord(what string) (float64, int, error) {
	v, off, err := s.number(64)
	if err != nil {
		return 0, off, err
	}
	if math.Abs(v) > playback.MaxCoord {
		return 0, off, s.errf(off, "%s %g is beyond ±1e7", what, v)
	}
	return v, off, nil
}

// epochTime parses a time in milliseconds (an epoch clock reading allowed).
func (s *scanner) epochTime() (float64, int, error) {
	v, off, err := s.number(64)
	if err != nil {
		return 0, off, err
	}
	if math.Abs(v) > 1e15 {
		return 0, off, s.errf(off, "time %g ms is out of range", v)
	}
	return v, off, nil
}

// inkPoint is one point of an ink stroke as read: file coordinates and,
// when the file has one, a time (ms) and its offset.
type inkPoint struct {
	x, y float64
	t    float64
	hasT bool
	off  int // the point's offset in the file
	tOff int
}

// pointObject reads {"x": …, "y": …, <tKey>: …}; other keys are skipped.
// timedness tracks whether a file's points carry times: all of them must,
// or none. The zero value knows nothing yet.
type timedness int8

// see notes one point and reports false when it breaks the rule set by the
// first point.
func (t *timedness) see(hasT bool) bool {
	switch {
	case *t == 0 && hasT:
		*t = 1
	case *t == 0:
		*t = -1
	}
	return (*t > 0) == hasT
}

// timed reports whether the points seen carry times.
func (t timedness) timed() bool { return t > 0 }

func (s *scanner) pointObject(tKey string) (inkPoint, error) {
	s.ws()
	p := inkPoint{off: s.pos}
	hasX, hasY := false, false
	err := s.object("a point", func(k string, _ int) error {
		var err error
		switch k {
		case "x":
			p.x, _, err = s.coord("x")
			hasX = true
		case "y":
			p.y, _, err = s.coord("y")
			hasY = true
		case tKey:
			p.t, p.tOff, err = s.epochTime()
			p.hasT = true
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return p, err
	}
	if !hasX || !hasY {
		return p, s.errf(p.off, "the point has no \"x\" or no \"y\"")
	}
	return p, nil
}

// fmtMs formats a millisecond time for a message.
func fmtMs(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ellipsePoints returns a closed polygon through the ellipse with centre
// (cx, cy) and radii rx, ry, starting at its rightmost point, with chords
// within tol of the curve (8 to 1000 sides).
func ellipsePoints(cx, cy, rx, ry, tol float64) [][2]float64 {
	r := math.Max(math.Abs(rx), math.Abs(ry))
	n := 8
	if r > tol {
		n = max(n, int(math.Ceil(2*math.Pi/(2*math.Acos(1-tol/r)))))
	}
	n = min(n, 1000)
	pts := make([][2]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		a := 2 * math.Pi * float64(i%n) / float64(n)
		pts = append(pts, [2]float64{cx + rx*math.Cos(a), cy + ry*math.Sin(a)})
	}
	return pts
}

// rotateAbout turns the points by angle radians (clockwise on screen, y
// down) about (cx, cy).
func rotateAbout(pts [][2]float64, angle, cx, cy float64) {
	if angle == 0 {
		return
	}
	sin, cos := math.Sincos(angle)
	for i, p := range pts {
		x, y := p[0]-cx, p[1]-cy
		pts[i] = [2]float64{cx + x*cos - y*sin, cy + x*sin + y*cos}
	}
}

// addPolyline adds pts as one stroke, untimed; points beyond ±MaxCoord
// (after a rotation) are an error.
func addPolyline(d *playback.Drawing, c color.RGBA, w float32, pts [][2]float64) error {
	if len(pts) == 0 {
		return nil
	}
	for _, p := range pts {
		if !(math.Abs(p[0]) <= playback.MaxCoord && math.Abs(p[1]) <= playback.MaxCoord) {
			return fmt.Errorf("point (%g, %g) is beyond ±1e7", p[0], p[1])
		}
	}
	d.BeginStroke(c, w)
	for _, p := range pts {
		d.AddPoint(float32(p[0]), float32(p[1]), 0)
	}
	return nil
}
