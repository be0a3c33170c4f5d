package app

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mbotdraw/playback/format"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// robotCmd runs one command line with stdin and returns its streams and
// exit status.
func robotCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var o, e bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := &Env{Ctx: ctx, Stdin: strings.NewReader(stdin), Stdout: &o, Stderr: &e, Prog: "mbotdraw-headless"}
	status = Run(env, args)
	return o.String(), e.String(), status
}

// withSimHook sets simDialHook for the test.
func withSimHook(t *testing.T, hook func(v *link.Virtual, dial int)) {
	t.Helper()
	simDialHook = hook
	t.Cleanup(func() { simDialHook = nil })
}

const catFile = "../testdata/real/quickdraw/raw/cat.ndjson"

type logLine struct {
	TMs float64 `json:"t_ms"`
	Hex string  `json:"hex"`
}

func readLog(t *testing.T, path string) []logLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []logLine
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var l logLine
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("%s line %d: %v: %q", path, i+1, err, line)
		}
		out = append(out, l)
	}
	return out
}

// planFor plans a file the way plot does with its default flags.
func planFor(t *testing.T, file string) *robot.Plan {
	t.Helper()
	d, err := format.Load(file, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := robot.NewPlan(d, robot.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlotDryRunWritesThePlan(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "frames.jsonl")
	// The port does not exist: a dry run must not open it.
	out, errOut, st := robotCmd(t, "", "plot", catFile, "--robot", "serial:/dev/ttyNOSUCHMBOT", "--dry-run", "--log", logPath, "--verbose")
	if st != 0 {
		t.Fatalf("status %d: %s", st, errOut)
	}
	for _, want := range []string{"9 strokes", "pen down", "pen up", "% less", "estimated time"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	lines := readLog(t, logPath)
	if len(lines) < 100 {
		t.Fatalf("%d frames", len(lines))
	}
	prev := -1.0
	for i, l := range lines {
		b, err := hexBytes(l.Hex)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := mblock.Validate(b); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if l.TMs < prev {
			t.Fatalf("line %d: time %v before %v", i+1, l.TMs, prev)
		}
		prev = l.TMs
	}
	if r, _ := hexBytes(lines[0].Hex); mblock.Describe(r) != "run servo port=1 slot=1 angle=160" {
		t.Errorf("first frame %s, want the pen lifted", mblock.Describe(r))
	}
}

func hexBytes(s string) ([]byte, error) {
	var b []byte
	for i := 0; i+1 < len(s); i += 2 {
		var v byte
		for _, c := range s[i : i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			default:
				return nil, os.ErrInvalid
			}
		}
		b = append(b, v)
	}
	return b, nil
}

// traceCheck compares what the virtual robot drew with the plan: the mean
// distance of ink from the planned drawing, the ink farthest from it (ink
// outside the strokes), and planned points left without ink.
func traceCheck(t *testing.T, plan *robot.Plan, tr link.Trace) (mean, worst float64) {
	t.Helper()
	dist := func(x, y float64) float64 {
		best := math.Inf(1)
		for _, pa := range plan.Paths {
			xy := plan.XY[2*pa.Start : 2*pa.End]
			best = math.Min(best, math.Hypot(x-xy[0], y-xy[1]))
			for i := 2; i+1 < len(xy); i += 2 {
				best = math.Min(best, segDist(x, y, xy[i-2], xy[i-1], xy[i], xy[i+1]))
			}
		}
		return best
	}
	var sum float64
	n := 0
	ink := tr.Ink()
	for _, p := range ink {
		for _, q := range p.Points {
			d := dist(q.X, q.Y)
			sum += d
			worst = math.Max(worst, d)
			n++
		}
	}
	if n == 0 {
		t.Fatal("the robot drew nothing")
	}
	for pi, pa := range plan.Paths {
		for i := pa.Start; pa.Len() > 1 && i < pa.End; i++ {
			x, y := plan.Point(i)
			best := math.Inf(1)
			for _, p := range ink {
				for j := 1; j < len(p.Points); j++ {
					best = math.Min(best, segDist(x, y, p.Points[j-1].X, p.Points[j-1].Y, p.Points[j].X, p.Points[j].Y))
				}
			}
			if best > 0.5 {
				t.Fatalf("planned path %d point %d (%.1f, %.1f) got no ink (nearest %.2f mm)", pi, i-pa.Start, x, y, best)
			}
		}
	}
	if got, want := tr.Length(true), plan.Stats.PenDown; math.Abs(got-want) > 0.005*want+0.5 {
		t.Errorf("ink length %.1f mm, plan %.1f mm: drawn twice or skipped", got, want)
	}
	return sum / float64(n), worst
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	u := 0.0
	if l2 > 0 {
		u = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(px-ax-u*dx, py-ay-u*dy)
}

// End to end over a real pseudo-terminal: plot real Quick, Draw! drawings on
// the virtual mBot; its trace is the planned drawing, and it received the
// dry run's frames. Then again with the link cut halfway.
func TestPlotOnVirtualMBot(t *testing.T) {
	for _, file := range []string{catFile, "../testdata/real/quickdraw/raw/bicycle.ndjson"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			dir := t.TempDir()
			dry, run, cut := filepath.Join(dir, "dry.jsonl"), filepath.Join(dir, "run.jsonl"), filepath.Join(dir, "cut.jsonl")
			if _, e, st := robotCmd(t, "", "plot", file, "--dry-run", "--log", dry); st != 0 {
				t.Fatal(e)
			}
			plan := planFor(t, file)

			var v1 *link.Virtual
			withSimHook(t, func(v *link.Virtual, n int) { v1 = v })
			if _, e, st := robotCmd(t, "", "plot", file, "--robot", "sim", "--time-scale", "max", "--log", run); st != 0 {
				t.Fatalf("status %d: %s", st, e)
			}
			tr1 := v1.Trace()
			mean, worst := traceCheck(t, plan, tr1)
			t.Logf("uncut: ink %.1f mm, mean distance from the plan %.4f mm, worst %.4f mm", tr1.Length(true), mean, worst)
			if mean > 1 || worst > 0.1 {
				t.Errorf("mean %.3f mm (want ≤ 1), worst %.3f mm (want ≤ 0.1)", mean, worst)
			}
			a, b := mustRead(t, dry), mustRead(t, run)
			if !bytes.Equal(a, b) {
				t.Errorf("frames sent differ from the dry run's log")
			}
			// What the robot received, in order, is the dry run's frames.
			got := programFrames(v1.Frames())
			want := readLog(t, dry)
			if len(got) != len(want) {
				t.Fatalf("robot received %d frames, dry run planned %d", len(got), len(want))
			}
			for i := range want {
				wb, _ := hexBytes(want[i].Hex)
				if !bytes.Equal(got[i].Frame, wb) {
					t.Fatalf("frame %d: robot got % x (%s), planned % x (%s)", i, got[i].Frame, mblock.Describe(got[i].Frame), wb, mblock.Describe(wb))
				}
			}

			var v2 *link.Virtual
			half := len(want) / 2
			withSimHook(t, func(v *link.Virtual, n int) {
				v2 = v
				if n == 1 {
					v.FaultAfter(half, link.Vanish)
				}
			})
			_, e, st := robotCmd(t, "", "plot", file, "--robot", "sim", "--time-scale", "max", "--log", cut)
			if st != 0 {
				t.Fatalf("status %d: %s", st, e)
			}
			if !strings.Contains(e, "lost link") {
				t.Errorf("stderr never said the link was lost:\n%s", e)
			}
			tr2 := v2.Trace()
			mean2, worst2 := traceCheck(t, plan, tr2)
			t.Logf("cut at frame %d: ink %.1f mm, mean %.4f mm, worst %.4f mm", half, tr2.Length(true), mean2, worst2)
			if mean2 > 1 || worst2 > 0.1 {
				t.Errorf("after the cut: mean %.3f mm, worst %.3f mm", mean2, worst2)
			}
			if d := math.Abs(tr1.Length(true) - tr2.Length(true)); d > 0.5 {
				t.Errorf("ink differs by %.2f mm between the uncut and the cut run", d)
			}
		})
	}
}

// In (scaled) real time: plot a real Quick, Draw! drawing on the virtual
// mBot at --time-scale 50, over a real pseudo-terminal, the way a user
// tries it. The driver and the robot share a paced clock, so the robot runs
// 50 times faster yet sees every frame at the very robot time the driver
// meant: its trace is the plan's, and it received the dry run's frames, at
// the dry run's times. (A scaled clock multiplies the host's scheduling
// jitter by 50: the moves come out too long or too short.)
func TestPlotOnVirtualMBotInScaledTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about 1.5 s of real time")
	}
	dir := t.TempDir()
	dry, run := filepath.Join(dir, "dry.jsonl"), filepath.Join(dir, "run.jsonl")
	if _, e, st := robotCmd(t, "", "plot", catFile, "--dry-run", "--log", dry); st != 0 {
		t.Fatal(e)
	}
	var sim *link.Virtual
	withSimHook(t, func(v *link.Virtual, n int) { sim = v })
	start := time.Now()
	if _, e, st := robotCmd(t, "", "plot", catFile, "--robot", "sim", "--time-scale", "50", "--log", run); st != 0 {
		t.Fatalf("status %d: %s", st, e)
	}
	plan := planFor(t, catFile)
	mean, worst := traceCheck(t, plan, sim.Trace())
	t.Logf("K=50: %v of real time; ink %.1f mm, mean distance from the plan %.4f mm, worst %.4f mm",
		time.Since(start).Round(time.Millisecond), sim.Trace().Length(true), mean, worst)
	if mean > 1 || worst > 0.1 {
		t.Errorf("mean %.3f mm (want ≤ 1), worst %.3f mm (want ≤ 0.1)", mean, worst)
	}
	want, got := readLog(t, dry), programFrames(sim.Frames())
	if len(got) != len(want) {
		t.Fatalf("robot received %d frames, dry run planned %d", len(got), len(want))
	}
	for i := range want {
		wb, _ := hexBytes(want[i].Hex)
		gotMs := float64(got[i].T) / float64(time.Millisecond)
		if !bytes.Equal(got[i].Frame, wb) || math.Abs(gotMs-want[i].TMs) > 0.001 {
			t.Fatalf("frame %d: robot got % x at %.3f ms, planned % x at %.3f ms", i, got[i].Frame, gotMs, wb, want[i].TMs)
		}
	}
	if a, b := mustRead(t, dry), mustRead(t, run); !bytes.Equal(a, b) {
		t.Error("frames sent differ from the dry run's log")
	}
}

