package bench

import (
	"fmt"
	"io"
	"math"
	"time"

	"mbotdraw/perf"
)

// Report is the benchmark's report, the JSON of `bench --json`.
type Report struct {
	// Program is the build that measured, so that figures from different
	// builds are never compared unawares.
	Program   Program   `json:"program"`
	Input     Input     `json:"input"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	Frames    int       `json:"frames"`
	TargetFPS float64   `json:"target_fps"`
	BudgetMS  float64   `json:"budget_ms"`
	Backend   string    `json:"backend"`
	Results   []Result  `json:"results"`
	Optimizer Optimizer `json:"optimizer"`
	// Invariants are the monitor's checks of the incremental strategy:
	// frame_p99_le_budget, memory_le_limit (the Go runtime's memory, sampled
	// by the monitor, under the profile's limit), peak_rss_le_limit (the
	// process's peak resident memory), and, when they apply,
	// frame_p95_le_budget (the target fps held), smooth_playback (p99 within
	// budget with 1,000+ strokes) and websocket_p99_lt_limit.
	Invariants map[string]bool `json:"invariants"`
	// Health is the monitor's report: healthy or not, why, every
	// invariant with its figure, and the alerts raised.
	Health *perf.Report `json:"health,omitempty"`
	// Trace says what --trace and --trace-csv recorded.
	Trace *TraceInfo        `json:"trace,omitempty"`
	Notes []string          `json:"notes,omitempty"`
	Meta  map[string]string `json:"meta,omitempty"`
}

// Program names a build: the program, its version ("v0.3.0", a Go
// pseudo-version or "(devel)"), commit, Go release and platform.
type Program struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// TraceInfo describes the recorded trace: the strategy traced, the frames
// recorded and the frames kept (the trace keeps the last
// perf.DefaultTraceFrames).
type TraceInfo struct {
	Strategy string `json:"strategy"`
	Frames   int    `json:"frames"`
	Kept     int    `json:"kept"`
}

// Input is the drawing benchmarked.
type Input struct {
	Source  string  `json:"source"` // "generated" or "file"
	File    string  `json:"file,omitempty"`
	Seed    *uint64 `json:"seed,omitempty"`
	Strokes int     `json:"strokes"`
	Points  int     `json:"points"`
	// DurationMS is the drawing's playback length, played over the run.
	DurationMS float64 `json:"duration_ms"`
}

// Result is one strategy's figures.
type Result struct {
	Strategy       string       `json:"strategy"`
	FrameMS        perf.Summary `json:"frame_ms"`
	FPS            float64      `json:"fps"`
	OverBudget     int          `json:"over_budget_frames"`
	PeakRSSMB      float64      `json:"peak_rss_mb"`
	HeapMB         float64      `json:"heap_mb"`
	FramesMeasured int          `json:"frames_measured"`
	// Sampled: only every SampleStride-th frame was drawn and measured.
	Sampled      bool `json:"sampled"`
	SampleStride int  `json:"sample_stride,omitempty"`
	// Backward seeks (incremental, --seeks): the frame after each.
	Seeks  int           `json:"seeks,omitempty"`
	SeekMS *perf.Summary `json:"seek_ms,omitempty"`
	// Keyframes held at the end, their spacing in points, how many are in
	// memory and on disk (a temporary file), and the MB each place holds.
	Keyframes         int     `json:"keyframes,omitempty"`
	KeyframeSpacing   int     `json:"keyframe_spacing,omitempty"`
	KeyframesInMemory int     `json:"keyframes_in_memory,omitempty"`
	KeyframesOnDisk   int     `json:"keyframes_on_disk,omitempty"`
	KeyframeMB        float64 `json:"keyframe_mb,omitempty"`
	KeyframeDiskMB    float64 `json:"keyframe_disk_mb,omitempty"`
	// DrainMS: GPU only, the final read-back that waits for the GPU.
	DrainMS float64 `json:"drain_ms,omitempty"`
	// Phases are the profiler's per-phase times (software backend).
	Phases []perf.PhaseStats `json:"phases,omitempty"`
	// Quality is the renderer's quality in force at the end, read back from
	// the renderer (software backend): the optimizer's final knobs for the
	// incremental strategy, the profile's starting ones for naive.
	Quality *perf.Knobs `json:"quality,omitempty"`
}

// Optimizer is what the render optimizer did in the incremental run:
// every change with its frame and reason, and the knobs it ended with.
type Optimizer struct {
	Profile string        `json:"profile"`
	Changes []perf.Change `json:"changes"`
	// Level is how many steps the knobs ended below full quality, of Levels.
	Level  int        `json:"level"`
	Levels int        `json:"levels"`
	Final  perf.Knobs `json:"final"`
}

// Milliseconds returns d in ms, rounded to the microsecond: the report's
// unit.
func Milliseconds(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// WriteText writes the report as the table `bench` prints: a line on the
// input, a row per strategy, then seeks, keyframes, the naive/incremental
// ratio, phases, the optimizer, the monitor, the trace and the notes.
func (rep *Report) WriteText(w io.Writer) {
	src := "generated"
	if rep.Input.Source == "file" {
		src = rep.Input.File
	} else if rep.Input.Seed != nil {
		src = fmt.Sprintf("generated, seed %d", *rep.Input.Seed)
	}
	if rep.Program.Name != "" {
		fmt.Fprintf(w, "%s %s\n", rep.Program.Name, rep.Program.Version)
	}
	fmt.Fprintf(w, "bench: %d strokes, %d points (%s), %dx%d, %d frames at %g fps, %s backend, budget %.3g ms\n",
		rep.Input.Strokes, rep.Input.Points, src, rep.Width, rep.Height, rep.Frames, rep.TargetFPS, rep.Backend, rep.BudgetMS)
	fmt.Fprintf(w, "%-12s %8s %8s %8s %8s %9s %9s %6s %8s %8s\n", "strategy", "measured", "p50 ms", "p95 ms", "p99 ms", "max ms", "fps", "over", "rss MB", "heap MB")
	var inc, nai *Result
	for i := range rep.Results {
		r := &rep.Results[i]
		name := r.Strategy
		if r.Sampled {
			name += "*"
		}
		fmt.Fprintf(w, "%-12s %8d %8.2f %8.2f %8.2f %9.2f %9.1f %6d %8.1f %8.1f\n", name, r.FramesMeasured,
			r.FrameMS.P50, r.FrameMS.P95, r.FrameMS.P99, r.FrameMS.Max, r.FPS, r.OverBudget, r.PeakRSSMB, r.HeapMB)
		switch r.Strategy {
		case "incremental":
			inc = r
		case "naive":
			nai = r
		}
	}
	for _, r := range rep.Results {
		if r.Sampled {
			fmt.Fprintf(w, "* %s: sampled, every %d-th frame drawn and measured (it is too slow to draw them all)\n", r.Strategy, r.SampleStride)
		}
		if r.SeekMS != nil {
			fmt.Fprintf(w, "%s: %d backward seeks, frame after the seek p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
				r.Strategy, r.Seeks, r.SeekMS.P50, r.SeekMS.P99, r.SeekMS.Max)
		}
		if r.Keyframes > 0 {
			fmt.Fprintf(w, "%s: %d keyframes, one every %d points: %d in memory (%.1f MB), %d in a temporary file (%.1f MB)\n",
				r.Strategy, r.Keyframes, r.KeyframeSpacing, r.KeyframesInMemory, r.KeyframeMB, r.KeyframesOnDisk, r.KeyframeDiskMB)
		}
	}
	if inc != nil && nai != nil && inc.FrameMS.P99 > 0 {
		fmt.Fprintf(w, "naive p99 / incremental p99: %.0fx\n", nai.FrameMS.P99/inc.FrameMS.P99)
	}
	if inc != nil && len(inc.Phases) > 0 {
		fmt.Fprintf(w, "incremental phases (ms):")
		for _, p := range inc.Phases {
			fmt.Fprintf(w, "  %s p50 %.3f p99 %.3f max %.3f", p.Name, p.P50, p.P99, p.Max)
		}
		fmt.Fprintln(w)
	}
	if inc != nil {
		op := rep.Optimizer
		state := "full quality"
		if op.Level > 0 {
			state = fmt.Sprintf("quality lowered %d of %d steps", op.Level, op.Levels)
		}
		fmt.Fprintf(w, "optimizer (profile %s, budget %.3g ms): %d changes, ended at %s\n", op.Profile, rep.BudgetMS, len(op.Changes), state)
		for _, c := range op.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
	if rep.Health != nil {
		fmt.Fprintf(w, "monitor: %s", rep.Health)
	}
	if rep.Trace != nil {
		fmt.Fprintf(w, "trace: %s strategy, %d frames recorded, the last %d kept\n", rep.Trace.Strategy, rep.Trace.Frames, rep.Trace.Kept)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
