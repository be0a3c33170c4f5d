package canvas

import (
	"image"
	"image/color"
	"math"
	"testing"

	"mbotdraw/playback"
)

var (
	black = color.RGBA{0, 0, 0, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// strokeDrawing returns a w×h drawing with one stroke through pts.
func strokeDrawing(w, h float64, c color.RGBA, width float32, pts ...float32) *playback.Drawing {
	d := playback.NewDrawing(w, h)
	d.BeginStroke(c, width)
	for i := 0; i+1 < len(pts); i += 2 {
		d.AddPoint(pts[i], pts[i+1], float32(i))
	}
	return d
}

func wholeStroke(d *playback.Drawing, s int) Piece {
	st := d.Strokes[s]
	return Piece{Stroke: s, First: st.Start, Last: st.End - 1, Cap: true}
}

// convexSink collects polygons, checking each is convex.
type convexSink struct {
	t     *testing.T
	polys int
}

func (s *convexSink) Polygon(p []Vec) {
	s.polys++
	var sign float32
	for i := range p {
		a, b, c := p[i], p[(i+1)%len(p)], p[(i+2)%len(p)]
		cr := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if math.Abs(float64(cr)) < 1e-3 {
			continue
		}
		if sign == 0 {
			sign = cr
		} else if (cr > 0) != (sign > 0) {
			s.t.Fatalf("polygon %d is not convex: %v", s.polys, p)
		}
	}
}

func TestEmitGivesConvexPolygons(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 50, Seed: 2, Width: 400, Height: 300})
	// Sharp turns, a U-turn and repeated points.
	d.BeginStroke(black, 8)
	for _, p := range [][2]float32{{10, 10}, {60, 10}, {60, 10}, {10, 12}, {50, 40}, {10, 40}, {50, 40}} {
		d.AddPoint(p[0], p[1], 0)
	}
	var tess Tessellator
	sink := &convexSink{t: t}
	for s := range d.Strokes {
		if _, _, _, _, ok := tess.Prepare(d, wholeStroke(d, s)); ok {
			tess.Emit(sink)
		}
	}
	if sink.polys == 0 {
		t.Fatal("no polygons")
	}
}

func TestBatchesStayUnderTheVertexLimit(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 300, Seed: 4})
	// A huge width makes discs of maxCircleSegments vertices.
	d.BeginStroke(black, 1e6)
	d.AddPoint(900, 500, 0)
	d.BeginStroke(black, 3e5)
	d.AddPoint(0, 0, 0)
	d.AddPoint(1900, 1000, 0)
	for _, max := range []int{0, 64, 1000, MaxBatchVertices, 1 << 20} {
		var tess Tessellator
		limit := Quality{BatchVertices: max}.batchVertices()
		batches, tris := 0, 0
		bt := &Batcher{Max: max, Flush: func(b *Batch) {
			batches++
			if len(b.Vertices) > limit || len(b.Vertices) > MaxBatchVertices {
				t.Fatalf("max %d: batch of %d vertices", max, len(b.Vertices))
			}
			for _, i := range b.Indices {
				if int(i) >= len(b.Vertices) {
					t.Fatalf("max %d: index %d past %d vertices", max, i, len(b.Vertices))
				}
			}
			tris += len(b.Indices) / 3
		}}
		for s := range d.Strokes {
			if _, _, _, _, ok := tess.Prepare(d, wholeStroke(d, s)); ok {
				bt.SetColor(tess.Color())
				tess.Emit(bt)
			}
		}
		bt.Finish()
		if batches == 0 || tris == 0 {
			t.Fatalf("max %d: %d batches, %d triangles", max, batches, tris)
		}
		if max == 64 && batches < 100 {
			t.Fatalf("max 64: only %d batches", batches)
		}
	}
}

func TestBatchColoursAreTheStrokes(t *testing.T) {
	red := color.RGBA{200, 0, 0, 255}
	d := strokeDrawing(100, 100, red, 3, 10, 10, 50, 50)
	var tess Tessellator
	var got []Vertex
	bt := &Batcher{Flush: func(b *Batch) { got = append(got, b.Vertices...) }}
	tess.Prepare(d, wholeStroke(d, 0))
	bt.SetColor(tess.Color())
	tess.Emit(bt)
	bt.Finish()
	for _, v := range got {
		if v.R != 200.0/255 || v.G != 0 || v.A != 1 {
			t.Fatalf("vertex colour %+v", v)
		}
	}
}

// render draws d's stroke s into a fresh white w×h image.
func render(d *playback.Drawing, w, h int, convex bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRGBA(img, white)
	var tess Tessellator
	var ras Raster
	for s := range d.Strokes {
		x0, y0, x1, y1, ok := tess.Prepare(d, wholeStroke(d, s))
		if !ok {
			continue
		}
		if convex {
			ras.fillConvex(img, &tess, x0, y0, x1, y1)
		} else {
			ras.Fill(img, img.Rect, &tess, x0, y0, x1, y1)
		}
	}
	return img
}

