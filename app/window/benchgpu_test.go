package window

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// `mbotdraw bench --backend gpu` runs the Ebiten path in its own process
// (RunGame may run once per process, and this test binary's loop is taken):
// build the window program, run a short GPU benchmark under this X server,
// and read its report.
func TestBenchGPUBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the window program")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mbotdraw")
	if out, err := exec.Command("go", "build", "-o", bin, "mbotdraw").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	report := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "bench", "--backend", "gpu", "--strokes", "200",
		"--seconds", "0.5", "--size", "640x360", "--json", report)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bench --backend gpu: %v\n%s", err, out)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Backend string `json:"backend"`
		Frames  int    `json:"frames"`
		Results []struct {
			Strategy       string `json:"strategy"`
			FramesMeasured int    `json:"frames_measured"`
			FrameMS        struct {
				P50, Max float64
			} `json:"frame_ms"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	if r.Backend != "gpu" || len(r.Results) != 2 {
		t.Fatalf("report backend %q with %d results; want gpu with naive and incremental", r.Backend, len(r.Results))
	}
	for _, res := range r.Results {
		if res.FramesMeasured != r.Frames || res.FrameMS.P50 <= 0 || res.FrameMS.Max < res.FrameMS.P50 {
			t.Errorf("%s: %d of %d frames measured, p50 %.3f ms, max %.3f ms", res.Strategy, res.FramesMeasured, r.Frames, res.FrameMS.P50, res.FrameMS.Max)
		}
	}
}
