package app

import (
	"bytes"
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/playback/format"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// tricolourCat writes the cat with its strokes red, blue, green, red, …
// (interleaved) to a drawing file and returns its path.
func tricolourCat(t *testing.T) string {
	t.Helper()
	d, err := format.Load(catFile, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := []color.RGBA{{0xe5, 0x39, 0x35, 0xff}, {0x1e, 0x88, 0xe5, 0xff}, {0x43, 0xa0, 0x47, 0xff}}
	for i := range d.Strokes {
		d.Strokes[i].Color = cs[i%3]
	}
	path := filepath.Join(t.TempDir(), "cat3.json")
	if err := format.Save(path, d); err != nil {
		t.Fatal(err)
	}
	return path
}

// plot --pens on the virtual mBot, with stdin giving the newlines: it asks
// for each pen in turn, the robot's trace is the plan's and it received
// the dry run's frames.
func TestPlotPensOnVirtualMBot(t *testing.T) {
	file := tricolourCat(t)
	dir := t.TempDir()
	dry, run := filepath.Join(dir, "dry.jsonl"), filepath.Join(dir, "run.jsonl")
	out, e, st := robotCmd(t, "", "plot", file, "--pens", "--dry-run", "--log", dry)
	if st != 0 {
		t.Fatal(e)
	}
	if !strings.Contains(out, "pens 3: red (#e53935), then blue (#1e88e5), then green (#43a047); start with the red pen") {
		t.Errorf("summary lacks the pens:\n%s", out)
	}
	var sim *link.Virtual
	withSimHook(t, func(v *link.Virtual, n int) { sim = v })
	_, e, st = robotCmd(t, "\n\n", "plot", file, "--pens", "--robot", "sim", "--time-scale", "max", "--log", run)
	if st != 0 {
		t.Fatalf("status %d: %s", st, e)
	}
	i := strings.Index(e, "Put the blue pen (#1e88e5) in, then press Enter")
	j := strings.Index(e, "Put the green pen (#43a047) in, then press Enter")
	if i < 0 || j < i || strings.Count(e, "Put the") != 2 {
		t.Errorf("pen changes not asked for in order:\n%s", e)
	}
	d, err := format.Load(file, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := robot.NewPlan(d, robot.PlanOptions{TwoOpt: true, ByColour: true})
	if err != nil {
		t.Fatal(err)
	}
	mean, worst := traceCheck(t, plan, sim.Trace())
	t.Logf("by colour: ink %.1f mm, mean distance from the plan %.4f mm, worst %.4f mm", sim.Trace().Length(true), mean, worst)
	if mean > 1 || worst > 0.1 {
		t.Errorf("mean %.3f mm (want ≤ 1), worst %.3f mm (want ≤ 0.1)", mean, worst)
	}
	if a, b := mustRead(t, dry), mustRead(t, run); !bytes.Equal(a, b) {
		t.Error("frames sent differ from the dry run's log")
	}
	if sim.PenDown() {
		t.Error("pen left down")
	}
}

// stdin ends before the last pen change: the plot stops there, pen lifted,
// with an error saying which pen it waited for (no hang).
func TestPlotPensStdinEnds(t *testing.T) {
	file := tricolourCat(t)
	var sim *link.Virtual
	withSimHook(t, func(v *link.Virtual, n int) { sim = v })
	_, e, st := robotCmd(t, "\n", "plot", file, "--pens", "--robot", "sim", "--time-scale", "max")
	if st != 1 || !strings.Contains(e, "stdin ended while waiting for the green pen (#43a047)") {
		t.Fatalf("status %d: %s", st, e)
	}
	if sim.PenDown() {
		t.Error("pen left down")
	}
	if _, e, st := robotCmd(t, "", "plot", file, "--pens", "--robot", "ws://127.0.0.1:1/robot"); st != 2 || !strings.Contains(e, "--pens") {
		t.Errorf("--pens with a bridge: status %d: %s", st, e)
	}
}