func gray(img *image.RGBA, x, y int) uint8 { return img.RGBAAt(x, y).R }

func TestStrokeGeometry(t *testing.T) {
	tests := []struct {
		name    string
		width   float32
		pts     []float32
		ink     [][2]int // pixels fully inked
		paper   [][2]int // pixels untouched
		partial [][2]int // pixels neither
	}{
		{"hairline", 0, []float32{10, 10.5, 50, 10.5},
			[][2]int{{20, 10}, {40, 10}}, [][2]int{{20, 9}, {20, 11}, {60, 10}}, nil},
		{"width 4", 4, []float32{10, 20, 50, 20},
			[][2]int{{30, 18}, {30, 19}, {30, 20}, {30, 21}}, [][2]int{{30, 16}, {30, 23}}, nil},
		{"round caps", 10, []float32{30, 30, 30, 30},
			[][2]int{{30, 30}, {33, 30}, {26, 30}, {32, 32}}, [][2]int{{36, 30}, {24, 24}, {35, 35}}, nil},
		{"half-pixel edge", 1, []float32{10, 40, 50, 40},
			nil, [][2]int{{30, 38}, {30, 41}}, [][2]int{{30, 39}, {30, 40}}},
		{"round join", 10, []float32{20, 80, 60, 80, 60, 40},
			[][2]int{{62, 82}, {58, 78}}, [][2]int{{67, 87}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := strokeDrawing(100, 100, black, tc.width, tc.pts...)
			for _, convex := range []bool{false, true} {
				img := render(d, 100, 100, convex)
				for _, p := range tc.ink {
					if g := gray(img, p[0], p[1]); g != 0 {
						t.Errorf("convex %v: pixel %v = %d, want ink", convex, p, g)
					}
				}
				for _, p := range tc.paper {
					if g := gray(img, p[0], p[1]); g != 255 {
						t.Errorf("convex %v: pixel %v = %d, want paper", convex, p, g)
					}
				}
				for _, p := range tc.partial {
					if g := gray(img, p[0], p[1]); g < 64 || g > 192 {
						t.Errorf("convex %v: pixel %v = %d, want about half", convex, p, g)
					}
				}
			}
		})
	}
}

// Translucent ink is composited once per stroke: joins and overlaps of the
// same stroke are not darker than the rest of it.
func TestTranslucentStrokeCompositesOnce(t *testing.T) {
	half := color.RGBA{0, 0, 0, 128} // premultiplied 50% black
	d := strokeDrawing(100, 100, half, 8, 10, 50, 50, 50, 20, 20, 90, 90)
	img := render(d, 100, 100, false)
	mid := gray(img, 30, 50)
	for _, p := range [][2]int{{50, 50}, {35, 35}, {80, 80}} {
		if g := gray(img, p[0], p[1]); g != mid {
			t.Errorf("pixel %v = %d, want %d like the rest of the stroke", p, g, mid)
		}
	}
	if mid < 120 || mid > 135 {
		t.Errorf("50%% black over white = %d", mid)
	}
}

// The outline (software) and the convex polygons (GPU) cover the same shape.
func TestOutlineMatchesConvexPolygons(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 40, Seed: 5, Width: 320, Height: 240})
	d.BeginStroke(black, 12)
	for _, p := range [][2]float32{{20, 20}, {120, 20}, {20, 25}, {100, 90}, {20, 90}, {100, 90}, {100, 90}, {140, 200}} {
		d.AddPoint(p[0], p[1], 0)
	}
	a, b := render(d, 320, 240, false), render(d, 320, 240, true)
	diff, big := 0, 0
	for i := range a.Pix {
		dv := int(a.Pix[i]) - int(b.Pix[i])
		if dv < 0 {
			dv = -dv
		}
		if dv > 8 {
			diff++
		}
		if dv > 96 {
			big++
		}
	}
	if n := len(a.Pix); diff > n/500 || big > 0 {
		t.Fatalf("%d of %d channels differ by more than 8, %d by more than 96", diff, n, big)
	}
}

func TestCircleSegments(t *testing.T) {
	prev := 0
	for _, r := range []float32{0, 0.1, 0.5, 1, 2.5, 10, 100, 1e4, 1e7, float32(math.Inf(1))} {
		n := circleSegments(r)
		if n < minCircleSegments || n > maxCircleSegments || n%2 != 0 || n < prev {
			t.Fatalf("circleSegments(%v) = %d", r, n)
		}
		prev = n
	}
}

func (rs *Raster) fillConvex(dst *image.RGBA, t *Tessellator, x0, y0, x1, y1 float32) {
	rs.convex = true
	rs.Fill(dst, dst.Rect, t, x0, y0, x1, y1)
	rs.convex = false
}
