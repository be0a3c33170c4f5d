package perf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode"
)

// SuiteB is what a suite test's Run receives, like testing.B: run the
// operation b.N times; the runner picks N so that the run lasts about the
// bench time.
type SuiteB struct {
	// N is the number of operations to run.
	N int

	ctx        context.Context
	timerOn    bool
	start      time.Time
	elapsed    time.Duration
	items      float64
	bytes      int64
	metrics    []suiteMetric
	memStart   runtime.MemStats
	allocs     uint64
	allocBytes uint64
}

type suiteMetric struct {
	unit string
	v    float64
}

// Context is cancelled when the run is (Ctrl-C in `bench --suite`).
func (b *SuiteB) Context() context.Context { return b.ctx }

// ResetTimer zeroes the elapsed time and allocation counts (call it after
// set-up).
func (b *SuiteB) ResetTimer() {
	if b.timerOn {
		b.start = time.Now()
		runtime.ReadMemStats(&b.memStart)
	}
	b.elapsed, b.allocs, b.allocBytes = 0, 0, 0
}

// StartTimer resumes timing after StopTimer.
func (b *SuiteB) StartTimer() {
	if !b.timerOn {
		runtime.ReadMemStats(&b.memStart)
		b.start = time.Now()
		b.timerOn = true
	}
}

// StopTimer pauses timing (for per-iteration set-up that should not count).
func (b *SuiteB) StopTimer() {
	if b.timerOn {
		b.elapsed += time.Since(b.start)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		b.allocs += m.Mallocs - b.memStart.Mallocs
		b.allocBytes += m.TotalAlloc - b.memStart.TotalAlloc
		b.timerOn = false
	}
}

// SetItems says how many items one operation processes (messages, strokes,
// points); the rate, and MinRate, count items a second. Default 1: the rate
// is operations a second.
func (b *SuiteB) SetItems(n float64) { b.items = n }

// SetBytes records the bytes one operation processes; the result shows MB/s.
func (b *SuiteB) SetBytes(n int64) { b.bytes = n }

// ReportMetric adds a custom figure per run (e.g. 2.3 "p99-ms"); like
// testing.B, the unit must not contain spaces.
func (b *SuiteB) ReportMetric(v float64, unit string) {
	for i := range b.metrics {
		if b.metrics[i].unit == unit {
			b.metrics[i].v = v
			return
		}
	}
	b.metrics = append(b.metrics, suiteMetric{unit, v})
}

// SuiteTest is one benchmark of a suite, with its limits.
type SuiteTest struct {
	// Name is the test's name within its suite (no spaces or slashes).
	Name string
	// MaxDuration, if positive, is the most time one operation may take on
	// average.
	MaxDuration time.Duration
	// MinRate, if positive, is the fewest items (operations, unless the test
	// calls SetItems) a second the test must reach.
	MinRate float64
	// Run performs b.N operations; an error fails the test.
	Run func(b *SuiteB) error
}

// Suite is a named group of benchmarks: render, memory, websocket,
// robot-planning. The app registers them (perf cannot import the packages
// they measure) and `bench --suite NAME|all` runs them.
type Suite struct {
	Name  string
	Doc   string
	Tests []SuiteTest
}

// Suites is a registry of suites. The zero value is empty and ready to use;
// it is safe for concurrent use.
type Suites struct {
	mu sync.Mutex
	m  map[string]Suite
}

// validName reports whether s is a usable suite or test name: letters,
// digits, '-', '_' and '.'.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Register adds a suite. It fails when the name is empty, invalid, "all" or
// taken, or when a test lacks a name or a Run function or repeats a name.
func (r *Suites) Register(s Suite) error {
	if !validName(s.Name) || s.Name == "all" {
		return fmt.Errorf("suite name %q: must be letters, digits, '-', '_' or '.', and not \"all\"", s.Name)
	}
	if len(s.Tests) == 0 {
		return fmt.Errorf("suite %s: no tests", s.Name)
	}
	seen := map[string]bool{}
	for i, t := range s.Tests {
		switch {
		case !validName(t.Name):
			return fmt.Errorf("suite %s: test %d: name %q must be letters, digits, '-', '_' or '.'", s.Name, i, t.Name)
		case seen[t.Name]:
			return fmt.Errorf("suite %s: test %q registered twice", s.Name, t.Name)
		case t.Run == nil:
			return fmt.Errorf("suite %s: test %s: no Run function", s.Name, t.Name)
		}
		seen[t.Name] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]Suite{}
	}
	if _, dup := r.m[s.Name]; dup {
		return fmt.Errorf("suite %s registered twice", s.Name)
	}
	r.m[s.Name] = s
	return nil
}