// programFrames returns the frames a virtual mBot received, less the
// version requests of the link's handshake.
func programFrames(fr []link.Received) []link.Received {
	var out []link.Received
	for _, f := range fr {
		if !link.HandshakeFrame(f.Frame) {
			out = append(out, f)
		}
	}
	return out
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	badCal := filepath.Join(dir, "cal.json")
	os.WriteFile(badCal, []byte(`{"speed_mm_s": -3}`), 0o644)
	empty := filepath.Join(dir, "empty.mbd.json")
	os.WriteFile(empty, []byte(`{"format":"mbotdraw","version":1,"width":10,"height":10,"strokes":[]}`), 0o644)
	logPath := filepath.Join(dir, "never.jsonl")
	tests := []struct {
		name   string
		args   []string
		status int
		want   []string
	}{
		{"unknown port", []string{"plot", catFile, "--robot", "serial:/dev/ttyNOSUCHMBOT"}, 1, []string{"/dev/ttyNOSUCHMBOT", "no such port"}},
		{"nonsense calibration", []string{"plot", catFile, "--robot", "sim", "--calibration", badCal}, 1, []string{"cal.json", "speed_mm_s", "-3"}},
		{"missing calibration", []string{"plot", catFile, "--dry-run", "--calibration", filepath.Join(dir, "nope.json")}, 1, []string{"nope.json"}},
		{"no robot", []string{"plot", catFile}, 2, []string{"--robot"}},
		{"bad paper", []string{"plot", catFile, "--dry-run", "--paper", "huge"}, 2, []string{"paper"}},
		{"time scale max on a real robot", []string{"plot", catFile, "--robot", "serial:/dev/ttyUSB0", "--time-scale", "max"}, 2, []string{"max"}},
		{"zero time scale", []string{"plot", catFile, "--robot", "sim", "--time-scale", "0"}, 2, []string{"time-scale"}},
		{"margin eats the paper", []string{"plot", catFile, "--dry-run", "--margin", "200"}, 1, []string{"margin"}},
		{"missing file", []string{"plot", filepath.Join(dir, "nope.ndjson"), "--dry-run"}, 1, []string{"nope.ndjson"}},
		{"empty drawing", []string{"plot", empty, "--dry-run", "--log", logPath}, 1, []string{"nothing to draw"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, e, st := robotCmd(t, "", tc.args...)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, e)
			}
			if strings.Count(e, "\n") != 1 || strings.Contains(e, "panic") {
				t.Errorf("want one line on stderr, got %q", e)
			}
			for _, w := range tc.want {
				if !strings.Contains(e, w) {
					t.Errorf("stderr %q lacks %q", e, w)
				}
			}
		})
	}
	if _, err := os.Stat(logPath); err == nil {
		t.Error("a failed plot left a log file")
	}
}

