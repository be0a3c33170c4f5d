package link

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"mbotdraw/robot/mblock"
)

// simHost returns a virtual mBot on a manual clock and a host on an
// in-process link to it.
func simHost(t *testing.T, o VirtualOptions) (*Virtual, *ManualClock, *host) {
	t.Helper()
	clk := &ManualClock{}
	o.Clock = clk
	v := NewVirtual(o)
	t.Cleanup(func() { v.Close() })
	l, err := OpenWith("sim", Options{Sim: v})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return v, clk, newHost(t, l)
}

func TestVirtualAnswersLikeFirmware(t *testing.T) {
	_, _, h := simHost(t, VirtualOptions{})
	for _, c := range []struct {
		frame []byte
		want  mblock.Reply
	}{
		{mblock.Version(0xfa), mblock.Reply{Kind: mblock.Value, Index: 0xfa, Type: mblock.TypeString, Text: "06.01.107"}},
		{mblock.Ultrasonic(5, mblock.Port3), mblock.Reply{Kind: mblock.Value, Index: 5, Type: mblock.TypeFloat, Number: 400}},
		{mblock.LineFollower(6, mblock.Port2), mblock.Reply{Kind: mblock.Value, Index: 6, Type: mblock.TypeFloat, Number: 3}},
		{mblock.Get(7, 0x0c, 1), mblock.Reply{Kind: mblock.Empty, Index: 7}},
		{mblock.Drive(0, 100, 100), mblock.Reply{Kind: mblock.Ack}},
		{mblock.Servo(0, 1, 1, 90), mblock.Reply{Kind: mblock.Ack}},
		{mblock.Reset(0), mblock.Reply{Kind: mblock.Ack}},
		{mblock.Start(0), mblock.Reply{Kind: mblock.Ack}},
		{mblock.Tone(0, 262, 500), mblock.Reply{Kind: mblock.Ack}},
		{mblock.BoardLED(0, 0, 1, 2, 3), mblock.Reply{Kind: mblock.Ack}},
	} {
		if got := h.send(c.frame); got != c.want {
			t.Errorf("%s: reply %v, want %v", mblock.Describe(c.frame), got, c.want)
		}
	}
	// An unknown action gets no reply at all.
	h.l.Write(mblock.Frame(0, 0x03, 0x05))
	h.l.SetReadTimeout(50 * time.Millisecond)
	if _, err := h.r.Next(); !errors.Is(err, ErrTimeout) {
		t.Errorf("unknown action: %v, want a timeout", err)
	}
}

// drive runs the motors at (left, right) PWM for d of robot time and stops.
func drive(h *host, clk *ManualClock, left, right int, d time.Duration) {
	h.ack(mblock.Drive(0, left, right))
	clk.Advance(d)
	h.ack(mblock.Stop(0))
}

