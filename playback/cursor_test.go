package playback

import (
	"math"
	"testing"
)

// collect advances c to t and returns the segments revealed.
func collect(c *Cursor, t float64) (Step, []Segment) {
	st := c.Advance(t)
	var segs []Segment
	var s Segment
	for c.NextSegment(&s) {
		segs = append(segs, s)
	}
	return st, segs
}

func dist(x0, y0, x1, y1 float32) float64 { return math.Hypot(float64(x1-x0), float64(y1-y0)) }

func TestCursorRevealsEverythingOnceInPieces(t *testing.T) {
	d := Generate(GenOptions{Strokes: 40, Seed: 3, Width: 300, Height: 200})
	d.BeginStroke(black, 1) // a dot at the end
	d.AddPoint(5, 5, float32(d.Duration()+100))
	tm, err := NewTiming(d, Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	want := d.Stats().InkLength
	for _, frame := range []float64{1, 7.3, 16.7, 100, 5000} {
		c := NewCursor(tm)
		var length float64
		dots := 0
		var last Segment
		for now := 0.0; ; now += frame {
			st, segs := collect(c, now)
			if st.Rewind {
				t.Fatalf("frame %v: rewind at %v going forwards", frame, now)
			}
			for _, s := range segs {
				length += dist(s.X0, s.Y0, s.X1, s.Y1)
				if s.X0 == s.X1 && s.Y0 == s.Y1 && d.Strokes[s.Stroke].Len() == 1 {
					dots++
				}
				// A continued segment starts exactly where the partial one ended.
				if s.Continues && (last.Point != s.Point || last.X1 != s.X0 || last.Y1 != s.Y0 || !last.Partial) {
					t.Fatalf("frame %v: %+v does not continue %+v", frame, s, last)
				}
				last = s
			}
			if now > tm.Duration() {
				break
			}
		}
		if math.Abs(length-want) > 1e-3*want {
			t.Errorf("frame %v ms: revealed ink length %v, want %v", frame, length, want)
		}
		if dots != 1 {
			t.Errorf("frame %v ms: %d dots revealed, want 1", frame, dots)
		}
		if m := c.Mark(); m.N != d.NumPoints() || m.Frac != 0 {
			t.Errorf("frame %v ms: final mark %+v", frame, m)
		}
	}
}

func TestCursorPartialSegmentAndPen(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {10, 0, 100}, {10, 10, 200}}, [][3]float32{{50, 50, 400}, {60, 50, 500}})
	tm, _ := NewTiming(d, Pacing{})
	c := NewCursor(tm)
	st, segs := collect(c, 150)
	if st.To != (Mark{N: 2, Frac: 0.5}) {
		t.Fatalf("mark at 150: %+v", st.To)
	}
	if len(segs) != 2 || segs[1] != (Segment{Stroke: 0, Point: 2, X0: 10, Y0: 0, X1: 10, Y1: 5, Partial: true}) {
		t.Fatalf("segments at 150: %+v", segs)
	}
	if p := st.Pen; !p.Down || p.X != 10 || p.Y != 5 || p.Stroke != 0 {
		t.Fatalf("pen at 150: %+v", p)
	}
	st, segs = collect(c, 300) // pen up between strokes
	if len(segs) != 1 || !segs[0].Continues || segs[0].Y0 != 5 || segs[0].Y1 != 10 || segs[0].Partial {
		t.Fatalf("segments at 300: %+v", segs)
	}
	if p := st.Pen; p.Down || p.X != 10 || p.Y != 10 {
		t.Fatalf("pen at 300 should be up over the last point: %+v", p)
	}
	// Nothing new when time stands still.
	if _, segs = collect(c, 300); len(segs) != 0 {
		t.Fatalf("standing still revealed %+v", segs)
	}
}

func TestCursorRewind(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {10, 0, 100}, {20, 0, 200}})
	tm, _ := NewTiming(d, Pacing{})
	c := NewCursor(tm)
	collect(c, 150)
	st, segs := collect(c, 50)
	if !st.Rewind || st.Prev != (Mark{N: 2, Frac: 0.5}) || st.From != (Mark{}) {
		t.Fatalf("step back: %+v", st)
	}
	// After a rewind the segments run from the start up to the new time.
	if len(segs) != 1 || segs[0].X0 != 0 || segs[0].X1 != 5 || !segs[0].Partial {
		t.Fatalf("segments after rewind: %+v", segs)
	}
	// A step back within a pen-up (nothing un-drawn) is no rewind.
	d2 := drawingOf([][3]float32{{0, 0, 0}, {1, 0, 10}}, [][3]float32{{5, 5, 500}})
	tm2, _ := NewTiming(d2, Pacing{})
	c2 := NewCursor(tm2)
	collect(c2, 300)
	if st, _ := collect(c2, 200); st.Rewind {
		t.Fatalf("rewind reported inside a pen-up gap: %+v", st)
	}
}

func TestCursorAllocatesNothing(t *testing.T) {
	d := Generate(GenOptions{Strokes: 200, Seed: 1})
	tm, _ := NewTiming(d, Pacing{})
	c := NewCursor(tm)
	now := 0.0
	var s Segment
	allocs := testing.AllocsPerRun(200, func() {
		now += 16.7
		if now > tm.Duration() {
			now = 0
		}
		c.Advance(now)
		for c.NextSegment(&s) {
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame", allocs)
	}
}

func TestPenAt(t *testing.T) {
	d := drawingOf([][3]float32{{1, 2, 0}, {3, 4, 10}})
	if p := PenAt(d, Mark{}); p.Down || p.X != 1 || p.Stroke != -1 {
		t.Errorf("before start: %+v", p)
	}
	if p := PenAt(d, Mark{N: 1, Frac: 0.5}); !p.Down || p.X != 2 || p.Y != 3 {
		t.Errorf("halfway: %+v", p)
	}
	if p := PenAt(d, Mark{N: 2}); p.Down || p.X != 3 {
		t.Errorf("at the end: %+v", p)
	}
}