// Faults of the robot during a plot: each is survived, or ends in a clean
// one-line error, never a hang.
func TestPlotRobotFaults(t *testing.T) {
	plan := planFor(t, catFile)
	tests := []struct {
		name   string
		fault  link.Fault
		after  int
		args   []string
		status int
		want   string
	}{
		{"garbage around every reply", link.Garbage, 1, nil, 0, ""},
		{"the robot restarts (a brown-out)", link.Brownout, 300, []string{"--reconnect", "0"}, 0, "robot restarted"},
		{"ack never comes, robot comes back", link.Mute, 200, nil, 0, "lost link"},
		{"ack never comes, no reconnecting", link.Mute, 200, []string{"--reconnect", "0"}, 1, "stopped answering"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sim *link.Virtual
			withSimHook(t, func(v *link.Virtual, n int) {
				sim = v
				if n == 1 {
					v.FaultAfter(tc.after, tc.fault)
				}
			})
			start := time.Now()
			args := append([]string{"plot", catFile, "--robot", "sim", "--time-scale", "max"}, tc.args...)
			_, e, st := robotCmd(t, "", args...)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, e)
			}
			if !strings.Contains(e, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, e)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("took %v", el)
			}
			if st == 0 {
				if mean, worst := traceCheck(t, plan, sim.Trace()); mean > 1 || worst > 0.1 {
					t.Errorf("mean %.3f, worst %.3f mm", mean, worst)
				}
				if sim.PenDown() {
					t.Error("pen left down")
				}
			}
		})
	}
}

