package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"mbotdraw/app/config"
	"mbotdraw/bench"
	"mbotdraw/perf"
)

// renderCmd runs one command line of the headless program (or, with win,
// of the window program).
func renderCmd(t *testing.T, win WindowFunc, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errb, Window: win, Prog: "mbotdraw-headless"}
	status = Run(env, args)
	return out.String(), errb.String(), status
}

func readReport(t *testing.T, path string) bench.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

func TestBenchGenerated(t *testing.T) {
	dir := t.TempDir()
	js, tr := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
	out, errs, st := renderCmd(t, nil, "bench", "--strokes", "60", "--seed", "3", "--size", "320x240",
		"--seconds", "1", "--fps", "30", "--seeks", "4", "--json", js, "--trace", tr)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	for _, want := range []string{"incremental", "naive", "p99 ms", "4 backward seeks", "naive p99 / incremental p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	rep := readReport(t, js)
	if rep.Input.Source != "generated" || rep.Input.Strokes != 60 || rep.Input.Points == 0 || rep.Frames != 30 || rep.Width != 320 {
		t.Fatalf("report header: %+v", rep)
	}
	if len(rep.Results) != 2 || rep.Results[0].Strategy != "incremental" || rep.Results[1].Strategy != "naive" {
		t.Fatalf("results: %+v", rep.Results)
	}
	inc := rep.Results[0]
	if inc.FramesMeasured != 30 || inc.FrameMS.P50 <= 0 || inc.FrameMS.Max < inc.FrameMS.P99 || inc.FPS <= 0 || inc.Seeks != 4 || inc.SeekMS == nil {
		t.Fatalf("incremental: %+v", inc)
	}
	if inc.PeakRSSMB <= 0 || inc.HeapMB <= 0 {
		t.Fatalf("memory figures: %+v", inc)
	}
	if _, ok := rep.Invariants["frame_p99_le_budget"]; !ok {
		t.Fatalf("invariants: %v", rep.Invariants)
	}
	if _, ok := rep.Invariants["memory_le_limit"]; !ok {
		t.Fatalf("invariants: %v", rep.Invariants)
	}
	if rep.Optimizer.Profile != "default" || rep.Optimizer.Changes == nil {
		t.Fatalf("optimizer: %+v", rep.Optimizer)
	}
	if p := rep.Program; p.Name != "mbotdraw-headless" || p.Version == "" || p.Go != runtime.Version() || !strings.HasPrefix(out, p.Name+" "+p.Version+"\n") {
		t.Errorf("report and table should name the build: %+v\n%s", p, out)
	}
	// The trace has one frame slice per incremental frame.
	data, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	var trace struct {
		OtherData   map[string]string `json:"otherData"`
		TraceEvents []struct {
			Name string `json:"name"`
			Ph   string `json:"ph"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &trace); err != nil {
		t.Fatalf("trace: %v", err)
	}
	if p := trace.OtherData["program"]; !strings.HasPrefix(p, "mbotdraw-headless ") || !strings.Contains(p, runtime.Version()) {
		t.Errorf("trace otherData program = %q", p)
	}
	frames := 0
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" && e.Name == "frame" {
			frames++
		}
	}
	if frames != 30 {
		t.Fatalf("trace has %d frame slices, want 30", frames)
	}
}

func TestBenchNaiveIsSampledWhenSlow(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	_, errs, st := renderCmd(t, nil, "bench", "--strokes", "400", "--size", "320x240", "--seconds", "2", "--fps", "60",
		"--strategy", "naive", "--naive-seconds", "0.01", "--json", js)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	rep := readReport(t, js)
	r := rep.Results[0]
	if len(rep.Results) != 1 || r.Strategy != "naive" || !r.Sampled || r.SampleStride < 2 || r.FramesMeasured >= 120 || r.FramesMeasured < 1 {
		t.Fatalf("naive: %+v", r)
	}
}

func TestBenchFile(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	_, errs, st := renderCmd(t, nil, "bench", "../testdata/real/quickdraw/raw/cat.ndjson", "--strategy", "incremental",
		"--size", "320x240", "--seconds", "0.5", "--json", js)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	rep := readReport(t, js)
	if rep.Input.Source != "file" || rep.Input.Strokes != 9 || len(rep.Results) != 1 {
		t.Fatalf("report: %+v", rep)
	}
}

func TestBenchUsage(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		say    string
	}{
		{[]string{"bench", "--backend", "gpu"}, 2, "mbotdraw"},
		{[]string{"bench", "--backend", "vulkan"}, 2, "software or gpu"},
		{[]string{"bench", "--strategy", "fast"}, 2, "--strategy"},
		{[]string{"bench", "--size", "10x10"}, 2, "--size"},
		{[]string{"bench", "--size", "big"}, 2, "--size"},
		{[]string{"bench", "--seconds", "0"}, 2, "positive"},
		{[]string{"bench", "--profile", "turbo"}, 2, "--profile"},
		{[]string{"bench", "--budget-ms", "-1"}, 2, "--budget-ms"},
		{[]string{"bench", "--soak", "-1s"}, 2, "--soak"},
		{[]string{"bench", "--count", "3"}, 2, "--suite"},
		{[]string{"bench", "--suite", "nope"}, 2, "robot-planning"},
		{[]string{"bench", "--suite", "render", "x.json"}, 2, "no FILE"},
		{[]string{"bench", "--suite", "render", "--bench-time", "0s"}, 2, "--bench-time"},
		{[]string{"bench", "--strokes", "5", "--trace", "/nonexistent/dir/t.json"}, 1, "does not exist"},
		{[]string{"bench", "--strokes", "5", "--cpuprofile", "/nonexistent/dir/c.pprof"}, 1, "does not exist"},
		{[]string{"bench", "a.json", "b.json"}, 2, "unexpected"},
		{[]string{"bench", "--strokes", "5", "--json", "/nonexistent/dir/r.json"}, 1, "does not exist"},
		{[]string{"bench", "missing-file.json"}, 1, "missing-file.json"},
	}
	for _, tc := range tests {
		_, errs, st := renderCmd(t, nil, tc.args...)
		if st != tc.status || !strings.Contains(errs, tc.say) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want %d and %q on one line", tc.args, st, errs, tc.status, tc.say)
		}
	}
}

// The GPU backend hands the job to the window program and reports what it
// records.
func TestBenchGPUHandsTheJobToTheWindow(t *testing.T) {
	var got *bench.GPUJob
	win := func(cfg config.Window) error {
		got = cfg.Bench
		if cfg.Drawing == nil || got == nil {
			t.Fatal("no drawing or no job")
		}
		for _, s := range got.Strategies {
			stride := max(1, got.Stride[s])
			for i := 0; i < got.Frames; i += stride {
				got.Record(s, i, time.Duration(i+1)*time.Millisecond)
			}
			got.Drain(s, 3*time.Millisecond)
		}
		return nil
	}
	js := filepath.Join(t.TempDir(), "r.json")
	_, errs, st := renderCmd(t, win, "bench", "--backend", "gpu", "--strokes", "20", "--seconds", "1", "--fps", "20", "--json", js)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	if got.Frames != 20 || got.Width != 1920 || len(got.Strategies) != 2 {
		t.Fatalf("job: %+v", got)
	}
	rep := readReport(t, js)
	if rep.Backend != "gpu" || len(rep.Results) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	inc := rep.Results[0]
	if inc.FramesMeasured != 20 || inc.FrameMS.Max != 20 || inc.DrainMS != 3 {
		t.Fatalf("incremental: %+v", inc)
	}
}

// traceEvent is one Chrome trace event as bench --trace writes it.
type traceEvent struct {
	Ph   string         `json:"ph"`
	Name string         `json:"name"`
	Tid  int            `json:"tid"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Args map[string]any `json:"args"`
}

func readTrace(t *testing.T, path string) []traceEvent {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		TraceEvents []traceEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatalf("%s does not parse as JSON: %v", path, err)
	}
	return tr.TraceEvents
}

// counterValues returns the values of counter name, in time order.
func counterValues(evs []traceEvent, name string) []float64 {
	var out []float64
	for _, e := range evs {
		if e.Ph == "C" && e.Name == name {
			out = append(out, e.Args[name].(float64))
		}
	}
	return out
}

// nearestRank is the exact q-quantile of vs by the nearest-rank rule, as
// perf.Histogram defines its quantiles.
func nearestRank(vs []float64, q float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	r := int(math.Ceil(q * float64(len(s))))
	return s[max(1, min(len(s), r))-1]
}

// The trace of `bench --trace` is the incremental strategy's: one frame
// slice per frame the report counts, its phases inside it, counters that
// agree with the report, an over-budget instant per over-budget frame, and
// named threads; --trace-csv has one row per frame with the same times.
func TestBenchTraceMatchesReport(t *testing.T) {
	dir := t.TempDir()
	js, tr, csvPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json"), filepath.Join(dir, "t.csv")
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	_, errs, st := renderCmd(t, nil, "bench", "--strokes", "80", "--size", "320x240", "--seconds", "2", "--fps", "45",
		"--budget-ms", "0.3", "--json", js, "--trace", tr, "--trace-csv", csvPath, "--cpuprofile", cpu, "--memprofile", mem)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	rep := readReport(t, js)
	inc := rep.Results[0]
	if inc.Strategy != "incremental" || rep.Trace == nil || rep.Trace.Strategy != "incremental" || rep.Trace.Frames != 90 || rep.Trace.Kept != 90 {
		t.Fatalf("report: trace %+v, first result %s", rep.Trace, inc.Strategy)
	}
	evs := readTrace(t, tr)

	var frames []traceEvent
	phases := map[string]int{}
	threads := map[int]string{}
	over := 0
	for _, e := range evs {
		switch {
		case e.Ph == "X" && e.Name == "frame":
			frames = append(frames, e)
		case e.Ph == "X":
			phases[e.Name]++
		case e.Ph == "M" && e.Name == "thread_name":
			threads[e.Tid] = e.Args["name"].(string)
		case e.Ph == "i" && e.Name == "over_budget":
			over++
		}
	}
	if len(frames) != inc.FramesMeasured || len(frames) != rep.Frames {
		t.Fatalf("%d frame slices; the report measured %d of %d frames", len(frames), inc.FramesMeasured, rep.Frames)
	}
	for _, p := range []string{"cursor", "bake", "compose"} {
		if phases[p] != len(frames) {
			t.Errorf("phase %q: %d slices, want one per frame (%d)", p, phases[p], len(frames))
		}
	}
	// Every phase lies inside a frame slice (slices nest).
	for _, e := range evs {
		if e.Ph != "X" || e.Name == "frame" {
			continue
		}
		i := sort.Search(len(frames), func(i int) bool { return frames[i].Ts+frames[i].Dur >= e.Ts+e.Dur })
		if i == len(frames) || e.Ts < frames[i].Ts-0.001 {
			t.Fatalf("phase %s at %.3f µs (%.3f µs) is not inside a frame", e.Name, e.Ts, e.Dur)
		}
	}
	if threads[1] == "" || threads[2] != "robot" || threads[3] != "websocket" {
		t.Errorf("thread names: %v", threads)
	}
	if over != inc.OverBudget {
		t.Errorf("%d over-budget instants, the report counts %d over-budget frames", over, inc.OverBudget)
	}

	// Counters: one of each per frame; frame_ms equals the frame slices'
	// durations and its percentiles the report's (the report's histogram
	// is exact to 1/64, then rounded to the microsecond); strokes rises to
	// the drawing's count.
	fms := counterValues(evs, "frame_ms")
	for _, c := range []string{"fps", "heap_mb", "strokes"} {
		if n := len(counterValues(evs, c)); n != len(frames) {
			t.Errorf("counter %s: %d values, want %d", c, n, len(frames))
		}
	}
	if len(fms) != len(frames) {
		t.Fatalf("frame_ms: %d values, want %d", len(fms), len(frames))
	}
	for i, f := range frames {
		if math.Abs(f.Dur/1000-fms[i]) > 0.001 {
			t.Fatalf("frame %d: slice %.3f µs, frame_ms counter %.4f ms", i, f.Dur, fms[i])
		}
	}
	for _, q := range []struct {
		name string
		q    float64
		rep  float64
	}{{"p50", 0.5, inc.FrameMS.P50}, {"p95", 0.95, inc.FrameMS.P95}, {"p99", 0.99, inc.FrameMS.P99}, {"max", 1, inc.FrameMS.Max}} {
		exact := nearestRank(fms, q.q)
		if math.Abs(exact-q.rep) > exact/64+0.0015 {
			t.Errorf("frame_ms %s: trace %.4f ms, report %.4f ms", q.name, exact, q.rep)
		}
	}
	if got := nearestRank(fms, 1); math.Abs(got-inc.FrameMS.Max) > 0.0006 {
		t.Errorf("max frame: trace %.4f ms, report %.4f ms", got, inc.FrameMS.Max)
	}
	strokes := counterValues(evs, "strokes")
	if !slices.IsSorted(strokes) || strokes[len(strokes)-1] != float64(rep.Input.Strokes) {
		t.Errorf("strokes counter: %v, want rising to %d", strokes, rep.Input.Strokes)
	}
	if hm := counterValues(evs, "heap_mb"); slices.Min(hm) <= 0 {
		t.Errorf("heap_mb counter has %v", slices.Min(hm))
	}

	// The CSV: a header and one row per frame, with the same frame times.
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(frames)+1 || rows[0][2] != "frame_ms" {
		t.Fatalf("CSV: %d rows, header %v; want %d and frame_ms third", len(rows), rows[0], len(frames)+1)
	}
	for i, row := range rows[1:] {
		v, err := strconv.ParseFloat(row[2], 64)
		if err != nil || math.Abs(v-fms[i]) > 1e-6 {
			t.Fatalf("CSV row %d: frame_ms %q, trace %.6f", i, row[2], fms[i])
		}
	}
	// The pprof files are there and gzipped, as pprof writes them.
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s: not a pprof file (%d bytes, %v)", p, len(b), err)
		}
	}
}

