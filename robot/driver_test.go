package robot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mbotdraw/playback"
	"mbotdraw/robot/link"
)

// rig is a program, a virtual mBot on a shared manual clock, and a dial
// function that connects to it through an in-process pipe.
type rig struct {
	prog  *Program
	v     *link.Virtual
	clock *link.ManualClock
	dial  DialFunc
	// onFirstDial runs once the first connection is up (a new connection
	// clears the virtual mBot's faults, so faults are set here).
	onFirstDial func()
}

func newRig(t *testing.T, d *playback.Drawing) *rig {
	t.Helper()
	cal := DefaultCalibration()
	prog := compileDrawing(t, d, PlanOptions{}, cal)
	clock := &link.ManualClock{}
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), Clock: clock,
		Start: link.Pose{X: prog.Home.X, Y: prog.Home.Y, Heading: prog.Home.Heading}})
	t.Cleanup(func() { v.Close() })
	r := &rig{prog: prog, v: v, clock: clock}
	dials := 0
	r.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
		l, err := link.OpenWith("sim", link.Options{Sim: v})
		if dials++; dials == 1 && err == nil && r.onFirstDial != nil {
			r.onFirstDial()
		}
		return l, err
	}
	return r
}

func (r *rig) driver(o DriverOptions) *Driver {
	o.Clock = r.clock
	if o.AckTimeout == 0 {
		o.AckTimeout = 300 * time.Millisecond
	}
	if o.Reconnect == 0 {
		o.Reconnect = 5 * time.Second
	}
	if o.RedialEvery == 0 {
		o.RedialEvery = 20 * time.Millisecond
	}
	return NewDriver(r.prog, r.dial, o)
}

// checkTrace compares the robot's ink with the plan: every bit of ink within
// maxOff of a planned path, every planned point inked, the mean distance of
// ink from the plan at most 1 mm, and the ink's length the plan's pen-down
// length (nothing drawn twice).
func checkTrace(t *testing.T, plan *Plan, tr link.Trace, maxOff float64) {
	t.Helper()
	ink := tr.Ink()
	var sum float64
	var n int
	var segs []inkSeg
	for _, p := range ink {
		for i, q := range p.Points {
			d := distToPlan(plan, q.X, q.Y)
			if d > maxOff {
				t.Fatalf("ink at (%.2f, %.2f) is %.2f mm off the plan", q.X, q.Y, d)
			}
			sum += d
			n++
			if i > 0 {
				segs = append(segs, inkSeg{p.Points[i-1].X, p.Points[i-1].Y, q.X, q.Y})
			}
		}
	}
	if n == 0 {
		t.Fatal("no ink")
	}
	if mean := sum / float64(n); mean > 1 {
		t.Errorf("mean distance of ink from the plan %.3f mm, want ≤ 1", mean)
	}
	for pi, pa := range plan.Paths {
		if pa.Len() < 2 {
			continue
		}
		for i := pa.Start; i < pa.End; i++ {
			x, y := plan.Point(i)
			if d := distToInk(segs, x, y); d > maxOff {
				t.Fatalf("path %d point %d (%.2f, %.2f) has no ink within %.2f mm (nearest %.2f)", pi, i-pa.Start, x, y, maxOff, d)
			}
		}
	}
	if got, want := tr.Length(true), plan.Stats.PenDown; math.Abs(got-want) > 0.005*want+0.5 {
		t.Errorf("ink length %.1f mm, plan draws %.1f mm: something was drawn twice or skipped", got, want)
	}
}

var testDrawing = func() *playback.Drawing {
	return playback.Generate(playback.GenOptions{Strokes: 12, Seed: 9, Width: 300, Height: 300})
}

