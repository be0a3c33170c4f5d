package robotconn_test

import (
	"context"
	"errors"
	"image/color"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"mbotdraw/bridge"
	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robotconn"
)

// square is a program that draws a 60 mm square from the paper's centre.
func square(t *testing.T) *robot.Program {
	t.Helper()
	d := playback.NewDrawing(100, 100)
	d.BeginStroke(color.RGBA{A: 255}, 2)
	for _, p := range [][2]float32{{20, 20}, {80, 20}, {80, 80}, {20, 80}, {20, 20}} {
		d.AddPoint(p[0], p[1], 0)
	}
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

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// startBridge serves a bridge over r on loopback and returns its robot URL.
func startBridge(t *testing.T, r bridge.Robot) string {
	t.Helper()
	s := bridge.New(r, bridge.Options{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = s.Shutdown(ctxTimeout(t, 5*time.Second))
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/robot"
}

// The virtual mBot, on a pseudo-terminal as the commands reach it or on a
// pipe as the window does, draws the program's square on its paper, and the
// plotter reports the drawing done.
func TestOpenSimDrawsTheProgram(t *testing.T) {
	for _, pipe := range []bool{false, true} {
		prog := square(t)
		dials := 0
		c, err := robotconn.Open("sim", robotconn.Options{Home: prog.Home, Instant: true, SimPipe: pipe,
			OnSimDial: func(_ *link.Virtual, n int) { dials = n }})
		if err != nil {
			t.Fatal(err)
		}
		var last robot.Progress
		p := c.Plotter(prog, robot.DriverOptions{OnProgress: func(pr robot.Progress) { last = pr }})
		if _, ok := p.(*robot.Driver); !ok || c.Bridge() || c.Dial() == nil || c.Sim() == nil || c.String() != "virtual mBot" {
			t.Errorf("pipe %v: sim is driven here by a robot.Driver over a frame link: got %T, bridge %v", pipe, p, c.Bridge())
		}
		if err := p.Run(ctxTimeout(t, 60*time.Second)); err != nil {
			t.Fatalf("pipe %v: %v", pipe, err)
		}
		if last.State != robot.StateDone || p.Progress().StrokesDone != 1 || dials != 1 {
			t.Errorf("pipe %v: last progress %+v after %d dials; want done, 1 stroke, 1 dial", pipe, last, dials)
		}
		lo, hi, ok := c.Sim().Trace().Ink().Bounds()
		if !ok || hi.X-lo.X < 50 || hi.Y-lo.Y < 50 {
			t.Errorf("pipe %v: the virtual mBot drew %v–%v, want a square of about 60 mm", pipe, lo, hi)
		}
		c.Close()
	}
}

// A bridge's robot is reached through the bridge's client: the plotter
// sends the program's moves, not frames, and reports the bridge's progress
// as the program's.
func TestOpenBridgeSendsTheProgramsMoves(t *testing.T) {
	rec := &bridge.Recorder{}
	url := startBridge(t, rec)
	c, err := robotconn.Open(url+"?token=", robotconn.Options{TimeScale: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Bridge() || c.Dial() != nil || c.Sim() != nil || c.TimeScale() != 1 {
		t.Errorf("a bridge: Bridge %v, Dial nil %v, TimeScale %v; want true, true, 1 (its robot keeps its own time)",
			c.Bridge(), c.Dial() == nil, c.TimeScale())
	}
	prog := square(t)
	var last robot.Progress
	p := c.Plotter(prog, robot.DriverOptions{OnProgress: func(pr robot.Progress) { last = pr }})
	if _, ok := p.(*bridge.Remote); !ok {
		t.Errorf("plotter %T, want the bridge's client", p)
	}
	if err := p.Run(ctxTimeout(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Made(), bridge.Moves(prog.Motions); !reflect.DeepEqual(got, want) {
		t.Errorf("the bridge's robot made %d moves, want the program's %d", len(got), len(want))
	}
	if last.State != robot.StateDone || last.MotionsDone != len(prog.Motions) || last.StrokesDone != 1 {
		t.Errorf("last progress %+v; want done with all %d motions and the stroke", last, len(prog.Motions))
	}
}

// Both ends of the seam at once: a bridge whose robot is the virtual mBot
// opened here (its frame link), drawing for a plotter opened here from the
// bridge's URL.
func TestOpenBridgeOverTheVirtualMBot(t *testing.T) {
	sim, err := robotconn.Open("sim", robotconn.Options{Instant: true, SimPipe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	r := bridge.NewDriverRobot(sim.Dial(), robot.DefaultCalibration(), bridge.DriverRobotOptions{
		TimeScale: sim.TimeScale(), Clock: sim.Clock()})
	defer r.Close()
	url := startBridge(t, r)
	c, err := robotconn.Open(url, robotconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := c.Plotter(square(t), robot.DriverOptions{})
	if err := p.Run(ctxTimeout(t, 60*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := sim.Sim().Trace().Ink().Length(true); got < 200 {
		t.Errorf("the bridge's virtual mBot drew %.0f mm, want the square's 240 mm", got)
	}
	if sim.Sim().PenDown() {
		t.Error("pen left down")
	}
}

// Pausing before the job starts pauses it on the bridge as soon as it
// starts; Resume lets it finish.
func TestBridgePlotterPausesAndResumes(t *testing.T) {
	rec := &bridge.Recorder{}
	url := startBridge(t, rec)
	c, err := robotconn.Open(url, robotconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := c.Plotter(square(t), robot.DriverOptions{})
	p.Pause()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctxTimeout(t, 60*time.Second)) }()
	deadline := time.Now().Add(20 * time.Second)
	for p.Progress().State != robot.StatePaused && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := p.Progress().State; st != robot.StatePaused || len(rec.Made()) > 0 {
		t.Fatalf("state %v with %d moves made; want paused before the first move", st, len(rec.Made()))
	}
	p.Resume()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p.Progress().State != robot.StateDone {
		t.Errorf("state %v after resuming, want done", p.Progress().State)
	}
}

func TestOpenRefuses(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		o       robotconn.Options
		want    error
		message string
	}{
		{"", robotconn.Options{}, nil, "no robot named"},
		{"serial:/dev/ttyUSB0", robotconn.Options{Instant: true}, robotconn.ErrInstantNeedsSim, "--robot sim"},
		{"ws://127.0.0.1:1/robot", robotconn.Options{Instant: true}, robotconn.ErrInstantNeedsSim, "--robot sim"},
	} {
		c, err := robotconn.Open(tc.spec, tc.o)
		if err == nil {
			c.Close()
			t.Errorf("Open(%q, %+v) succeeded", tc.spec, tc.o)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("Open(%q) = %v; want %v, saying %q", tc.spec, err, tc.want, tc.message)
		}
	}
}

// A frame transport of package link's (not known to this package) is a
// robot like a serial one: its dial goes through link.OpenWith.
func TestOpenSerialDialsThePort(t *testing.T) {
	c, err := robotconn.Open("/nonexistent/ttyMBOT", robotconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Bridge() || c.Sim() != nil || c.String() != "/nonexistent/ttyMBOT" {
		t.Errorf("a port: bridge %v, sim %v, named %q", c.Bridge(), c.Sim() != nil, c.String())
	}
	_, err = c.Dial()(context.Background())
	if !errors.Is(err, link.ErrNoPort) {
		t.Errorf("dialling a missing port: %v, want link.ErrNoPort", err)
	}
}

// A spec of a kind nobody knows is refused at once, saying which kinds
// there are, the bridge's included.
func TestOpenUnknownKind(t *testing.T) {
	_, err := robotconn.Open("ftp://host/robot", robotconn.Options{})
	if !errors.Is(err, robotconn.ErrUnknownKind) || !strings.Contains(err.Error(), "ws://HOST:PORT/robot") || !strings.Contains(err.Error(), "sim") {
		t.Errorf("Open(ftp://…) = %v; want ErrUnknownKind listing sim and ws://", err)
	}
}

// lostRobot loses its link at once and never gets it back.
type lostRobot struct{}

func (lostRobot) Run(ctx context.Context, _ []wire.Move, report func(bridge.RobotEvent)) error {
	report(bridge.RobotEvent{Lost: true})
	<-ctx.Done()
	return ctx.Err()
}

func (lostRobot) Stop(context.Context) error { return nil }

// plot's --reconnect reaches the bridge's client: a plot through a bridge
// whose robot stays lost ends after it, with a plain error.
func TestBridgePlotterGivesUpOnALostRobotAfterReconnect(t *testing.T) {
	url := startBridge(t, lostRobot{})
	c, err := robotconn.Open(url, robotconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := c.Plotter(square(t), robot.DriverOptions{Reconnect: 500 * time.Millisecond})
	ctx := ctxTimeout(t, 30*time.Second)
	err = p.Run(ctx)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("Run = %v (context %v), want the lost robot's error after --reconnect", err, ctx.Err())
	}
}
