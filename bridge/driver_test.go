package bridge

import (
	"context"
	"io"
	"math"
	"testing"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// virtualRobot is the virtual mBot behind a DriverRobot, sharing a manual
// clock with the driver so that nothing waits in real time.
func virtualRobot(t *testing.T) (*DriverRobot, *link.Virtual, *int) {
	t.Helper()
	clock := &link.ManualClock{}
	cal := robot.DefaultCalibration()
	v := link.NewVirtual(link.VirtualOptions{Clock: clock, NoBanner: true,
		Model: cal.VirtualModel()})
	t.Cleanup(func() { v.Close() })
	dials := 0
	dial := func(ctx context.Context) (io.ReadWriteCloser, error) {
		dials++
		return link.OpenWith("sim", link.Options{Sim: v})
	}
	r := NewDriverRobot(dial, cal, DriverRobotOptions{Clock: clock})
	t.Cleanup(func() { r.Close() })
	return r, v, &dials
}

// square draws a square of side mm with the pen, turning right.
func square(side float32) []wire.Move {
	m := []wire.Move{{Kind: wire.PenDown}}
	for i := 0; i < 4; i++ {
		m = append(m, wire.Move{Kind: wire.Drive, Value: side}, wire.Move{Kind: wire.Turn, Value: 90})
	}
	return append(m, wire.Move{Kind: wire.PenUp})
}

func TestDriverRobotDrawsOnTheVirtualMBot(t *testing.T) {
	r, v, dials := virtualRobot(t)
	_, srv := newTestServer(t, r, Options{})
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	// Two jobs, one after the other, over the same link.
	for job := 0; job < 2; job++ {
		moves := square(40)
		moves = append(moves, wire.Move{Kind: wire.Drive, Value: 60})
		c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves})
		w := c.nextType(wire.TypeWelcome)
		c.send(wire.Message{Type: wire.TypeEnd, Seq: 2})
		fin := waitFinished(c, w.Job)
		if fin.State != "done" || fin.Strokes != 1 {
			t.Fatalf("job %d ended %+v", job, fin)
		}
	}
	if v.PenDown() {
		t.Error("pen down after the jobs")
	}
	p := v.Pose()
	if math.Abs(p.X-120) > 1 || math.Abs(p.Y) > 1 {
		t.Errorf("robot at (%.2f, %.2f), want (120, 0): two squares and two 60 mm drives", p.X, p.Y)
	}
	ink := v.Trace().Ink()
	if len(ink) != 2 {
		t.Fatalf("%d inked paths, want 2 squares", len(ink))
	}
	for _, path := range ink {
		var minX, maxX, minY, maxY = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, pt := range path.Points {
			minX, maxX = math.Min(minX, pt.X), math.Max(maxX, pt.X)
			minY, maxY = math.Min(minY, pt.Y), math.Max(maxY, pt.Y)
		}
		if math.Abs(maxX-minX-40) > 1 || math.Abs(maxY-minY-40) > 1 {
			t.Errorf("inked path spans %.1f x %.1f mm, want a 40 mm square", maxX-minX, maxY-minY)
		}
	}
	if *dials != 1 {
		t.Errorf("the link was dialled %d times, want once for both jobs", *dials)
	}
}

func TestDriverRobotStopsWithPenLiftedOnShutdown(t *testing.T) {
	clock := link.NewScaledClock(20)
	cal := robot.DefaultCalibration()
	v := link.NewVirtual(link.VirtualOptions{Clock: clock, NoBanner: true})
	defer v.Close()
	r := NewDriverRobot(func(ctx context.Context) (io.ReadWriteCloser, error) {
		return link.OpenWith("sim", link.Options{Sim: v})
	}, cal, DriverRobotOptions{Clock: clock})
	defer r.Close()
	s := New(r, Options{})
	srv := newHTTPTest(t, s)
	c := dialTest(t, wsURL(srv, "/robot"), nil)
	moves := []wire.Move{{Kind: wire.PenDown}}
	for i := 0; i < 50; i++ {
		moves = append(moves, wire.Move{Kind: wire.Drive, Value: 20})
	}
	c.send(wire.Message{Type: wire.TypeMoves, Seq: 1, Moves: moves})
	c.next("drawing", func(m wire.Message) bool { return m.Type == wire.TypeProgress && m.Done >= 3 })
	if !v.PenDown() {
		t.Fatal("the pen is not down while drawing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if v.PenDown() {
		t.Error("pen still down after shutdown")
	}
	if l, rr := v.Wheels(); l != 0 || rr != 0 {
		t.Errorf("wheels still turning (%v, %v) after shutdown", l, rr)
	}
}
