package bridge

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"mbotdraw/assets"
	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// drawnRobot is a bridge's Robot that records the moves it completed, in
// order, and when it was first handed moves and first completed one.
type drawnRobot struct {
	*DriverRobot

	mu          sync.Mutex
	drawn       []wire.Move
	firstRun    time.Time
	firstDrawn  time.Time
	lastDrawn   time.Time
	onDrawnMove func(n int) // after each move, with the moves drawn so far
}

func (d *drawnRobot) Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error {
	d.mu.Lock()
	if d.firstRun.IsZero() {
		d.firstRun = time.Now()
	}
	d.mu.Unlock()
	n := 0
	return d.DriverRobot.Run(ctx, moves, func(ev RobotEvent) {
		d.mu.Lock()
		if ev.Done > n {
			d.drawn = append(d.drawn, moves[n:ev.Done]...)
			n = ev.Done
			d.lastDrawn = time.Now()
			if d.firstDrawn.IsZero() {
				d.firstDrawn = d.lastDrawn
			}
		}
		total, hook := len(d.drawn), d.onDrawnMove
		d.mu.Unlock()
		if hook != nil {
			hook(total)
		}
		report(ev)
	})
}

// pageRobot is what the player publishes as mbotdraw.game.robot.
type pageRobot struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Detail      string `json:"detail"`
	State       string `json:"state"`
	Running     bool   `json:"running"`
	MotionsDone int    `json:"motions_done"`
	Motions     int    `json:"motions"`
	Reconnects  int    `json:"reconnects"`
}

// classroomBridge is a bridge with a token that serves the player, its
// robot the virtual mBot at k times real speed (as `bridge --robot sim
// --time-scale K --serve-player --token T`); cut drops every WebSocket to it,
// as a network that fails.
type classroomBridge struct {
	s     *Server
	srv   *httptest.Server
	rec   *drawnRobot
	v     *link.Virtual
	token string

	mu    sync.Mutex
	conns []net.Conn // taken over by WebSockets
}

func newClassroomBridge(t *testing.T, k float64, token string) *classroomBridge {
	t.Helper()
	clock := link.NewPacedClock(k)
	cal := robot.DefaultCalibration()
	v := link.NewVirtual(link.VirtualOptions{Model: cal.VirtualModel(), Clock: clock, NoBanner: true})
	t.Cleanup(func() { v.Close() })
	dr := NewDriverRobot(func(ctx context.Context) (io.ReadWriteCloser, error) {
		return link.OpenWith("sim", link.Options{Sim: v})
	}, cal, DriverRobotOptions{TimeScale: k, Clock: clock})
	t.Cleanup(func() { dr.Close() })
	b := &classroomBridge{rec: &drawnRobot{DriverRobot: dr}, v: v, token: token}
	b.s = New(b.rec, Options{Token: token, Pages: playerHandler(t)})
	b.srv = httptest.NewUnstartedServer(b.s.Handler())
	b.srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateHijacked {
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
		}
	}
	b.srv.Start()
	t.Cleanup(func() {
		b.srv.Close()
		_ = b.s.Shutdown(ctxTimeout(t, 5*time.Second))
	})
	return b
}

func (b *classroomBridge) cut() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

