package window

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/bridge"
	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// page is a companion page as the browser runs it, reduced to its
// WebSocket: it sends what the page sends (pad pieces, playback commands)
// and keeps what the window sends it.
type page struct {
	t    *testing.T
	conn *websocket.Conn

	mu       sync.Mutex
	playback []pageMsg
	drawings []pageDrawing
	answers  []string // the window's answers to Save ("saved")
	closed   chan struct{}
}

type pageMsg struct {
	Type     string  `json:"type"`
	T        float64 `json:"t"`
	Duration float64 `json:"duration"`
	Playing  bool    `json:"playing"`
	Speed    float64 `json:"speed"`
	Message  string  `json:"message"`
}

type pageDrawing struct {
	Width, Height float64
	Name          string
	Strokes       []struct {
		Color  string    `json:"color"`
		Points []float64 `json:"points"`
	}
}

// openPage opens the companion page of g (the HTML, then the WebSocket the
// page's script opens).
func openPage(t *testing.T, g *Game) *page {
	t.Helper()
	u := g.live.url()
	if !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("companion URL %q", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(html), "companion.js") {
		t.Fatalf("GET %s: %s, %.80q", u, resp.Status, html)
	}
	ws := "ws" + strings.TrimSuffix(strings.TrimPrefix(u, "http"), "/") + "/live"
	conn, _, err := websocket.DefaultDialer.Dial(ws, http.Header{"Origin": {strings.TrimSuffix(u, "/")}})
	if err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, conn: conn, closed: make(chan struct{})}
	go p.read()
	t.Cleanup(func() { conn.Close() })
	return p
}

func (p *page) read() {
	defer close(p.closed)
	for {
		_, data, err := p.conn.ReadMessage()
		if err != nil {
			return
		}
		var m pageMsg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		p.mu.Lock()
		switch m.Type {
		case wire.TypePlayback:
			p.playback = append(p.playback, m)
		case wire.TypeSaved:
			p.answers = append(p.answers, m.Message)
		case wire.TypeDrawing:
			var d pageDrawing
			if json.Unmarshal(data, &d) == nil {
				p.drawings = append(p.drawings, d)
			}
		}
		p.mu.Unlock()
	}
}

// send sends one message as the page's script writes it.
func (p *page) send(m map[string]any) {
	data, err := json.Marshal(m)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		p.t.Errorf("page: %v", err)
	}
}

// pad sends a piece of pad stroke n: points [x, y, t] (t in ms since the
// page's first stroke).
func (p *page) pad(n int, color string, end, robot bool, pts ...[3]float64) {
	p.send(map[string]any{"type": "pad", "stroke": n, "color": color, "width": 6, "points": pts, "end": end, "robot": robot})
}

func (p *page) lastPlayback() (pageMsg, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.playback) == 0 {
		return pageMsg{}, false
	}
	return p.playback[len(p.playback)-1], true
}

func (p *page) lastDrawing() (pageDrawing, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.drawings) == 0 {
		return pageDrawing{}, false
	}
	return p.drawings[len(p.drawings)-1], true
}

