// Package bench is the rendering benchmark behind `mbotdraw bench`
// (DESIGN.md, "Bench report"): it plays a drawing frame by frame with a
// strategy, times every frame, runs the incremental strategy through the
// performance system, and fills the report.
//
// Software backend: the drawing plays once per strategy over Frames frames,
// frame i showing playback time Duration·(i+1)/Frames (FrameTime). A
// frame's time is the wall time of its whole work: advance the cursor,
// rasterize, and compose a complete frame image.
//
// GPU backend (the window program only): Run hands a GPUJob to the window
// (app/window/bench.go), which plays the same frames on an Ebiten image with
// vsync off, one update per frame, and reports each frame through
// GPUJob.Record.
//
// Peak RSS is a process-wide high-water mark (VmHWM). So that each
// strategy's figure is its own, the benchmark releases the memory of what
// ran before (GC, then returning free memory to the OS) and resets the mark
// (writing 5 to /proc/self/clear_refs) before each strategy; the
// incremental strategy runs first. Each figure includes the loaded drawing.
//
// The performance system (package perf) runs the incremental strategy as it
// runs the window: a perf.Profiler times each frame's phases ("cursor":
// advancing the playback cursor; "bake": bringing the ink layer up to the
// cursor; "compose": the live tail and pen over it), a perf.RenderOptimizer
// watches every frame time against the budget and turns the canvas's
// quality knobs (canvas.QualityOf), and a perf.Monitor checks the
// invariants and raises alerts; the report's optimizer.changes, invariants
// and health come from them. The naive baseline runs at the profile's
// starting quality, without the optimizer. A trace (Options.Trace) records
// the incremental strategy only: one frame slice per measured frame, its
// phases, counters, and instants for over-budget frames, alerts and
// optimizer changes.
//
// Soak loops the incremental playback for a long time to check that the
// heap does not grow.
package bench

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
)

// MemoryMB is the memory invariant's limit when the profile sets none.
const MemoryMB = 100.0

// Options configure a Bench. Width, Height and Frames must be positive; the
// zero value of every other field is the documented default.
type Options struct {
	// Width and Height of the canvas, in pixels.
	Width, Height int
	// Frames each strategy plays.
	Frames int
	// Profile is the performance profile (zero: perf.DefaultProfile).
	Profile perf.Profile
	// Budget is the frame budget of the optimizer, the monitor and the
	// over-budget counts (0: the profile's).
	Budget time.Duration
	// NaiveBudget is the naive strategy's time allowance: when drawing
	// every frame would take longer, only every k-th frame is drawn and
	// measured, reported as sampled (0: 20 s).
	NaiveBudget time.Duration
	// Seeks is how many backward seeks to random places to time after the
	// incremental run, each with the frame after it.
	Seeks int
	// KeyframeBytes and KeyframeDiskBytes are the incremental renderer's
	// keyframe memory and disk room (0: the renderer's defaults; negative:
	// none).
	KeyframeBytes, KeyframeDiskBytes int64
	// HeapProfile takes a pprof heap profile at the end of the incremental
	// strategy's frames (HeapProfile returns it).
	HeapProfile bool
	// Trace, if set, records the incremental strategy; the optimizer and
	// the monitor write their instants to it too.
	Trace *perf.TraceRecorder
}

// Bench plays one drawing for the benchmark. Create it with New.
type Bench struct {
	d                 *playback.Drawing
	tm                *playback.Timing
	w, h, frames      int
	budget            time.Duration
	prof              perf.Profile
	naiveBudget       time.Duration
	seeks             int
	keyframeBytes     int64
	keyframeDiskBytes int64
	// trace records the incremental strategy; opt and mon are its render
	// optimizer and monitor.
	trace *perf.TraceRecorder
	opt   *perf.RenderOptimizer
	mon   *perf.Monitor
	// heapProfile is the pprof heap profile taken at the end of the
	// incremental strategy's frames (Options.HeapProfile).
	wantHeapProfile bool
	heapProfile     []byte
	rssReset        bool
}