func TestDriverDrawsThePlan(t *testing.T) {
	r := newRig(t, testDrawing())
	var events []Progress
	var d *Driver
	worst := 0.0
	d = r.driver(DriverOptions{OnProgress: func(p Progress) { events = append(events, p) },
		OnSent: func(SentFrame) {
			// The driver's live pose is where the robot is.
			mp, rp := d.Pose(), r.v.Pose()
			worst = math.Max(worst, math.Hypot(mp.X-rp.X, mp.Y-rp.Y))
		}})
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if worst > 0.01 {
		t.Errorf("Driver.Pose strays %.3f mm from the robot", worst)
	}
	checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
	// The robot received exactly the program's frames, at their times.
	got := programFrames(r.v.Frames())
	if len(got) != len(r.prog.Frames) {
		t.Fatalf("robot received %d frames, program has %d", len(got), len(r.prog.Frames))
	}
	for i, f := range r.prog.Frames {
		if !bytes.Equal(f.Bytes, got[i].Frame) || got[i].T != f.T {
			t.Fatalf("frame %d: robot got % x at %v, program says % x at %v", i, got[i].Frame, got[i].T, f.Bytes, f.T)
		}
	}
	last := events[len(events)-1]
	if last.State != StateDone || last.Percent != 100 || last.Left != 0 || last.StrokesDone != 12 || last.PathsDone != last.Paths {
		t.Errorf("last progress %+v", last)
	}
	prev := -1.0
	for _, e := range events {
		if e.Percent < prev {
			t.Fatalf("progress went back: %.1f after %.1f", e.Percent, prev)
		}
		prev = e.Percent
	}
	if r.v.PenDown() {
		t.Error("pen left down")
	}
}

// The link vanishes halfway (a pulled cable: the robot stops where it is)
// and comes back: the drawing is finished with nothing drawn twice.
func TestDriverResumesAfterLostLink(t *testing.T) {
	for _, cut := range []struct {
		name  string
		fault link.Fault
		at    float64 // share of the frames
	}{
		{"vanish mid-drawing", link.Vanish, 0.5},
		{"vanish early", link.Vanish, 0.13},
		{"hung board (no ack)", link.Mute, 0.37},
		{"vanish late", link.Vanish, 0.81},
	} {
		t.Run(cut.name, func(t *testing.T) {
			r := newRig(t, testDrawing())
			n := int(cut.at * float64(len(r.prog.Frames)))
			r.onFirstDial = func() { r.v.FaultAfter(n, cut.fault) }
			var states []State
			// A second without an ack is a lost link: long enough that a loaded
			// test machine's stall is not mistaken for one.
			d := r.driver(DriverOptions{AckTimeout: time.Second, OnProgress: func(p Progress) {
				if len(states) == 0 || states[len(states)-1] != p.State {
					states = append(states, p.State)
				}
			}})
			if err := d.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if p := d.Progress(); p.Reconnects != 1 || p.State != StateDone {
				t.Fatalf("progress %+v, states %v", p, states)
			}
			if !containsState(states, StateLostLink) {
				t.Errorf("states %v never said the link was lost", states)
			}
			checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
		})
	}
}

