package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
)

// SoakGrowthMB is the most the live heap may grow over a soak run (its
// slope times its length) for the run to count as "no heap growth".
const SoakGrowthMB = 1.0

// SoakReport is the report of Soak, the JSON of `bench --soak --json`.
type SoakReport struct {
	Program Program `json:"program"`
	Input   Input   `json:"input"`
	Width   int     `json:"width"`
	Height  int     `json:"height"`
	// FramesPerLoop is the frames of one playback of the drawing
	// (--seconds × --fps); the loop starts again at the first frame, a
	// backward seek to the start.
	FramesPerLoop int     `json:"frames_per_loop"`
	Seconds       float64 `json:"seconds"`
	Frames        int     `json:"frames"`
	Loops         int     `json:"loops"`
	// SlopeMBPerMin is the least-squares slope of the live heap (after a GC,
	// sampled every second after a warm-up of a twentieth of the run).
	SlopeMBPerMin float64           `json:"slope_mb_per_min"`
	GrowthMB      float64           `json:"growth_mb"`
	NoGrowth      bool              `json:"no_growth"`
	FirstMB       float64           `json:"first_mb"`
	LastMB        float64           `json:"last_mb"`
	Samples       []perf.HeapSample `json:"samples"`
	FrameMS       perf.Summary      `json:"frame_ms"`
	Optimizer     Optimizer         `json:"optimizer"`
	Health        *perf.Report      `json:"health,omitempty"`

	dur time.Duration // the run's length, as asked
}

// Soak loops the incremental playback of the drawing for dur (frames as
// fast as they come, through the optimizer and the monitor, as the window
// would play it on a loop) and reports the live heap's slope: the
// "no heap growth" check of long runs (SoakReport.Err). It returns ctx's
// error if ctx ends first.
func (b *Bench) Soak(ctx context.Context, dur time.Duration) (*SoakReport, error) {
	b.freshMemory()
	var prof perf.Profiler
	if b.trace != nil {
		prof.SetTrace(b.trace, perf.TidMain)
	}
	r := canvas.NewRenderer(b.d, canvas.Options{Width: b.w, Height: b.h, KeyframeBudget: b.keyframeBytes,
		KeyframeDiskBudget: b.keyframeDiskBytes, Quality: canvas.QualityOf(b.opt.Knobs()), Profiler: &prof})
	defer r.Close()
	c := playback.NewCursor(b.tm)
	ft := perf.NewFrameTimer(b.budget)
	n := 0
	// A heap sample a second (after a GC); short runs sample more often so
	// that they get a slope too.
	every := min(time.Second, max(dur/50, 10*time.Millisecond))
	res, err := perf.Soak(ctx, perf.SoakOptions{Duration: dur, Every: every}, func() error {
		i := n % b.frames
		start := time.Now()
		cs := prof.Start("cursor")
		st := c.Advance(b.frameTime(i))
		cs.Stop()
		r.Render(st.To)
		d := time.Since(start)
		ft.Record(d)
		b.observe(n, d, start, st.To, false)
		if _, changed := b.opt.Observe(n, d); changed {
			r.SetQuality(canvas.QualityOf(b.opt.Knobs()))
		}
		n++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &SoakReport{dur: dur, Input: Input{Strokes: len(b.d.Strokes), Points: b.d.NumPoints(), DurationMS: b.tm.Duration()},
		Width: b.w, Height: b.h, FramesPerLoop: b.frames, Seconds: dur.Seconds(), Frames: res.Iterations,
		Loops: res.Iterations / b.frames, SlopeMBPerMin: res.SlopeMBPerMin, FirstMB: res.FirstMB, LastMB: res.LastMB,
		Samples: res.Samples, FrameMS: ft.Histogram().Summary(),
		Optimizer: Optimizer{Profile: b.prof.Name, Changes: append([]perf.Change{}, b.opt.Changes()...), Level: b.opt.Level(), Levels: b.opt.Levels(), Final: b.opt.Knobs()}}
	rep.GrowthMB = res.SlopeMBPerMin * dur.Minutes()
	rep.NoGrowth = rep.GrowthMB < SoakGrowthMB
	b.mon.SampleMemory()
	health := b.mon.Report()
	rep.Health = &health
	return rep, nil
}

// WriteText writes the soak's summary as `bench --soak` prints it.
func (rep *SoakReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "soak: %s of looping playback, %d strokes, %d points, %dx%d, software renderer\n",
		rep.dur, rep.Input.Strokes, rep.Input.Points, rep.Width, rep.Height)
	fmt.Fprintf(w, "  %d frames (%d loops of %d), frame p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", rep.Frames, rep.Loops, rep.FramesPerLoop, rep.FrameMS.P50, rep.FrameMS.P99, rep.FrameMS.Max)
	fmt.Fprintf(w, "  live heap: %d samples, first %.2f MB, last %.2f MB, slope %+.4f MB/min (%+.2f MB over the run)\n",
		len(rep.Samples), rep.FirstMB, rep.LastMB, rep.SlopeMBPerMin, rep.GrowthMB)
	fmt.Fprintf(w, "  optimizer: %d changes; monitor: %s", len(rep.Optimizer.Changes), rep.Health)
	if rep.NoGrowth {
		fmt.Fprintf(w, "soak: no heap growth (under %.1f MB over the run)\n", SoakGrowthMB)
	}
}

// Err says why the soak failed: the live heap grew by SoakGrowthMB or more
// over the run. It is nil when it did not.
func (rep *SoakReport) Err() error {
	if rep.NoGrowth {
		return nil
	}
	return fmt.Errorf("soak: the live heap grew %.2f MB over %s (slope %.4f MB/min; at most %.1f MB allowed)", rep.GrowthMB, rep.dur, rep.SlopeMBPerMin, SoakGrowthMB)
}