// demoMoves returns the program R makes of the demo, and the moves it sends
// a bridge.
func demoMoves(t *testing.T) (*robot.Program, []wire.Move) {
	t.Helper()
	ds, err := format.Decode(assets.DemoName, assets.Demo(), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prog := playerProgram(t, ds[0])
	return prog, Moves(prog.Motions)
}

// playerProgram returns the program R makes of d, planned as the window
// (app/window's planDrawing) and `plot` plan it.
func playerProgram(t *testing.T, d *playback.Drawing) *robot.Program {
	t.Helper()
	plan, err := robot.NewPlan(d, robot.PlanOptions{TwoOpt: true})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := robot.Compile(plan, robot.DefaultCalibration(), robot.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// pageRobotNow returns the page's mbotdraw.game.robot.
func (c *cdp) pageRobotNow() pageRobot {
	c.t.Helper()
	var r pageRobot
	c.eval(`window.mbotdraw.game.robot`, &r)
	return r
}

// followRobot watches the page's robot until its run ends, within d: it
// returns the panel's titles that showed a percentage, in order, the last
// state and when the page said the run had ended.
func (c *cdp) followRobot(d time.Duration) (progress []string, end pageRobot, at time.Time) {
	c.t.Helper()
	for deadline := time.Now().Add(d); ; {
		r := c.pageRobotNow()
		if strings.Contains(r.Title, "%") && (len(progress) == 0 || progress[len(progress)-1] != r.Title) {
			progress = append(progress, r.Title)
		}
		if r.State != "" && !r.Running {
			return progress, r, time.Now()
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the robot did not finish within %v; the panel says %q | %q", d, r.Title, r.Detail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The player served by a classroom bridge (`bridge --serve-player`, with a
// token) draws on the bridge's robot, the virtual mBot here at 40 times real
// speed (the demo's 4 minutes in about 6 s): the panel names the classroom
// robot before R; a tap on the robot button (R's button) sends the demo,
// the panel shows the progress, the network cuts the connection halfway
// (server side) and the page's client resumes, and the robot has drawn the
// plan's exact moves (the window's planner, as `plot` plans), each once. Behind another computer's drawing,
// the panel says the page's waits its turn. ?robot=sim picks the virtual mBot
// instead, and C steps back to the classroom robot. A page from another
// origin cannot reach the robot, even with the token.
func TestPlayerDrawsOnTheBridgesRobot(t *testing.T) {
	needChromium(t, "the browser robot test")
	if testing.Short() {
		t.Skip("skipping the browser robot test in -short mode")
	}
	prog, want := demoMoves(t)
	const k = 40
	b := newClassroomBridge(t, k, "cl4ss")
	rec := b.rec
	// Halfway through, the network drops every WebSocket to the bridge.
	cut := make(chan time.Time, 1)
	var cutOnce sync.Once
	rec.onDrawnMove = func(n int) {
		if n >= len(want)/2 {
			cutOnce.Do(func() { b.cut(); cut <- time.Now() })
		}
	}

	const foreignHost = "foreign.test"
	c := startChromium(t, b.srv.URL+"/?token="+b.token, append(swiftShader, "--host-resolver-rules=MAP "+foreignHost+" 127.0.0.1")...)
	c.waitForPlayer()
	c.waitFor(`window.mbotdraw.game.robot.title != ""`, time.Minute)
	before := c.pageRobotNow()
	if !strings.Contains(before.Name, "classroom robot") || !strings.Contains(before.Title, "classroom robot") {
		t.Errorf("before R the robot is %q and the panel says %q | %q; want the classroom robot", before.Name, before.Title, before.Detail)
	}

	// A finger on the robot button starts it, as on a tablet with no
	// keyboard (checkQueued presses R).
	pressed := time.Now()
	c.tapButton("robot")
	progress, end, doneAt := c.followRobot(3 * time.Minute)
	if end.State != "done" || !strings.Contains(end.Title, "Robot is done!") || end.MotionsDone != end.Motions {
		t.Errorf("at the end: state %q, %d of %d motions, panel %q | %q; want done", end.State, end.MotionsDone, end.Motions, end.Title, end.Detail)
	}
	halfway := false
	for _, p := range progress {
		var pc int
		if _, err := fmt.Sscanf(p[strings.Index(p, "·")+len("· "):], "%d%%", &pc); err == nil && pc > 0 && pc < 100 {
			halfway = true
		}
		if !strings.Contains(p, "classroom robot") {
			t.Errorf("the panel says %q: which robot?", p)
		}
	}
	if !halfway {
		t.Errorf("the panel never showed the robot drawing part way: %q", progress)
	}
	var cutAt time.Time
	select {
	case cutAt = <-cut:
	default:
		t.Fatal("the connection was never cut")
	}
	if end.Reconnects < 1 {
		t.Errorf("the page's client reconnected %d times after its connection was cut; want 1 or more", end.Reconnects)
	}

	rec.mu.Lock()
	drawn := rec.drawn
	firstRun, firstDrawn, lastDrawn := rec.firstRun, rec.firstDrawn, rec.lastDrawn
	rec.mu.Unlock()
	if len(drawn) != len(want) {
		t.Errorf("the robot drew %d moves, want the plan's %d", len(drawn), len(want))
	}
	for i := range min(len(drawn), len(want)) {
		if drawn[i] != want[i] {
			t.Errorf("move %d is %+v, want %+v (the plan's)", i, drawn[i], want[i])
			break
		}
	}
	if b.v.PenDown() {
		t.Error("the pen is still down after the job")
	}
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	t.Logf("R to the first moves handed to the robot (received and acked by the bridge) %v, to the first move drawn %v; "+
		"the demo's %d moves (%v of robot time, %v at %dx) drawn in %v, the last %v after R; the page said done %v after R; "+
		"the link cut %v after R; %d resent messages acked again",
		ms(firstRun.Sub(pressed)), ms(firstDrawn.Sub(pressed)),
		len(want), prog.Duration.Round(time.Second), ms(prog.Duration/k), k, ms(lastDrawn.Sub(firstDrawn)), ms(lastDrawn.Sub(pressed)),
		ms(doneAt.Sub(pressed)), ms(cutAt.Sub(pressed)), b.s.Duplicates())

	checkQueued(t, c, b, len(want))

	// ?robot=sim picks the virtual mBot, as --robot does on the desktop; C
	// then steps to the classroom robot.
	c.call("Page.navigate", map[string]any{"url": b.srv.URL + "/?token=" + b.token + "&robot=sim"})
	c.waitForPlayer()
	if r := c.pageRobotNow(); r.Name != "the virtual mBot" {
		t.Errorf("with ?robot=sim R draws on %q; want the virtual mBot", r.Name)
	}
	c.key("c", "KeyC", 67)
	c.waitFor(`window.mbotdraw.game.robot.name.includes("classroom robot")`, time.Minute)

	checkForeignPageRefused(t, c, b, foreignHost)
}

// checkQueued: while another computer's drawing holds the robot, R queues
// the page's drawing behind it and the panel says so; Shift+R then takes it
// out of the line without a move drawn. drawn is the moves drawn before.
func checkQueued(t *testing.T, c *cdp, b *classroomBridge, drawn int) {
	t.Helper()
	other, err := Dial(ctxTimeout(t, 10*time.Second), wsURL(b.srv, "/robot"), ClientOptions{Token: b.token})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	job, err := other.Start(0, nil) // its moves are slow to come: it holds the robot
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); job.Progress().Job == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the bridge never took the other computer's job")
		}
	}
	c.key("r", "KeyR", 82)
	c.waitFor(`window.mbotdraw.game.robot.title.includes("1 drawing before yours")`, time.Minute)
	c.chord(shiftKey, pressKey{key: "R", code: "KeyR", vk: 82}) // Shift+R stops it
	c.waitFor(`!window.mbotdraw.game.robot.running`, time.Minute)
	if r := c.pageRobotNow(); r.State != "stopped" || r.MotionsDone != 0 {
		t.Errorf("after Shift+R in line: state %q, %d motions done; want stopped before any", r.State, r.MotionsDone)
	}
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	if len(b.rec.drawn) != drawn {
		t.Errorf("the robot drew %d moves for a drawing taken out of the line", len(b.rec.drawn)-drawn)
	}
}

// checkForeignPageRefused opens a page from foreignHost (which the browser
// resolves to 127.0.0.1) that knows the bridge's token and tries its robot
// and its info: both must be refused, by the bridge.
func checkForeignPageRefused(t *testing.T, c *cdp, b *classroomBridge, foreignHost string) {
	t.Helper()
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><script>
window.robot = new Promise(ok => {
  const ws = new WebSocket("ws://%[1]s/robot?token=%[2]s");
  ws.onopen = () => ok("open");
  ws.onclose = () => ok("refused");
});
window.info = fetch("http://%[1]s%[3]s?token=%[2]s").then(r => r.text()).catch(() => "blocked");
</script>`, b.srv.Listener.Addr(), b.token, InfoPath)
	}))
	defer foreign.Close()
	forbidden := b.s.Stats().Forbidden
	_, foreignPort, _ := net.SplitHostPort(foreign.Listener.Addr().String())
	c.call("Page.navigate", map[string]any{"url": "http://" + foreignHost + ":" + foreignPort + "/"})
	c.waitFor(`window.robot`, time.Minute)
	var ws, info string
	c.eval(`window.robot`, &ws)
	c.eval(`window.info`, &info)
	if ws != "refused" || info != "blocked" {
		t.Errorf("a page from %s: the robot's WebSocket %s, the bridge's info %q; want both refused", foreignHost, ws, info)
	}
	if got := b.s.Stats().Forbidden; got <= forbidden {
		t.Errorf("the bridge refused no foreign page (%d refusals before, %d after)", forbidden, got)
	}
}
