package app

// runBench is `mbotdraw bench`: it parses the flags, loads or generates the
// drawing and hands it to package bench, which plays and measures it; then
// it prints the table and writes the outputs asked for. --backend gpu hands
// the job to the window program (env.Window with config.Window.Bench),
// which the headless program refuses (exit 2). --suite runs named benchmark
// suites instead (suites.go), and --soak loops the incremental playback for
// a long time to check the heap does not grow (bench.Bench.Soak).

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"mbotdraw/app/config"
	"mbotdraw/bench"
	"mbotdraw/perf"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
	"mbotdraw/version"
)

// benchMaxFrames bounds --seconds × --fps.
const benchMaxFrames = 1_000_000

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
	keyframeMB := fs.Float64("keyframe-mb", 0, "memory for the incremental renderer's compressed keyframes in `MB` (0: the renderer's default, 8; negative: none)")
	keyframeDiskMB := fs.Float64("keyframe-disk-mb", 0, "room for more keyframes in a temporary file, in `MB` (0: the renderer's default, 512; negative: none)")
	suite := fs.String("suite", "", "run the benchmark suite `NAME` ("+strings.Join(append([]string{"all"}, suiteNames()...), ", ")+") instead, printing a table and Go benchmark lines for benchstat")
	benchTime := fs.Duration("bench-time", time.Second, "with --suite: about how long each test runs")
	count := fs.Int("count", 1, "with --suite: how many times each test runs (one benchmark line each)")
	soak := fs.Duration("soak", 0, "instead of the benchmark, loop the incremental playback for `D` (e.g. 10m) and report the live heap's slope in MB/min")
	maxPoints := addMaxPointsFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkMaxPoints(*maxPoints); err != nil {
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
	strategies, err := benchStrategies(*strategy)
	if err != nil {
		return err
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
	if err := checkBenchBackend(env, *backend, *soak); err != nil {
		return err
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
	job := benchJob{strokes: *strokes, seed: *seed, fps: *fps, backend: *backend, strategies: strategies,
		soak: *soak, jsonOut: *jsonOut,
		o: bench.Options{Width: w, Height: h, Frames: frames, Budget: budget, Profile: prof,
			NaiveBudget: time.Duration(*naiveSeconds * float64(time.Second)), Seeks: *seeks,
			KeyframeBytes: mbBytes(*keyframeMB), KeyframeDiskBytes: mbBytes(*keyframeDiskMB),
			HeapProfile: *memProfile != ""},
		outs: benchOutputs{cpuPath: *cpuProfile, memPath: *memProfile, tracePath: *traceOut, csvPath: *traceCSV}}
	if len(pos) == 1 {
		job.file, job.maxPoints = pos[0], *maxPoints
	}
	return job.run(env)
}

// benchStrategies reads --strategy.
func benchStrategies(s string) ([]string, error) {
	switch s {
	case "all":
		return []string{"incremental", "naive"}, nil
	case "naive", "incremental":
		return []string{s}, nil
	}
	return nil, usagef("--strategy %q: want all, naive or incremental", s)
}

// checkBenchBackend checks --backend: gpu needs the window program and a
// display, and no --soak.
func checkBenchBackend(env *Env, backend string, soak time.Duration) error {
	switch backend {
	case "software":
	case "gpu":
		if env.Window == nil {
			if env.NoDisplay != "" {
				return fmt.Errorf("--backend gpu needs a display: %s", env.NoDisplay)
			}
			return usagef("--backend gpu needs the window program: run 'mbotdraw bench --backend gpu' (this is %s, which has no window)", env.Prog)
		}
		if soak > 0 {
			return usagef("--soak runs the software renderer: leave out --backend gpu")
		}
	default:
		return usagef("--backend %q: want software or gpu", backend)
	}
	return nil
}

// benchJob is a benchmark the flags asked for.
type benchJob struct {
	file       string // "": a generated drawing of strokes strokes, from seed
	maxPoints  int    // --max-points, for a file
	strokes    int
	seed       uint64
	fps        float64
	backend    string
	strategies []string
	soak       time.Duration
	jsonOut    string
	o          bench.Options
	outs       benchOutputs
}

// programOf names this build for reports.
func programOf(env *Env) bench.Program {
	in := version.Get()
	return bench.Program{Name: env.Prog, Version: in.Short(), Commit: in.Commit, Go: in.Go, Platform: in.Platform}
}

// run loads or generates the drawing, runs the benchmark, prints its
// table and writes the report and the outputs asked for.
func (j benchJob) run(env *Env) error {
	o, prof, budget := j.o, j.o.Profile, j.o.Budget
	rep := &bench.Report{Program: programOf(env), Width: o.Width, Height: o.Height, Frames: o.Frames, TargetFPS: j.fps, Backend: j.backend,
		BudgetMS: bench.Milliseconds(budget), Optimizer: bench.Optimizer{Profile: prof.Name, Changes: []perf.Change{}},
		Invariants: map[string]bool{}}
	var d *playback.Drawing
	if j.file != "" {
		var err error
		if d, err = format.Load(j.file, format.Options{MaxPoints: j.maxPoints}); err != nil {
			return err
		}
		rep.Input = bench.Input{Source: "file", File: j.file}
	} else {
		d = playback.Generate(playback.GenOptions{Strokes: j.strokes, Seed: j.seed, Width: float64(o.Width), Height: float64(o.Height)})
		s := j.seed
		rep.Input = bench.Input{Source: "generated", Seed: &s}
	}
	if j.outs.tracePath != "" || j.outs.csvPath != "" {
		to := prof.TraceOptions()
		to.Budget = budget
		to.Meta = map[string]string{"command": "bench", "strategy": "incremental", "strokes": strconv.Itoa(len(d.Strokes)),
			"backend": j.backend, "profile": prof.Name, "budget_ms": strconv.FormatFloat(bench.Milliseconds(budget), 'f', -1, 64),
			"program": env.Prog + " " + version.Get().String()}
		if j.soak > 0 {
			to.Meta["command"] = "bench --soak"
		}
		o.Trace = perf.NewTraceRecorder(to)
	}
	b, err := bench.New(d, o)
	if err != nil {
		return fmt.Errorf("%s: %w", rep.Input.File, err)
	}
	rep.Input.Strokes, rep.Input.Points, rep.Input.DurationMS = len(d.Strokes), d.NumPoints(), b.Duration()
	outs := j.outs
	outs.trace = o.Trace
	if outs.cpuPath != "" {
		if outs.cpu, err = perf.StartCPUProfile(); err != nil {
			return err
		}
		defer outs.cpu.Stop()
	}
	if j.soak > 0 {
		srep, err := b.Soak(env.Ctx, j.soak)
		if err != nil {
			return err
		}
		srep.Program = rep.Program
		srep.WriteText(env.Stdout)
		if j.jsonOut != "" {
			if err := writeJSON(j.jsonOut, srep); err != nil {
				return err
			}
		}
		if err := srep.Err(); err != nil {
			return err
		}
		return outs.write(b)
	}
	var gpu func(*bench.GPUJob) error
	if j.backend == "gpu" {
		gpu = func(job *bench.GPUJob) error {
			return env.Window(config.Window{Drawing: d, Drawings: []*playback.Drawing{d}, Profile: prof.Name, Bench: job})
		}
	}
	if err := b.Run(env.Ctx, j.strategies, gpu, rep); err != nil {
		return err
	}
	rep.WriteText(env.Stdout)
	if err := outs.write(b); err != nil {
		return err
	}
	if j.jsonOut != "" {
		return writeJSON(j.jsonOut, rep)
	}
	return nil
}

// benchOutputs are the files bench writes besides the report: the pprof
// profiles and the trace.
type benchOutputs struct {
	cpu                                  *perf.CPUProfile
	cpuPath, memPath, tracePath, csvPath string
	trace                                *perf.TraceRecorder
}

// write writes the trace, its CSV and the pprof profiles asked for, each
// whole or not at all.
func (o benchOutputs) write(b *bench.Bench) error {
	if o.cpu != nil {
		o.cpu.Stop()
		if err := writeFile(o.cpuPath, func(w io.Writer) error {
			_, err := o.cpu.WriteTo(w)
			return err
		}); err != nil {
			return err
		}
	}
	if o.memPath != "" {
		prof := b.HeapProfile()
		if prof == nil { // no incremental run (naive or GPU only): the end of the run
			var buf bytes.Buffer
			if err := perf.WriteHeapProfile(&buf); err != nil {
				return fmt.Errorf("%s: %w", o.memPath, err)
			}
			prof = buf.Bytes()
		}
		if err := writeFile(o.memPath, func(w io.Writer) error {
			_, err := w.Write(prof)
			return err
		}); err != nil {
			return err
		}
	}
	if o.tracePath != "" {
		if err := writeFile(o.tracePath, o.trace.WriteJSON); err != nil {
			return err
		}
	}
	if o.csvPath != "" {
		if err := writeFile(o.csvPath, o.trace.WriteCSV); err != nil {
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
