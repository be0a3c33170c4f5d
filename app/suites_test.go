package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mbotdraw/perf"
)

// benchLine is a Go benchmark result line, as benchstat reads them:
// name-procs, iterations, then value-unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark[A-Za-z0-9]+/[A-Za-z0-9._-]+)-\d+\t *\d+\t *[0-9.]+ ns/op(\t *[0-9.e+-]+ \S+)+$`)

// Every suite runs (with a tiny bench time) and prints one benchmark line
// per test and a table; no test fails with an error (missed limits under a
// loaded machine are not this test's business: no timings are asserted).
func TestBenchSuiteAll(t *testing.T) {
	reg, err := benchSuites()
	if err != nil {
		t.Fatal(err)
	}
	want := suiteTestNames(reg)
	for _, s := range []string{"render", "memory", "websocket", "robot-planning", "perf"} {
		if !slices.Contains(reg.Names(), s) {
			t.Errorf("suite %s is not registered (have %v)", s, reg.Names())
		}
	}
	js := filepath.Join(t.TempDir(), "s.json")
	out, errs, st := renderCmd(t, nil, "bench", "--suite", "all", "--bench-time", "1ms", "--json", js)
	if st != 0 && !(st == 1 && strings.Contains(errs, "suite tests failed")) {
		t.Fatalf("status %d: %s", st, errs)
	}
	got := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a Go benchmark line: %q", line)
			continue
		}
		got[m[1]]++
	}
	for _, name := range want {
		suite, test, _ := strings.Cut(name, "/")
		if got[perf.BenchName(suite, test)] != 1 {
			t.Errorf("%s: %d benchmark lines, want 1", perf.BenchName(suite, test), got[perf.BenchName(suite, test)])
		}
	}
	if !strings.Contains(out, "suite") || !strings.Contains(out, "limits") {
		t.Errorf("no table:\n%s", out)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep perf.SuiteReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("report has %d results, want %d", len(rep.Results), len(want))
	}
	for _, r := range rep.Results {
		if strings.HasPrefix(r.Problem, "error") || r.Runs != 1 || r.N < 1 || !(r.NsPerOp > 0) || (r.MaxDuration == 0 && r.MinRate == 0) {
			t.Errorf("%s/%s: %+v", r.Suite, r.Test, r)
		}
	}
	// The quantized points take at most half the memory of float32 pairs.
	if !regexp.MustCompile(`BenchmarkMemory/quantize-points-10k-\d+\t.*\t +[0-3]\.\d+ B/point`).MatchString(out) {
		t.Errorf("quantized points: no B/point figure under 4 in:\n%s", out)
	}
}

// --count runs each test that many times, one benchmark line each.
func TestBenchSuiteCount(t *testing.T) {
	out, errs, st := renderCmd(t, nil, "bench", "--suite", "websocket", "--bench-time", "1ms", "--count", "3")
	if st != 0 && !(st == 1 && strings.Contains(errs, "suite tests failed")) {
		t.Fatalf("status %d: %s", st, errs)
	}
	if n := strings.Count(out, "BenchmarkWebsocket/ping-rtt-"); n != 3 {
		t.Errorf("%d ping-rtt lines, want 3:\n%s", n, out)
	}
	if strings.Contains(out, "Benchmark") && strings.Contains(out, "BenchmarkRender") {
		t.Errorf("--suite websocket ran other suites:\n%s", out)
	}
}
