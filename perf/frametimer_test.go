package perf

import (
	"testing"
	"time"
)

func TestFrameTimerCountsOverBudget(t *testing.T) {
	var ft FrameTimer // zero value: 60 fps
	for _, ms := range []float64{1, 2, 16, 16.6, 16.7, 17, 40, 3} {
		ft.Record(time.Duration(ms * float64(time.Millisecond)))
	}
	if ft.Frames() != 8 {
		t.Fatalf("frames %d", ft.Frames())
	}
	if got := ft.OverBudget(); got != 3 { // 16.7, 17 and 40 exceed 16.666 ms
		t.Fatalf("over budget %d, want 3", got)
	}
	if got := ft.Histogram().Max(); got != 40*time.Millisecond {
		t.Fatalf("max %v", got)
	}
	if ft.Last() != 3*time.Millisecond {
		t.Fatalf("last %v", ft.Last())
	}
	ft.Reset()
	if ft.Frames() != 0 || ft.OverBudget() != 0 {
		t.Fatal("reset kept frames")
	}
}

func TestFrameTimerBeginEnd(t *testing.T) {
	ft := NewFrameTimer(time.Nanosecond)
	if ft.End() != 0 || ft.Frames() != 0 {
		t.Fatal("End without Begin recorded a frame")
	}
	ft.Begin()
	time.Sleep(time.Millisecond)
	d := ft.End()
	if d < time.Millisecond || ft.Frames() != 1 || ft.OverBudget() != 1 {
		t.Fatalf("measured %v, frames %d, over %d", d, ft.Frames(), ft.OverBudget())
	}
	allocs := testing.AllocsPerRun(100, func() { ft.Begin(); ft.End() })
	if allocs != 0 {
		t.Fatalf("%v allocations per frame", allocs)
	}
}
