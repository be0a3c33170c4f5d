package perf

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSuitesRegistry(t *testing.T) {
	var r Suites
	ok := func(b *SuiteB) error { return nil }
	if err := r.Register(Suite{Name: "render", Tests: []SuiteTest{{Name: "incremental", Run: ok}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(PerfSuite()); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		s    Suite
		want string
	}{
		{Suite{Name: "render", Tests: []SuiteTest{{Name: "x", Run: ok}}}, "registered twice"},
		{Suite{Name: "all", Tests: []SuiteTest{{Name: "x", Run: ok}}}, `not "all"`},
		{Suite{Name: "two words", Tests: []SuiteTest{{Name: "x", Run: ok}}}, "must be letters"},
		{Suite{Name: "empty"}, "no tests"},
		{Suite{Name: "norun", Tests: []SuiteTest{{Name: "x"}}}, "no Run function"},
		{Suite{Name: "dup", Tests: []SuiteTest{{Name: "x", Run: ok}, {Name: "x", Run: ok}}}, `test "x" registered twice`},
		{Suite{Name: "slash", Tests: []SuiteTest{{Name: "a/b", Run: ok}}}, "must be letters"},
	}
	for _, c := range bad {
		if err := r.Register(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%q): %v, want %q", c.s.Name, err, c.want)
		}
	}
	if got := strings.Join(r.Names(), ","); got != "perf,render" {
		t.Errorf("Names = %s", got)
	}
	all, err := r.Select("all")
	if err != nil || len(all) != 2 || all[0].Name != "perf" {
		t.Errorf("Select(all) = %v, %v", all, err)
	}
	if s, err := r.Select("render"); err != nil || len(s) != 1 || s[0].Name != "render" {
		t.Errorf("Select(render) = %v, %v", s, err)
	}
	if _, err := r.Select("gpu"); err == nil || err.Error() != `unknown suite "gpu" (valid: all, perf, render)` {
		t.Errorf("Select(gpu): %v", err)
	}
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+)-\d+\s+(\d+)\s+([\d.]+) ns/op\s+([\d.]+) (ops|items)/s.*\s(\d+) B/op\s+(\d+) allocs/op$`)

// The runner prints Go benchmark lines benchstat reads, a table, and fails
// the tests that miss their limits.
func TestRunSuites(t *testing.T) {
	sleepy := func(b *SuiteB) error {
		for range b.N {
			time.Sleep(200 * time.Microsecond)
		}
		return nil
	}
	s := Suite{Name: "robot-planning", Tests: []SuiteTest{
		{Name: "fast", MaxDuration: time.Second, MinRate: 1, Run: func(b *SuiteB) error {
			b.SetItems(10)
			b.ReportMetric(1.5, "p99-ms")
			var h Histogram
			for i := range b.N {
				h.Record(time.Duration(i))
			}
			return nil
		}},
		{Name: "too-slow", MaxDuration: 10 * time.Microsecond, Run: sleepy},
		{Name: "too-few", MinRate: 1e9, Run: sleepy},
		{Name: "broken", Run: func(*SuiteB) error { return errors.New("no robot") }},
		{Name: "panics", Run: func(*SuiteB) error { panic("boom") }},
	}}
	var out bytes.Buffer
	rep, err := RunSuites(context.Background(), &out, []Suite{s}, RunOptions{BenchTime: 20 * time.Millisecond, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			if !benchLine.MatchString(l) {
				t.Errorf("not a Go benchmark line: %q", l)
			}
			lines = append(lines, l)
		}
	}
	// Two runs each of the three tests that ran.
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "BenchmarkRobotPlanning/fast-") || !strings.Contains(lines[0], "items/s") || !strings.Contains(lines[0], "1.5 p99-ms") {
		t.Errorf("benchmark lines:\n%s", strings.Join(lines, "\n"))
	}
	if rep.Failed != 4 || len(rep.Results) != 5 {
		t.Fatalf("failed %d of %d:\n%s", rep.Failed, len(rep.Results), text)
	}
	r := rep.Results
	if !r[0].Pass || r[0].Runs != 2 || r[0].N < 2 || r[0].Rate <= 0 {
		t.Errorf("fast: %+v", r[0])
	}
	for i, want := range []string{"/op > max 10µs", "ops/s < min 1e+09", "error: no robot", "error: panic: boom"} {
		if p := r[i+1].Problem; !strings.Contains(p, want) {
			t.Errorf("%s: problem %q, want %q", r[i+1].Test, p, want)
		}
	}
	if !strings.Contains(text, "4 of 5 tests FAILED") || !strings.Contains(text, "FAIL: error: no robot") {
		t.Errorf("table:\n%s", text)
	}
	if err := rep.Err(); err == nil || !strings.HasPrefix(err.Error(), "4 of 5 suite tests failed: robot-planning/too-slow: ") {
		t.Errorf("Err = %v", err)
	}
}

func TestRunSuitesSelfTestAndCancel(t *testing.T) {
	var out bytes.Buffer
	rep, err := RunSuites(context.Background(), &out, []Suite{PerfSuite()}, RunOptions{BenchTime: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Whether the limits are met depends on the machine; that all three ran
	// and reported does not.
	if len(rep.Results) != 3 || strings.Count(out.String(), "BenchmarkPerf/") != 3 {
		t.Errorf("perf suite: %+v\n%s", rep.Results, out.String())
	}
	for _, r := range rep.Results {
		if r.Runs != 1 || r.NsPerOp <= 0 || strings.HasPrefix(r.Problem, "error") {
			t.Errorf("%s: %+v", r.Test, r)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunSuites(ctx, &out, []Suite{PerfSuite()}, RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}

func TestBenchName(t *testing.T) {
	for _, c := range [][3]string{
		{"render", "incremental", "BenchmarkRender/incremental"},
		{"robot-planning", "100k strokes", "BenchmarkRobotPlanning/100k_strokes"},
		{"websocket", "load", "BenchmarkWebsocket/load"},
	} {
		if got := BenchName(c[0], c[1]); got != c[2] {
			t.Errorf("BenchName(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
