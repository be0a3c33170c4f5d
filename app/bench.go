package app

// The rendering benchmark (DESIGN.md, "Bench report").
//
// Software backend (both programs): the drawing — FILE, or a generated one —
// plays once per strategy over --seconds at --fps, frame i showing playback
// time Duration·(i+1)/frames. A frame's time is the wall time of its whole
// work: advance the cursor, rasterize, and compose a complete frame image.
//
// GPU backend (window program only): runBench hands the job to the window
// program through config.Window.Bench; window.Run calls runBench (in
// app/window/bench.go) when cfg.Bench is set, which plays the same frames on
// an Ebiten image with vsync off, one update per frame, and reports each
// frame through Bench.Record. The headless program refuses --backend gpu
// (exit 2).
//
// Peak RSS is a process-wide high-water mark (VmHWM). So that each
// strategy's figure is its own, the benchmark releases the memory of what ran
// before (GC, then returning free memory to the OS) and resets the mark
// (writing 5 to /proc/self/clear_refs) before each strategy; the incremental
// strategy runs first. Each figure includes the loaded drawing.
//
// The performance system (package perf) runs the incremental strategy as it
// runs the window: a perf.Profiler times each frame's phases ("cursor":
// advancing the playback cursor; "bake": bringing the ink layer up to the
// cursor; "compose": the live tail and pen over it), a perf.RenderOptimizer
// watches every frame time against the budget (the profile's, or
// --budget-ms) and turns the canvas's quality knobs (canvas.QualityOf), and a
// perf.Monitor checks the invariants and raises alerts; the report's
// optimizer.changes, invariants and health come from them. The naive
// baseline runs at the profile's starting quality, without the optimizer.
// --trace and --trace-csv record the incremental strategy only: one frame
// slice per measured frame, its phases, counters, and instants for
// over-budget frames, alerts and optimizer changes.
//
// --suite runs named benchmark suites instead (suites.go), and --soak loops
// the incremental playback for a long time to check the heap does not grow.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"mbotdraw/app/config"
	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// benchReport is the --json report.
type benchReport struct {
	Input     benchInput     `json:"input"`
	Width     int            `json:"width"`
	Height    int            `json:"height"`
	Frames    int            `json:"frames"`
	TargetFPS float64        `json:"target_fps"`
	BudgetMS  float64        `json:"budget_ms"`
	Backend   string         `json:"backend"`
	Results   []benchResult  `json:"results"`
	Optimizer benchOptimizer `json:"optimizer"`
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
	Trace *benchTrace       `json:"trace,omitempty"`
	Notes []string          `json:"notes,omitempty"`
	Meta  map[string]string `json:"meta,omitempty"`
}

// benchTrace describes the recorded trace: the strategy traced, the frames
// recorded and the frames kept (the trace keeps the last
// perf.DefaultTraceFrames).
type benchTrace struct {
	Strategy string `json:"strategy"`
	Frames   int    `json:"frames"`
	Kept     int    `json:"kept"`
}

type benchInput struct {
	Source  string  `json:"source"` // "generated" or "file"
	File    string  `json:"file,omitempty"`
	Seed    *uint64 `json:"seed,omitempty"`
	Strokes int     `json:"strokes"`
	Points  int     `json:"points"`
	// DurationMS is the drawing's playback length, played over the run.
	DurationMS float64 `json:"duration_ms"`
}

