// Package playback holds the drawing model and the clock that replays it.
//
// A Drawing is a list of strokes over one flat point store: every stroke is a
// half-open range of indices into the drawing's coordinate and time slices, so a
// million points cost three float32 slices and no per-point allocations.
//
// Units: coordinates are drawing units (pixels of the drawing's own canvas, y
// pointing down); times are milliseconds since the drawing began, never
// decreasing across the whole drawing.
package playback

import (
	"errors"
	"fmt"
	"image/color"
	"math"
)

// DefaultPenSpeed is the pen speed, in drawing units per second, that
// AssignTimes uses when a drawing has no recorded times.
const DefaultPenSpeed = 400

// DefaultStrokeGap is the pause between two untimed strokes, in milliseconds.
const DefaultStrokeGap = 150

// Stroke is one pen-down run: a colour, a width and a range of points.
type Stroke struct {
	Color color.RGBA
	// Width is the pen width in drawing units. Zero is drawn as a hairline.
	Width float32
	// Start and End bound the stroke's points: indices [Start, End) into the
	// drawing's point store.
	Start, End int
}

// Len returns the number of points in the stroke.
func (s Stroke) Len() int { return s.End - s.Start }

// Drawing is a sequence of strokes over a flat point store.
//
// The zero value is an empty drawing with no size; NewDrawing sets a size and
// a white background.
type Drawing struct {
	// Width and Height are the canvas size in drawing units.
	Width, Height float64
	// Background is the paper colour.
	Background color.RGBA
	// Strokes in drawing order.
	Strokes []Stroke
	// XY holds the points' coordinates, interleaved: x0, y0, x1, y1, …
	XY []float32
	// T holds each point's time in milliseconds since the drawing began.
	T []float32
	// Timed reports whether the times came from the source (true) or were
	// assigned from a pen speed (false).
	Timed bool
	// Name is an optional title (a Quick, Draw! word, an SVG title).
	Name string
}

// Point is one pen sample, as returned by Drawing.Point.
type Point struct {
	X, Y float32
	// T is milliseconds since the drawing began.
	T float32
}

// NewDrawing returns an empty drawing of the given size on white paper.
func NewDrawing(width, height float64) *Drawing {
	return &Drawing{Width: width, Height: height, Background: color.RGBA{255, 255, 255, 255}}
}

// NumPoints returns the total number of points.
func (d *Drawing) NumPoints() int { return len(d.T) }

// Point returns point i of the point store.
func (d *Drawing) Point(i int) Point {
	return Point{X: d.XY[2*i], Y: d.XY[2*i+1], T: d.T[i]}
}

