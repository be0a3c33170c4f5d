package bridge

import (
	"testing"
	"time"

	"mbotdraw/playback"
)

// fakeView is a window that shows what it is told to.
type fakeView struct {
	shown    *playback.Drawing
	replaced int
	cleared  []bool
}

func (v *fakeView) Showing(d *playback.Drawing) bool { return v.shown == d }
func (v *fakeView) PageSize() (float64, float64)     { return 400, 300 }
func (v *fakeView) Show(d *playback.Drawing)         { v.shown = d }
func (v *fakeView) Replace(old, d *playback.Drawing) {
	if v.shown == old {
		v.shown = d
	}
	v.replaced++
}
func (v *fakeView) Cleared(forRobot bool) { v.cleared = append(v.cleared, forRobot) }

// piece is a pad piece of page's stroke with points at times ts (x = t).
func piece(page uint64, stroke int, end bool, ts ...float32) PadStroke {
	ps := PadStroke{Page: page, Stroke: stroke, Width: 2, End: end}
	for _, t := range ts {
		ps.Points = append(ps.Points, playback.Point{X: t, Y: float32(page), T: t})
	}
	return ps
}

// take feeds pieces as one tick does and shows a live drawing begun.
func take(p *PadDrawing, v *fakeView, pieces ...PadStroke) PadNews {
	news := PadNews{NewStroke: -1}
	for _, ps := range pieces {
		p.Take(ps, &news)
	}
	if news.Started {
		v.Show(p.Drawing())
	}
	return news
}

// strokeTimes returns each stroke's first and last point times.
func strokeTimes(d *playback.Drawing) [][2]float32 {
	var out [][2]float32
	for _, s := range d.Strokes {
		out = append(out, [2]float32{d.T[s.Start], d.T[s.End-1]})
	}
	return out
}

// Two pages drawing at once: the second page's stroke waits for the
// first's to end, then follows it a page gap later; a page's own rhythm is
// kept, and a long wait is cut to the playback's longest gap.
func TestPadDrawingOrdersPagesAndTimes(t *testing.T) {
	v := &fakeView{}
	p := NewPadDrawing(v, PadOptions{})
	news := take(p, v, piece(1, 0, false, 0, 10), piece(2, 0, true, 5, 15), piece(1, 0, true, 20))
	if !news.Started || news.NewStroke != 0 || v.shown != p.Drawing() || p.Drawing().Width != 400 {
		t.Fatalf("news %+v; a new live drawing of the page's size must start and show", news)
	}
	take(p, v, piece(1, 1, true, 5020, 5030))
	want := [][2]float32{
		{PadLeadMs, PadLeadMs + 20},                                         // page 1, first
		{PadLeadMs + 20 + PadPageGapMs, PadLeadMs + 20 + PadPageGapMs + 10}, // page 2 waited, a gap after
		{PadLeadMs + 20 + PadPageGapMs + 10 + playback.DefaultMaxGapMs, PadLeadMs + 20 + PadPageGapMs + 20 + playback.DefaultMaxGapMs},
	}
	got := strokeTimes(p.Drawing())
	if len(got) != len(want) {
		t.Fatalf("strokes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stroke %d from %v to %v ms, want %v", i, got[i][0], got[i][1], want[i])
		}
	}
	if p.StrokeOpen() {
		t.Error("a stroke is still open")
	}
}

// A page that goes silent mid-stroke lets the waiting page draw once
// StaleOpen has passed; a piece of a finished stroke is dropped.
func TestPadDrawingExpiresAStaleStroke(t *testing.T) {
	v := &fakeView{}
	p := NewPadDrawing(v, PadOptions{StaleOpen: time.Nanosecond})
	take(p, v, piece(1, 0, false, 0, 10), piece(2, 0, true, 0, 10))
	if n := len(p.Drawing().Strokes); n != 1 {
		t.Fatalf("%d strokes before expiry, want 1 (page 2 waits)", n)
	}
	time.Sleep(time.Millisecond)
	news := PadNews{NewStroke: -1}
	p.Expire(&news)
	if n := len(p.Drawing().Strokes); n != 2 || !news.Grew {
		t.Fatalf("%d strokes after expiry (news %+v), want page 2's too", n, news)
	}
	take(p, v, piece(2, 0, false, 20))
	if n := p.Drawing().NumPoints(); n != 4 {
		t.Errorf("%d points: a piece of a finished stroke was added", n)
	}
}