type benchResult struct {
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

// benchOptimizer is what the render optimizer did in the incremental run:
// every change with its frame and reason, and the knobs it ended with.
type benchOptimizer struct {
	Profile string        `json:"profile"`
	Changes []perf.Change `json:"changes"`
	// Level is how many steps the knobs ended below full quality, of Levels.
	Level  int        `json:"level"`
	Levels int        `json:"levels"`
	Final  perf.Knobs `json:"final"`
}

// Benchmark limits.
const (
	// benchMaxFrames bounds --seconds × --fps.
	benchMaxFrames = 1_000_000
	// benchMemoryMB is the memory invariant's limit when no profile sets one.
	benchMemoryMB = 100.0
)

func runBench(env *Env, args []string) error {
	fs := newFlags(env, "bench")
	strokes := fs.Int("strokes", 10000, "generate a drawing of `N` strokes (when no FILE is given)")
	seed := seedFlag(fs)
	size := fs.String("size", "1920x1080", "canvas size `WxH` in pixels")
	seconds := fs.Float64("seconds", 10, "play the whole drawing over `S` seconds")
	fps := fs.Float64("fps", 60, "frames per second of playback (frames = seconds × fps)")
	backend := fs.String("backend", "software", "renderer: software, or gpu (window program only)")
	strategy := fs.String("strategy", "all", "all, naive or incremental")
	profile := fs.String("profile", "default", "performance profile: default, aggressive or conservative (frame budget, memory limit, optimizer thresholds, anti-aliasing)")
	budgetMS := fs.Float64("budget-ms", 0, "frame budget in `MS` for the render optimizer, the monitor and the over-budget counts (0: the profile's, 16.7 ms at 60 fps); a tiny one such as 0.05 makes the optimizer degrade quality")
	jsonOut := fs.String("json", "", "write the report as JSON to `OUT`")
	traceOut := fs.String("trace", "", fmt.Sprintf("write a Chrome trace (Perfetto) of the incremental strategy to `OUT.json`: a slice per frame and per phase, counters, instants; bounded: the last %d frames and %d other events", perf.DefaultTraceFrames, perf.DefaultTraceFrames*perf.DefaultTraceEventsPerFrame))
	traceCSV := fs.String("trace-csv", "", fmt.Sprintf("write one CSV row per frame of the incremental strategy to `OUT.csv` (the last %d frames)", perf.DefaultTraceFrames))
	cpuProfile := fs.String("cpuprofile", "", "write a pprof CPU profile of the benchmark to `OUT`")
	memProfile := fs.String("memprofile", "", "write a pprof heap profile, taken at the end of the incremental strategy, to `OUT`")
	seeks := fs.Int("seeks", 0, "after the incremental run, time `N` backward seeks to random places, each with the frame after it")
	naiveSeconds := fs.Float64("naive-seconds", 20, "time allowance of the naive strategy, `S` seconds: when drawing every frame would take longer, only every k-th frame is drawn and measured (reported as sampled)")
	keyframeMB := fs.Float64("keyframe-mb", 0, "memory for the incremental renderer's keyframes in `MB` (0: the renderer's default, 24; negative: none)")
	keyframeDiskMB := fs.Float64("keyframe-disk-mb", 0, "room for more keyframes in a temporary file, in `MB` (0: the renderer's default, 512; negative: none)")
	suite := fs.String("suite", "", "run the benchmark suite `NAME` ("+strings.Join(append([]string{"all"}, suiteNames()...), ", ")+") instead, printing a table and Go benchmark lines for benchstat")
	benchTime := fs.Duration("bench-time", time.Second, "with --suite: about how long each test runs")
	count := fs.Int("count", 1, "with --suite: how many times each test runs (one benchmark line each)")
	soak := fs.Duration("soak", 0, "instead of the benchmark, loop the incremental playback for `D` (e.g. 10m) and report the live heap's slope in MB/min")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 1, "FILE"); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *suite != "" {
		if len(pos) > 0 {
			return usagef("--suite runs its own drawings: give no FILE")
		}
		return runSuiteCmd(env, *suite, *benchTime, *count, *jsonOut)
	}
	if set["bench-time"] || set["count"] {
		return usagef("--bench-time and --count go with --suite")
	}
	w, h, err := parseSize(*size, 16)
	if err != nil {
		return usagef("--size %q: %v", *size, err)
	}
	if !(*seconds > 0) || !(*fps > 0) || math.IsInf(*seconds, 0) || math.IsInf(*fps, 0) {
		return usagef("--seconds and --fps must be positive")
	}
	frames := int(math.Round(*seconds * *fps))
	if frames < 1 || frames > benchMaxFrames {
		return usagef("--seconds × --fps gives %d frames: want 1 to %d", frames, benchMaxFrames)
	}
	var strategies []string
	switch *strategy {
	case "all":
		strategies = []string{"incremental", "naive"}
	case "naive", "incremental":
		strategies = []string{*strategy}
	default:
		return usagef("--strategy %q: want all, naive or incremental", *strategy)
	}
	if *seeks < 0 || !(*naiveSeconds > 0) || math.IsNaN(*keyframeMB) || math.IsNaN(*keyframeDiskMB) {
		return usagef("--seeks must not be negative, --naive-seconds must be positive")
	}
	if !(*budgetMS >= 0) || *budgetMS > 60_000 {
		return usagef("--budget-ms %v: want 0 (the profile's) or a frame budget up to 60000 ms", *budgetMS)
	}
	if *soak < 0 {
		return usagef("--soak %v: want a positive duration, like 10m", *soak)
	}
	prof, err := perf.ProfileByName(*profile)
	if err != nil {
		return usagef("--profile: %v", err)
	}
	switch *backend {
	case "software":
	case "gpu":
		if env.Window == nil {
			if env.NoDisplay != "" {
				return fmt.Errorf("--backend gpu needs a display: %s", env.NoDisplay)
			}
			return usagef("--backend gpu needs the window program: run 'mbotdraw bench --backend gpu' (this is %s, which has no window)", env.Prog)
		}
		if *soak > 0 {
			return usagef("--soak runs the software renderer: leave out --backend gpu")
		}
	default:
		return usagef("--backend %q: want software or gpu", *backend)
	}
	if *strokes < 0 || *strokes > 10_000_000 {
		return usagef("--strokes %d: want 0 to 10,000,000", *strokes)
	}
	budget := prof.Budget()
	if *budgetMS > 0 {
		budget = max(time.Duration(*budgetMS*1e6), time.Nanosecond)
	}
	for _, p := range []string{*jsonOut, *traceOut, *traceCSV, *cpuProfile, *memProfile} {
		if err := checkOutputDir(p); err != nil {
			return err
		}
	}

	rep := &benchReport{Width: w, Height: h, Frames: frames, TargetFPS: *fps, Backend: *backend,
		BudgetMS: ms(budget), Optimizer: benchOptimizer{Profile: prof.Name, Changes: []perf.Change{}},
		Invariants: map[string]bool{}}
	var d *playback.Drawing
	if len(pos) == 1 {
		d, err = format.Load(pos[0], format.Options{})
		if err != nil {
			return err
		}
		rep.Input = benchInput{Source: "file", File: pos[0]}
	} else {
		d = playback.Generate(playback.GenOptions{Strokes: *strokes, Seed: *seed, Width: float64(w), Height: float64(h)})
		s := *seed
		rep.Input = benchInput{Source: "generated", Seed: &s}
	}
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		return fmt.Errorf("%s: %w", rep.Input.File, err)
	}
	rep.Input.Strokes, rep.Input.Points, rep.Input.DurationMS = len(d.Strokes), d.NumPoints(), tm.Duration()

	b := &benchRun{env: env, d: d, tm: tm, w: w, h: h, frames: frames, budget: budget, prof: prof,
		naiveBudget: time.Duration(*naiveSeconds * float64(time.Second)), seeks: *seeks,
		keyframeBytes: mbBytes(*keyframeMB), keyframeDiskBytes: mbBytes(*keyframeDiskMB),
		wantHeapProfile: *memProfile != ""}
	mo := prof.MonitorOptions()
	mo.Budget = budget
	b.mon = perf.NewMonitor(mo)
	b.mon.RecordStrokes(len(d.Strokes))
	ro := prof.RenderOptimizerOptions()
	ro.Budget = budget
	b.opt = perf.NewRenderOptimizer(ro)
	if *traceOut != "" || *traceCSV != "" {
		to := prof.TraceOptions()
		to.Budget = budget
		to.Meta = map[string]string{"command": "bench", "strategy": "incremental", "strokes": strconv.Itoa(len(d.Strokes)),
			"backend": *backend, "profile": prof.Name, "budget_ms": strconv.FormatFloat(ms(budget), 'f', -1, 64)}
		if *soak > 0 {
			to.Meta["command"] = "bench --soak"
		}
		b.trace = perf.NewTraceRecorder(to)
		b.mon.SetTrace(b.trace)
		b.opt.SetTrace(b.trace)
	}
	var cpu *perf.CPUProfile
	if *cpuProfile != "" {
		if cpu, err = perf.StartCPUProfile(); err != nil {
			return err
		}
		defer cpu.Stop()
	}
	if *soak > 0 {
		if err := b.runSoak(*soak, *jsonOut); err != nil {
			return err
		}
		return b.writeOutputs(cpu, *cpuProfile, *memProfile, *traceOut, *traceCSV)
	}
	if *backend == "gpu" {
		if err := b.runGPU(strategies, rep, prof); err != nil {
			return err
		}
	} else {
		for _, s := range strategies {
			if err := env.Ctx.Err(); err != nil {
				return err
			}
			r := b.runSoftware(s)
			rep.Results = append(rep.Results, r)
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
		rep.Trace = &benchTrace{Strategy: "incremental", Frames: b.trace.Frames(), Kept: b.trace.Kept()}
	}
	printBenchTable(env.Stdout, rep)
	if err := b.writeOutputs(cpu, *cpuProfile, *memProfile, *traceOut, *traceCSV); err != nil {
		return err
	}
	if *jsonOut != "" {
		return writeJSON(*jsonOut, rep)
	}
	return nil
}

