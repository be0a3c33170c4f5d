package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mbotdraw/app/config"
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

func readReport(t *testing.T, path string) benchReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep benchReport
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
	// The trace has one frame slice per incremental frame.
	data, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []struct {
			Name string `json:"name"`
			Ph   string `json:"ph"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &trace); err != nil {
		t.Fatalf("trace: %v", err)
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
	var got *config.Bench
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
