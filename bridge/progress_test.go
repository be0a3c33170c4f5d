package bridge

import (
	"image/color"
	"strings"
	"testing"

	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
	"mbotdraw/robot"
)

// zigzagProgram is a program of three strokes whose drives reverse, so
// that it has waits (rests between reversals) among its motions.
func zigzagProgram(t *testing.T) *robot.Program {
	t.Helper()
	d := playback.NewDrawing(300, 200)
	for i := range 3 {
		d.BeginStroke(color.RGBA{0, 0, 0, 255}, 2)
		y := float32(40 + 60*i)
		for k := range 5 {
			d.AddPoint(float32(20+60*k), y+float32(20*(k%2)), 0)
		}
	}
	d.AssignTimes(0, -1)
	plan, err := robot.NewPlan(d, robot.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := robot.Compile(plan, robot.DefaultCalibration(), robot.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestJobProgressFollowsTheProgram: a bridge's report of k moves done
// reads as the motion move k came from done (waits are not sent), with
// that motion's pose, paths, strokes and times; and the bridge's states
// read as the driver's.
func TestJobProgressFollowsTheProgram(t *testing.T) {
	prog := zigzagProgram(t)
	moves := Moves(prog.Motions)
	waits := len(prog.Motions) - len(moves)
	if waits == 0 {
		t.Fatal("the program has no waits: fix the test")
	}
	progress := JobProgress(prog)

	// Every move done lands on a motion of the same kind, in order, and
	// the count of motions done never goes back.
	prev := 0
	for k := 1; k <= len(moves); k++ {
		p := progress(JobReport{Done: k, Total: len(moves), State: wire.StateDrawing})
		if p.MotionsDone <= prev || p.MotionsDone > len(prog.Motions) {
			t.Fatalf("move %d: %d motions done after %d", k, p.MotionsDone, prev)
		}
		m := prog.Motions[p.MotionsDone-1]
		if got := Moves([]robot.Motion{m}); len(got) != 1 || got[0] != moves[k-1] {
			t.Fatalf("move %d (%v) reads as motion %d (%v)", k, moves[k-1], p.MotionsDone-1, m.Kind)
		}
		if p.Pose != m.Pose || p.Elapsed != m.End() || p.PathsDone != m.PathsDone || p.Left != prog.Duration-m.End() || p.LeftWall != p.Left {
			t.Fatalf("move %d: progress %+v does not match motion %+v", k, p, m)
		}
		if p.State != robot.StateDrawing || p.Paths != len(prog.Plan.Paths) || p.Strokes != 3 {
			t.Fatalf("move %d: state %v, %d paths, %d strokes", k, p.State, p.Paths, p.Strokes)
		}
		prev = p.MotionsDone
	}

	cases := []struct {
		name      string
		report    JobReport
		state     robot.State
		done      int    // motions done
		errSaying string // "": no error
	}{
		{"waiting its turn", JobReport{Place: 2, State: wire.StateDrawing}, robot.StateConnecting, 0, ""},
		{"first move", JobReport{Done: 1, State: wire.StateDrawing}, robot.StateDrawing, 1, ""},
		{"paused", JobReport{Done: 3, State: wire.StatePaused}, robot.StatePaused, -1, ""},
		{"robot lost", JobReport{Done: 3, State: wire.StateLost, Reconnects: 2}, robot.StateLostLink, -1, "lost its robot"},
		{"done", JobReport{Done: len(moves), State: "done", Finished: true}, robot.StateDone, len(prog.Motions), ""},
		{"cancelled", JobReport{Done: 3, State: "cancelled", Finished: true}, robot.StateStopped, -1, "cancelled"},
	}
	for _, c := range cases {
		p := progress(c.report)
		if p.State != c.state {
			t.Errorf("%s: state %v, want %v", c.name, p.State, c.state)
		}
		if c.done >= 0 && p.MotionsDone != c.done {
			t.Errorf("%s: %d motions done, want %d", c.name, p.MotionsDone, c.done)
		}
		if p.Ahead != c.report.Place {
			t.Errorf("%s: %d drawings ahead, want %d", c.name, p.Ahead, c.report.Place)
		}
		if p.Reconnects != c.report.Reconnects || p.Motions != len(prog.Motions) {
			t.Errorf("%s: %d reconnects of %d motions, want %d of %d", c.name, p.Reconnects, p.Motions, c.report.Reconnects, len(prog.Motions))
		}
		switch {
		case c.errSaying == "" && p.Err != nil:
			t.Errorf("%s: error %v", c.name, p.Err)
		case c.errSaying != "" && (p.Err == nil || !strings.Contains(p.Err.Error(), c.errSaying)):
			t.Errorf("%s: error %v, want one saying %q", c.name, p.Err, c.errSaying)
		}
	}
	if p := progress(JobReport{}); p.Pose != prog.Home || p.Left != prog.Duration || p.Percent != 0 {
		t.Errorf("before any move: pose %+v, %v left, %.1f%%; want home, %v, 0%%", p.Pose, p.Left, p.Percent, prog.Duration)
	}
	if p := progress(JobReport{Done: len(moves), State: "done", Finished: true}); p.Percent != 100 || p.Left != 0 ||
		p.StrokesDone != 3 || p.PathsDone != len(prog.Plan.Paths) {
		t.Errorf("at the end: %.1f%%, %v left, %d strokes and %d paths done", p.Percent, p.Left, p.StrokesDone, p.PathsDone)
	}
}
