package format

import (
	"bytes"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"mbotdraw/playback"
)

// svgDoc loads an SVG document whose root is a 100x100 canvas.
func svgDoc(t *testing.T, body string, o Options) *playback.Drawing {
	t.Helper()
	src := `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` + body + `</svg>`
	ds, err := Decode("t.svg", []byte(src), o)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if err := ds[0].Validate(); err != nil {
		t.Fatal(err)
	}
	return ds[0]
}

// strokePoints returns stroke i's points as x, y pairs.
func strokePoints(d *playback.Drawing, i int) [][2]float64 {
	s := d.Strokes[i]
	var out [][2]float64
	for j := s.Start; j < s.End; j++ {
		out = append(out, [2]float64{float64(d.XY[2*j]), float64(d.XY[2*j+1])})
	}
	return out
}

func near(a, b [2]float64, eps float64) bool {
	return math.Abs(a[0]-b[0]) <= eps && math.Abs(a[1]-b[1]) <= eps
}

func wantPoints(t *testing.T, what string, got, want [][2]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d points %v, want %d %v", what, len(got), got, len(want), want)
		return
	}
	for i := range got {
		if !near(got[i], want[i], 1e-4) {
			t.Errorf("%s: point %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestSVGStraightCommands: lines in every form, implicit repeats, number
// syntax, and how subpaths become strokes.
func TestSVGStraightCommands(t *testing.T) {
	type P = [2]float64
	cases := []struct {
		d    string
		want [][]P
	}{
		{"M10 10 L20 10 H30 V20 h-5 v5 l1 1 Z", [][]P{{{10, 10}, {20, 10}, {30, 10}, {30, 20}, {25, 20}, {25, 25}, {26, 26}, {10, 10}}}},
		{"M0 0 10 0 20 5", [][]P{{{0, 0}, {10, 0}, {20, 5}}}},                            // implicit lineto after M
		{"m5 5 1 0 0 1", [][]P{{{5, 5}, {6, 5}, {6, 6}}}},                                // relative, implicit l
		{"M0,0L10,0ZL0,10", [][]P{{{0, 0}, {10, 0}, {0, 0}}, {{0, 0}, {0, 10}}}},         // after Z a new subpath from the start
		{"M1 1 M2 2 L3 3", [][]P{{{2, 2}, {3, 3}}}},                                      // a lone moveto draws nothing
		{"M1 1Z", [][]P{{{1, 1}}}},                                                       // a dot
		{"M0.5.5L-1-1e1", [][]P{{{0.5, 0.5}, {-1, -10}}}},                                // compact numbers
		{"M 0 0 L 5 0 Z m 1 1 l 1 0", [][]P{{{0, 0}, {5, 0}, {0, 0}}, {{1, 1}, {2, 1}}}}, // m after Z is relative to the start
		{"M0 0 L4 0 L0 0 Z", [][]P{{{0, 0}, {4, 0}, {0, 0}}}},                            // Z at the start adds nothing
		{"M 1 2 L 3 4 M 5 6 H 7 V 8 M 9 9", [][]P{{{1, 2}, {3, 4}}, {{5, 6}, {7, 6}, {7, 8}}}},
		{"", nil},
	}
	for _, c := range cases {
		d := svgDoc(t, `<path stroke="black" d="`+c.d+`"/>`, Options{})
		if len(d.Strokes) != len(c.want) {
			t.Errorf("%q: %d strokes, want %d", c.d, len(d.Strokes), len(c.want))
			continue
		}
		for i := range c.want {
			wantPoints(t, c.d, strokePoints(d, i), c.want[i])
		}
	}
}

// distToPolyline returns the distance from p to the nearest segment.
func distToPolyline(p [2]float64, pts [][2]float64) float64 {
	best := math.Inf(1)
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		dx, dy := b[0]-a[0], b[1]-a[1]
		u := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			u = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
		}
		best = math.Min(best, math.Hypot(a[0]+u*dx-p[0], a[1]+u*dy-p[1]))
	}
	return best
}

// TestSVGCurvesWithinTolerance flattens Béziers and checks that the true
// curve never strays from the polyline by more than the tolerance, that
// the polyline's points lie on the curve, and that a finer tolerance gives
// more points.
func TestSVGCurvesWithinTolerance(t *testing.T) {
	cubic := func(p [4][2]float64, u float64) [2]float64 {
		v := 1 - u
		a, b, c, d := v*v*v, 3*v*v*u, 3*v*u*u, u*u*u
		return [2]float64{a*p[0][0] + b*p[1][0] + c*p[2][0] + d*p[3][0], a*p[0][1] + b*p[1][1] + c*p[2][1] + d*p[3][1]}
	}
	type P = [2]float64
	cases := []struct {
		d      string
		curves [][4]P // the cubics the path is (quadratics raised to cubics)
	}{
		{"M10 80 C 40 10, 65 10, 95 80", [][4]P{{{10, 80}, {40, 10}, {65, 10}, {95, 80}}}},
		{"M10 80 c 30 -70 55 -70 85 0 s 55 70 85 0", [][4]P{{{10, 80}, {40, 10}, {65, 10}, {95, 80}}, {{95, 80}, {125, 150}, {150, 150}, {180, 80}}}},
		// Q 50 10 90 80 as a cubic: controls at 2/3 of the way to (50,10).
		{"M10 80 Q 50 10 90 80 T 170 80", [][4]P{
			{{10, 80}, {10 + 2.0/3*40, 80 - 2.0/3*70}, {90 + 2.0/3*-40, 80 - 2.0/3*70}, {90, 80}},
			{{90, 80}, {90 + 2.0/3*40, 80 + 2.0/3*70}, {170 - 2.0/3*40, 80 + 2.0/3*70}, {170, 80}}}},
		{"M0 0 C 0 0 0 0 50 50", [][4]P{{{0, 0}, {0, 0}, {0, 0}, {50, 50}}}},
	}
	for _, c := range cases {
		prev := 0
		for _, tol := range []float64{1, 0.25, 0.01} {
			d := svgDoc(t, `<path stroke="red" d="`+c.d+`"/>`, Options{Tolerance: tol})
			if len(d.Strokes) != 1 {
				t.Fatalf("%q: %d strokes", c.d, len(d.Strokes))
			}
			pts := strokePoints(d, 0)
			for _, cv := range c.curves {
				for k := 0; k <= 1000; k++ {
					p := cubic(cv, float64(k)/1000)
					if dist := distToPolyline(p, pts); dist > tol*1.001+1e-4 {
						t.Fatalf("%q tol %g: curve point %v is %g from the polyline", c.d, tol, p, dist)
					}
				}
			}
			if tol < 1 && len(pts) <= prev && len(pts) > 2 {
				t.Errorf("%q: tolerance %g gives %d points, no more than %d at a coarser one", c.d, tol, len(pts), prev)
			}
			prev = len(pts)
			if last := pts[len(pts)-1]; !near(last, c.curves[len(c.curves)-1][3], 1e-4) {
				t.Errorf("%q: ends at %v", c.d, last)
			}
		}
	}
}

// TestSVGArcs checks the endpoint-to-centre conversion: every point on the
// arc's ellipse, the right side and sweep, radii scaled up when too small.
func TestSVGArcs(t *testing.T) {
	cases := []struct {
		name       string
		d          string
		cx, cy     float64 // centre
		rx, ry     float64
		phi        float64 // degrees
		sweep      float64 // signed angle swept, radians (0: do not check)
		start, end [2]float64
	}{
		{"half circle, sweep", "M 12 -12 A 12 12 0 0 1 -12 -12", 0, -12, 12, 12, 0, math.Pi, [2]float64{12, -12}, [2]float64{-12, -12}},
		{"half circle, no sweep", "M 12 -12 A 12 12 0 0 0 -12 -12", 0, -12, 12, 12, 0, -math.Pi, [2]float64{12, -12}, [2]float64{-12, -12}},
		{"radii too small", "M0 0 A 1 1 0 0 1 10 0", 5, 0, 5, 5, 0, math.Pi, [2]float64{0, 0}, [2]float64{10, 0}},
		{"large arc", "M 0 0 A 10 10 0 1 0 10 0", 5, 10 * math.Sqrt(0.75), 10, 10, 0, -(2*math.Pi - math.Pi/3), [2]float64{0, 0}, [2]float64{10, 0}},
		{"small arc", "M 0 0 A 10 10 0 0 0 10 0", 5, -10 * math.Sqrt(0.75), 10, 10, 0, -math.Pi / 3, [2]float64{0, 0}, [2]float64{10, 0}},
		{"relative", "M 50 50 a 10 10 0 0 1 20 0", 60, 50, 10, 10, 0, math.Pi, [2]float64{50, 50}, [2]float64{70, 50}},
		{"rotated ellipse", "M 0 0 A 20 10 30 0 1 " + f2(20*math.Cos(math.Pi/6)*2) + " " + f2(20*math.Sin(math.Pi/6)*2), 20 * math.Cos(math.Pi/6), 20 * math.Sin(math.Pi/6), 20, 10, 30, 0, [2]float64{0, 0}, [2]float64{40 * math.Cos(math.Pi/6), 40 * math.Sin(math.Pi/6)}},
		{"compact flags", "M0 0a5 5 0 1110 0", 5, 0, 5, 5, 0, math.Pi, [2]float64{0, 0}, [2]float64{10, 0}},
	}
	for _, c := range cases {
		d := svgDoc(t, `<path stroke="black" d="`+c.d+`"/>`, Options{Tolerance: 0.01})
		if len(d.Strokes) != 1 {
			t.Fatalf("%s: %d strokes", c.name, len(d.Strokes))
		}
		pts := strokePoints(d, 0)
		if len(pts) < 8 {
			t.Errorf("%s: only %d points", c.name, len(pts))
		}
		if !near(pts[0], c.start, 1e-4) || !near(pts[len(pts)-1], c.end, 1e-3) {
			t.Errorf("%s: from %v to %v, want %v to %v", c.name, pts[0], pts[len(pts)-1], c.start, c.end)
		}
		sin, cos := math.Sincos(c.phi * math.Pi / 180)
		total, prev := 0.0, 0.0
		for i, p := range pts {
			// Into the ellipse's frame: on the ellipse, (x/rx)²+(y/ry)² = 1.
			x, y := p[0]-c.cx, p[1]-c.cy
			u, v := cos*x+sin*y, -sin*x+cos*y
			if e := math.Hypot(u/c.rx, v/c.ry); math.Abs(e-1) > 1e-4 {
				t.Fatalf("%s: point %d %v is off the ellipse (%g)", c.name, i, p, e)
			}
			a := math.Atan2(v/c.ry, u/c.rx)
			if i > 0 {
				da := math.Remainder(a-prev, 2*math.Pi)
				total += da
			}
			prev = a
		}
		if c.sweep != 0 && math.Abs(total-c.sweep) > 1e-3 {
			t.Errorf("%s: sweeps %g rad, want %g", c.name, total, c.sweep)
		}
	}
	// Degenerate arcs: zero radius is a line, equal endpoints draw nothing.
	d := svgDoc(t, `<path stroke="black" d="M0 0 A 0 5 0 0 1 10 0 A 5 5 0 0 1 10 0"/>`, Options{})
	wantPoints(t, "degenerate arcs", strokePoints(d, 0), [][2]float64{{0, 0}, {10, 0}})
}

func f2(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TestSVGTransforms composes transforms down nested groups.
func TestSVGTransforms(t *testing.T) {
	s2 := math.Sqrt(2) / 2
	cases := []struct {
		transform string
		want      [2]float64 // where (10, 0) lands
	}{
		{"translate(5)", [2]float64{15, 0}},
		{"translate(5, 7)", [2]float64{15, 7}},
		{"scale(2)", [2]float64{20, 0}},
		{"scale(2 3)", [2]float64{20, 0}},
		{"rotate(90)", [2]float64{0, 10}},
		{"rotate(90 10 10)", [2]float64{20, 10}},
		{"rotate(45)", [2]float64{10 * s2, 10 * s2}},
		{"skewY(45)", [2]float64{10, 10}},
		{"skewX(45)", [2]float64{10, 0}},
		{"matrix(1 2 3 4 5 6)", [2]float64{15, 26}},
		{"translate(10,0) scale(2)", [2]float64{30, 0}},
		{"scale(2),translate(10,0)", [2]float64{40, 0}},
		{" translate ( 1 , 1 ) rotate(180) ", [2]float64{-9, 1}},
	}
	for _, c := range cases {
		d := svgDoc(t, `<g transform="`+c.transform+`"><path stroke="black" d="M0 0 L10 0"/></g>`, Options{})
		if got := strokePoints(d, 0)[1]; !near(got, c.want, 1e-4) {
			t.Errorf("%s: (10,0) goes to %v, want %v", c.transform, got, c.want)
		}
	}
	// Nesting: the inner transform applies first. And on the element itself.
	d := svgDoc(t, `<g transform="translate(100,0)"><g transform="scale(2)"><line x1="0" y1="0" x2="5" y2="5" transform="translate(1,1)" stroke="black"/></g></g>`, Options{})
	wantPoints(t, "nested", strokePoints(d, 0), [][2]float64{{102, 2}, {112, 12}})
	// Skew in y stretches a line's length: the width scales with the area.
	d = svgDoc(t, `<g transform="scale(3)"><path stroke="black" stroke-width="2" d="M0 0 L1 1"/></g>`, Options{})
	if d.Strokes[0].Width != 6 {
		t.Errorf("stroke-width 2 under scale(3): %g, want 6", d.Strokes[0].Width)
	}
}

// TestSVGShapes: the basic shapes become the outlines SVG defines.
func TestSVGShapes(t *testing.T) {
	d := svgDoc(t, `<rect x="10" y="20" width="30" height="40" stroke="black"/>
		<line x1="1" y1="2" x2="3" y2="4" stroke="black"/>
		<polyline points="0,0 10,0 10,10" stroke="black"/>
		<polygon points="0,0 10,0 10,10" stroke="black"/>
		<rect width="0" height="5" stroke="black"/>
		<circle cx="50" cy="50" r="0" stroke="black"/>`, Options{})
	if len(d.Strokes) != 4 {
		t.Fatalf("%d strokes, want 4 (zero-size shapes draw nothing)", len(d.Strokes))
	}
	wantPoints(t, "rect", strokePoints(d, 0), [][2]float64{{10, 20}, {40, 20}, {40, 60}, {10, 60}, {10, 20}})
	wantPoints(t, "line", strokePoints(d, 1), [][2]float64{{1, 2}, {3, 4}})
	wantPoints(t, "polyline", strokePoints(d, 2), [][2]float64{{0, 0}, {10, 0}, {10, 10}})
	wantPoints(t, "polygon", strokePoints(d, 3), [][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 0}})

	tol := 0.05
	d = svgDoc(t, `<circle cx="50" cy="40" r="30" stroke="black"/><ellipse cx="50" cy="40" rx="30" ry="10" stroke="black"/>
		<rect x="0" y="0" width="40" height="20" rx="5" stroke="black"/>`, Options{Tolerance: tol})
	for i, e := range [][2]float64{{30, 30}, {30, 10}} {
		pts := strokePoints(d, i)
		if !near(pts[0], pts[len(pts)-1], 1e-4) || !near(pts[0], [2]float64{80, 40}, 1e-4) {
			t.Errorf("ellipse %d does not close at its rightmost point: %v … %v", i, pts[0], pts[len(pts)-1])
		}
		for _, p := range pts {
			if r := math.Hypot((p[0]-50)/e[0], (p[1]-40)/e[1]); math.Abs(r-1) > 1e-5 {
				t.Fatalf("ellipse %d: point %v off the ellipse", i, p)
			}
		}
		// The chords stay within the tolerance of the circle.
		if i == 0 {
			for k := 1; k < len(pts); k++ {
				mx, my := (pts[k][0]+pts[k-1][0])/2, (pts[k][1]+pts[k-1][1])/2
				if sag := 30 - math.Hypot(mx-50, my-40); sag > tol+1e-6 {
					t.Fatalf("circle chord %d strays %g > %g", k, sag, tol)
				}
			}
		}
	}
	// Rounded corners: every point on the rectangle's rounded outline.
	pts := strokePoints(d, 2)
	for _, p := range pts {
		x, y := p[0], p[1]
		cx, cy := math.Max(5, math.Min(35, x)), math.Max(5, math.Min(15, y))
		if r := math.Hypot(x-cx, y-cy); math.Abs(r-5) > 1e-4 && !(x == 0 || x == 40 || y == 0 || y == 20) {
			t.Fatalf("rounded rect point %v is off the outline", p)
		}
	}
	if !near(pts[0], [2]float64{5, 0}, 1e-6) || !near(pts[len(pts)-1], [2]float64{5, 0}, 1e-4) {
		t.Errorf("rounded rect from %v to %v, want a closed outline from (5,0)", pts[0], pts[len(pts)-1])
	}
}

// TestSVGStyle: colours and widths from attributes, inline style (which
// wins) and groups; fill-only shapes outlined; hidden things skipped.
func TestSVGStyle(t *testing.T) {
	d := svgDoc(t, `<title>My  cat
		</title>
		<g stroke="#f00" stroke-width="4" color="blue">
			<path d="M0 0 L1 1"/>
			<path stroke="green" style="stroke: #00ff0080; stroke-width: 2px" d="M0 0 L1 1"/>
			<path stroke="currentColor" opacity="0.5" d="M0 0 L1 1"/>
			<g style="stroke:none"><rect width="5" height="5" fill="rgb(10, 20, 30)"/></g>
			<path d="M0 0 L1 1" stroke-width="0.5mm"/>
		</g>
		<path d="M0 0 L1 1" fill="none"/>
		<path d="M0 0 L1 1" stroke="black" display="none"/>
		<g style="display:none"><path d="M0 0 L1 1" stroke="black"/></g>
		<path d="M0 0 L1 1" stroke="black" visibility="hidden"/>
		<g visibility="hidden"><path d="M0 0 L1 1" stroke="black" visibility="visible"/></g>
		<path d="M0 0 L1 1"/>
		<text x="1" y="1">not a stroke</text>
		<defs><path id="p" d="M0 0 L5 5" stroke="black"/></defs>
		<foo><path d="M0 0 L5 5" stroke="black"/></foo>
		<x:bar xmlns:x="urn:other"><path d="M0 0 L5 5" stroke="black"/></x:bar>
		<metadata><path d="M0 0 L5 5" stroke="black"/></metadata>`, Options{})
	want := []struct {
		c color.RGBA
		w float32
	}{
		{color.RGBA{255, 0, 0, 255}, 4},
		{premultiply(0, 255, 0, 128), 2},
		{premultiply(0, 0, 255, 128), 4},
		{color.RGBA{10, 20, 30, 255}, 1}, // fill only: its outline
		{color.RGBA{255, 0, 0, 255}, float32(0.5 * 96 / 25.4)},
		{color.RGBA{0, 0, 0, 255}, 1}, // visible inside a hidden group
		{color.RGBA{0, 0, 0, 255}, 1}, // default fill black: outlined
	}
	if d.Name != "My cat" {
		t.Errorf("name %q, want the title", d.Name)
	}
	if len(d.Strokes) != len(want) {
		t.Fatalf("%d strokes, want %d", len(d.Strokes), len(want))
	}
	for i, w := range want {
		if s := d.Strokes[i]; s.Color != w.c || math.Abs(float64(s.Width-w.w)) > 1e-5 {
			t.Errorf("stroke %d: colour %v width %g, want %v %g", i, s.Color, s.Width, w.c, w.w)
		}
	}
}

// TestSVGCanvas: the canvas from viewBox, or width and height with units,
// or the points; points moved so the viewBox starts at 0,0.
func TestSVGCanvas(t *testing.T) {
	cases := []struct {
		root string
		w, h float64
		p0   [2]float64 // where (10, 20) lands
	}{
		{`width="10cm" height="50mm"`, 1000 / 2.54 * 0.96, 500 / 2.54 * 0.96, [2]float64{10, 20}},
		{`width="2in" height="72pt"`, 192, 96, [2]float64{10, 20}},
		{`width="300" height="200px" viewBox="10 20 100 50"`, 100, 50, [2]float64{0, 0}},
		{`viewBox="-10,-10,200,100"`, 200, 100, [2]float64{20, 30}},
		{`width="100%"`, 0, 0, [2]float64{10, 20}}, // from the points
	}
	for _, c := range cases {
		src := `<svg xmlns="http://www.w3.org/2000/svg" ` + c.root + `><path stroke="black" d="M10 20 L 50 40"/></svg>`
		ds, err := Decode("c.svg", []byte(src), Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := ds[0]
		if c.w == 0 {
			if d.Width < 50 || d.Height < 40 {
				t.Errorf("%s: canvas %gx%g does not hold the points", c.root, d.Width, d.Height)
			}
		} else if math.Abs(d.Width-c.w) > 1e-9 || math.Abs(d.Height-c.h) > 1e-9 {
			t.Errorf("%s: canvas %gx%g, want %gx%g", c.root, d.Width, d.Height, c.w, c.h)
		}
		if p := strokePoints(d, 0)[0]; !near(p, c.p0, 1e-5) {
			t.Errorf("%s: (10,20) at %v, want %v", c.root, p, c.p0)
		}
	}
	// The halftone file paints white on a black page.
	d, err := Load(filepath.Join(realDir, "svg", "vpype", "halftone_1600487839466.svg"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Background != (color.RGBA{0, 0, 0, 255}) || d.Strokes[0].Color != (color.RGBA{255, 255, 255, 255}) || d.Strokes[0].Width != 2 {
		t.Errorf("halftone: background %v stroke %+v", d.Background, d.Strokes[0])
	}
}

// TestSVGRoundTrip: SVG → JSON → SVG keeps the geometry within 0.01 units,
// the colours and the widths, for every real SVG file.
func TestSVGRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "svg", "*", "*.svg"))
	for _, f := range files {
		d1, err := Load(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var js, sv bytes.Buffer
		if err := Encode(&js, JSON, d1); err != nil {
			t.Fatal(err)
		}
		d2, err := Decode("mid.json", js.Bytes(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := Encode(&sv, SVG, d2[0]); err != nil {
			t.Fatal(err)
		}
		d3s, err := Decode("back.svg", sv.Bytes(), Options{})
		if err != nil {
			t.Fatalf("%s: reading the saved SVG: %v", f, err)
		}
		d3 := d3s[0]
		if len(d3.Strokes) != len(d1.Strokes) || d3.NumPoints() != d1.NumPoints() {
			t.Fatalf("%s: %d strokes %d points after the round trip, want %d %d", f, len(d3.Strokes), d3.NumPoints(), len(d1.Strokes), d1.NumPoints())
		}
		if d3.Width != d1.Width || d3.Height != d1.Height || d3.Background != d1.Background || d3.Name != d1.Name {
			t.Errorf("%s: canvas %gx%g %v %q, want %gx%g %v %q", f, d3.Width, d3.Height, d3.Background, d3.Name, d1.Width, d1.Height, d1.Background, d1.Name)
		}
		worst := 0.0
		for i := range d1.XY {
			worst = math.Max(worst, math.Abs(float64(d1.XY[i]-d3.XY[i])))
		}
		if worst > 0.01 {
			t.Errorf("%s: a coordinate moved by %g", f, worst)
		}
		for i := range d1.Strokes {
			a, b := d1.Strokes[i], d3.Strokes[i]
			if a.Color != b.Color || math.Abs(float64(a.Width-b.Width)) > 0.01 || a.Start != b.Start || a.End != b.End {
				t.Fatalf("%s stroke %d: %+v, want %+v", f, i, b, a)
			}
		}
	}
	// Translucent and invisible strokes, one-point and zero-width strokes,
	// and a title survive too.
	d := playback.NewDrawing(50, 40)
	d.Name = "a <b> & c"
	d.BeginStroke(premultiply(200, 100, 50, 77), 2.5)
	d.AddPoint(1, 2, 0)
	d.BeginStroke(black, 1)
	d.AddPoint(3, 4, 0)
	d.AddPoint(5, 6, 10)
	d.BeginStroke(color.RGBA{0, 0, 0, 0}, 0)
	d.AddPoint(7, 8, 20)
	d.AddPoint(7, 8, 30)
	var b bytes.Buffer
	if err := Encode(&b, SVG, d); err != nil {
		t.Fatal(err)
	}
	back, err := Decode("x.svg", b.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := back[0]
	if e.Name != d.Name || len(e.Strokes) != 3 || e.Strokes[0] != d.Strokes[0] || e.Strokes[1] != d.Strokes[1] || e.Strokes[2] != d.Strokes[2] {
		t.Errorf("got %q %+v, want %q %+v\n%s", e.Name, e.Strokes, d.Name, d.Strokes, b.String())
	}
}

// TestSVGPlotterProcInst: plotter.svg begins with "<?xm …?>" instead of an
// XML declaration, and is read all the same.
func TestSVGPlotterProcInst(t *testing.T) {
	path := filepath.Join(realDir, "svg", "vpype", "plotter.svg")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<?xm ")) {
		t.Fatal("plotter.svg no longer starts with <?xm")
	}
	if Sniff("plotter", data) != SVG {
		t.Error("plotter.svg does not sniff as SVG")
	}
	d, err := Decode("plotter", data, Options{})
	if err != nil || len(d[0].Strokes) != 2694 {
		t.Fatalf("%v", err)
	}
	if c := d[0].Strokes[0].Color; c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("colour %v, want the path's red", c)
	}
}