// A serial port that vanishes mid-plot and stays away: plot gives up after
// --reconnect with one clear line.
func TestPlotPortVanishes(t *testing.T) {
	cal := robot.DefaultCalibration()
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), TimeScale: 100})
	defer v.Close()
	port := filepath.Join(t.TempDir(), "ttyMBOT")
	if _, err := v.StartPTY(port); err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	go func() {
		for len(v.Frames()) < 50 {
			time.Sleep(2 * time.Millisecond)
		}
		v.Vanish()
	}()
	start := time.Now()
	_, e, st := robotCmd(t, "", "plot", catFile, "--robot", "serial:"+port, "--time-scale", "100", "--reconnect", "500ms")
	if st != 1 || !strings.Contains(e, "lost") || !strings.Contains(e, port) {
		t.Fatalf("status %d: %q", st, e)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v to give up", el)
	}
}

func TestCalibrate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "cal.json")
	var sim *link.Virtual
	withSimHook(t, func(v *link.Virtual, n int) { sim = v })
	// Enter, "180" mm measured, Enter, "400" degrees turned.
	stdout, e, st := robotCmd(t, "\n180\n\n400°\n", "calibrate", "--robot", "sim", "--time-scale", "max", "-o", out)
	if st != 0 {
		t.Fatalf("status %d: %s\n%s", st, e, stdout)
	}
	got, err := robot.LoadCalibration(out)
	if err != nil {
		t.Fatal(err)
	}
	def := robot.DefaultCalibration()
	if math.Abs(got.Speed-def.Speed*0.9) > 1e-9 || math.Abs(got.TurnRate-def.TurnRate*400/360) > 1e-9 {
		t.Errorf("saved speed %g, turn rate %g; want %g, %g", got.Speed, got.TurnRate, def.Speed*0.9, def.TurnRate*400/360)
	}
	// The robot drew the 200 mm test line.
	if l := sim.Trace().Length(true); math.Abs(l-200) > 0.1 {
		t.Errorf("test line %.2f mm long, want 200", l)
	}
	if sim.PenDown() {
		t.Error("pen left down")
	}
	// A user who stops answering: a clear error and no file.
	out2 := filepath.Join(dir, "cal2.json")
	_, e, st = robotCmd(t, "\n", "calibrate", "--robot", "sim", "--time-scale", "max", "-o", out2)
	if st != 1 || !strings.Contains(e, "standard input ended") {
		t.Errorf("status %d: %q", st, e)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("an abandoned calibration saved a file")
	}
	// Nonsense answers are asked again, then refused.
	_, e, st = robotCmd(t, "\nabc\n-5\n99999\n", "calibrate", "--robot", "sim", "--time-scale", "max", "-o", out2)
	if st != 1 || !strings.Contains(e, "three tries") {
		t.Errorf("status %d: %q", st, e)
	}
}

func TestPorts(t *testing.T) {
	out, e, st := robotCmd(t, "", "ports")
	if st != 0 {
		t.Fatalf("status %d: %s", st, e)
	}
	if strings.TrimSpace(out) == "" {
		t.Error("no output")
	}
	if _, _, st := robotCmd(t, "", "ports", "extra"); st != 2 {
		t.Errorf("ports with an argument: status %d, want 2", st)
	}
}
