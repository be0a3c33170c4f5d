package robot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// slowReplies is the host's end of a link whose replies take delay of robot
// time to come back (a slow USB or Bluetooth round trip): the robot acts on
// each frame when it arrives, and the host hears of it later.
type slowReplies struct {
	link.Link
	clock *link.ManualClock
	delay time.Duration
}

func (s *slowReplies) Read(p []byte) (int, error) {
	n, err := s.Link.Read(p)
	if n > 0 {
		s.clock.Advance(s.delay)
	}
	return n, err
}

// A move's frames are timed from when its first frame went out, not from
// when its ack came back: with every reply 20 ms late, each move still runs
// exactly its planned time on the robot, and the robot ends where the
// program says. (Every stretch of these moves is longer than the round
// trip; a shorter one cannot be helped: its next frame waits for the ack.)
func TestDriverTimesMovesFromTheirSends(t *testing.T) {
	const delay = 20 * time.Millisecond
	cal := DefaultCalibration()
	// Moves back to back, with no rest or pen move between them to hide a
	// late start.
	prog, err := NewProgram([]Motion{{Kind: PenDown}, {Kind: Drive, Distance: 60}, {Kind: Drive, Distance: 40},
		{Kind: Turn, Angle: 90}, {Kind: Turn, Angle: 45}, {Kind: Drive, Distance: -30}, {Kind: Drive, Distance: -12},
		{Kind: Turn, Angle: -20}, {Kind: Turn, Angle: -10}, {Kind: PenUp}}, Pose{X: 50, Y: 50}, cal)
	if err != nil {
		t.Fatal(err)
	}
	clock := &link.ManualClock{}
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), Clock: clock, Start: link.Pose{X: 50, Y: 50}})
	defer v.Close()
	dial := func(ctx context.Context) (io.ReadWriteCloser, error) {
		l, err := link.OpenWith("sim", link.Options{Sim: v})
		if err != nil {
			return nil, err
		}
		return &slowReplies{Link: l, clock: clock, delay: delay}, nil
	}
	d := NewDriver(prog, dial, DriverOptions{Clock: clock})
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := programFrames(v.Frames())
	if len(got) != len(prog.Frames) {
		t.Fatalf("robot received %d frames, program has %d", len(got), len(prog.Frames))
	}
	moves := 0
	for i, m := range prog.Motions {
		fs := prog.FramesOf(i)
		if m.Kind != Turn && m.Kind != Drive {
			continue
		}
		moves++
		k := prog.firstFrame[i]
		for j, f := range fs {
			if j > 0 && f.T-fs[j-1].T < delay {
				t.Fatalf("motion %d has a stretch of %v, shorter than the round trip: fix the test", i, f.T-fs[j-1].T)
			}
			want, have := f.T-fs[0].T, got[k+j].T-got[k].T
			if have != want || !bytes.Equal(got[k+j].Frame, f.Bytes) {
				t.Fatalf("motion %d (%v) frame %d reached the robot %v after the move's first, program says %v",
					i, m.Kind, j, have, want)
			}
		}
	}
	end, want := v.Pose(), prog.PoseBefore(len(prog.Motions))
	if math.Hypot(end.X-want.X, end.Y-want.Y) > 1e-6 || math.Abs(normDeg(end.Heading-want.Heading)) > 1e-6 {
		t.Errorf("robot ends at %+v, program says %+v", end, want)
	}
	if l := v.Trace().Length(true); math.Abs(l-142) > 1e-6 {
		t.Errorf("ink %.6f mm, want 142", l)
	}
	if moves != 8 {
		t.Fatalf("%d moves", moves)
	}
}

// stallClock is a manual clock on a loaded host: every period-th wait
// (from the offset-th on) oversleeps by stall, so the frame after it goes
// out late. Deterministic.
type stallClock struct {
	*link.ManualClock
	stall          time.Duration
	period, offset int

	mu     sync.Mutex
	n      int
	stalls int
}

func (c *stallClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.n++
	late := c.n >= c.offset && (c.n-c.offset)%c.period == 0
	if late {
		c.stalls++
	}
	c.mu.Unlock()
	if late {
		d += c.stall
	}
	return c.ManualClock.Sleep(ctx, d)
}