// New prepares the benchmark of d. It fails when d cannot be timed.
func New(d *playback.Drawing, o Options) (*Bench, error) {
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		return nil, err
	}
	if o.Profile.Name == "" {
		o.Profile = perf.DefaultProfile()
	}
	if o.Budget <= 0 {
		o.Budget = o.Profile.Budget()
	}
	if o.NaiveBudget <= 0 {
		o.NaiveBudget = 20 * time.Second
	}
	b := &Bench{d: d, tm: tm, w: o.Width, h: o.Height, frames: max(o.Frames, 1), budget: o.Budget, prof: o.Profile,
		naiveBudget: o.NaiveBudget, seeks: o.Seeks, keyframeBytes: o.KeyframeBytes,
		keyframeDiskBytes: o.KeyframeDiskBytes, wantHeapProfile: o.HeapProfile, trace: o.Trace}
	mo := o.Profile.MonitorOptions()
	mo.Budget = o.Budget
	b.mon = perf.NewMonitor(mo)
	b.mon.RecordStrokes(len(d.Strokes))
	ro := o.Profile.RenderOptimizerOptions()
	ro.Budget = o.Budget
	b.opt = perf.NewRenderOptimizer(ro)
	if b.trace != nil {
		b.mon.SetTrace(b.trace)
		b.opt.SetTrace(b.trace)
	}
	return b, nil
}

// Duration returns the drawing's playback length, in ms.
func (b *Bench) Duration() float64 { return b.tm.Duration() }

// HeapProfile returns the heap profile taken at the end of the incremental
// strategy (Options.HeapProfile), or nil.
func (b *Bench) HeapProfile() []byte { return b.heapProfile }

// Run plays the strategies ("incremental" first, then "naive") and fills
// rep's results, notes, optimizer, invariants, health and trace. With gpu
// set, the strategies run on the GPU: Run hands gpu the job (the window
// program runs it) and reads its frames back. It returns ctx's error if ctx
// ends first.
func (b *Bench) Run(ctx context.Context, strategies []string, gpu func(*GPUJob) error, rep *Report) error {
	if gpu != nil {
		if err := b.runGPU(strategies, rep, gpu); err != nil {
			return err
		}
	} else {
		for _, s := range strategies {
			if err := ctx.Err(); err != nil {
				return err
			}
			rep.Results = append(rep.Results, b.runSoftware(ctx, s))
		}
		if b.rssReset {
			rep.Notes = append(rep.Notes, "peak_rss_mb is each strategy's own: VmHWM, reset (/proc/self/clear_refs) after freeing what ran before; the loaded drawing counts in it; incremental runs first")
		} else {
			rep.Notes = append(rep.Notes, "peak_rss_mb is the whole process's high-water mark: /proc/self/clear_refs could not reset it between strategies")
		}
	}
	for _, r := range rep.Results {
		if r.Strategy == "incremental" {
			b.judge(rep, r)
		}
	}
	if b.trace != nil {
		rep.Trace = &TraceInfo{Strategy: "incremental", Frames: b.trace.Frames(), Kept: b.trace.Kept()}
	}
	return nil
}