func TestVirtualKinematics(t *testing.T) {
	// Model: 100 mm/s at PWM 120, effective track from 100°/s at 120.
	t.Run("straight 100 mm", func(t *testing.T) {
		v, clk, h := simHost(t, VirtualOptions{Start: Pose{X: 10, Y: 20}})
		h.ack(mblock.Servo(0, 1, 1, 90)) // pen down
		drive(h, clk, 120, 120, time.Second)
		p := v.Pose()
		if !near(p.X, 110, 1e-9) || !near(p.Y, 20, 1e-9) || p.Heading != 0 {
			t.Errorf("pose %+v, want (110, 20) heading 0", p)
		}
		if l := v.Trace().Length(true); !near(l, 100, 1e-9) {
			t.Errorf("ink %v mm, want 100", l)
		}
	})
	t.Run("spin 90 right then drive", func(t *testing.T) {
		v, clk, h := simHost(t, VirtualOptions{})
		drive(h, clk, 120, -120, 900*time.Millisecond)
		if p := v.Pose(); !near(p.Heading, 90, 1e-9) || !near(p.X, 0, 1e-12) || !near(p.Y, 0, 1e-12) {
			t.Fatalf("after a 0.9 s right spin at 100°/s: %+v, want heading 90 in place", p)
		}
		drive(h, clk, 60, 60, 2*time.Second) // half speed: 50 mm/s
		if p := v.Pose(); !near(p.X, 0, 1e-9) || !near(p.Y, 100, 1e-9) {
			t.Errorf("pose %+v, want (0, 100): heading 90 points down the page", p)
		}
		if l := v.Trace().Length(true); l != 0 {
			t.Errorf("ink %v mm with the pen up", l)
		}
	})
	t.Run("arc", func(t *testing.T) {
		v, clk, h := simHost(t, VirtualOptions{})
		h.ack(mblock.Servo(0, 1, 1, 90))
		drive(h, clk, 60, 120, 3*time.Second) // left 50, right 100 mm/s: a left arc
		m := v.Model()
		vl, vr := 50.0, 100.0
		r := (vl + vr) / 2 / ((vr - vl) / m.Track) // turning radius
		// The centre of a left turn from the origin facing +x is (0, −r).
		for _, p := range v.Trace().Ink()[0].Points {
			if d := math.Hypot(p.X, p.Y+r); !near(d, r, 1e-6) {
				t.Fatalf("point %+v is %v from the centre, want %v", p, d, r)
			}
		}
		if l, want := v.Trace().Length(true), 75*3.0; !near(l, want, want*1e-3) {
			t.Errorf("arc length %v, want %v", l, want)
		}
	})
	t.Run("inverted left motor", func(t *testing.T) {
		w := mblock.Wiring{InvertLeft: true}
		v, clk, h := simHost(t, VirtualOptions{Model: Model{Wiring: w}})
		h.ack(w.Drive(0, 120, 120))
		clk.Advance(time.Second)
		h.ack(mblock.Stop(0))
		if p := v.Pose(); !near(p.X, 100, 1e-9) || p.Heading != 0 {
			t.Errorf("pose %+v, want 100 mm straight ahead", p)
		}
	})
	t.Run("single motors and reset", func(t *testing.T) {
		v, clk, h := simHost(t, VirtualOptions{})
		h.ack(mblock.Motor(0, mblock.PortM1, -120)) // left forward
		h.ack(mblock.Motor(0, mblock.PortM2, 120))  // right forward
		clk.Advance(500 * time.Millisecond)
		h.ack(mblock.Reset(0))
		clk.Advance(time.Second)
		if p := v.Pose(); !near(p.X, 50, 1e-9) {
			t.Errorf("pose %+v, want 50 mm ahead, stopped by the reset", p)
		}
	})
}

func TestVirtualPen(t *testing.T) {
	m := Model{ServoPort: 4, ServoSlot: 2, PenUp: 30, PenDown: 120}
	v, clk, h := simHost(t, VirtualOptions{Model: m})
	h.ack(mblock.Servo(0, 1, 1, 120)) // another port: nothing
	if v.PenDown() {
		t.Fatal("a servo on another port moved the pen")
	}
	h.ack(mblock.Servo(0, 4, 2, 110))
	if !v.PenDown() {
		t.Fatal("110° (nearer 120 than 30) did not lower the pen")
	}
	drive(h, clk, 120, 120, time.Second)
	h.ack(mblock.Servo(0, 4, 2, 40))
	drive(h, clk, 120, 120, time.Second)
	tr := v.Trace()
	if got := tr.Length(true); !near(got, 100, 1e-9) {
		t.Errorf("ink %v mm, want 100", got)
	}
	if got := tr.Length(false); !near(got, 100, 1e-9) {
		t.Errorf("travel %v mm, want 100", got)
	}
	if len(tr.Ink()) != 1 || tr.Ink()[0].Points[0] != (Point{0, 0}) {
		t.Errorf("ink paths %v, want one from the origin", tr.Ink())
	}
}