// A budget far below what a frame takes makes the render optimizer
// degrade, step by step; each change is in the report (and the table), is
// an instant in the trace, and reaches the renderer: the quality in force
// at the end is the optimizer's last setting. The monitor finds the frame
// invariants broken and says so.
func TestBenchBudgetForcesOptimizer(t *testing.T) {
	dir := t.TempDir()
	js, tr := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
	out, errs, st := renderCmd(t, nil, "bench", "--strokes", "60", "--size", "320x240", "--seconds", "3", "--fps", "60",
		"--strategy", "incremental", "--budget-ms", "0.001", "--json", js, "--trace", tr)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	rep := readReport(t, js)
	ch := rep.Optimizer.Changes
	if rep.BudgetMS != 0.001 || len(ch) < 2 || rep.Optimizer.Level != len(ch) {
		t.Fatalf("budget %v ms, optimizer %+v", rep.BudgetMS, rep.Optimizer)
	}
	if ch[0].Knob != "antialias" || ch[0].From != "on" || ch[0].To != "off" || !strings.Contains(ch[0].Reason, "> budget 0.001ms") {
		t.Errorf("first change %+v, want antialias on → off for the p95 over budget", ch[0])
	}
	for i := 1; i < len(ch); i++ {
		if ch[i].Frame <= ch[i-1].Frame {
			t.Errorf("changes out of order: %v", ch)
		}
	}
	inc := rep.Results[0]
	if inc.Quality == nil || *inc.Quality != rep.Optimizer.Final || inc.Quality.AntiAlias {
		t.Errorf("renderer's quality at the end %+v, optimizer's final knobs %+v", inc.Quality, rep.Optimizer.Final)
	}
	instants := map[string]bool{}
	for _, e := range readTrace(t, tr) {
		if e.Ph == "i" {
			instants[e.Name] = true
		}
	}
	for _, c := range ch {
		if name := "optimizer: " + c.Knob + " " + c.From + "→" + c.To; !instants[name] {
			t.Errorf("no trace instant %q (instants: %v)", name, instants)
		}
	}
	if !instants["alert: frame"] {
		t.Errorf("no alert instant in the trace: %v", instants)
	}
	if rep.Invariants["frame_p99_le_budget"] || !rep.Invariants["memory_le_limit"] || rep.Health == nil || rep.Health.Healthy {
		t.Errorf("invariants %v, health %+v", rep.Invariants, rep.Health)
	}
	for _, want := range []string{"optimizer (profile default, budget 0.001 ms): " + strconv.Itoa(len(ch)) + " changes",
		"antialias on → off", "monitor: NOT healthy", "FAIL fps"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// Without --budget-ms the 60 fps budget is far above these small frames:
// the optimizer changes nothing, and the report says the run is healthy.
func TestBenchInBudgetChangesNothing(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	_, errs, st := renderCmd(t, nil, "bench", "--strokes", "40", "--size", "160x120", "--seconds", "2", "--strategy", "incremental", "--json", js)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	rep := readReport(t, js)
	if len(rep.Optimizer.Changes) != 0 || rep.Optimizer.Final != perf.DefaultKnobs() || *rep.Results[0].Quality != perf.DefaultKnobs() {
		t.Errorf("optimizer %+v, quality %+v", rep.Optimizer, rep.Results[0].Quality)
	}
	if !rep.Invariants["frame_p99_le_budget"] || !rep.Invariants["memory_le_limit"] || rep.Health == nil || !rep.Health.Healthy {
		t.Errorf("invariants %v, health %+v", rep.Invariants, rep.Health)
	}
}

// --profile picks the optimizer's thresholds and the starting quality:
// conservative starts without anti-aliasing (in both strategies), and
// waits longer before it acts than aggressive does.
func TestBenchProfiles(t *testing.T) {
	first := map[string]int{}
	for _, p := range []string{"aggressive", "conservative"} {
		js := filepath.Join(t.TempDir(), "r.json")
		_, errs, st := renderCmd(t, nil, "bench", "--strokes", "30", "--size", "160x120", "--seconds", "2", "--profile", p,
			"--budget-ms", "0.001", "--naive-seconds", "1", "--json", js)
		if st != 0 {
			t.Fatalf("%s: status %d: %s", p, st, errs)
		}
		rep := readReport(t, js)
		if rep.Optimizer.Profile != p || len(rep.Optimizer.Changes) == 0 {
			t.Fatalf("%s: optimizer %+v", p, rep.Optimizer)
		}
		first[p] = rep.Optimizer.Changes[0].Frame
		naive := rep.Results[1]
		if aa := naive.Quality.AntiAlias; aa != (p != "conservative") {
			t.Errorf("%s: naive anti-aliasing %v", p, aa)
		}
		if p == "conservative" && rep.Optimizer.Changes[0].Knob == "antialias" {
			t.Errorf("conservative starts without anti-aliasing, yet its first change is %+v", rep.Optimizer.Changes[0])
		}
	}
	if first["aggressive"] >= first["conservative"] {
		t.Errorf("first change at frame %d (aggressive) and %d (conservative): aggressive should act sooner", first["aggressive"], first["conservative"])
	}
}

// A short soak loops the playback and reports the heap's slope.
func TestBenchSoakShort(t *testing.T) {
	js := filepath.Join(t.TempDir(), "soak.json")
	out, errs, st := renderCmd(t, nil, "bench", "--soak", "1s", "--strokes", "50", "--size", "160x120", "--seconds", "0.5", "--json", js)
	if st != 0 {
		t.Fatalf("status %d: %s\n%s", st, errs, out)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.SoakReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Loops < 1 || rep.Frames < rep.FramesPerLoop || len(rep.Samples) < 10 || !rep.NoGrowth || rep.Input.Strokes != 50 {
		t.Errorf("soak report: loops %d, frames %d, %d samples, no growth %v", rep.Loops, rep.Frames, len(rep.Samples), rep.NoGrowth)
	}
	if !strings.Contains(out, "slope") || !strings.Contains(out, "no heap growth") {
		t.Errorf("output:\n%s", out)
	}
}
