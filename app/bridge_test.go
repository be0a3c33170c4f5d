package app

import (
	"bytes"
	"context"
	"image/color"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mbotdraw/bridge"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
	"mbotdraw/robot"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestBridgeRefusesTheNetworkWithoutToken(t *testing.T) {
	var out, errb syncBuffer
	env := &Env{Stdout: &out, Stderr: &errb}
	for _, addr := range []string{"0.0.0.0:8765", ":8765", "192.168.1.2:8765"} {
		code := Run(env, []string{"bridge", "--robot", "sim", "--listen", addr})
		if code != 2 || !strings.Contains(errb.String(), "--token") {
			t.Errorf("bridge --listen %s: exit %d, stderr %q; want 2 and a word about --token", addr, code, errb.String())
		}
	}
	if code := Run(env, []string{"bridge", "--listen", "127.0.0.1:0"}); code != 2 {
		t.Errorf("bridge without --robot: exit %d, want 2", code)
	}
}

// tinyProgram compiles a drawing of two strokes for the default robot.
func tinyProgram(t *testing.T) *robot.Program {
	t.Helper()
	d := playback.NewDrawing(100, 100)
	d.BeginStroke(color.RGBA{A: 255}, 2)
	d.AddPoint(10, 10, 0)
	d.AddPoint(90, 10, 100)
	d.AddPoint(90, 90, 200)
	d.BeginStroke(color.RGBA{A: 255}, 2)
	d.AddPoint(10, 90, 300)
	d.AddPoint(50, 50, 400)
	plan, err := robot.NewPlan(d, robot.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := robot.Compile(plan, robot.Calibration{}, robot.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func TestBridgeCommandServesTheVirtualRobot(t *testing.T) {
	url, stop := startBridgeCommand(t)
	ctx := context.Background()
	prog := tinyProgram(t)
	var last robot.Progress
	rc, err := openRobot(url, robot.DefaultCalibration(), robot.Pose{}, 1, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	err = rc.Plotter(prog, robot.DriverOptions{OnProgress: func(p robot.Progress) { last = p }}).Run(ctx)
	if err != nil {
		t.Fatalf("plot via the bridge: %v", err)
	}
	if last.State != robot.StateDone || last.MotionsDone != len(prog.Motions) || last.Percent < 99.9 || last.StrokesDone != 2 {
		t.Errorf("last progress %+v; want done, all %d motions, 2 strokes", last, len(prog.Motions))
	}
	if code, stdout, stderr := stop(); code != 0 || !strings.Contains(stdout, "stopped") {
		t.Errorf("bridge exited %d after Ctrl-C; stdout %q (want a closing summary), stderr %q", code, stdout, stderr)
	}
}

// A teacher's laptop plots through the classroom bridge: `plot FILE --robot
// ws://…/robot` streams the same moves the plan makes, and exits 0 when the
// bridge's robot has drawn them all.
func TestPlotCommandDrawsThroughTheBridge(t *testing.T) {
	rec := &bridge.Recorder{}
	s := bridge.New(rec, bridge.Options{})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer s.Shutdown(context.Background())
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/robot"
	file := "../testdata/real/quickdraw/raw/star.ndjson"

	var out, errb syncBuffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errb}
	if code := Run(env, []string{"plot", file, "--robot", url}); code != 0 {
		t.Fatalf("plot via the bridge exited %d; stderr %q", code, errb.String())
	}
	d, err := format.Load(file, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := robot.NewPlan(d, robot.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := robot.Compile(plan, robot.DefaultCalibration(), robot.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Made(), bridge.Moves(prog.Motions); !reflect.DeepEqual(got, want) {
		t.Errorf("the bridge's robot made %d moves, want the plan's %d", len(got), len(want))
	}
}

// startBridgeCommand runs `bridge --robot sim` and returns its robot URL,
// and stop, which presses Ctrl-C and returns the bridge's exit status and
// output (the test's end stops it too).
func startBridgeCommand(t *testing.T) (string, func() (int, string, string)) {
	t.Helper()
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	env := &Env{Ctx: ctx, Stdout: &out, Stderr: &errb}
	done := make(chan int, 1)
	go func() {
		done <- Run(env, []string{"bridge", "--robot", "sim", "--time-scale", "max", "--listen", "127.0.0.1:0"})
	}()
	code, stopped := -1, false
	stop := func() (int, string, string) {
		cancel()
		if !stopped {
			stopped = true
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Error("the bridge did not stop")
			}
		}
		return code, out.String(), errb.String()
	}
	t.Cleanup(func() { stop() })
	re := regexp.MustCompile(`ws://127\.0\.0\.1:\d+/robot`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if url := re.FindString(out.String()); url != "" {
			return url, stop
		}
	}
	t.Fatalf("the bridge never said where it listens; stdout %q, stderr %q", out.String(), errb.String())
	return "", stop
}

// calibrate through a classroom bridge would measure the bridge's robot
// against this computer's calibration: it is refused in one plain sentence
// that says where to calibrate instead, and nothing moves or is saved.
// plot --log through a bridge (which gets moves, not frames) is refused the
// same way.
func TestRobotCommandsABridgeCannotServe(t *testing.T) {
	url, _ := startBridgeCommand(t)
	out := filepath.Join(t.TempDir(), "cal.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"calibrate", "--robot", url, "-o", out}, "calibrate on the computer the robot is plugged into"},
		{[]string{"plot", "../testdata/real/quickdraw/raw/star.ndjson", "--robot", url, "--log", out}, "moves, not frames"},
	} {
		stdout, e, st := robotCmd(t, "\n200\n\n360\n", tc.args...)
		if st != 2 || !strings.Contains(e, tc.want) || strings.Count(strings.TrimSpace(e), "\n") > 0 {
			t.Errorf("%s: status %d, stderr %q; want 2 and one line saying %q", tc.args[0], st, e, tc.want)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q; want nothing (nothing drawn)", tc.args[0], stdout)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: wrote %s", tc.args[0], out)
		}
	}
	// The bridge still serves a plot.
	if _, e, st := robotCmd(t, "", "plot", "../testdata/real/quickdraw/raw/star.ndjson", "--robot", url); st != 0 {
		t.Errorf("plot through the bridge after the refusals: status %d, %q", st, e)
	}
}