func TestVirtualFaults(t *testing.T) {
	t.Run("mute", func(t *testing.T) {
		v, _, h := simHost(t, VirtualOptions{})
		h.ack(mblock.Drive(0, 100, 100))
		v.SetFault(Mute)
		h.l.SetReadTimeout(30 * time.Millisecond)
		if _, err := h.try(mblock.Stop(0)); !errors.Is(err, ErrTimeout) {
			t.Fatalf("mute robot: %v, want a timeout", err)
		}
		if l, _ := v.Wheels(); l == 0 {
			t.Error("a hung board stopped its motors")
		}
		v.SetFault(Healthy)
		h.l.SetReadTimeout(2 * time.Second)
		h.ack(mblock.Stop(0))
	})
	t.Run("garbage", func(t *testing.T) {
		v, _, h := simHost(t, VirtualOptions{Seed: 3})
		v.SetFault(Garbage)
		for i := range 50 {
			h.ack(mblock.Drive(0, i, i))
			if rep := h.send(mblock.Ultrasonic(9, 3)); rep.Number != 400 || rep.Index != 9 {
				t.Fatalf("reply %v through garbage", rep)
			}
		}
		if h.r.Garbage() == 0 {
			t.Error("no garbage counted")
		}
	})
	t.Run("vanish after n frames, come back", func(t *testing.T) {
		v, clk, h := simHost(t, VirtualOptions{})
		v.FaultAfter(3, Vanish)
		h.ack(mblock.Servo(0, 1, 1, 90))
		h.ack(mblock.Drive(0, 120, 120))
		clk.Advance(time.Second)
		_, err := h.try(mblock.Stop(0)) // frame 3: lost with the link
		if !isLost(err) {
			t.Fatalf("after vanishing: %v, want ErrLost", err)
		}
		if _, err := h.l.Write(mblock.Stop(0)); !isLost(err) {
			t.Fatalf("write after vanishing: %v, want ErrLost", err)
		}
		if v.Connected() {
			t.Error("still connected after vanishing")
		}
		fr := programFrames(v.Frames())
		if len(fr) != 3 || !fr[2].Dropped {
			t.Fatalf("frames %+v, want 3 with the last dropped", fr)
		}
		// The motors stopped when the link went; the robot waits where it
		// is and keeps its pen.
		p := v.Pose()
		clk.Advance(time.Second)
		if v.Pose() != p || !v.PenDown() {
			t.Fatalf("robot moved or lost its pen while disconnected")
		}
		l2, err := OpenWith("sim", Options{Sim: v})
		if err != nil {
			t.Fatal(err)
		}
		h2 := newHost(t, l2)
		h2.ack(mblock.Servo(0, 1, 1, 160))
		if v.PenDown() || v.Pose() != p {
			t.Fatal("reconnected robot did not keep its pose or did not lift the pen")
		}
	})
}

func TestScaledClock(t *testing.T) {
	const k = 50
	clk := NewScaledClock(k)
	v := NewVirtual(VirtualOptions{Clock: clk})
	defer v.Close()
	l, _ := OpenWith("sim", Options{Sim: v})
	h := newHost(t, l)
	// The robot's run lies between the time from the drive's ack to the
	// stop's sending (lower bound) and from the drive's sending to the
	// stop's ack (upper bound), each times K: no scheduling delay can put
	// it outside.
	t0 := time.Now()
	h.ack(mblock.Drive(0, 120, 120))
	t1 := time.Now()
	time.Sleep(20 * time.Millisecond) // about 1 s of robot time
	t2 := time.Now()
	h.ack(mblock.Stop(0))
	t3 := time.Now()
	lo, hi := 100*t2.Sub(t1).Seconds()*k, 100*t3.Sub(t0).Seconds()*k
	if x := v.Pose().X; x < lo-1e-6 || x > hi+1e-6 {
		t.Errorf("drove %v mm, want %v…%v (100 mm/s × real time × %d)", x, lo, hi, k)
	}
}