// Undo takes a stroke back (from the drawing, the robot's queue and what
// comes later); Clear begins a new drawing, once, and drops the robot's
// queue when asked.
func TestPadDrawingUndoAndClear(t *testing.T) {
	v := &fakeView{}
	p := NewPadDrawing(v, PadOptions{})
	robotStroke := piece(1, 1, true, 30, 40)
	robotStroke.Robot = true
	take(p, v, piece(1, 0, true, 0, 10), robotStroke, piece(1, 2, true, 50, 60))
	if p.ForRobot() != 1 {
		t.Fatalf("%d strokes for the robot, want 1", p.ForRobot())
	}
	take(p, v, PadStroke{Action: PadUndo, Page: 1, Stroke: 1})
	d := p.Drawing()
	if len(d.Strokes) != 2 || v.replaced != 1 || v.shown != d || p.ForRobot() != 0 {
		t.Fatalf("after Undo: %d strokes, %d replaced, shown %v, %d for the robot", len(d.Strokes), v.replaced, v.shown == d, p.ForRobot())
	}
	if d.T[d.Strokes[1].Start] != PadLeadMs+50 {
		t.Errorf("the stroke after the one taken back moved in time: %v", strokeTimes(d))
	}
	take(p, v, piece(1, 1, true, 70)) // late piece of the stroke taken back
	if len(p.Drawing().Strokes) != 2 {
		t.Error("a piece of a stroke taken back came back")
	}
	take(p, v, robotStroke2(), PadStroke{Action: PadClear, Page: 1, Robot: true})
	if p.Drawing() == d || len(p.Drawing().Strokes) != 0 || v.shown != p.Drawing() || p.ForRobot() != 0 || len(v.cleared) != 1 || !v.cleared[0] {
		t.Fatalf("after Clear: %d strokes, shown %v, %d for the robot, cleared %v", len(p.Drawing().Strokes), v.shown == p.Drawing(), p.ForRobot(), v.cleared)
	}
	blank := p.Drawing()
	take(p, v, PadStroke{Action: PadClear, Page: 1})
	if p.Drawing() != blank || len(v.cleared) != 2 {
		t.Error("a Clear on a blank drawing on show began another")
	}
}

func robotStroke2() PadStroke {
	ps := piece(1, 3, true, 80, 90)
	ps.Robot = true
	return ps
}

// A stroke for the robot waits alone on a page of the drawing's size; a
// stroke drawn while the live drawing is not on show begins a new one.
func TestPadDrawingRobotQueueAndNewDrawing(t *testing.T) {
	v := &fakeView{}
	p := NewPadDrawing(v, PadOptions{})
	ps := piece(1, 0, true, 0, 10, 20)
	ps.Robot = true
	take(p, v, ps)
	d, more, ok := p.NextForRobot()
	if !ok || more != 0 || len(d.Strokes) != 1 || d.NumPoints() != 3 || d.Width != 400 || d.Height != 300 {
		t.Fatalf("for the robot: %v, %d more; want the stroke alone on a 400x300 page", ok, more)
	}
	first := p.Drawing()
	v.shown = nil // the user went back to another drawing
	if news := take(p, v, piece(1, 1, true, 30, 40)); !news.Started || p.Drawing() == first {
		t.Errorf("news %+v: a stroke drawn while the live drawing is hidden must begin a new one", news)
	}
}
