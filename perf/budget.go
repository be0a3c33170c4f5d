package perf

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// DefaultFPS is the frame rate a zero target means: 60 frames a second, a
// budget of 16.67 ms a frame.
const DefaultFPS = 60

// DefaultBudgetWindow is the number of recent frames the rolling quantiles
// of a FrameBudget cover when none is given: 120 frames, 2 s at 60 fps.
const DefaultBudgetWindow = 120

// FrameBudget is the time one frame may take, and the record of how recent
// frames fared against it: a rolling window of the last N frame times (exact
// rolling quantiles), plus whole-run counts and a whole-run histogram.
// A FrameBudget belongs to one frame loop; it is not safe for concurrent use.
type FrameBudget struct {
	budget time.Duration
	ring   []time.Duration // last len(ring) frames, ring[next] is the oldest once full
	next   int
	filled int
	scr    []time.Duration // scratch for quantiles

	frames, over uint64
	hist         Histogram
}

// BudgetForFPS returns the frame budget of a target frame rate (fps ≤ 0
// means DefaultFPS): 1 s / fps truncated to the nanosecond, so 60 fps gives
// 16,666,666 ns (16.67 ms), the same as FrameTimer's default budget.
func BudgetForFPS(fps float64) time.Duration {
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	return time.Duration(float64(time.Second) / fps)
}

// NewFrameBudget returns a budget for a target frame rate (≤ 0: 60 fps) with
// a rolling window of the last window frames (≤ 0: DefaultBudgetWindow).
func NewFrameBudget(fps float64, window int) *FrameBudget {
	return NewFrameBudgetDuration(BudgetForFPS(fps), window)
}

// NewFrameBudgetDuration is NewFrameBudget with the budget given as a
// duration (≤ 0: the 60 fps budget); `bench --budget-ms X` uses it.
func NewFrameBudgetDuration(budget time.Duration, window int) *FrameBudget {
	if budget <= 0 {
		budget = BudgetForFPS(DefaultFPS)
	}
	if window <= 0 {
		window = DefaultBudgetWindow
	}
	return &FrameBudget{budget: budget, ring: make([]time.Duration, window), scr: make([]time.Duration, 0, window)}
}

// Budget returns the time one frame may take.
func (b *FrameBudget) Budget() time.Duration { return b.budget }

// Fits reports whether an operation of duration d fits in one frame.
func (b *FrameBudget) Fits(d time.Duration) bool { return d <= b.budget }

// Remaining returns what is left of the frame after spent (negative when
// over budget), for work that can stop early (e.g. deferred baking).
func (b *FrameBudget) Remaining(spent time.Duration) time.Duration { return b.budget - spent }

// Add records one frame's time and reports whether it was over budget.
func (b *FrameBudget) Add(d time.Duration) (over bool) {
	b.ring[b.next] = d
	b.next = (b.next + 1) % len(b.ring)
	if b.filled < len(b.ring) {
		b.filled++
	}
	b.frames++
	b.hist.Record(d)
	over = d > b.budget
	if over {
		b.over++
	}
	return over
}

// Window returns the size of the rolling window, and Len how many frames it
// holds now (fewer than Window until that many frames were added).
func (b *FrameBudget) Window() int { return len(b.ring) }

// Len returns the number of frames in the rolling window.
func (b *FrameBudget) Len() int { return b.filled }

// RollingQuantile returns the exact q-quantile (nearest rank) of the frames
// in the rolling window; 0 when it is empty.
func (b *FrameBudget) RollingQuantile(q float64) time.Duration {
	if b.filled == 0 {
		return 0
	}
	b.scr = append(b.scr[:0], b.ring[:b.filled]...)
	return exactQuantile(b.scr, q)
}

// Recent appends the frames of the rolling window to dst, oldest first, and
// returns the extended slice: the frame-time graph of an overlay.
func (b *FrameBudget) Recent(dst []time.Duration) []time.Duration {
	if b.filled < len(b.ring) {
		return append(dst, b.ring[:b.filled]...)
	}
	return append(append(dst, b.ring[b.next:]...), b.ring[:b.next]...)
}

// RollingP95 returns the 95th percentile of the rolling window.
func (b *FrameBudget) RollingP95() time.Duration { return b.RollingQuantile(0.95) }

// RollingOver returns how many frames in the rolling window were over budget.
func (b *FrameBudget) RollingOver() int {
	n := 0
	for _, d := range b.ring[:b.filled] {
		if d > b.budget {
			n++
		}
	}
	return n
}

// ClearWindow empties the rolling window (whole-run figures stay); the
// render optimizer clears it after each change, so that it judges the new
// setting by frames made with it only.
func (b *FrameBudget) ClearWindow() { b.next, b.filled = 0, 0 }

// Frames returns the number of frames added in the whole run, and OverBudget
// how many of them were over budget.
func (b *FrameBudget) Frames() uint64 { return b.frames }

// OverBudget returns the number of over-budget frames in the whole run.
func (b *FrameBudget) OverBudget() uint64 { return b.over }

// Histogram returns the whole run's frame-time histogram.
func (b *FrameBudget) Histogram() *Histogram { return &b.hist }

// String describes the budget, e.g. "16.7ms (60 fps)".
func (b *FrameBudget) String() string {
	return fmt.Sprintf("%s (%.4g fps)", fmtMS(b.budget), float64(time.Second)/float64(b.budget))
}

// exactQuantile sorts ds in place and returns its nearest-rank q-quantile:
// the smallest value v with at least ⌈q·n⌉ values ≤ v.
func exactQuantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(math.Ceil(q * float64(len(ds))))
	rank = max(1, min(len(ds), rank))
	return ds[rank-1]
}

// fmtMS formats a duration as milliseconds with one decimal, e.g. "16.7ms"
// (three significant digits below a millisecond: "0.25ms").
func fmtMS(d time.Duration) string {
	if d > 0 && d < time.Millisecond {
		return fmt.Sprintf("%.3gms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.1fms", float64(d)/1e6)
}
