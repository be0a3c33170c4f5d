package perf

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBudgetForFPS(t *testing.T) {
	cases := []struct {
		fps  float64
		want time.Duration
	}{
		{60, 16666666}, {0, 16666666}, {-5, 16666666}, {30, 33333333}, {120, 8333333}, {144, 6944444},
	}
	for _, c := range cases {
		if got := BudgetForFPS(c.fps); got != c.want {
			t.Errorf("BudgetForFPS(%v) = %v, want %v", c.fps, got, c.want)
		}
	}
	b := NewFrameBudget(0, 0)
	if b.Budget() != 16666666 || b.Window() != DefaultBudgetWindow {
		t.Errorf("default budget %v window %d", b.Budget(), b.Window())
	}
	if !b.Fits(16*time.Millisecond) || !b.Fits(b.Budget()) || b.Fits(17*time.Millisecond) {
		t.Error("Fits disagrees with the 16.67ms budget")
	}
	if got := b.Remaining(10 * time.Millisecond); got != 6666666 {
		t.Errorf("Remaining(10ms) = %v", got)
	}
	if s := b.String(); s != "16.7ms (60 fps)" {
		t.Errorf("String = %q", s)
	}
}

// The rolling p95 is exact over the last N frames, and frames older than
// the window no longer count.
func TestFrameBudgetRollingExact(t *testing.T) {
	b := NewFrameBudget(60, 100)
	r := rand.New(rand.NewPCG(1, 2))
	var all []time.Duration
	for i := range 1000 {
		d := time.Duration(r.IntN(30_000_000))
		over := b.Add(d)
		if over != (d > b.Budget()) {
			t.Fatalf("frame %d: Add(%v) over=%v", i, d, over)
		}
		all = append(all, d)
		last := all[max(0, len(all)-100):]
		for _, q := range []float64{0.5, 0.95, 0.99, 1} {
			if got, want := b.RollingQuantile(q), exactQuantile(slices.Clone(last), q); got != want {
				t.Fatalf("frame %d: rolling q%v = %v, want %v", i, q, got, want)
			}
		}
		if got := b.Recent(nil); !slices.Equal(got, last) {
			t.Fatalf("frame %d: Recent = %v, want %v", i, got, last)
		}
		wantOver := 0
		for _, d := range last {
			if d > b.Budget() {
				wantOver++
			}
		}
		if b.RollingOver() != wantOver {
			t.Fatalf("frame %d: RollingOver = %d, want %d", i, b.RollingOver(), wantOver)
		}
	}
	var over uint64
	for _, d := range all {
		if d > b.Budget() {
			over++
		}
	}
	if b.Frames() != 1000 || b.OverBudget() != over || b.Histogram().Count() != 1000 {
		t.Errorf("frames %d over %d (want %d) hist %d", b.Frames(), b.OverBudget(), over, b.Histogram().Count())
	}
	b.ClearWindow()
	if b.Len() != 0 || b.RollingP95() != 0 || b.Frames() != 1000 {
		t.Error("ClearWindow did not empty only the window")
	}
}

func TestExactQuantileNearestRank(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.95, 10}, {1, 10}} {
		if got := exactQuantile(slices.Clone(ds), c.q); got != c.want {
			t.Errorf("q%v = %v, want %v", c.q, got, c.want)
		}
	}
}