// Names returns the registered suites' names, sorted.
func (r *Suites) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Select returns the suite called name, or every suite (sorted by name) for
// "all". An unknown name gets an error listing the valid ones.
func (r *Suites) Select(name string) ([]Suite, error) {
	names := r.Names()
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "all" {
		out := make([]Suite, 0, len(names))
		for _, n := range names {
			out = append(out, r.m[n])
		}
		return out, nil
	}
	if s, ok := r.m[name]; ok {
		return []Suite{s}, nil
	}
	return nil, fmt.Errorf("unknown suite %q (valid: %s)", name, strings.Join(append([]string{"all"}, names...), ", "))
}

// RunOptions configure RunSuites; each zero field means its default.
type RunOptions struct {
	// BenchTime is about how long each test runs (default 1 s).
	BenchTime time.Duration
	// Count runs each test this many times (default 1), each giving one
	// benchmark line, as `go test -count` does, for benchstat.
	Count int
}

// TestResult is the outcome of one test (its runs averaged).
type TestResult struct {
	Suite string `json:"suite"`
	Test  string `json:"test"`
	// Runs is the number of runs, N the operations of the last run.
	Runs int `json:"runs"`
	N    int `json:"n"`
	// NsPerOp and Rate (items a second) are means over the runs.
	NsPerOp     float64 `json:"ns_per_op"`
	Rate        float64 `json:"rate"`
	RateUnit    string  `json:"rate_unit"`
	BytesPerOp  float64 `json:"bytes_per_op"`
	AllocsPerOp float64 `json:"allocs_per_op"`
	MaxDuration float64 `json:"max_ms,omitempty"`
	MinRate     float64 `json:"min_rate,omitempty"`
	// Pass is false when a limit was missed or Run failed; Problem says how.
	Pass    bool   `json:"pass"`
	Problem string `json:"problem,omitempty"`
}

// SuiteReport is the outcome of a RunSuites call.
type SuiteReport struct {
	Results []TestResult `json:"results"`
	Failed  int          `json:"failed"`
}

// Err returns nil when every test passed, else one error line naming each
// failure.
func (r SuiteReport) Err() error {
	if r.Failed == 0 {
		return nil
	}
	var fails []string
	for _, t := range r.Results {
		if !t.Pass {
			fails = append(fails, t.Suite+"/"+t.Test+": "+t.Problem)
		}
	}
	return fmt.Errorf("%d of %d suite tests failed: %s", r.Failed, len(r.Results), strings.Join(fails, "; "))
}

// RunSuites runs every test of the suites, writing one Go benchmark line
// per run as it finishes (so the output compares with benchstat:
// "BenchmarkRender/incremental-2  1200  812345 ns/op  1231 ops/s  ...") and,
// at the end, a table with each test's limits and verdict. A missed limit
// fails the test, not the run: see SuiteReport.Err. The error is for a
// write failure or a cancelled context.
func RunSuites(ctx context.Context, w io.Writer, suites []Suite, o RunOptions) (SuiteReport, error) {
	if o.BenchTime <= 0 {
		o.BenchTime = time.Second
	}
	if o.Count <= 0 {
		o.Count = 1
	}
	var rep SuiteReport
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: mbotdraw/suites\n", runtime.GOOS, runtime.GOARCH)
	for _, s := range suites {
		for _, t := range s.Tests {
			res := TestResult{Suite: s.Name, Test: t.Name, Pass: true,
				MaxDuration: float64(t.MaxDuration) / 1e6, MinRate: t.MinRate}
			var nsSum, rateSum, bSum, aSum float64
			for run := 0; run < o.Count; run++ {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				b, err := runSuiteTest(ctx, t, o.BenchTime)
				if err != nil {
					res.Pass = false
					res.Problem = "error: " + err.Error()
					break
				}
				res.Runs++
				res.N = b.N
				ns := float64(b.elapsed) / float64(b.N)
				items := b.items
				if items <= 0 {
					items = 1
				}
				rate := items * float64(b.N) / max(b.elapsed.Seconds(), 1e-9)
				res.RateUnit = "ops/s"
				if b.items > 0 {
					res.RateUnit = "items/s"
				}
				nsSum, rateSum = nsSum+ns, rateSum+rate
				bSum += float64(b.allocBytes) / float64(b.N)
				aSum += float64(b.allocs) / float64(b.N)
				if err := writeBenchLine(w, s.Name, t.Name, b, ns, rate, res.RateUnit); err != nil {
					return rep, err
				}
			}
			if res.Runs > 0 {
				k := float64(res.Runs)
				res.NsPerOp, res.Rate, res.BytesPerOp, res.AllocsPerOp = nsSum/k, rateSum/k, bSum/k, aSum/k
			}
			if res.Pass {
				var probs []string
				if t.MaxDuration > 0 && res.NsPerOp > float64(t.MaxDuration) {
					probs = append(probs, fmt.Sprintf("%s/op > max %s", fmtDur(res.NsPerOp), t.MaxDuration))
				}
				if t.MinRate > 0 && res.Rate < t.MinRate {
					probs = append(probs, fmt.Sprintf("%.4g %s < min %.4g", res.Rate, res.RateUnit, t.MinRate))
				}
				if len(probs) > 0 {
					res.Pass, res.Problem = false, strings.Join(probs, ", ")
				}
			}
			if !res.Pass {
				rep.Failed++
			}
			rep.Results = append(rep.Results, res)
		}
	}
	return rep, writeSuiteTable(w, rep)
}