// judge fills the report's optimizer, invariants and health from the
// incremental run's optimizer and monitor.
func (b *Bench) judge(rep *Report, r Result) {
	rep.Optimizer.Changes = append([]perf.Change{}, b.opt.Changes()...) // [] in JSON, not null
	rep.Optimizer.Level, rep.Optimizer.Levels, rep.Optimizer.Final = b.opt.Level(), b.opt.Levels(), b.opt.Knobs()
	b.mon.SampleMemory()
	health := b.mon.Report()
	rep.Health = &health
	rep.Invariants["frame_p99_le_budget"] = health.Frames.Count > 0 && health.Frames.FrameMS.P99 <= health.Frames.BudgetMS
	limit := b.prof.MemoryLimitMB
	if !(limit > 0) {
		limit = MemoryMB
	}
	rep.Invariants["peak_rss_le_limit"] = r.PeakRSSMB > 0 && r.PeakRSSMB <= limit
	for _, inv := range health.Invariants {
		switch inv.Name {
		case perf.InvMemory:
			rep.Invariants["memory_le_limit"] = inv.Applies && inv.OK
		case perf.InvFPS:
			if inv.Applies {
				rep.Invariants["frame_p95_le_budget"] = inv.OK
			}
		case perf.InvSmooth:
			if inv.Applies {
				rep.Invariants["smooth_playback"] = inv.OK
			}
		case perf.InvWebSocketP99:
			if inv.Applies {
				rep.Invariants["websocket_p99_lt_limit"] = inv.OK
			}
		}
	}
}

// strokesRevealed returns how many strokes of d have begun at mark m: the
// trace's strokes counter.
func strokesRevealed(d *playback.Drawing, m playback.Mark) int {
	return sort.Search(len(d.Strokes), func(i int) bool { return d.Strokes[i].Start >= m.N })
}

// frameTime returns the playback time of frame i.
func (b *Bench) frameTime(i int) float64 { return FrameTime(b.tm.Duration(), i, b.frames) }

// FrameTime returns the playback time, in ms, that frame i of frames shows
// of a drawing that plays for duration ms: duration·(i+1)/frames, so that
// the last frame shows the finished drawing.
func FrameTime(duration float64, i, frames int) float64 {
	return duration * float64(i+1) / float64(frames)
}

// FirstFrame returns the first frame measured when only every stride-th
// frame of frames is: the one that makes the last frame one of them.
func FirstFrame(frames, stride int) int { return (frames - 1) % max(stride, 1) }

// freshMemory releases what earlier runs left and resets the peak RSS mark.
func (b *Bench) freshMemory() {
	runtime.GC()
	debug.FreeOSMemory()
	b.rssReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSSMB reads the process's peak resident set (VmHWM) in MB (2^20 bytes);
// 0 where /proc is not there.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return math.Round(kb/1024*10) / 10
			}
		}
	}
	return 0
}

func heapMB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return math.Round(float64(m.HeapAlloc)/(1<<20)*10) / 10
}

