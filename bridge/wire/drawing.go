package wire

import (
	"strconv"

	"mbotdraw/jsonstring"
)

// DrawingEncoder writes the live endpoint's "drawing" message, the drawing a
// page shows, stroke by stroke and point by point, without an intermediate
// copy of the drawing:
//
//	{"type":"drawing","width":W,"height":H,"background":"#rrggbb","name":"…",
//	 "strokes":[{"color":"#rrggbb","width":3,"points":[x0,y0,t0,x1,y1,t1,…]}]}
//
// Points are flat triples: coordinates rounded to 0.01 unit, times (ms) to
// 0.1 ms. Call Stroke before each stroke's Points, then Bytes once.
type DrawingEncoder struct {
	b       []byte
	strokes int
	points  int // points in the current stroke
}

// NewDrawingEncoder begins a drawing message. background is "#rrggbb";
// points is a hint of how many points will follow, to size the buffer.
func NewDrawingEncoder(width, height float64, background, name string, points int) *DrawingEncoder {
	b := make([]byte, 0, 128+points*20)
	b = append(b, `{"type":"drawing","width":`...)
	b = strconv.AppendFloat(b, finiteOr0(width), 'f', -1, 64)
	b = append(b, `,"height":`...)
	b = strconv.AppendFloat(b, finiteOr0(height), 'f', -1, 64)
	b = append(b, `,"background":`...)
	b = jsonstring.Append(b, background)
	b = append(b, `,"name":`...)
	b = jsonstring.Append(b, name)
	b = append(b, `,"strokes":[`...)
	return &DrawingEncoder{b: b}
}

// Stroke begins a stroke of color ("#rrggbb") and width (drawing units).
func (e *DrawingEncoder) Stroke(color string, width float32) {
	if e.strokes > 0 {
		e.b = append(e.b, "]},"...)
	}
	e.strokes++
	e.points = 0
	e.b = append(e.b, `{"color":`...)
	e.b = jsonstring.Append(e.b, color)
	e.b = append(e.b, `,"width":`...)
	e.b = strconv.AppendFloat(e.b, finiteOr0(float64(width)), 'f', -1, 32)
	e.b = append(e.b, `,"points":[`...)
}

// Point appends a point of the current stroke: x and y in drawing units, t
// in milliseconds.
func (e *DrawingEncoder) Point(x, y, t float64) {
	if e.points > 0 {
		e.b = append(e.b, ',')
	}
	e.points++
	e.b = strconv.AppendFloat(e.b, round(x, 100), 'f', -1, 64)
	e.b = append(e.b, ',')
	e.b = strconv.AppendFloat(e.b, round(y, 100), 'f', -1, 64)
	e.b = append(e.b, ',')
	e.b = strconv.AppendFloat(e.b, round(t, 10), 'f', -1, 64)
}

// Bytes ends the message and returns it.
func (e *DrawingEncoder) Bytes() []byte {
	if e.strokes > 0 {
		e.b = append(e.b, "]}"...)
	}
	e.b = append(e.b, "]}"...)
	return e.b
}

func finiteOr0(v float64) float64 {
	if !finite(v) {
		return 0
	}
	return v
}

// round rounds v to 1/k (0 for values beyond ±10¹², NaN included).
func round(v, k float64) float64 {
	if !(v <= 1e12 && v >= -1e12) {
		return 0
	}
	h := 0.5
	if v < 0 {
		h = -0.5
	}
	return float64(int64(v*k+h)) / k
}