// runSuiteTest runs t with growing N until one run lasts at least d, as
// testing.B does.
func runSuiteTest(ctx context.Context, t SuiteTest, d time.Duration) (b *SuiteB, err error) {
	n := 1
	for {
		b = &SuiteB{N: n, ctx: ctx}
		runtime.GC()
		b.StartTimer()
		err = safeRun(t.Run, b)
		b.StopTimer()
		if err != nil {
			return nil, err
		}
		if b.elapsed >= d || n >= 1e9 || ctx.Err() != nil {
			return b, nil
		}
		per := max(b.elapsed/time.Duration(n), 1)
		next := int(1.2 * float64(d) / float64(per))
		n = min(max(next, n+1), 100*n, 1e9)
	}
}

// safeRun calls run, turning a panic into an error so that one broken test
// does not take the whole run down.
func safeRun(run func(*SuiteB) error, b *SuiteB) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	err = run(b)
	if err == nil && b.N <= 0 {
		err = errors.New("b.N must be positive")
	}
	return err
}

// BenchName returns the Go benchmark name of a suite test, e.g.
// BenchName("robot-planning", "100k strokes") = "BenchmarkRobotPlanning/100k_strokes".
func BenchName(suite, test string) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	up := true
	for _, r := range suite {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	b.WriteByte('/')
	b.WriteString(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, test))
	return b.String()
}

func writeBenchLine(w io.Writer, suite, test string, b *SuiteB, ns, rate float64, rateUnit string) error {
	line := fmt.Sprintf("%s-%d\t%8d\t%12.1f ns/op\t%12.2f %s", BenchName(suite, test), runtime.GOMAXPROCS(0), b.N, ns, rate, rateUnit)
	if b.bytes > 0 {
		line += fmt.Sprintf("\t%8.2f MB/s", float64(b.bytes)*float64(b.N)/1e6/max(b.elapsed.Seconds(), 1e-9))
	}
	for _, m := range b.metrics {
		line += fmt.Sprintf("\t%12.4g %s", m.v, m.unit)
	}
	line += fmt.Sprintf("\t%8d B/op\t%8d allocs/op\n", b.allocBytes/uint64(b.N), b.allocs/uint64(b.N))
	_, err := io.WriteString(w, line)
	return err
}

func writeSuiteTable(w io.Writer, rep SuiteReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nsuite\ttest\tN\ttime/op\trate\tB/op\tallocs/op\tlimits\tresult")
	for _, r := range rep.Results {
		var lim []string
		if r.MaxDuration > 0 {
			lim = append(lim, "≤"+fmtDur(r.MaxDuration*1e6)+"/op")
		}
		if r.MinRate > 0 {
			lim = append(lim, fmt.Sprintf("≥%.4g/s", r.MinRate))
		}
		if len(lim) == 0 {
			lim = append(lim, "-")
		}
		verdict := "ok"
		if !r.Pass {
			verdict = "FAIL: " + r.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.4g %s\t%.0f\t%.0f\t%s\t%s\n", r.Suite, r.Test, r.N, fmtDur(r.NsPerOp),
			r.Rate, r.RateUnit, r.BytesPerOp, r.AllocsPerOp, strings.Join(lim, " "), verdict)
	}
	if rep.Failed == 0 {
		fmt.Fprintf(tw, "all %d tests passed\n", len(rep.Results))
	} else {
		fmt.Fprintf(tw, "%d of %d tests FAILED\n", rep.Failed, len(rep.Results))
	}
	return tw.Flush()
}

// fmtDur formats nanoseconds as a rounded duration ("812.3µs").
func fmtDur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(100 * time.Nanosecond).String()
	}
	return d.String()
}

// PerfSuite returns the "perf" suite: the performance system's own hot
// paths (histogram record, profiler span, quantized point append), so that
// `bench --suite perf` shows what leaving it on costs.
func PerfSuite() Suite {
	return Suite{Name: "perf", Doc: "the performance system's own overhead", Tests: []SuiteTest{
		{Name: "histogram-record", MaxDuration: time.Microsecond, Run: func(b *SuiteB) error {
			var h Histogram
			for i := range b.N {
				h.Record(time.Duration(i & 0xfffff))
			}
			return nil
		}},
		{Name: "profiler-span", MaxDuration: time.Microsecond, Run: func(b *SuiteB) error {
			var p Profiler
			for range b.N {
				p.Start("span").Stop()
			}
			return nil
		}},
		{Name: "quantized-append", MinRate: 1e6, Run: func(b *SuiteB) error {
			var q QuantizedXY
			b.SetItems(1000)
			for range b.N {
				q.Reset()
				for i := range 1000 {
					if err := q.Append(float32(i%1920), float32(i%1080)); err != nil {
						return err
					}
				}
			}
			return nil
		}},
	}}
}
