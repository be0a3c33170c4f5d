package perf

import "time"

// FrameTimer measures frames with the wall clock: Begin at the start of a
// frame's work, End at its end. Every frame's duration goes into a Histogram
// (fixed memory), and frames longer than the budget are counted. It
// allocates nothing per frame. The zero value uses a 60 fps budget
// (16.67 ms); it is not safe for concurrent use.
type FrameTimer struct {
	// Budget is the time a frame may take (0: 1 s / 60).
	Budget time.Duration

	hist  Histogram
	over  int
	last  time.Duration
	start time.Time
	open  bool
}

// NewFrameTimer returns a timer with the given budget (≤ 0: 1 s / 60).
func NewFrameTimer(budget time.Duration) *FrameTimer {
	return &FrameTimer{Budget: budget}
}

func (f *FrameTimer) budget() time.Duration {
	if f.Budget <= 0 {
		return time.Second / 60
	}
	return f.Budget
}

// Begin starts timing a frame.
func (f *FrameTimer) Begin() {
	f.start = time.Now()
	f.open = true
}

// End stops timing the frame begun last, records it and returns its
// duration (0 if no frame was begun).
func (f *FrameTimer) End() time.Duration {
	if !f.open {
		return 0
	}
	f.open = false
	d := time.Since(f.start)
	f.Record(d)
	return d
}

// Record adds a frame measured elsewhere.
func (f *FrameTimer) Record(d time.Duration) {
	f.hist.Record(d)
	f.last = d
	if d > f.budget() {
		f.over++
	}
}

// Frames returns how many frames were recorded.
func (f *FrameTimer) Frames() int { return int(f.hist.Count()) }

// OverBudget returns how many frames took longer than the budget.
func (f *FrameTimer) OverBudget() int { return f.over }

// Last returns the duration of the frame recorded last.
func (f *FrameTimer) Last() time.Duration { return f.last }

// Histogram returns the frame-time histogram (p50, p95, p99, max, …).
func (f *FrameTimer) Histogram() *Histogram { return &f.hist }

// Reset forgets every frame; the budget stays.
func (f *FrameTimer) Reset() {
	f.hist.Reset()
	f.over, f.last, f.open = 0, 0, false
}