// runSoftware measures one strategy with the software renderer. The
// incremental strategy runs through the performance system: its profiler
// times the phases, the render optimizer sees every frame and its knobs are
// applied to the renderer before the next frame, the monitor records every
// frame (memory every 30 frames, invariants every 60), and the trace, if
// any, gets every frame. The naive baseline runs at the profile's starting
// quality with a profiler of its own.
func (b *Bench) runSoftware(ctx context.Context, strategy string) Result {
	b.freshMemory()
	naive := strategy == "naive"
	var prof perf.Profiler
	q := canvas.QualityOf(b.prof.StartKnobs())
	if !naive {
		q = canvas.QualityOf(b.opt.Knobs())
		if b.trace != nil {
			prof.SetTrace(b.trace, perf.TidMain)
		}
	}
	o := canvas.Options{Width: b.w, Height: b.h, Redraw: naive, KeyframeBudget: b.keyframeBytes, KeyframeDiskBudget: b.keyframeDiskBytes,
		Quality: q, Profiler: &prof}
	r := canvas.NewRenderer(b.d, o)
	c := playback.NewCursor(b.tm)
	ft := perf.NewFrameTimer(b.budget)
	stride := 1
	if naive {
		stride = b.naiveStride(r, c)
		prof.Reset() // the stride probe is not a frame
	}
	res := Result{Strategy: strategy}
	var busy time.Duration
	first := FirstFrame(b.frames, stride)
	for i := first; i < b.frames; i += stride {
		if i%64 == 0 && ctx.Err() != nil {
			break
		}
		t := b.frameTime(i)
		start := time.Now()
		cs := prof.Start("cursor")
		st := c.Advance(t)
		cs.Stop()
		r.Render(st.To)
		d := time.Since(start)
		ft.Record(d)
		busy += d
		if naive {
			continue
		}
		b.observe(i, d, start, st.To, i+stride >= b.frames)
		if _, changed := b.opt.Observe(i, d); changed {
			r.SetQuality(canvas.QualityOf(b.opt.Knobs()))
		}
	}
	prof.SetTrace(nil, 0) // seeks and what follows are not frames of the trace
	res.Phases = prof.Stats()
	if !naive && b.wantHeapProfile {
		var buf bytes.Buffer
		if err := perf.WriteHeapProfile(&buf); err == nil {
			b.heapProfile = buf.Bytes()
		}
	}
	if !naive && b.seeks > 0 {
		res.Seeks, res.SeekMS = b.measureSeeks(ctx, r, c)
	}
	res.PeakRSSMB = peakRSSMB()
	res.HeapMB = heapMB()
	h := ft.Histogram()
	res.FrameMS = h.Summary()
	res.FramesMeasured = ft.Frames()
	res.OverBudget = ft.OverBudget()
	if busy > 0 {
		res.FPS = math.Round(float64(ft.Frames())/busy.Seconds()*10) / 10
	}
	if stride > 1 {
		res.Sampled, res.SampleStride = true, stride
	}
	if !naive {
		st := r.Ink().Stats()
		res.Keyframes, res.KeyframeSpacing = st.Keyframes, st.Spacing
		ram, disk, ramBytes, diskBytes := r.KeyframeUsage()
		res.KeyframesInMemory, res.KeyframesOnDisk = ram, disk
		res.KeyframeMB = math.Round(float64(ramBytes)/(1<<20)*10) / 10
		res.KeyframeDiskMB = math.Round(float64(diskBytes)/(1<<20)*10) / 10
	}
	k := r.Quality().Knobs()
	res.Quality = &k
	r.Close()
	return res
}

// observe hands one incremental frame of duration d, begun at start and
// showing mark m, to the monitor and the trace.
func (b *Bench) observe(i int, d time.Duration, start time.Time, m playback.Mark, last bool) {
	b.mon.RecordFrame(d)
	if i%30 == 0 || last {
		b.mon.SampleMemory()
	}
	if i%60 == 59 {
		b.mon.Evaluate()
	}
	if b.trace != nil {
		b.trace.Frame(perf.TraceFrame{Start: start, Dur: d, HeapMB: perf.HeapMB(), Strokes: strokesRevealed(b.d, m)})
	}
}

// naiveStride times the most expensive naive frame, the last, and returns
// the stride that keeps the whole run within the naive time allowance.
func (b *Bench) naiveStride(r *canvas.Renderer, c *playback.Cursor) int {
	start := time.Now()
	r.Render(c.Advance(b.frameTime(b.frames - 1)).To)
	last := time.Since(start)
	c.Reset()
	// The cost grows about linearly with the frame: the mean is half the last.
	total := time.Duration(b.frames) * last / 2
	if total <= b.naiveBudget {
		return 1
	}
	return int(math.Ceil(float64(total) / float64(b.naiveBudget)))
}

// measureSeeks seeks back from the end of the drawing to random places and
// times the frame after each seek.
func (b *Bench) measureSeeks(ctx context.Context, r *canvas.Renderer, c *playback.Cursor) (int, *perf.Summary) {
	var h perf.Histogram
	rng := rand.New(rand.NewPCG(uint64(b.frames), 0x7365656b))
	end := b.tm.Duration()
	for i := 0; i < b.seeks && ctx.Err() == nil; i++ {
		r.Render(c.Advance(end).To)
		t := rng.Float64() * end
		start := time.Now()
		r.Render(c.Advance(t).To)
		h.Record(time.Since(start))
	}
	s := h.Summary()
	return int(h.Count()), &s
}
