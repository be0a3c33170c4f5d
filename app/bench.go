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

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
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
	Input      benchInput        `json:"input"`
	Width      int               `json:"width"`
	Height     int               `json:"height"`
	Frames     int               `json:"frames"`
	TargetFPS  float64           `json:"target_fps"`
	BudgetMS   float64           `json:"budget_ms"`
	Backend    string            `json:"backend"`
	Results    []benchResult     `json:"results"`
	Optimizer  benchOptimizer    `json:"optimizer"`
	Invariants map[string]bool   `json:"invariants"`
	Notes      []string          `json:"notes,omitempty"`
	Meta       map[string]string `json:"meta,omitempty"`
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
}

type benchOptimizer struct {
	Profile string        `json:"profile"`
	Changes []perf.Change `json:"changes"`
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
	seed := fs.Uint64("seed", 1, "seed of the generated drawing")
	size := fs.String("size", "1920x1080", "canvas size `WxH` in pixels")
	seconds := fs.Float64("seconds", 10, "play the whole drawing over `S` seconds")
	fps := fs.Float64("fps", 60, "frames per second of playback (frames = seconds × fps)")
	backend := fs.String("backend", "software", "renderer: software, or gpu (window program only)")
	strategy := fs.String("strategy", "all", "all, naive or incremental")
	profile := fs.String("profile", "default", "performance profile: default, aggressive or conservative (sets the frame budget and memory limit)")
	jsonOut := fs.String("json", "", "write the report as JSON to `OUT`")
	traceOut := fs.String("trace", "", "write a Chrome trace (Perfetto) of the incremental run's frames to `OUT` (the last 10,000 frames)")
	seeks := fs.Int("seeks", 0, "after the incremental run, time `N` backward seeks to random places, each with the frame after it")
	naiveSeconds := fs.Float64("naive-seconds", 20, "time allowance of the naive strategy, `S` seconds: when drawing every frame would take longer, only every k-th frame is drawn and measured (reported as sampled)")
	keyframeMB := fs.Float64("keyframe-mb", 0, "memory for the incremental renderer's keyframes in `MB` (0: the renderer's default, 24; negative: none)")
	keyframeDiskMB := fs.Float64("keyframe-disk-mb", 0, "room for more keyframes in a temporary file, in `MB` (0: the renderer's default, 512; negative: none)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 1, "FILE"); err != nil {
		return err
	}
	w, h, err := parseCanvasSize(*size)
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
	prof, err := perf.ProfileByName(*profile)
	if err != nil {
		return usagef("--profile: %v", err)
	}
	switch *backend {
	case "software":
	case "gpu":
		if env.Window == nil {
			return usagef("--backend gpu needs the window program: run 'mbotdraw bench --backend gpu' (this is %s, which has no window)", env.Prog)
		}
	default:
		return usagef("--backend %q: want software or gpu", *backend)
	}
	if *strokes < 0 || *strokes > 10_000_000 {
		return usagef("--strokes %d: want 0 to 10,000,000", *strokes)
	}

	rep := &benchReport{Width: w, Height: h, Frames: frames, TargetFPS: *fps, Backend: *backend,
		BudgetMS: ms(prof.Budget()), Optimizer: benchOptimizer{Profile: prof.Name, Changes: []perf.Change{}},
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

	b := &benchRun{env: env, d: d, tm: tm, w: w, h: h, frames: frames, budget: prof.Budget(),
		naiveBudget: time.Duration(*naiveSeconds * float64(time.Second)), seeks: *seeks,
		keyframeBytes: mbBytes(*keyframeMB), keyframeDiskBytes: mbBytes(*keyframeDiskMB)}
	if *traceOut != "" {
		if err := outputDirExists(*traceOut); err != nil {
			return err
		}
		to := prof.TraceOptions()
		to.Meta = map[string]string{"command": "bench", "strokes": strconv.Itoa(len(d.Strokes)), "backend": *backend, "profile": prof.Name}
		b.trace = perf.NewTraceRecorder(to)
	}
	if *jsonOut != "" {
		if err := outputDirExists(*jsonOut); err != nil {
			return err
		}
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
			rep.Invariants["frame_p99_le_budget"] = r.FrameMS.P99 <= rep.BudgetMS
			limit := prof.MemoryLimitMB
			if !(limit > 0) {
				limit = benchMemoryMB
			}
			rep.Invariants["memory_le_limit"] = r.PeakRSSMB > 0 && r.PeakRSSMB <= limit
		}
	}
	printBenchTable(env.Stdout, rep)
	if b.trace != nil {
		if err := writeFile(*traceOut, b.trace.WriteJSON); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		return writeFile(*jsonOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return fmt.Errorf("%s: %w", *jsonOut, err)
			}
			return nil
		})
	}
	return nil
}

// outputDirExists fails early, before a long run, when an output file's
// folder does not exist.
func outputDirExists(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: folder %s does not exist", path, dir)
	}
	return nil
}

// parseCanvasSize reads "WxH" with each side from 16 to 16384.
func parseCanvasSize(s string) (w, h int, err error) {
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("want WIDTHxHEIGHT, like 1920x1080")
	}
	if w < 16 || h < 16 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("each side must be from 16 to 16384")
	}
	return w, h, nil
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
	naiveBudget       time.Duration
	seeks             int
	keyframeBytes     int64
	keyframeDiskBytes int64
	trace             *perf.TraceRecorder
	rssReset          bool
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

// runSoftware measures one strategy with the software renderer.
func (b *benchRun) runSoftware(strategy string) benchResult {
	b.freshMemory()
	naive := strategy == "naive"
	o := canvas.Options{Width: b.w, Height: b.h, Redraw: naive, KeyframeBudget: b.keyframeBytes, KeyframeDiskBudget: b.keyframeDiskBytes}
	r := canvas.NewRenderer(b.d, o)
	c := playback.NewCursor(b.tm)
	ft := perf.NewFrameTimer(b.budget)
	stride := 1
	if naive {
		stride = b.naiveStride(r, c)
	}
	res := benchResult{Strategy: strategy}
	var busy time.Duration
	for i := (b.frames - 1) % stride; i < b.frames; i += stride {
		if i%64 == 0 && b.env.Ctx.Err() != nil {
			break
		}
		t := b.frameTime(i)
		start := time.Now()
		st := c.Advance(t)
		r.Render(st.To)
		d := time.Since(start)
		ft.Record(d)
		busy += d
		if b.trace != nil && !naive {
			b.trace.Frame(perf.TraceFrame{Start: start, Dur: d, HeapMB: perf.HeapMB(), Strokes: r.Ink().Pos().Stroke})
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
	r.Close()
	return res
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
	job := &config.Bench{
		Strategies: strategies, Frames: b.frames, Width: b.w, Height: b.h,
		NoAntiAlias: !prof.GPUAntiAlias,
		Stride:      map[string]int{"naive": b.gpuNaiveStride()},
		Record: func(s string, _ int, d time.Duration) {
			if ft := timers[s]; ft != nil {
				ft.Record(d)
				busy[s] += d
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
	rep.Notes = append(rep.Notes, "gpu: peak_rss_mb is the window process's high-water mark over all strategies; frame_ms is the wall time from one update to the next, vsync off")
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
	fmt.Fprintf(w, "bench: %d strokes, %d points (%s), %dx%d, %d frames at %g fps, %s backend, budget %.1f ms\n",
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
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
