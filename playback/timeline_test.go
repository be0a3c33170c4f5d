package playback

import (
	"errors"
	"image/color"
	"math"
	"testing"
)

var black = color.RGBA{0, 0, 0, 255}

// drawingOf builds a drawing from strokes of [x, y, t] points.
func drawingOf(strokes ...[][3]float32) *Drawing {
	d := NewDrawing(100, 100)
	for _, s := range strokes {
		d.BeginStroke(black, 2)
		for _, p := range s {
			d.AddPoint(p[0], p[1], p[2])
		}
	}
	return d
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestTimingRecordedWithGapCompression(t *testing.T) {
	// Two strokes separated by a 5 s pause, starting 3 s in.
	d := drawingOf(
		[][3]float32{{0, 0, 3000}, {10, 0, 3100}},
		[][3]float32{{0, 10, 8100}, {10, 10, 8200}},
	)
	tests := []struct {
		name   string
		pacing Pacing
		times  []float64
	}{
		{"default 1 s cap", Pacing{}, []float64{1000, 1100, 2100, 2200}},
		{"cap 2 s", Pacing{MaxGapMs: 2000}, []float64{2000, 2100, 4100, 4200}},
		{"no cap", Pacing{MaxGapMs: -1}, []float64{3000, 3100, 8100, 8200}},
		{"cap below the minimum is raised", Pacing{MaxGapMs: 1}, []float64{MinMaxGapMs, MinMaxGapMs + 50, MinMaxGapMs + 100, MinMaxGapMs + 150}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := NewTiming(d, tc.pacing)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.times {
				if got := tm.PointTime(i); !near(got, want) {
					t.Errorf("point %d: got %v ms, want %v", i, got, want)
				}
			}
			if got, want := tm.Duration(), tc.times[len(tc.times)-1]; !near(got, want) {
				t.Errorf("duration: got %v, want %v", got, want)
			}
		})
	}
}

func TestTimingUniform(t *testing.T) {
	d := drawingOf(
		[][3]float32{{0, 0, 0}, {1, 0, 1}, {2, 0, 900}},
		[][3]float32{{5, 5, 5000}},
		[][3]float32{{0, 9, 6000}, {9, 9, 6000}},
	)
	tm, err := NewTiming(d, Pacing{Uniform: true, SegmentMs: 10, StrokeGapMs: 100})
	if err != nil {
		t.Fatal(err)
	}
	// Every segment lasts 10 ms, every pen-up 100 ms, whatever was recorded.
	want := []float64{0, 10, 20, 120, 220, 230}
	for i, w := range want {
		if got := tm.PointTime(i); !near(got, w) {
			t.Errorf("point %d: got %v, want %v", i, got, w)
		}
	}
	for i, w := range want {
		if got := tm.Revealed(w); got != i+1 {
			t.Errorf("Revealed(%v) = %d, want %d", w, got, i+1)
		}
	}
}

func TestTimingRejectsBadLayout(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {1, 1, 1}})
	d.Strokes[0].Start = 1
	if _, err := NewTiming(d, Pacing{}); !errors.Is(err, ErrLayout) {
		t.Fatalf("got %v, want ErrLayout", err)
	}
}

func TestTimelinePlayPauseSpeed(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {1, 0, 500}, {2, 0, 1000}})
	tl, err := NewTimeline(d, Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	if tl.Advance(100) != 0 {
		t.Fatal("a paused timeline moved")
	}
	tl.Play()
	if got := tl.Advance(100); !near(got, 100) {
		t.Fatalf("1x: got %v", got)
	}
	tl.SetSpeed(2)
	if got := tl.Advance(100); !near(got, 300) {
		t.Fatalf("2x: got %v", got)
	}
	tl.Pause()
	if got := tl.Advance(100); !near(got, 300) {
		t.Fatalf("paused: got %v", got)
	}
	tl.Play()
	tl.Advance(10000)
	if !tl.Ended() || tl.Playing() || tl.Time() != 1000 {
		t.Fatalf("past the end: time %v playing %v", tl.Time(), tl.Playing())
	}
	tl.Play() // at the end, play starts over
	if tl.Time() != 0 || !tl.Playing() {
		t.Fatalf("replay: time %v playing %v", tl.Time(), tl.Playing())
	}
	tl.Loop = true
	tl.Advance(1250 / tl.Speed())
	if !near(tl.Time(), 250) || !tl.Playing() {
		t.Fatalf("loop: time %v playing %v", tl.Time(), tl.Playing())
	}
}