// judge fills the report's optimizer, invariants and health from the
// incremental run's optimizer and monitor.
func (b *benchRun) judge(rep *benchReport, r benchResult) {
	rep.Optimizer.Changes = append([]perf.Change{}, b.opt.Changes()...) // [] in JSON, not null
	rep.Optimizer.Level, rep.Optimizer.Levels, rep.Optimizer.Final = b.opt.Level(), b.opt.Levels(), b.opt.Knobs()
	b.mon.SampleMemory()
	health := b.mon.Report()
	rep.Health = &health
	rep.Invariants["frame_p99_le_budget"] = health.Frames.Count > 0 && health.Frames.FrameMS.P99 <= health.Frames.BudgetMS
	limit := b.prof.MemoryLimitMB
	if !(limit > 0) {
		limit = benchMemoryMB
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

// writeOutputs writes the trace, its CSV and the pprof profiles asked for,
// each whole or not at all.
func (b *benchRun) writeOutputs(cpu *perf.CPUProfile, cpuPath, memPath, tracePath, csvPath string) error {
	if cpu != nil {
		cpu.Stop()
		if err := writeFile(cpuPath, func(w io.Writer) error {
			_, err := cpu.WriteTo(w)
			return err
		}); err != nil {
			return err
		}
	}
	if memPath != "" {
		prof := b.heapProfile
		if prof == nil { // no incremental run (naive or GPU only): the end of the run
			var buf bytes.Buffer
			if err := perf.WriteHeapProfile(&buf); err != nil {
				return fmt.Errorf("%s: %w", memPath, err)
			}
			prof = buf.Bytes()
		}
		if err := writeFile(memPath, func(w io.Writer) error {
			_, err := w.Write(prof)
			return err
		}); err != nil {
			return err
		}
	}
	if tracePath != "" {
		if err := writeFile(tracePath, b.trace.WriteJSON); err != nil {
			return err
		}
	}
	if csvPath != "" {
		if err := writeFile(csvPath, b.trace.WriteCSV); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes v as indented JSON to path, whole or not at all.
func writeJSON(path string, v any) error {
	return writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// mbBytes turns a flag's MB (2^20 bytes) into bytes: 0 stays 0 (the
// default), negative becomes -1 (none).
func mbBytes(mb float64) int64 {
	switch {
	case mb < 0:
		return -1
	case mb > 1<<40:
		return 1 << 60
	}
	return int64(mb * (1 << 20))
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

type benchRun struct {
	env               *Env
	d                 *playback.Drawing
	tm                *playback.Timing
	w, h, frames      int
	budget            time.Duration
	prof              perf.Profile
	naiveBudget       time.Duration
	seeks             int
	keyframeBytes     int64
	keyframeDiskBytes int64
	// trace records the incremental strategy (--trace, --trace-csv); opt
	// and mon are its render optimizer and monitor.
	trace *perf.TraceRecorder
	opt   *perf.RenderOptimizer
	mon   *perf.Monitor
	// heapProfile is the pprof heap profile taken at the end of the
	// incremental strategy's frames (--memprofile).
	wantHeapProfile bool
	heapProfile     []byte
	rssReset        bool
}

// strokesRevealed returns how many strokes of d have begun at mark m: the
// trace's strokes counter.
func strokesRevealed(d *playback.Drawing, m playback.Mark) int {
	return sort.Search(len(d.Strokes), func(i int) bool { return d.Strokes[i].Start >= m.N })
}

// frameTime returns the playback time of frame i.
func (b *benchRun) frameTime(i int) float64 {
	return b.tm.Duration() * float64(i+1) / float64(b.frames)
}

// freshMemory releases what earlier runs left and resets the peak RSS mark.
func (b *benchRun) freshMemory() {
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
func (b *benchRun) runSoftware(strategy string) benchResult {
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
	res := benchResult{Strategy: strategy}
	var busy time.Duration
	first := (b.frames - 1) % stride
	for i := first; i < b.frames; i += stride {
		if i%64 == 0 && b.env.Ctx.Err() != nil {
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
		res.Seeks, res.SeekMS = b.measureSeeks(r, c)
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
func (b *benchRun) observe(i int, d time.Duration, start time.Time, m playback.Mark, last bool) {
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
func (b *benchRun) naiveStride(r *canvas.Renderer, c *playback.Cursor) int {
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
func (b *benchRun) measureSeeks(r *canvas.Renderer, c *playback.Cursor) (int, *perf.Summary) {
	var h perf.Histogram
	rng := rand.New(rand.NewPCG(uint64(b.frames), 0x7365656b))
	end := b.tm.Duration()
	for i := 0; i < b.seeks && b.env.Ctx.Err() == nil; i++ {
		r.Render(c.Advance(end).To)
		t := rng.Float64() * end
		start := time.Now()
		r.Render(c.Advance(t).To)
		h.Record(time.Since(start))
	}
	s := h.Summary()
	return int(h.Count()), &s
}

// runGPU hands the benchmark to the window program.
func (b *benchRun) runGPU(strategies []string, rep *benchReport, prof perf.Profile) error {
	timers := map[string]*perf.FrameTimer{}
	busy := map[string]time.Duration{}
	drain := map[string]time.Duration{}
	for _, s := range strategies {
		timers[s] = perf.NewFrameTimer(b.budget)
	}
	cursor := playback.NewCursor(b.tm)
	job := &config.Bench{
		Strategies: strategies, Frames: b.frames, Width: b.w, Height: b.h,
		NoAntiAlias: !prof.GPUAntiAlias,
		Stride:      map[string]int{"naive": b.gpuNaiveStride()},
		Record: func(s string, i int, d time.Duration) {
			if ft := timers[s]; ft != nil {
				ft.Record(d)
				busy[s] += d
			}
			if s == "incremental" {
				// The frame ended just now; the optimizer does not drive the
				// GPU job (it runs at the profile's starting quality).
				b.observe(i, d, time.Now().Add(-d), cursor.MarkAt(b.frameTime(i)), i == b.frames-1)
			}
		},
		Drain: func(s string, d time.Duration) { drain[s] = d },
	}
	b.freshMemory()
	if err := b.env.Window(config.Window{Drawing: b.d, Drawings: []*playback.Drawing{b.d}, Profile: prof.Name, Bench: job}); err != nil {
		return err
	}
	rss := peakRSSMB()
	for _, s := range strategies {
		ft := timers[s]
		res := benchResult{Strategy: s, FrameMS: ft.Histogram().Summary(), FramesMeasured: ft.Frames(),
			OverBudget: ft.OverBudget(), PeakRSSMB: rss, HeapMB: heapMB(), DrainMS: ms(drain[s])}
		if busy[s] > 0 {
			res.FPS = math.Round(float64(ft.Frames())/busy[s].Seconds()*10) / 10
		}
		if st := job.Stride[s]; st > 1 {
			res.Sampled, res.SampleStride = true, st
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Notes = append(rep.Notes, "gpu: peak_rss_mb is the window process's high-water mark over all strategies; frame_ms is the wall time from one update to the next, vsync off",
		"gpu: the monitor watches the incremental frames; the render optimizer does not drive the GPU job, which runs at the profile's starting quality")
	return nil
}

// gpuNaiveStride bounds the naive GPU run: it redraws every revealed point
// each frame, so about 200 frames of the whole drawing are drawn at most.
func (b *benchRun) gpuNaiveStride() int {
	const pointFrames = 200
	n := max(1, b.d.NumPoints())
	work := float64(b.frames) * float64(n) / 2
	limit := float64(pointFrames) * float64(n)
	if work <= limit {
		return 1
	}
	return int(math.Ceil(work / limit))
}

func printBenchTable(w io.Writer, rep *benchReport) {
	src := "generated"
	if rep.Input.Source == "file" {
		src = rep.Input.File
	} else if rep.Input.Seed != nil {
		src = fmt.Sprintf("generated, seed %d", *rep.Input.Seed)
	}
	fmt.Fprintf(w, "bench: %d strokes, %d points (%s), %dx%d, %d frames at %g fps, %s backend, budget %.3g ms\n",
		rep.Input.Strokes, rep.Input.Points, src, rep.Width, rep.Height, rep.Frames, rep.TargetFPS, rep.Backend, rep.BudgetMS)
	fmt.Fprintf(w, "%-12s %8s %8s %8s %8s %9s %9s %6s %8s %8s\n", "strategy", "measured", "p50 ms", "p95 ms", "p99 ms", "max ms", "fps", "over", "rss MB", "heap MB")
	var inc, nai *benchResult
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

// soakGrowthMB is the most the live heap may grow over a soak run (its
// slope times its length) for the run to count as "no heap growth".
const soakGrowthMB = 1.0

// soakReport is the --json report of `bench --soak`.
type soakReport struct {
	Input  benchInput `json:"input"`
	Width  int        `json:"width"`
	Height int        `json:"height"`
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
	Optimizer     benchOptimizer    `json:"optimizer"`
	Health        *perf.Report      `json:"health,omitempty"`
}

// runSoak loops the incremental playback of the drawing for dur (frames as
// fast as they come, through the optimizer and the monitor, as the window
// would play it on a loop) and reports the live heap's slope: the
// "no heap growth" check of long runs. It fails when the heap grew by more
// than soakGrowthMB over the run.
func (b *benchRun) runSoak(dur time.Duration, jsonOut string) error {
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
	res, err := perf.Soak(b.env.Ctx, perf.SoakOptions{Duration: dur, Every: every}, func() error {
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
		return fmt.Errorf("soak: %w", err)
	}
	if b.env.Ctx.Err() != nil {
		return b.env.Ctx.Err()
	}
	rep := soakReport{Input: benchInput{Strokes: len(b.d.Strokes), Points: b.d.NumPoints(), DurationMS: b.tm.Duration()},
		Width: b.w, Height: b.h, FramesPerLoop: b.frames, Seconds: dur.Seconds(), Frames: res.Iterations,
		Loops: res.Iterations / b.frames, SlopeMBPerMin: res.SlopeMBPerMin, FirstMB: res.FirstMB, LastMB: res.LastMB,
		Samples: res.Samples, FrameMS: ft.Histogram().Summary(),
		Optimizer: benchOptimizer{Profile: b.prof.Name, Changes: append([]perf.Change{}, b.opt.Changes()...), Level: b.opt.Level(), Levels: b.opt.Levels(), Final: b.opt.Knobs()}}
	rep.GrowthMB = res.SlopeMBPerMin * dur.Minutes()
	rep.NoGrowth = rep.GrowthMB < soakGrowthMB
	b.mon.SampleMemory()
	health := b.mon.Report()
	rep.Health = &health
	w := b.env.Stdout
	fmt.Fprintf(w, "soak: %s of looping playback, %d strokes, %d points, %dx%d, software renderer\n", dur, rep.Input.Strokes, rep.Input.Points, b.w, b.h)
	fmt.Fprintf(w, "  %d frames (%d loops of %d), frame p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", rep.Frames, rep.Loops, b.frames, rep.FrameMS.P50, rep.FrameMS.P99, rep.FrameMS.Max)
	fmt.Fprintf(w, "  live heap: %d samples, first %.2f MB, last %.2f MB, slope %+.4f MB/min (%+.2f MB over the run)\n",
		len(res.Samples), res.FirstMB, res.LastMB, res.SlopeMBPerMin, rep.GrowthMB)
	fmt.Fprintf(w, "  optimizer: %d changes; monitor: %s", len(rep.Optimizer.Changes), rep.Health)
	if rep.NoGrowth {
		fmt.Fprintf(w, "soak: no heap growth (under %.1f MB over the run)\n", soakGrowthMB)
	}
	if jsonOut != "" {
		if err := writeJSON(jsonOut, rep); err != nil {
			return err
		}
	}
	if !rep.NoGrowth {
		return fmt.Errorf("soak: the live heap grew %.2f MB over %s (slope %.4f MB/min; at most %.1f MB allowed)", rep.GrowthMB, dur, rep.SlopeMBPerMin, soakGrowthMB)
	}
	return nil
}