// TestLiveCompanion opens the companion page of a window, draws two
// strokes on its pad and uses its controls: the strokes appear in a new
// live drawing, with the pad's timing, played as they arrive; pause,
// seek, speed and play act on the window's clock; the page follows.
func TestLiveCompanion(t *testing.T) {
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Listen: "127.0.0.1:0"}, &script{})
	if s := g.subtitle(); !strings.Contains(s, "This computer: http://127.0.0.1:") {
		t.Errorf("the HUD does not show the companion's address: %q", s)
	}
	if rows := g.helpRows(); !strings.Contains(rows[len(rows)-1].what, g.live.url()) {
		t.Errorf("the help does not show the companion's address: %+v", rows[len(rows)-1])
	}
	orig := g.doc.d
	pg := openPage(t, g)
	const red, blue = "#e53935", "#1e88e5"

	step, stepAt := 0, 0
	var heldOK, skipped bool
	var heldAt, heldLimit float64
	var shot *image.RGBA
	wantShot := false
	rewinds := int64(-1)
	next := func(tick int) { step, stepAt = step+1, tick }
	run(t, &job{g: g, maxTicks: 1500, afterUpdate: func(tick int) bool {
		d, tl := g.doc.d, g.doc.tl
		live := d.Name == "Live drawing"
		switch step {
		case 0: // the page has the window's drawing: draw the first piece
			if dr, ok := pg.lastDrawing(); ok && dr.Width == orig.Width {
				pg.pad(0, red, false, false, [3]float64{100, 100, 0}, [3]float64{120, 100, 16}, [3]float64{140, 100, 33})
				next(tick)
			}
		case 1: // the stroke is under way: the window follows it, and waits short of its last point
			if live && d.NumPoints() == 3 && tl.Time() >= tl.Timing().PointTime(2)-1 && tick-stepAt > 10 {
				heldAt, heldLimit = tl.Time(), tl.Timing().PointTime(2)
				heldOK = tl.Playing() && tl.StrokesDone() == 0
				pg.pad(0, red, true, false, [3]float64{160, 100, 50}, [3]float64{180, 110, 66}, [3]float64{200, 120, 83})
				next(tick)
			}
		case 2: // the pen is lifted: the stroke plays to its end; then a second stroke, after a long wait
			if live && d.NumPoints() == 6 && tl.Ended() {
				pg.pad(1, blue, true, false, [3]float64{100, 200, 3000}, [3]float64{150, 220, 3016}, [3]float64{200, 240, 3033})
				next(tick)
			}
		case 3: // the window skips the wait and plays the new stroke
			if live && d.NumPoints() == 9 {
				skipped = tl.Time() >= tl.Timing().PointTime(6)-liveSkipLeadMs-1 && tl.Playing()
				next(tick)
			}
		case 4:
			if tl.Ended() {
				g.msgs.dismiss() // the banner saying where the strokes come from covers the paper
				wantShot = true
				rewinds = g.doc.ink.Ink().Stats().Rewinds
				next(tick)
			}
		case 5: // the page pauses and seeks
			if shot != nil {
				pg.send(map[string]any{"type": "pause"})
				pg.send(map[string]any{"type": "seek", "t": 150})
				next(tick)
			}
		case 6:
			if !tl.Playing() && tl.Time() == 150 {
				next(tick)
			}
		case 7: // paused stays paused, and the page is told
			if tl.Time() != 150 || tl.Playing() {
				t.Fatalf("tick %d: paused at 150 ms, the clock reads %.1f ms, playing %v", tick, tl.Time(), tl.Playing())
			}
			if pb, ok := pg.lastPlayback(); ok && !pb.Playing && pb.T == 150 && tick-stepAt > 10 {
				pg.send(map[string]any{"type": "speed", "speed": 2})
				pg.send(map[string]any{"type": "play"})
				next(tick)
			}
		case 8:
			if tl.Playing() && tl.Speed() == 2 && tl.Time() > 150 {
				return true
			}
		}
		return false
	}, afterDraw: func(tick int, screen *ebiten.Image) {
		if wantShot && shot == nil {
			v := g.lay.View
			shot = grabRegion(screen, g.doc.paper.Add(image.Pt(int(v.X), int(v.Y))))
		}
	}})

	d := g.doc.d
	if len(g.docs) != 2 || g.docs[0] != orig || g.docs[1] != d {
		t.Errorf("%d drawings open; want the original, then the live drawing after it", len(g.docs))
	}
	if d.Width != orig.Width || d.Height != orig.Height {
		t.Errorf("live drawing %vx%v, want the page's canvas %vx%v", d.Width, d.Height, orig.Width, orig.Height)
	}
	if len(d.Strokes) != 2 || d.Strokes[0].Len() != 6 || d.Strokes[1].Len() != 3 {
		t.Fatalf("live drawing strokes %+v, want 6 points then 3", d.Strokes)
	}
	if d.Strokes[0].Color != colorOf(red) || d.Strokes[1].Color != colorOf(blue) || d.Strokes[0].Width != 6 {
		t.Errorf("stroke pens %+v", d.Strokes)
	}
	// The pad's rhythm, from the live drawing's start; the 3 s wait counts as 1 s.
	want := []float32{100, 116, 133, 150, 166, 183, 1183, 1199, 1216}
	if !slices.Equal(d.T, want) {
		t.Errorf("point times %v, want %v", d.T, want)
	}
	if !heldOK || heldAt >= heldLimit {
		t.Errorf("while the first stroke was drawn the clock read %.2f ms (its last point at %.2f), following %v", heldAt, heldLimit, heldOK)
	}
	if !skipped {
		t.Error("the window did not skip the wait before the second stroke")
	}
	// The ink layer, grown piece by piece, shows the drawing the software
	// renderer draws at once, and never had to start over.
	if rewinds != 0 {
		t.Errorf("the live drawing's ink layer was re-baked %d times while the strokes came", rewinds)
	}
	if shot != nil {
		compareImages(t, "live-end", shot, softwareEnd(g))
	}
	// The page has the live drawing and the playback.
	waitFor(t, "the page to get the live drawing", func() bool {
		dr, ok := pg.lastDrawing()
		return ok && dr.Name == "Live drawing" && len(dr.Strokes) == 2 && len(dr.Strokes[1].Points) == 9
	})
	waitFor(t, "the page to hear of the speed", func() bool {
		pb, ok := pg.lastPlayback()
		return ok && pb.Playing && pb.Speed == 2 && pb.Duration == 1216
	})
	// The window pings its pages (once a second) into the performance monitor.
	waitFor(t, "a WebSocket round trip in the performance monitor", func() bool {
		return g.perf.mon.Report().WebSocket.Count > 0
	})
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pg.closed:
	case <-time.After(5 * time.Second):
		t.Error("the page's connection is still open after the window closed")
	}
}