// The robot keeps the bytes it received as they came, also where its
// decoder reads them otherwise (a RUN frame too short to have a device, a
// frame whose device byte was lost on the wire).
func TestVirtualFramesAsReceived(t *testing.T) {
	v, _, h := simHost(t, VirtualOptions{})
	damaged := mblock.Drive(0, 100, 100)
	damaged = append(append([]byte(nil), damaged[:5]...), damaged[6:]...) // device byte lost
	stream := [][]byte{
		mblock.Stop(0),
		mblock.Start(0),
		{0xff, 0x55, 0x02, 0x00, 0x02}, // RUN with no device
		mblock.Reset(0),
		damaged,
	}
	for _, f := range stream[:4] {
		h.ack(f)
	}
	// The damaged frame swallows the ff of the frame after it, as on the
	// board; that frame's 55 then starts a frame again.
	h.l.Write(damaged)
	h.ack(mblock.Servo(0, 1, 1, 90))
	want := append(stream[:4:4], append(damaged[:len(damaged):len(damaged)], 0xff), mblock.Servo(0, 1, 1, 90))
	got := programFrames(v.Frames())
	if len(got) != len(want) {
		t.Fatalf("robot received %d frames, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if !bytes.Equal(got[i].Frame, want[i]) {
			t.Errorf("frame %d: stored % x, want the bytes received % x", i, got[i].Frame, want[i])
		}
	}
}

// A brown-out: the board restarts mid-drive, loses the frame that came,
// stops, lets the pen sink, prints its banner, and answers again.
func TestVirtualBrownout(t *testing.T) {
	v, clk, h := simHost(t, VirtualOptions{})
	h.ack(mblock.Drive(0, 120, 120))
	clk.Advance(500 * time.Millisecond)
	v.FaultAfter(1, Brownout)
	h.l.Write(mblock.Start(0))
	rep, err := h.r.Next()
	if err != nil || rep.Kind != mblock.Banner || rep.Text != "Version: 06.01.107" {
		t.Fatalf("reply %v (%v), want the boot banner instead of the ack", rep, err)
	}
	if l, r := v.Wheels(); l != 0 || r != 0 {
		t.Errorf("wheels (%v, %v) after the restart, want stopped", l, r)
	}
	if !v.PenDown() || v.Resets() != 1 {
		t.Errorf("pen down %v, resets %d: want the pen sunk and one restart", v.PenDown(), v.Resets())
	}
	if fr := v.Frames(); !fr[len(fr)-1].Dropped {
		t.Error("the frame that came with the restart was applied")
	}
	clk.Advance(time.Second)
	if p := v.Pose(); !near(p.X, 50, 1e-9) {
		t.Errorf("pose %+v, want 50 mm: stopped by the restart", p)
	}
	h.ack(mblock.Servo(0, 1, 1, 160)) // answers at once
	if v.PenDown() {
		t.Error("pen still down after lifting it")
	}
	// Out of turn, while the host waits: the banner comes unasked.
	h.ack(mblock.Drive(0, 120, 120))
	v.SetFault(Brownout)
	h.l.SetReadTimeout(time.Second)
	if rep, err := h.r.Next(); err != nil || rep.Kind != mblock.Banner {
		t.Fatalf("reply %v (%v), want the banner", rep, err)
	}
	if l, _ := v.Wheels(); l != 0 || v.Resets() != 2 {
		t.Errorf("after the second restart: wheel %v, resets %d", l, v.Resets())
	}
	sank := 0
	for _, p := range v.Trace() {
		if p.Down {
			sank++
		}
	}
	if sank != 2 || v.Trace().Length(true) != 0 {
		t.Errorf("%d pen-down paths, %v mm of ink: want 2 dots where the pen sank", sank, v.Trace().Length(true))
	}
}
