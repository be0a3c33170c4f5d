package playback

// Mark is a playback position in terms of what is drawn: the points [0, N)
// are revealed, and Frac (in [0, 1)) of the segment from point N-1 to point
// N, when both are in the same stroke, is drawn too. Marks order as
// positions do: Less compares them.
type Mark struct {
	N    int
	Frac float32
}

// Less reports whether m is an earlier position than o.
func (m Mark) Less(o Mark) bool { return m.N < o.N || (m.N == o.N && m.Frac < o.Frac) }

// Pen is where the pen is at a Mark: on the paper inside a stroke, or lifted
// over the last point drawn (over the first point before anything is drawn).
type Pen struct {
	X, Y float32
	Down bool
	// Stroke is the index of the stroke the pen is drawing or last drew
	// (-1 before the first stroke begins).
	Stroke int
}

// Step is what changed from one Cursor.Advance to the next.
type Step struct {
	// Prev is the mark of the previous call; To the mark now.
	Prev, To Mark
	// From is where the new segments begin: Prev, or the zero Mark after a
	// rewind, when whatever was drawn must be drawn again up to To.
	From Mark
	// Rewind reports that time went backwards past something already drawn.
	Rewind bool
	// Pen is the pen at To.
	Pen Pen
}

// Segment is a piece of a stroke revealed by a step: from (X0, Y0) to (X1,
// Y1) in drawing units. A one-point stroke is revealed as one segment of zero
// length.
type Segment struct {
	Stroke int
	// Point is the index, in the point store, of the point the segment runs
	// to (for a one-point stroke, its only point).
	Point          int
	X0, Y0, X1, Y1 float32
	// Partial reports that the segment stops short of Point, at the pen.
	Partial bool
	// Continues reports that (X0, Y0) lies inside the segment ending at
	// Point, already partly revealed by an earlier step.
	Continues bool
}

// Cursor follows playback time and tells what is newly revealed: after each
// Advance, NextSegment yields the segments revealed since the call before,
// including the partial segment the pen is drawing, interpolated. It
// allocates nothing per call. A Cursor is not safe for concurrent use.
type Cursor struct {
	tm   *Timing
	cur  Mark
	step Step
	// segment iteration over step.From → step.To
	j       int // next point index whose incoming segment is considered
	s       int // stroke holding point j
	partial bool
}

// NewCursor returns a cursor over tm at the start (nothing revealed).
func NewCursor(tm *Timing) *Cursor {
	c := &Cursor{tm: tm}
	c.step.Pen = c.pen(Mark{})
	return c
}

// Timing returns the playback times the cursor follows.
func (c *Cursor) Timing() *Timing { return c.tm }

// Mark returns the current position.
func (c *Cursor) Mark() Mark { return c.cur }

// Pen returns the pen at the current position.
func (c *Cursor) Pen() Pen { return c.step.Pen }

// Reset moves the cursor back to the start without reporting a rewind.
func (c *Cursor) Reset() {
	c.cur = Mark{}
	c.step = Step{Pen: c.pen(Mark{})}
	c.j, c.partial = 0, false
}

// MarkAt returns the position at playback time t (milliseconds).
func (c *Cursor) MarkAt(t float64) Mark {
	tm := c.tm
	n := tm.Revealed(t)
	m := Mark{N: n}
	if n == 0 || n >= tm.d.NumPoints() {
		return m
	}
	if tm.StrokeOf(n-1) != tm.StrokeOf(n) {
		return m // pen up between strokes
	}
	t0, t1 := tm.PointTime(n-1), tm.PointTime(n)
	if t1 > t0 {
		f := float32((t - t0) / (t1 - t0))
		if f > 0 && f < 1 {
			m.Frac = f
		}
	}
	return m
}

// Advance moves the cursor to playback time t (milliseconds) and returns
// what changed. The segments revealed are then read with NextSegment.
func (c *Cursor) Advance(t float64) Step {
	return c.AdvanceTo(c.MarkAt(t))
}

// AdvanceTo moves the cursor to m (as from MarkAt) and returns what changed.
func (c *Cursor) AdvanceTo(m Mark) Step {
	st := Step{Prev: c.cur, To: m, From: c.cur}
	if m.Less(c.cur) {
		st.Rewind = true
		st.From = Mark{}
	}
	st.Pen = c.pen(m)
	c.cur, c.step = m, st
	c.j = st.From.N
	if c.j < c.tm.d.NumPoints() {
		c.s = c.tm.StrokeOf(c.j)
	}
	c.partial = false
	return st
}

// pen returns the pen position at m.
func (c *Cursor) pen(m Mark) Pen { return PenAt(c.tm.d, m) }

// PenAt returns where the pen is at mark m of d.
func PenAt(d *Drawing, m Mark) Pen {
	if d.NumPoints() == 0 {
		return Pen{Stroke: -1}
	}
	if m.N <= 0 {
		return Pen{X: d.XY[0], Y: d.XY[1], Stroke: -1}
	}
	i := min(m.N, d.NumPoints()) - 1
	s := d.StrokeOf(i)
	p := Pen{X: d.XY[2*i], Y: d.XY[2*i+1], Stroke: s}
	if i+1 < d.Strokes[s].End {
		// Inside the stroke: the pen is down, possibly between points.
		p.Down = true
		if m.Frac > 0 {
			p.X, p.Y = lerp2(d.XY, i, m.Frac)
		}
	}
	return p
}

// lerp2 returns the point frac of the way from point i to point i+1.
func lerp2(xy []float32, i int, frac float32) (x, y float32) {
	x0, y0, x1, y1 := xy[2*i], xy[2*i+1], xy[2*i+2], xy[2*i+3]
	return x0 + (x1-x0)*frac, y0 + (y1-y0)*frac
}

// NextSegment stores in seg the next segment revealed by the last Advance
// and reports whether there was one. Segments come in drawing order; after a
// rewind they run from the start of the drawing.
func (c *Cursor) NextSegment(seg *Segment) bool {
	d := c.tm.d
	from, to := c.step.From, c.step.To
	for c.j < to.N {
		j := c.j
		c.j++
		for d.Strokes[c.s].End <= j {
			c.s++
		}
		st := d.Strokes[c.s]
		if j == st.Start {
			if st.End-st.Start == 1 { // a dot
				*seg = Segment{Stroke: c.s, Point: j, X0: d.XY[2*j], Y0: d.XY[2*j+1], X1: d.XY[2*j], Y1: d.XY[2*j+1]}
				return true
			}
			continue // the first point of a stroke draws nothing by itself
		}
		*seg = Segment{Stroke: c.s, Point: j, X0: d.XY[2*j-2], Y0: d.XY[2*j-1], X1: d.XY[2*j], Y1: d.XY[2*j+1]}
		if j == from.N && from.Frac > 0 {
			seg.X0, seg.Y0 = lerp2(d.XY, j-1, from.Frac)
			seg.Continues = true
		}
		return true
	}
	if !c.partial && to.Frac > 0 && c.j == to.N && (from.N < to.N || from.Frac < to.Frac) {
		c.partial = true
		j := to.N
		*seg = Segment{Stroke: c.tm.StrokeOf(j), Point: j, X0: d.XY[2*j-2], Y0: d.XY[2*j-1], Partial: true}
		seg.X1, seg.Y1 = lerp2(d.XY, j-1, to.Frac)
		if from.N == to.N && from.Frac > 0 {
			seg.X0, seg.Y0 = lerp2(d.XY, j-1, from.Frac)
			seg.Continues = true
		}
		return true
	}
	return false
}
