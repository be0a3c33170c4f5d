package robot

import (
	"math"
	"testing"
	"time"

	"mbotdraw/playback"
	"mbotdraw/robot/mblock"
)

// replay integrates a differential-drive robot from the frames alone, as an
// independent check of the motion model: wheel speed proportional to PWM
// (cal.Speed at cal.PWM), wheels EffectiveTrack apart, pen down while the
// servo is at cal.PenDown. It returns the ink and the final pose.
func replay(t *testing.T, frames []TimedFrame, cal Calibration, start Pose) ([]inkSeg, Pose) {
	t.Helper()
	wiring := mblock.Wiring{InvertLeft: cal.InvertLeft, InvertRight: cal.InvertRight}
	track := cal.EffectiveTrack()
	pose := start
	var vl, vr float64
	pen := false
	var ink []inkSeg
	now := time.Duration(0)
	advance := func(to time.Duration) {
		dt := (to - now).Seconds()
		now = to
		if dt <= 0 || (vl == 0 && vr == 0) {
			return
		}
		// Small steps: exact enough for straight runs and spins.
		n := int(math.Ceil(dt / 0.001))
		h := dt / float64(n)
		for i := 0; i < n; i++ {
			x0, y0 := pose.X, pose.Y
			v := (vl + vr) / 2
			w := (vl - vr) / track // rad/s, clockwise positive
			th := pose.Heading*math.Pi/180 + w*h/2
			pose.X += v * h * math.Cos(th)
			pose.Y += v * h * math.Sin(th)
			pose.Heading += w * h * 180 / math.Pi
			if pen && (pose.X != x0 || pose.Y != y0) {
				ink = append(ink, inkSeg{x0, y0, pose.X, pose.Y})
			}
		}
	}
	for _, f := range frames {
		advance(f.T)
		r, err := mblock.ParseRequest(f.Bytes)
		if err != nil {
			t.Fatalf("frame at %v: %v", f.T, err)
		}
		switch {
		case r.Action == mblock.ActionStart:
			// keep-alive
		case r.Device == mblock.DevJoystick:
			l, rr := wiring.Wheels(int(r.Int16(0)), int(r.Int16(2)))
			vl, vr = cal.Speed*float64(l)/float64(cal.PWM), cal.Speed*float64(rr)/float64(cal.PWM)
		case r.Device == mblock.DevServo:
			if int(r.Arg(0)) != cal.ServoPort || int(r.Arg(1)) != cal.ServoSlot {
				t.Fatalf("servo frame for port %d slot %d", r.Arg(0), r.Arg(1))
			}
			pen = int(r.Arg(2)) == cal.PenDown
		default:
			t.Fatalf("unexpected frame %s", mblock.Describe(f.Bytes))
		}
	}
	if vl != 0 || vr != 0 {
		t.Fatalf("motors still running at the end: %g, %g mm/s", vl, vr)
	}
	if pen {
		t.Fatal("pen still down at the end")
	}
	pose.Heading = normDeg(pose.Heading)
	return ink, pose
}