// A loaded host: one wait in seven oversleeps by 90 ms (at 100 mm/s, a
// stop 9 mm late; at 100°/s a turn 9° too far). Open loop, every late stop
// shifts or turns the rest of the drawing; closed on its own timing, the
// driver knows where the robot really got to and aims each next move from
// there, so the drawing stays on the plan.
func TestDriverCorrectsLateFrames(t *testing.T) {
	run := func(t *testing.T, openLoop bool) (mean, uncovered float64, r *rig, d *Driver) {
		r = newRig(t, testDrawing())
		clk := &stallClock{ManualClock: r.clock, stall: 90 * time.Millisecond, period: 7, offset: 3}
		d = NewDriver(r.prog, r.dial, DriverOptions{Clock: clk, OpenLoop: openLoop, AckTimeout: 300 * time.Millisecond})
		if err := d.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if clk.stalls < 50 {
			t.Fatalf("only %d stalls: the test checks nothing", clk.stalls)
		}
		mean, uncovered = r.prog.Plan.Deviation(r.v.Trace())
		t.Logf("open loop %v: %d stalls; ink %.1f mm (plan %.1f); mean distance from the plan %.3f mm; farthest planned point from ink %.3f mm",
			openLoop, clk.stalls, r.v.Trace().Length(true), r.prog.Plan.Stats.PenDown, mean, uncovered)
		return mean, uncovered, r, d
	}
	openMean, openUncovered, _, _ := run(t, true)
	if openMean < 2 || openUncovered < 5 {
		t.Fatalf("open loop: mean %.2f mm, uncovered %.2f mm: the stalls do not hurt, the test checks nothing", openMean, openUncovered)
	}
	mean, uncovered, r, d := run(t, false)
	if mean > 0.5 || uncovered > 1 {
		t.Errorf("closed loop: mean distance of ink from the plan %.3f mm (want ≤ 0.5), a planned point %.3f mm from ink (want ≤ 1)", mean, uncovered)
	}
	end, want := r.v.Pose(), r.prog.PoseBefore(len(r.prog.Motions))
	if dist := math.Hypot(end.X-want.X, end.Y-want.Y); dist > 1 {
		t.Errorf("robot ends %.2f mm from the plan's end", dist)
	}
	if mp := d.Pose(); math.Hypot(mp.X-end.X, mp.Y-end.Y) > 1e-6 {
		t.Errorf("the driver puts the robot at %+v, it is at %+v", mp, end)
	}
	// The corrections ramp and rest like every other move.
	var sent []TimedFrame
	for _, f := range d.Sent() {
		sent = append(sent, TimedFrame{T: f.T, Bytes: f.Bytes})
	}
	checkMotors(t, sent, r.prog.Calibration)
	if r.v.PenDown() {
		t.Error("pen left down")
	}
}

// gateClock is a manual clock whose gated wait does not end by itself: only
// the driver cancelling it (or a 5 s safety net) ends it.
type gateClock struct {
	*link.ManualClock
	mu     sync.Mutex
	armed  bool
	gated  chan struct{} // closed when the gated wait begins
	woken  bool          // the gated wait was cancelled, not timed out
	closed bool
}

func (c *gateClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	gate := c.armed && !c.closed
	if gate {
		c.armed, c.closed = false, true
	}
	c.mu.Unlock()
	if !gate {
		return c.ManualClock.Sleep(ctx, d)
	}
	close(c.gated)
	select {
	case <-ctx.Done():
		c.mu.Lock()
		c.woken = true
		c.mu.Unlock()
		return ctx.Err()
	case <-time.After(5 * time.Second):
		return c.ManualClock.Sleep(ctx, d)
	}
}

// The robot restarts mid-run (a brown-out): its motors stop, its servo
// lets go and the pen sinks, and it prints its boot banner. The driver
// takes that up like a reconnect without dialling: it lifts the pen and
// goes on from where the robot stopped, nothing drawn twice, nothing
// skipped, and it says so in its progress and traffic.
func TestDriverTakesUpARobotRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   float64 // share of the frames
		// during: restart out of turn while the driver waits in the middle
		// of a pen-up drive, instead of on the arrival of a frame.
		during bool
	}{
		{"on a frame mid-drawing", 0.4, false},
		{"on a frame early", 0.1, false},
		{"on a frame late", 0.85, false},
		{"out of turn during pen-up travel", 0.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, testDrawing())
			n := int(tc.at * float64(len(r.prog.Frames)))
			gc := &gateClock{ManualClock: r.clock, gated: make(chan struct{})}
			if !tc.during {
				r.onFirstDial = func() { r.v.FaultAfter(n, link.Brownout) }
			}
			var resets []Traffic
			var d *Driver
			sent := 0
			o := DriverOptions{Clock: gc, AckTimeout: 5 * time.Second, Reconnect: -1,
				OnTraffic: func(tr Traffic) {
					if tr.Kind == TrafficReset {
						resets = append(resets, tr)
					}
				},
				OnSent: func(f SentFrame) {
					sent++
					if !tc.during || sent < n || gc.closed {
						return
					}
					// Arm the gate for the wait after the first speed frame
					// of a pen-up drive.
					m := r.prog.Motions[d.Progress().MotionsDone]
					if rq, _ := mblock.ParseRequest(f.Bytes); m.Kind == Drive && !m.Ink && rq.Device == mblock.DevJoystick && rq.Int16(2) != 0 {
						gc.mu.Lock()
						gc.armed = true
						gc.mu.Unlock()
					}
				}}
			d = NewDriver(r.prog, r.dial, o)
			if tc.during {
				go func() {
					<-gc.gated
					r.v.SetFault(link.Brownout)
				}()
			}
			start := time.Now()
			if err := d.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v: the restart was noticed by a timeout, not by its banner", el)
			}
			if tc.during && !gc.woken {
				t.Error("the driver slept through the restart")
			}
			p := d.Progress()
			if r.v.Resets() != 1 || p.Resets != 1 || len(resets) != 1 || p.Reconnects != 0 || p.State != StateDone {
				t.Fatalf("robot restarts %d; progress %+v; %d reset events", r.v.Resets(), p, len(resets))
			}
			if !errors.Is(resets[0].Err, ErrRobotReset) || !errors.Is(p.Err, ErrRobotReset) {
				t.Errorf("reset event %v, progress error %v: want ErrRobotReset", resets[0].Err, p.Err)
			}
			checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
			if r.v.PenDown() {
				t.Error("pen left down")
			}
		})
	}
}