func TestTimelineSpeedClamp(t *testing.T) {
	tl, _ := NewTimeline(drawingOf([][3]float32{{0, 0, 0}}), Pacing{})
	for _, tc := range []struct{ in, want float64 }{
		{0.1, MinSpeed}, {0.25, 0.25}, {3, 3}, {16, 16}, {100, MaxSpeed}, {-5, MinSpeed}, {math.Inf(1), MaxSpeed},
	} {
		if got := tl.SetSpeed(tc.in); got != tc.want {
			t.Errorf("SetSpeed(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	tl.SetSpeed(1)
	for _, want := range []float64{2, 4, 8, 16, 16} {
		if got := tl.Faster(); got != want {
			t.Fatalf("Faster: got %v, want %v", got, want)
		}
	}
}

func TestTimelineSeekClamp(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {1, 0, 1000}})
	tl, _ := NewTimeline(d, Pacing{})
	for _, tc := range []struct{ in, want float64 }{
		{-10, 0}, {500, 500}, {5000, 1000}, {math.NaN(), 0}, {math.Inf(1), 1000},
	} {
		tl.SetTime(tc.in)
		if got := tl.Time(); got != tc.want {
			t.Errorf("SetTime(%v): got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTimelineStrokeStepping(t *testing.T) {
	d := drawingOf(
		[][3]float32{{0, 0, 0}, {1, 0, 100}},   // ends at 100
		[][3]float32{{0, 1, 300}},              // a dot at 300
		[][3]float32{{0, 2, 500}, {1, 2, 700}}, // ends at 700
	)
	tl, _ := NewTimeline(d, Pacing{})
	tl.Play()
	var got []float64
	for i := 0; i < 4; i++ {
		tl.NextStroke()
		got = append(got, tl.Time())
	}
	want := []float64{100, 300, 700, 700}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("NextStroke times: got %v, want %v", got, want)
		}
	}
	if tl.Playing() {
		t.Error("stepping should pause")
	}
	if n := tl.StrokesDone(); n != 3 {
		t.Errorf("StrokesDone at the end = %d", n)
	}
	got = got[:0]
	for i := 0; i < 4; i++ {
		tl.PrevStroke()
		got = append(got, tl.Time())
	}
	want = []float64{300, 100, 0, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("PrevStroke times: got %v, want %v", got, want)
		}
	}
	// From the middle of a stroke, back goes to the boundary before it.
	tl.SetTime(600)
	tl.PrevStroke()
	if tl.Time() != 300 {
		t.Errorf("PrevStroke from 600: got %v, want 300", tl.Time())
	}
	tl.SetTime(600)
	tl.NextStroke()
	if tl.Time() != 700 {
		t.Errorf("NextStroke from 600: got %v, want 700", tl.Time())
	}
}

func TestTimelineSetPacingKeepsPlace(t *testing.T) {
	d := drawingOf([][3]float32{{0, 0, 0}, {1, 0, 1000}, {2, 0, 2000}, {3, 0, 3000}})
	tl, _ := NewTimeline(d, Pacing{})
	tl.SetTime(2000)
	tl.SetPacing(Pacing{Uniform: true, SegmentMs: 10})
	if got := tl.Time(); got != 20 {
		t.Fatalf("after switching to uniform pacing: time %v, want 20", got)
	}
	if tl.Duration() != 30 {
		t.Fatalf("uniform duration %v, want 30", tl.Duration())
	}
}

func TestEmptyDrawingPlays(t *testing.T) {
	d := NewDrawing(10, 10)
	tl, err := NewTimeline(d, Pacing{})
	if err != nil {
		t.Fatal(err)
	}
	tl.Play()
	tl.Advance(100)
	tl.NextStroke()
	tl.PrevStroke()
	if tl.Duration() != 0 || tl.Time() != 0 || tl.StrokesDone() != 0 {
		t.Fatalf("empty drawing: duration %v time %v", tl.Duration(), tl.Time())
	}
	c := NewCursor(tl.Timing())
	st := c.Advance(100)
	var seg Segment
	if c.NextSegment(&seg) || st.Rewind || st.Pen.Down {
		t.Fatalf("empty drawing revealed something: %+v", st)
	}
}