func compileDrawing(t *testing.T, d *playback.Drawing, po PlanOptions, cal Calibration) *Program {
	t.Helper()
	p, err := NewPlan(d, po)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(p, cal, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// The frames, integrated by an independent model, draw the plan: every bit
// of ink lies on a planned path and every planned point gets ink.
func TestFramesDrawThePlan(t *testing.T) {
	star := drawingOf(100, 100,
		[]float32{50, 0, 61, 35, 98, 35, 68, 57, 79, 91, 50, 70, 21, 91, 32, 57, 2, 35, 39, 35, 50, 0},
		[]float32{10, 10, 30, 12}, // a stroke that needs a reverse turn
		[]float32{90, 90},         // a dot
	)
	cals := map[string]Calibration{
		"default":  DefaultCalibration(),
		"no ramps": func() Calibration { c := DefaultCalibration(); c.Ramp, c.Rest = 0, 0; return c }(),
		"inverted left, fast": func() Calibration {
			c := DefaultCalibration()
			c.InvertLeft, c.Speed, c.TurnRate, c.PWM, c.TurnPWM = true, 250, 300, 200, 150
			return c
		}(),
	}
	for name, cal := range cals {
		t.Run(name, func(t *testing.T) {
			prog := compileDrawing(t, star, PlanOptions{}, cal)
			ink, end := replay(t, prog.Frames, cal, prog.Home)
			want := prog.PoseBefore(len(prog.Motions))
			if math.Hypot(end.X-want.X, end.Y-want.Y) > 0.05 || math.Abs(normDeg(end.Heading-want.Heading)) > 0.05 {
				t.Errorf("replayed end pose %+v, model says %+v", end, want)
			}
			plan := prog.Plan
			for _, s := range ink {
				for _, q := range [][2]float64{{s.x0, s.y0}, {s.x1, s.y1}} {
					if d := distToPlan(plan, q[0], q[1]); d > 0.05 {
						t.Fatalf("ink at (%.2f, %.2f) is %.2f mm off the plan", q[0], q[1], d)
					}
				}
			}
			for pi, pa := range plan.Paths {
				for i := pa.Start; i < pa.End; i++ {
					x, y := plan.Point(i)
					if pa.Len() == 1 {
						continue // a dot leaves no moving ink
					}
					if d := distToInk(ink, x, y); d > 0.05 {
						t.Fatalf("path %d point %d (%.2f, %.2f) got no ink (nearest %.2f mm)", pi, i-pa.Start, x, y, d)
					}
				}
			}
			if last := prog.Frames[len(prog.Frames)-1].T; last > prog.Duration {
				t.Errorf("last frame at %v after the estimated end %v", last, prog.Duration)
			}
		})
	}
}

// No wheel ever jumps from rest to full speed or straight into the other
// direction, and a reversal waits at least the rest time after the stop.
func TestMotorsRampAndRestAtReversals(t *testing.T) {
	cal := DefaultCalibration()
	d := playback.Generate(playback.GenOptions{Strokes: 30, Seed: 5, Width: 400, Height: 400})
	prog := compileDrawing(t, d, PlanOptions{}, cal)
	if checkMotors(t, prog.Frames, cal) == 0 {
		t.Fatal("no reversal in 30 strokes: the test checks nothing")
	}
}

// checkMotors fails the test if a wheel jumps from rest above half speed,
// stops from above half speed, reverses at speed, or reverses less than the
// rest time after it stopped. It returns the number of reversals.
func checkMotors(t *testing.T, frames []TimedFrame, cal Calibration) (reversals int) {
	t.Helper()
	w := cal.Wiring()
	type wheel struct {
		level     int
		lastSign  int
		stoppedAt time.Duration
	}
	var wh [2]wheel
	for _, f := range frames {
		r, _ := mblock.ParseRequest(f.Bytes)
		if r.Device != mblock.DevJoystick {
			continue
		}
		l, rr := w.Wheels(int(r.Int16(0)), int(r.Int16(2)))
		for i, v := range []int{l, rr} {
			c := &wh[i]
			switch {
			case c.level == 0 && v != 0:
				if abs(v) > max(cal.PWM, cal.TurnPWM)/2 {
					t.Fatalf("at %v wheel %d starts at PWM %d, above half", f.T, i, v)
				}
				if sign(v) == -c.lastSign {
					reversals++
					if f.T-c.stoppedAt < ms(cal.Rest) {
						t.Fatalf("at %v wheel %d reverses %v after stopping, rest is %v ms", f.T, i, f.T-c.stoppedAt, cal.Rest)
					}
				}
			case c.level != 0 && v != 0 && sign(v) != sign(c.level):
				t.Fatalf("at %v wheel %d reverses at speed: %d → %d", f.T, i, c.level, v)
			case c.level != 0 && v == 0:
				c.stoppedAt = f.T
				c.lastSign = sign(c.level)
				if abs(c.level) > max(cal.PWM, cal.TurnPWM)/2 {
					t.Fatalf("at %v wheel %d stops from full speed %d", f.T, i, c.level)
				}
			}
			c.level = v
		}
	}
	return reversals
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func TestTurnsTakeTheShortWay(t *testing.T) {
	cal := DefaultCalibration()
	// From home facing up (-90°): a point behind is reached by driving
	// backwards, one to the right by a +90° turn.
	prog, err := Compile(&Plan{Home: Pose{X: 50, Y: 50, Heading: -90}, XY: []float64{50, 80, 80, 80},
		Paths: []Path{{Start: 0, End: 2}}}, cal, CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []MotionKind
	for _, m := range prog.Motions {
		kinds = append(kinds, m.Kind)
		if m.Kind == Turn && math.Abs(m.Angle) > 90+1e-9 {
			t.Errorf("turn of %g°", m.Angle)
		}
	}
	m := prog.Motions
	// pen-up, drive back 30 (no turn), pen-down, turn, drive 30, pen-up.
	if m[1].Kind != Drive || !near(m[1].Distance, -30, 1e-9) {
		t.Fatalf("motions %v: want a 30 mm drive backwards first, got %+v", kinds, m[1])
	}
	turn := m[3]
	if turn.Kind == Wait {
		turn = m[4]
	}
	if turn.Kind != Turn || !near(math.Abs(turn.Angle), 90, 1e-9) {
		t.Fatalf("motions %v: want a 90° turn, got %+v", kinds, turn)
	}
}

func TestDurationsFollowCalibration(t *testing.T) {
	cal := DefaultCalibration()
	cal.Ramp, cal.Rest = 0, 0
	prog, err := NewProgram([]Motion{{Kind: Drive, Distance: 200}, {Kind: Turn, Angle: 360}, {Kind: PenDown}, {Kind: Wait, Duration: time.Second}}, Pose{}, cal)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{2 * time.Second, 3600 * time.Millisecond, 250 * time.Millisecond, time.Second}
	for i, m := range prog.Motions {
		if m.Duration != want[i] {
			t.Errorf("motion %d (%v): %v, want %v", i, m.Kind, m.Duration, want[i])
		}
	}
	if prog.Duration != 6850*time.Millisecond {
		t.Errorf("total %v, want 6.85s", prog.Duration)
	}
	// With ramps the distance is the same, so the move takes longer.
	cal.Ramp = 100
	prog2, _ := NewProgram([]Motion{{Kind: Drive, Distance: 200}}, Pose{}, cal)
	if got := prog2.Motions[0].Duration; got != 2100*time.Millisecond {
		t.Errorf("ramped 200 mm: %v, want 2.1s (two 100 ms half-speed steps)", got)
	}
}

func TestPartialSplitsAMove(t *testing.T) {
	cal := DefaultCalibration()
	m := Motion{Kind: Drive, Distance: -100}
	m.Duration = cal.moveDuration(m)
	start := Pose{X: 10, Y: 10, Heading: 0}
	for _, frac := range []float64{0, 0.01, 0.3, 0.5, 0.99} {
		e := time.Duration(frac * float64(m.Duration))
		rest, at, ok := cal.Partial(m, start, e)
		if !ok {
			t.Fatalf("%.2f: nothing left", frac)
		}
		done := start.X - at.X
		if !near(done+(-rest.Distance), 100, 1e-6) || rest.Distance > 0 {
			t.Errorf("%.2f: done %g + rest %g != 100", frac, done, rest.Distance)
		}
	}
	if _, at, ok := cal.Partial(m, start, m.Duration); ok || !near(at.X, -90, 1e-6) {
		t.Errorf("after the whole move: ok %v at %+v", ok, at)
	}
	turn := Motion{Kind: Turn, Angle: 45}
	turn.Duration = cal.moveDuration(turn)
	rest, at, _ := cal.Partial(turn, Pose{Heading: 170}, turn.Duration/2)
	if !near(normDeg(at.Heading-170)+rest.Angle, 45, 1e-6) {
		t.Errorf("half a turn: at %g, rest %g", at.Heading, rest.Angle)
	}
}

func TestPoseAtFollowsTheMotions(t *testing.T) {
	prog := compileDrawing(t, drawingOf(100, 100, []float32{0, 0, 100, 0, 100, 100}), PlanOptions{}, DefaultCalibration())
	if got := prog.PoseAt(0); got != prog.Home {
		t.Errorf("at 0: %+v, want home %+v", got, prog.Home)
	}
	for i, m := range prog.Motions {
		if got := prog.PoseAt(m.End()); math.Hypot(got.X-m.Pose.X, got.Y-m.Pose.Y) > 1e-6 {
			t.Fatalf("motion %d ends at %+v, PoseAt says %+v", i, m.Pose, got)
		}
		if m.Kind == Drive {
			mid := prog.PoseAt(m.Start + m.Duration/2)
			before := prog.PoseBefore(i)
			// Halfway through a drive (symmetric ramps) is halfway along it.
			if d := math.Hypot(mid.X-(before.X+m.Pose.X)/2, mid.Y-(before.Y+m.Pose.Y)/2); d > 1e-6 {
				t.Fatalf("motion %d: halfway pose %+v is %g mm off the midpoint", i, mid, d)
			}
		}
	}
	if prog.MotionAt(prog.Duration) != len(prog.Motions) {
		t.Error("MotionAt(end) is not past the last motion")
	}
}