// TestLivePageGetsTheWindowsTimes: the page gets the drawing shown with
// the window clock's times, so it draws each stroke when the window does:
// a 5 s pause between two strokes, which the window plays as 1 s, reaches
// the page as 1 s, and the drawing ends at the duration the page is told.
func TestLivePageGetsTheWindowsTimes(t *testing.T) {
	d := playback.NewDrawing(400, 300)
	d.BeginStroke(color.RGBA{0xe5, 0x39, 0x35, 0xff}, 6)
	for i := range 5 {
		d.AddPoint(float32(60+40*i), 100, float32(100*i)) // 0 … 400 ms
	}
	d.BeginStroke(color.RGBA{0x1e, 0x88, 0xe5, 0xff}, 6)
	for i := range 5 {
		d.AddPoint(200, float32(120+30*i), float32(5400+100*i)) // after 5 s
	}
	g := newTestGame(t, config.Window{Drawing: d, Listen: "127.0.0.1:0"}, &script{})
	pg := openPage(t, g)
	var dr pageDrawing
	var pb pageMsg
	run(t, &job{g: g, maxTicks: 600, afterUpdate: func(tick int) bool {
		var ok, ok2 bool
		dr, ok = pg.lastDrawing()
		pb, ok2 = pg.lastPlayback()
		return ok && ok2 && pb.Duration > 0
	}})
	if len(dr.Strokes) != 2 || len(dr.Strokes[1].Points) != 15 {
		t.Fatalf("the page got %d strokes", len(dr.Strokes))
	}
	pts := dr.Strokes[1].Points
	if first, last := pts[2], pts[len(pts)-1]; first != 1400 || last != 1800 || last != pb.Duration {
		t.Errorf("the second stroke reaches the page from %v to %v ms (the drawing lasts %v ms); want 1400 to 1800, as the window plays it",
			first, last, pb.Duration)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits up to 5 s for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// colorOf reads "#rrggbb".
func colorOf(hex string) color.RGBA {
	var c color.RGBA
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil {
		panic(err)
	}
	c.A = 255
	return c
}

// bridgeURL serves the robot bridge s on loopback and returns its robot
// endpoint.
func bridgeURL(t *testing.T, s *bridge.Server) string {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = s.Shutdown(context.Background())
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/robot"
}

// TestRobotOverBridge sends the drawing with R to a robot bridge (--robot
// ws://…/robot?token=T) whose robot is the virtual mBot at 20x its real
// speed: the robot's view shows it drawing, R pauses and resumes it through
// the bridge, and it finishes with every path drawn on the virtual paper.
func TestRobotOverBridge(t *testing.T) {
	// At 8x the program takes seconds of real time, so the pause scripted
	// at its first path lands while it draws even on a loaded machine.
	clock := link.NewPacedClock(8)
	cal := robot.DefaultCalibration()
	v := link.NewVirtual(link.VirtualOptions{Clock: clock, NoBanner: true,
		Model: cal.VirtualModel()})
	t.Cleanup(func() { v.Close() })
	br := bridge.NewDriverRobot(func(ctx context.Context) (io.ReadWriteCloser, error) {
		return link.OpenWith("sim", link.Options{Sim: v})
	}, cal, bridge.DriverRobotOptions{Clock: clock})
	t.Cleanup(func() { br.Close() })
	url := bridgeURL(t, bridge.New(br, bridge.Options{Token: "s3cret"})) + "?token=s3cret"

	ev := map[int]Events{3: keys(ebiten.KeyR)}
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Robot: url}, &script{events: ev})
	var seen []robot.State
	pausedAt, resumedAt := 0, 0
	var title string
	var lefts []time.Duration
	run(t, &job{g: g, maxTicks: 3000, afterUpdate: func(tick int) bool {
		if tick < 3 {
			return false
		}
		r := g.robot
		if r == nil {
			t.Fatal("R did not start the robot")
		}
		st := r.state()
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if st == robot.StateDrawing {
			lefts = append(lefts, r.leftWall())
		}
		switch {
		case st == robot.StateDrawing && pausedAt == 0:
			title = g.robot.panel().title
			if r.last.PathsDone >= 1 {
				pausedAt = tick
				ev[tick+1] = keys(ebiten.KeyR)
			}
		case pausedAt > 0 && resumedAt == 0 && st == robot.StatePaused:
			if !g.robotView {
				t.Error("the robot's view is not shown")
			}
			resumedAt = tick
			ev[tick+1] = keys(ebiten.KeyR)
		}
		return st == robot.StateDone || st == robot.StateStopped
	}})
	r := g.robot
	want := []robot.State{robot.StateDrawing, robot.StatePaused, robot.StateDrawing, robot.StateDone}
	if got := dedupe(seen); !slices.Equal(got, want) {
		t.Errorf("robot states %v, want %v (error %v)", seen, want, r.last.Err)
	}
	if r.last.PathsDone != len(r.prog.Plan.Paths) || r.last.StrokesDone != len(g.doc.d.Strokes) || r.last.Percent < 99.9 {
		t.Errorf("done with %d of %d paths, %d of %d strokes, %.1f%%", r.last.PathsDone, len(r.prog.Plan.Paths),
			r.last.StrokesDone, len(g.doc.d.Strokes), r.last.Percent)
	}
	// The time left comes from the program's motion model and counts down.
	if len(lefts) < 2 || lefts[0] > r.prog.Duration || !(lefts[len(lefts)-1] < lefts[0]) {
		t.Errorf("time left while drawing %v of a %v program: want a countdown", lefts, r.prog.Duration)
	}
	if !strings.Contains(title, "ws://127.0.0.1:") || strings.Contains(title, "s3cret") {
		t.Errorf("robot panel %q: want the bridge's address without its token", title)
	}
	// What the virtual mBot drew: every pen-down run of the program.
	var down float64
	for _, m := range r.prog.Motions {
		if m.Kind == robot.Drive && m.Ink {
			down += math.Abs(m.Distance)
		}
	}
	if got := v.Trace().Length(true); math.Abs(got-down) > 0.02*down {
		t.Errorf("the virtual mBot drew %.1f mm with the pen down, the program %.1f mm", got, down)
	}
	if v.PenDown() {
		t.Error("the pen is down after the drawing")
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestLivePadStrokesGoToTheRobot draws two strokes on the companion's pad
// with the robot switch on, with the robot behind a bridge: each finished
// stroke is drawn by the robot, where it is on the page and at the page's
// scale, the second starting where the first ended.
func TestLivePadStrokesGoToTheRobot(t *testing.T) {
	rec := &bridge.Recorder{}
	url := bridgeURL(t, bridge.New(rec, bridge.Options{}))
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Listen: "127.0.0.1:0", Robot: url}, &script{})
	pg := openPage(t, g)
	sent := false
	runs := 0
	var prev *robotRun
	run(t, &job{g: g, maxTicks: 1200, afterUpdate: func(tick int) bool {
		if !sent {
			if _, ok := pg.lastDrawing(); ok {
				pg.pad(0, "#1c2430", false, true, [3]float64{100, 100, 0}, [3]float64{150, 100, 30})
				pg.pad(0, "#1c2430", true, true, [3]float64{200, 100, 60}, [3]float64{200, 150, 90})
				pg.pad(1, "#1c2430", true, true, [3]float64{300, 50, 400}, [3]float64{300, 250, 500})
				sent = true
			}
			return false
		}
		if g.robot != nil && g.robot != prev {
			prev = g.robot
			runs++
			if !prev.pad {
				t.Fatal("a pad stroke started a run that is not marked as the pad's")
			}
		}
		return runs == 2 && g.robot.state() == robot.StateDone && g.live.pad.ForRobot() == 0
	}})
	// The robot's moves: a pen-down run per stroke, and the travel between.
	var runsMM []float64
	travel, pen := 0.0, false
	for _, m := range rec.Made() {
		switch m.Kind {
		case wire.PenDown:
			pen = true
			runsMM = append(runsMM, 0)
		case wire.PenUp:
			pen = false
		case wire.Drive:
			if pen {
				runsMM[len(runsMM)-1] += math.Abs(float64(m.Value))
			} else if len(runsMM) == 1 {
				travel += math.Abs(float64(m.Value))
			}
		}
	}
	// A 400x300 page on A4 with 15 mm margins: 0.45 mm per unit.
	const s = 0.45
	want := []float64{150 * s, 200 * s}
	if len(runsMM) != 2 || math.Abs(runsMM[0]-want[0]) > 0.5 || math.Abs(runsMM[1]-want[1]) > 0.5 {
		t.Errorf("pen-down runs %.1f mm, want %.1f", runsMM, want)
	}
	if gap := math.Hypot(100, 100) * s; math.Abs(travel-gap) > 0.5 {
		t.Errorf("travel between the strokes %.1f mm, want %.1f (from the first stroke's end)", travel, gap)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestRobotBridgeRefusesAWrongToken: R with a bridge that refuses the token
// stops at once and says why, without showing the token on screen.
func TestRobotBridgeRefusesAWrongToken(t *testing.T) {
	url := bridgeURL(t, bridge.New(&bridge.Recorder{}, bridge.Options{Token: "s3cret"})) + "?token=wrong-one"
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Robot: url}, &script{events: map[int]Events{2: keys(ebiten.KeyR)}})
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		return g.robot != nil && g.robot.state() == robot.StateStopped
	}})
	m, ok := g.msgs.last(msgError)
	t.Logf("%s: %s", m.title, m.body)
	if !ok || !strings.Contains(m.body, "token") || strings.Contains(m.title+m.body, "wrong-one") {
		t.Errorf("message %+v: want the reason, without the token", m)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestCompanionURLs checks the addresses shown to people: the token in the
// query, brackets around IPv6, and this computer's network addresses (never
// loopback) for a listener on every interface.
func TestCompanionURLs(t *testing.T) {
	for _, tc := range []struct {
		addr  *net.TCPAddr
		token string
		want  string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8766}, "", "http://127.0.0.1:8766/"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8766}, "a b&c", "http://127.0.0.1:8766/?token=a+b%26c"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8766}, "T", "http://[::1]:8766/?token=T"},
	} {
		if got := companionURLs(tc.addr, tc.token); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v, token %q: %v, want %s", tc.addr, tc.token, got, tc.want)
		}
	}
	for _, u := range companionURLs(&net.TCPAddr{IP: net.IPv4zero, Port: 8766}, "T") {
		if strings.Contains(u, "127.0.0.1") || strings.Contains(u, "0.0.0.0") || !strings.HasSuffix(u, ":8766/?token=T") {
			t.Errorf("listening everywhere, %q is not an address to type on another computer", u)
		}
	}
}
