package canvas

import (
	"testing"

	"mbotdraw/perf"
	"mbotdraw/playback"
)

// The knobs map onto the canvas so that full quality keeps the canvas's
// automatic keyframe spacing, and every degraded step is at least as sparse:
// the optimizer never makes the renderer take more snapshots.
func TestQualityOfKeyframeSpacing(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 4000, Seed: 2, Width: 320, Height: 240})
	spacing := func(q Quality) int {
		r := NewRenderer(d, Options{Width: 320, Height: 240, Quality: q, KeyframeDiskBudget: -1})
		defer r.Close()
		return r.Ink().Stats().Spacing
	}
	auto := spacing(Quality{})
	if got := spacing(QualityOf(perf.DefaultKnobs())); got != auto {
		t.Errorf("full quality: keyframes every %d points, the canvas's automatic spacing is %d", got, auto)
	}
	prev := auto
	for i, k := range perf.KnobLadder(perf.DefaultKnobs()) {
		sp := spacing(QualityOf(k))
		if sp < prev {
			t.Errorf("ladder step %d (%+v): keyframes every %d points, denser than the step before (%d)", i, k, sp, prev)
		}
		prev = sp
		if QualityOf(k).Knobs() != k {
			t.Errorf("step %d: QualityOf(%+v).Knobs() = %+v", i, k, QualityOf(k).Knobs())
		}
	}
	if prev <= auto {
		t.Errorf("the most degraded step keeps keyframes every %d points, no sparser than automatic (%d)", prev, auto)
	}
}