// StrokeOf returns the index of the stroke holding point i, for strokes
// that cover the point store in order (as every loader builds them): the
// first stroke whose End is past i, found by binary search; len(d.Strokes)
// for a point past the last stroke.
func (d *Drawing) StrokeOf(i int) int {
	ss := d.Strokes
	lo, hi := 0, len(ss)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ss[m].End <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// BeginStroke starts a new stroke; AddPoint appends to it until the next
// BeginStroke.
func (d *Drawing) BeginStroke(c color.RGBA, width float32) {
	n := len(d.T)
	d.Strokes = append(d.Strokes, Stroke{Color: c, Width: width, Start: n, End: n})
}

// AddPoint appends a point to the stroke begun last. It panics if no stroke
// has begun: that is a programming error, not bad input.
func (d *Drawing) AddPoint(x, y, t float32) {
	if len(d.Strokes) == 0 {
		panic("playback: AddPoint before BeginStroke")
	}
	d.XY = append(d.XY, x, y)
	d.T = append(d.T, t)
	d.Strokes[len(d.Strokes)-1].End = len(d.T)
}

// Duration returns the time of the last point, in milliseconds.
func (d *Drawing) Duration() float64 {
	if len(d.T) == 0 {
		return 0
	}
	return float64(d.T[len(d.T)-1])
}

// Rect is an axis-aligned box in drawing units.
type Rect struct{ MinX, MinY, MaxX, MaxY float64 }

// Empty reports whether the box holds no points.
func (r Rect) Empty() bool { return r.MaxX < r.MinX || r.MaxY < r.MinY }

// Dx and Dy return the box's width and height (0 for an empty box).
func (r Rect) Dx() float64 { return math.Max(0, r.MaxX-r.MinX) }

// Dy returns the box's height (0 for an empty box).
func (r Rect) Dy() float64 { return math.Max(0, r.MaxY-r.MinY) }

// Bounds returns the box around every point, ignoring stroke widths. An
// empty drawing has an empty box.
func (d *Drawing) Bounds() Rect {
	r := Rect{MinX: math.Inf(1), MinY: math.Inf(1), MaxX: math.Inf(-1), MaxY: math.Inf(-1)}
	for i := 0; i+1 < len(d.XY); i += 2 {
		x, y := float64(d.XY[i]), float64(d.XY[i+1])
		r.MinX, r.MaxX = min(r.MinX, x), max(r.MaxX, x)
		r.MinY, r.MaxY = min(r.MinY, y), max(r.MaxY, y)
	}
	return r
}

// Stats summarizes a drawing.
type Stats struct {
	Strokes, Points int
	Bounds          Rect
	// Duration in milliseconds.
	Duration float64
	// InkLength is the total pen-down path length in drawing units.
	InkLength float64
}

// Stats returns the drawing's counts, bounds, duration and ink length.
func (d *Drawing) Stats() Stats {
	s := Stats{Strokes: len(d.Strokes), Points: d.NumPoints(), Bounds: d.Bounds(), Duration: d.Duration()}
	for _, st := range d.Strokes {
		for i := st.Start + 1; i < st.End; i++ {
			s.InkLength += math.Hypot(float64(d.XY[2*i]-d.XY[2*i-2]), float64(d.XY[2*i+1]-d.XY[2*i-1]))
		}
	}
	return s
}

// Validation errors. They wrap into a *PointError that says where.
var (
	ErrNotFinite    = errors.New("coordinate or time is not a finite number")
	ErrTooLarge     = errors.New("coordinate is beyond ±1e7")
	ErrTimeBackward = errors.New("time decreases")
	ErrEmptyStroke  = errors.New("stroke has no points")
	ErrBadWidth     = errors.New("stroke width is negative or not finite")
)

// MaxCoord bounds coordinates: beyond it float32 loses whole units and the
// renderer's arithmetic overflows.
const MaxCoord = 1e7

// PointError says which stroke and point broke a rule.
type PointError struct {
	Stroke, Point int // Point is the index within the stroke; -1 for the stroke itself
	Err           error
}

func (e *PointError) Error() string {
	if e.Point < 0 {
		return fmt.Sprintf("stroke %d: %v", e.Stroke, e.Err)
	}
	return fmt.Sprintf("stroke %d point %d: %v", e.Stroke, e.Point, e.Err)
}

func (e *PointError) Unwrap() error { return e.Err }

// Validate checks the rules every loader guarantees: finite coordinates within
// ±MaxCoord, finite non-negative widths, non-empty strokes, and times that
// never decrease. It returns a *PointError for the first broken rule.
func (d *Drawing) Validate() error {
	prev := float32(math.Inf(-1))
	for si, s := range d.Strokes {
		if s.Len() <= 0 {
			return &PointError{Stroke: si, Point: -1, Err: ErrEmptyStroke}
		}
		if !(s.Width >= 0) || math.IsInf(float64(s.Width), 0) {
			return &PointError{Stroke: si, Point: -1, Err: ErrBadWidth}
		}
		for i := s.Start; i < s.End; i++ {
			x, y, t := d.XY[2*i], d.XY[2*i+1], d.T[i]
			if !finite(x) || !finite(y) || !finite(t) {
				return &PointError{Stroke: si, Point: i - s.Start, Err: ErrNotFinite}
			}
			if math.Abs(float64(x)) > MaxCoord || math.Abs(float64(y)) > MaxCoord {
				return &PointError{Stroke: si, Point: i - s.Start, Err: ErrTooLarge}
			}
			if t < prev {
				return &PointError{Stroke: si, Point: i - s.Start, Err: ErrTimeBackward}
			}
			prev = t
		}
	}
	return nil
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// AssignTimes gives every point a time from a pen speed, in drawing units per
// second (0 means DefaultPenSpeed), with gap milliseconds between strokes
// (negative means DefaultStrokeGap). It marks the drawing untimed.
func (d *Drawing) AssignTimes(speed, gap float64) {
	if speed <= 0 {
		speed = DefaultPenSpeed
	}
	if gap < 0 {
		gap = DefaultStrokeGap
	}
	t := 0.0
	for si, s := range d.Strokes {
		if si > 0 {
			t += gap
		}
		for i := s.Start; i < s.End; i++ {
			if i > s.Start {
				t += 1000 * math.Hypot(float64(d.XY[2*i]-d.XY[2*i-2]), float64(d.XY[2*i+1]-d.XY[2*i-1])) / speed
			}
			d.T[i] = float32(t)
		}
	}
	d.Timed = false
}

// Clone returns a deep copy.
func (d *Drawing) Clone() *Drawing {
	c := *d
	c.Strokes = append([]Stroke(nil), d.Strokes...)
	c.XY = append([]float32(nil), d.XY...)
	c.T = append([]float32(nil), d.T...)
	return &c
}