func containsState(ss []State, s State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Over a real pseudo-terminal: the port vanishes (its device node goes) and
// comes back a little later under the same name.
func TestDriverRedialsAVanishedSerialPort(t *testing.T) {
	r := newRig(t, testDrawing())
	port := filepath.Join(t.TempDir(), "ttyMBOT")
	if _, err := r.v.StartPTY(port); err != nil {
		t.Fatal(err)
	}
	var dials int
	r.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
		dials++
		l, err := link.OpenSerial(port, link.Options{BootWait: 500 * time.Millisecond})
		if dials == 1 && err == nil {
			r.v.FaultAfter(len(r.prog.Frames)/2, link.Vanish)
		}
		return l, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r.v.Connected() {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // unplugged for a moment
		if _, err := r.v.StartPTY(port); err != nil {
			t.Error(err)
		}
	}()
	d := r.driver(DriverOptions{})
	err := d.Run(context.Background())
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if dials < 2 {
		t.Errorf("dialled %d times", dials)
	}
	checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
}

func TestDriverPauseLiftsPenAndResumes(t *testing.T) {
	r := newRig(t, testDrawing())
	var d *Driver
	paused := make(chan Progress, 1)
	asked := false
	d = r.driver(DriverOptions{OnProgress: func(p Progress) {
		// Pause in the middle of a stroke, with the pen down.
		if !asked && p.MotionsDone > 10 && r.prog.Motions[p.MotionsDone-1].Ink && r.prog.Motions[p.MotionsDone].Ink {
			asked = true
			d.Pause()
		}
		if p.State == StatePaused {
			paused <- p
		}
	}})
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background()) }()
	select {
	case p := <-paused:
		if r.v.PenDown() {
			t.Error("paused with the pen down")
		}
		if l, rr := r.v.Wheels(); l != 0 || rr != 0 {
			t.Errorf("paused with the wheels turning: %g, %g", l, rr)
		}
		if p.Percent <= 0 || p.Percent >= 100 {
			t.Errorf("paused at %.1f%%", p.Percent)
		}
		d.Resume()
	case err := <-done:
		t.Fatalf("finished without pausing: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("never paused")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
	if extra := len(d.Sent()) - len(r.prog.Frames); extra != 2 {
		t.Errorf("pause sent %d extra frames, want 2 (pen up, pen down)", extra)
	}
}

func TestDriverCancelStopsCleanly(t *testing.T) {
	r := newRig(t, testDrawing())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := r.driver(DriverOptions{OnProgress: func(p Progress) {
		if p.MotionsDone > 0 && r.prog.Motions[p.MotionsDone-1].Kind == Turn && r.prog.Motions[p.MotionsDone-1].Ink {
			cancel()
		}
	}})
	err := d.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if r.v.PenDown() {
		t.Error("stopped with the pen down")
	}
	if l, rr := r.v.Wheels(); l != 0 || rr != 0 {
		t.Errorf("stopped with the wheels turning: %g, %g", l, rr)
	}
	if s := d.State(); s != StateStopped {
		t.Errorf("state %v", s)
	}
}

func TestDriverSurvivesGarbage(t *testing.T) {
	r := newRig(t, testDrawing())
	r.onFirstDial = func() { r.v.FaultAfter(1, link.Garbage) }
	d := r.driver(DriverOptions{})
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := d.Progress(); p.Reconnects != 0 {
		t.Errorf("garbage around the acks cost %d reconnects", p.Reconnects)
	}
	checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
}

// silent is a link that swallows every frame and never answers.
type silent struct {
	once   sync.Once
	closed chan struct{}
}

func (s *silent) Read(p []byte) (int, error) { <-s.closed; return 0, io.EOF }
func (s *silent) Write(p []byte) (int, error) {
	select {
	case <-s.closed:
		return 0, io.ErrClosedPipe
	default:
		return len(p), nil
	}
}
func (s *silent) Close() error { s.once.Do(func() { close(s.closed) }); return nil }

// babbler answers every frame with noise and never with an ack.
type babbler struct{ silent }

func (b *babbler) Read(p []byte) (int, error) {
	select {
	case <-b.closed:
		return 0, io.EOF
	case <-time.After(time.Millisecond):
		return copy(p, []byte("\x00\x13garbage\xff\x55\x99")), nil
	}
}

func TestDriverGivesUpCleanly(t *testing.T) {
	prog := compileDrawing(t, testDrawing(), PlanOptions{}, DefaultCalibration())
	tests := []struct {
		name string
		dial DialFunc
		want string
	}{
		{"ack never comes", func(context.Context) (io.ReadWriteCloser, error) {
			return &silent{closed: make(chan struct{})}, nil
		}, "stopped answering"},
		{"only garbage", func(context.Context) (io.ReadWriteCloser, error) {
			return &babbler{silent{closed: make(chan struct{})}}, nil
		}, "stopped answering"},
		{"unknown port", func(context.Context) (io.ReadWriteCloser, error) {
			return link.OpenSerial("/dev/ttyNOSUCHMBOT", link.Options{})
		}, "no such port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDriver(prog, tc.dial, DriverOptions{AckTimeout: 100 * time.Millisecond, Reconnect: 400 * time.Millisecond,
				RedialEvery: 50 * time.Millisecond, TimeScale: 1000})
			start := time.Now()
			err := d.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one that says %q", err, tc.want)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v to give up", el)
			}
			if s := d.State(); s != StateStopped {
				t.Errorf("state %v, want stopped", s)
			}
		})
	}
}

// A port that vanishes for good: the driver gives up after the reconnect
// window, saying why.
func TestDriverGivesUpWhenThePortStaysAway(t *testing.T) {
	r := newRig(t, testDrawing())
	first := true
	r.dial = func(ctx context.Context) (io.ReadWriteCloser, error) {
		if first {
			first = false
			l, err := link.OpenWith("sim", link.Options{Sim: r.v})
			r.v.FaultAfter(len(r.prog.Frames)/3, link.Vanish)
			return l, err
		}
		return link.OpenSerial("/dev/ttyNOSUCHMBOT", link.Options{})
	}
	d := r.driver(DriverOptions{Reconnect: 300 * time.Millisecond})
	err := d.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "lost") || !strings.Contains(err.Error(), "no such port") {
		t.Fatalf("err %v", err)
	}
	if r.v.PenDown() {
		// The virtual robot keeps its pen where it was when the cable went;
		// nothing can lift it without a link. Only say so.
		t.Log("pen still down on the unreachable robot, as expected")
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
