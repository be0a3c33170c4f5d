package window

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"os"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/bridge"
	"mbotdraw/canvas/gpu"
	"mbotdraw/playback"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
	"mbotdraw/robotconn"
)

// robotRun is one drawing sent to the robot: the plan, the driver that
// streams it on its own goroutine, and the layers of the robot's view.
//
// The robot's view shows the paper as the robot sees it: every stroke still
// to come as a pale ghost, the strokes the robot has drawn in their colours,
// and the robot itself at its pose. The drawn strokes come in the robot's
// order (the planner reorders them to cut travel), so that layer is an ink
// layer over the drawing's strokes rearranged in plan order, advanced one
// finished path at a time.
type robotRun struct {
	conn *robotconn.Conn
	d    *playback.Drawing
	prog *robot.Program
	drv  robot.Plotter
	sim  *link.Virtual
	// pad is set for a stroke drawn on the companion page's pad (--listen):
	// d is then that stroke alone on the page, not the drawing shown.
	pad bool
	// keepOrder: the strokes go in the drawing's own order (--keep-order,
	// and a pad's strokes), not reordered to save travel.
	keepOrder bool
	stop      context.CancelFunc
	// wire is what went over the link (for the browser page's tests).
	wire *wireLog
	// ended is closed when the driver returns; err is what it returned.
	ended chan struct{}
	err   error

	// last is the progress seen last, and when (wall clock) it changed.
	last   robot.Progress
	lastAt time.Time
	// motionStart is the wall time at which the motion under way began.
	motionStart time.Time

	// The view's layers, made for the ink layer size and fit of the doc.
	order      *playback.Drawing // strokes in plan order
	pathPoints []int             // points of order in paths [0, i]
	ghost      *gpu.Layer
	drawn      *gpu.Layer
	drawnMark  playback.Mark
	ghostMark  playback.Mark
	layerFit   fit
	layerW     int
	layerH     int
	scale      float64 // robot time per wall time (time scale K)
}

// handBackWait bounds how long R waits for the run before to hand back its
// robot's open link; past it, the port is opened again (restarting an mBot).
const handBackWait = 2 * time.Second

// ghostColor is the tint of strokes the robot has yet to draw.
var ghostColor = color.RGBA{0xc5, 0xcd, 0xdb, 0xff}

// startRobot plans the current drawing for the robot named by --robot
// (the virtual mBot when none is named) and starts streaming it. Pad
// strokes still waiting for the robot are dropped: the drawing replaces them.
func (g *Game) startRobot() error {
	d := g.doc.d
	// Colour by colour with --pens, unless a bridge draws (it has no pen
	// changes: bridge.Moves leaves them out).
	prog, err := planDrawing(d, g.cfg.Pens && !bridge.IsURL(g.robotSpec()), g.cfg.KeepOrder)
	if err != nil {
		return err
	}
	g.live.dropRobotQueue()
	return g.runRobot(d, prog, false)
}

// planDrawing plans and compiles a drawing for the robot as `plot` does
// by default (A4, 2-opt ordering on), so that the paper and the screen
// agree, with the stock mBot's calibration; byColour as `plot --pens`,
// keepOrder as `plot --keep-order`.
func planDrawing(d *playback.Drawing, byColour, keepOrder bool) (*robot.Program, error) {
	plan, err := robot.NewPlan(d, robot.PlanOptions{TwoOpt: true, ByColour: byColour, KeepOrder: keepOrder})
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	prog, err := robot.Compile(plan, robot.DefaultCalibration(), robot.CompileOptions{})
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	return prog, nil
}

// runRobot starts streaming prog, planned from d, to the robot named by
// --robot, in place of the run before (which is stopped, pen lifted).
func (g *Game) runRobot(d *playback.Drawing, prog *robot.Program, pad bool) error {
	cal := prog.Calibration
	plan := prog.Plan
	spec := g.robotSpec()
	k := g.robotScale
	if !(k > 0) {
		k = 1
	}
	r := &robotRun{d: d, prog: prog, ended: make(chan struct{}), pad: pad, keepOrder: pad || g.cfg.KeepOrder}
	// For sim, one paced clock shared by the driver and the virtual mBot,
	// as `plot --robot sim` has: exact at any time scale K (the robot sees
	// every frame at the very robot time the driver meant), where real time
	// scaled by K would multiply scheduling jitter by K. A bridge's robot
	// keeps its own time: the model's time is wall time.
	bo := bridge.ProfileClientOptions(g.perf.prof)
	bo.OnRTT = g.perf.mon.RecordWebSocket
	// A robot on a port stays open between runs while it stays picked:
	// opening its port restarts an mBot (2 to 3 s).
	pick := g.pick
	keep := pick != nil && pick.spec == spec && onPort(spec)
	if prev := g.robot; keep && prev != nil {
		// The run before (done, or stopped now) hands the open link back as
		// it ends: within its reader's 200 ms read timeout.
		prev.stop()
		select {
		case <-prev.ended:
		case <-time.After(handBackWait):
		}
	}
	conn := pick.take(spec) // opened before R, to say what answered, or by the run before
	if conn == nil {
		var err error
		conn, err = robotconn.Open(spec, robotconn.Options{Calibration: cal, Home: prog.Home,
			TimeScale: k, SimPipe: true, Bridge: bo, Keep: keep})
		if err != nil {
			return err
		}
	}
	r.conn, r.sim, r.scale = conn, conn.Sim(), conn.TimeScale()
	r.wire = newWireLog()
	r.drv = conn.Plotter(prog, robot.DriverOptions{OnTraffic: r.wire.traffic(g.perf.robotTraffic),
		OpenLoop: g.robotOpenLoop})
	r.order, r.pathPoints = planOrder(d, plan)
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	now := time.Now()
	r.lastAt, r.motionStart = now, now
	go func() {
		r.err = r.drv.Run(ctx)
		if keep {
			pick.giveBack(r.conn)
		} else {
			r.conn.Close()
		}
		close(r.ended)
		g.pacer.wake()
	}()
	if g.robot != nil {
		g.robot.close()
	}
	g.robot = r
	return nil
}

// finalPose returns where the robot is once the run has ended: where the
// next program must start.
func (r *robotRun) finalPose() robot.Pose {
	if r.sim != nil {
		return r.sim.Pose()
	}
	if r.last.MotionsDone == 0 {
		return r.prog.Home
	}
	return r.last.Pose
}

// planOrder returns d's strokes rearranged in the plan's path order, and
// for each path the number of points of the strokes up to and including it.
func planOrder(d *playback.Drawing, plan *robot.Plan) (*playback.Drawing, []int) {
	o := playback.NewDrawing(d.Width, d.Height)
	o.Background = color.RGBA{} // transparent: the layer goes over the ghost
	pts := make([]int, len(plan.Paths))
	for pi := range plan.Paths {
		for _, si := range plan.PathStrokes(pi) {
			s := d.Strokes[si]
			o.BeginStroke(s.Color, s.Width)
			for i := s.Start; i < s.End; i++ {
				o.AddPoint(d.XY[2*i], d.XY[2*i+1], 0)
			}
		}
		pts[pi] = o.NumPoints()
	}
	return o, pts
}

// close stops the robot (pen lifted) and frees the view's layers.
func (r *robotRun) close() {
	r.stop()
	if r.ghost != nil {
		r.ghost.Dispose()
		r.drawn.Dispose()
		r.ghost, r.drawn = nil, nil
	}
}

// poll reads the driver's progress; it runs once per tick.
func (r *robotRun) poll() {
	p := r.drv.Progress()
	if p.State != r.last.State || p.MotionsDone != r.last.MotionsDone || p.Motion != r.last.Motion || p.Ahead != r.last.Ahead {
		now := time.Now()
		if p.Motion != r.last.Motion || p.State != r.last.State {
			r.motionStart = now
		}
		r.last, r.lastAt = p, now
	}
}

// running reports whether the driver has not finished: it has not
// returned, and the drawing is neither done nor stopped (then all that is
// left is to hand the robot's open link back, which takes up to 200 ms).
func (r *robotRun) running() bool {
	select {
	case <-r.ended:
		return false
	default:
		return r.last.State != robot.StateDone && r.last.State != robot.StateStopped
	}
}

// state returns the driver's state as the window shows it.
func (r *robotRun) state() robot.State { return r.last.State }

// leftWall returns the wall time left, counting down between progress
// events while the robot draws.
func (r *robotRun) leftWall() time.Duration {
	left := r.last.LeftWall
	if r.last.State == robot.StateDrawing {
		left -= time.Since(r.lastAt)
	}
	return max(left, 0)
}

// pose returns where the robot is, in paper mm: the virtual mBot's own
// pose, or for a real robot the motion model's, moved along the motion under
// way.
func (r *robotRun) pose() robot.Pose {
	if r.sim != nil {
		return r.sim.Pose()
	}
	p := r.last
	from := r.prog.Home
	if p.MotionsDone > 0 {
		from = r.prog.Motions[p.MotionsDone-1].Pose
	}
	if p.State != robot.StateDrawing || p.Motion >= len(r.prog.Motions) {
		return p.Pose
	}
	m := r.prog.Motions[p.Motion]
	f := 1.0
	if m.Duration > 0 {
		f = math.Min(1, float64(time.Since(r.motionStart))*r.scale/float64(m.Duration))
	}
	to := m.Pose
	dh := math.Mod(to.Heading-from.Heading+540, 360) - 180
	return robot.Pose{X: from.X + (to.X-from.X)*f, Y: from.Y + (to.Y-from.Y)*f, Heading: from.Heading + dh*f}
}

// robotAction sends the drawing to the robot, or pauses and resumes it.
func (g *Game) robotAction() {
	r := g.robot
	if r != nil && r.running() && (r.d == g.doc.d || r.pad) {
		g.robotView = !r.pad
		switch r.state() {
		case robot.StatePaused:
			r.drv.Resume()
			g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Robot: going on"})
		default:
			r.drv.Pause()
			g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Robot: pausing", body: "It finishes the line it is on and lifts the pen."})
		}
		return
	}
	if err := g.startRobot(); err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "robot", title: "Can't send the drawing to the robot", body: err.Error()})
		return
	}
	g.robotView = true
	where := "the virtual mBot (--robot sim)"
	if g.robot.sim == nil {
		where = connName(g.robot.conn)
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Sending the drawing to the robot",
		body: fmt.Sprintf("%s · about %s · Play or R pauses, Stop or Shift+R stops, V switches views", where, formatTime(float64(g.robot.prog.Duration)/1e6/g.robot.scale))})
}

// robotStop stops the robot with the pen lifted.
func (g *Game) robotStop() {
	if g.robot == nil || !g.robot.running() {
		return
	}
	g.robot.stop()
	g.live.dropRobotQueue()
	g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Robot stopped", body: "The pen is lifted. R sends the drawing again from the start."})
}

// updateRobot follows the robot once per tick.
func (g *Game) updateRobot() {
	r := g.robot
	if r == nil {
		return
	}
	before := r.last.State
	r.poll()
	if st := r.last.State; st != before {
		if g.cfg.Verbose {
			fmt.Fprintf(os.Stderr, "window: robot (%s): %s\n", r.conn.String(), st)
		}
		switch st {
		case robot.StateDone:
			title := "The robot has finished the drawing!"
			if r.pad {
				title = "The robot has drawn the stroke from the tablet"
			}
			g.msgs.show(g.tick, message{kind: msgDone, id: "robot", title: title})
		case robot.StatePaused:
			g.msgs.drop("robot") // "pausing" is over: the panel says paused
			if pen := r.last.PenChange; pen != nil {
				g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "Change the pen",
					body: fmt.Sprintf("Put in the %s pen (%s), then press R to go on.", pen.Name, pen.Hex())})
			}
		case robot.StateLostLink:
			g.msgs.show(g.tick, message{kind: msgError, id: "robot", title: "Lost the link to the robot", body: "Trying to reconnect… check the cable and that the robot is switched on."})
		case robot.StateStopped:
			if r.last.Err != nil && r.last.Err != context.Canceled {
				g.msgs.show(g.tick, message{kind: msgError, id: "robot", title: "The robot stopped", body: r.last.Err.Error()})
			}
		case robot.StateDrawing:
			if before == robot.StateLostLink {
				g.msgs.show(g.tick, message{kind: msgDone, id: "robot", title: "The robot is back", body: "Going on from where it stopped."})
			}
		}
	}
}

// robotButtonLabel is the robot button's label for the robot's state.
func (g *Game) robotButtonLabel() string {
	r := g.robot
	if r == nil || !r.running() || (r.d != g.doc.d && !r.pad) {
		return "Robot"
	}
	if !r.pad {
		if g.robotShown() {
			return "Stop" // Play is the robot's Pause here
		}
		return "Robot" // shows the robot's view
	}
	if r.state() == robot.StatePaused {
		return "Resume"
	}
	return "Pause"
}

// robotPanel is the box in the bottom right corner of the drawing's
// viewport that says what the robot does: a title (its state, and which
// robot), a detail line (time left, strokes drawn), its colour, and at a
// pen change a swatch of the pen to put in.
type robotPanel struct {
	title, detail string
	bg            color.RGBA
	swatch        *color.RGBA // nil but at a pen change
}

// panel returns the robot panel for the run's state.
func (r *robotRun) panel() robotPanel {
	title, detail, bg := r.status()
	p := robotPanel{title: title, detail: detail, bg: bg}
	if pen := r.last.PenChange; pen != nil && r.last.State == robot.StatePaused {
		c := pen.Color
		c.A = 0xff
		p.swatch = &c
	}
	return p
}

// status is the robot panel's text: the run's state and time left.
func (r *robotRun) status() (title, detail string, bg color.RGBA) {
	p := r.last
	bg = colRobot
	left := formatTime(float64(r.leftWall())/1e6) + " left"
	switch p.State {
	case robot.StateIdle, robot.StateConnecting:
		title, detail = "Robot is connecting…", "waiting for the mBot to start…"
		if r.sim != nil || r.conn.Bridge() {
			detail = "hello, robot!"
		}
		if p.Ahead > 0 { // a bridge's robot, drawing other people's drawings
			title, detail = "Robot is busy: "+countOf(p.Ahead, "drawing")+" before yours", "yours waits its turn"
		}
	case robot.StateDrawing:
		title, detail = fmt.Sprintf("Robot is drawing · %d%%", int(p.Percent)), left+" · "+r.orderText()
	case robot.StatePaused:
		title, bg, detail = fmt.Sprintf("Robot is paused · %d%%", int(p.Percent)), colPause, left
		if pen := p.PenChange; pen != nil {
			title, detail = fmt.Sprintf("Put in the %s pen — press R", pen.Name), pen.Hex()+" · "+left
		}
	case robot.StateLostLink:
		title, bg, detail = "Robot lost its link", colError, "reconnecting…"
	case robot.StateDone:
		title, bg, detail = "Robot is done!", colDone, countOf(p.StrokesDone, "stroke")+" drawn"
	case robot.StateStopped:
		title, bg, detail = "Robot stopped", color.RGBA{0x60, 0x6a, 0x80, 0xff}, fmt.Sprintf("%d of %d strokes drawn", p.StrokesDone, p.Strokes)
	}
	title += " (" + connName(r.conn) + ")"
	if v := r.conn.Board().Version; v != "" && r.sim == nil {
		title += " · firmware " + v
	}
	return title, detail, bg
}

// orderText says in which order the robot draws the strokes.
func (r *robotRun) orderText() string {
	if r.keepOrder {
		return "in the drawing's own order"
	}
	return "reordered: less travel"
}

// prepareRobotLayers sizes the robot view's layers like the doc's ink
// layer and brings the drawn layer up to the paths the robot has finished.
func (g *Game) prepareRobotLayers() {
	r, dc := g.robot, g.doc
	w, h := dc.paper.Dx(), dc.paper.Dy()
	if r.ghost == nil || r.layerW != w || r.layerH != h || r.layerFit != dc.fit {
		if r.ghost != nil {
			r.ghost.Dispose()
			r.drawn.Dispose()
		}
		ghost := r.d.Clone()
		for i := range ghost.Strokes {
			ghost.Strokes[i].Color = ghostColor
		}
		r.ghost = newLayer(ghost, w, h, dc.fit, dc.quality)
		r.ghostMark = playback.Mark{N: ghost.NumPoints()}
		r.ghost.Update(r.ghostMark)
		r.drawn = newLayer(r.order, w, h, dc.fit, dc.quality)
		r.layerW, r.layerH, r.layerFit = w, h, dc.fit
	}
	n := 0
	if k := r.last.PathsDone; k > 0 {
		n = r.pathPoints[min(k, len(r.pathPoints))-1]
	}
	r.drawnMark = playback.Mark{N: n}
	r.drawn.Update(r.drawnMark)
}

// drawRobotView draws the robot's view of the paper in place of the
// playback's ink: the ghost, the strokes drawn, the robot.
func (g *Game) drawRobotView(screen *ebiten.Image) {
	g.prepareRobotLayers()
	r, dc, v := g.robot, g.doc, g.lay.View
	x, y := v.X+float64(dc.paper.Min.X), v.Y+float64(dc.paper.Min.Y)
	var geo ebiten.GeoM
	geo.Translate(x, y)
	r.ghost.Draw(screen, r.ghostMark, geo)
	r.drawn.Draw(screen, r.drawnMark, geo) // transparent paper: only its ink shows
	g.drawRobot(screen)
}

// drawRobot draws the robot at its pose: a top view of an mBot facing its
// heading, with the pen on the axle.
func (g *Game) drawRobot(screen *ebiten.Image) {
	r, dc, u, v := g.robot, g.doc, g.lay.U, g.lay.View
	plan := r.prog.Plan
	if plan == nil || plan.Scale == 0 {
		return
	}
	p := r.pose()
	dx, dy := (p.X-plan.OffsetX)/plan.Scale, (p.Y-plan.OffsetY)/plan.Scale
	sx, sy := dc.viewFit.toView(dx, dy)
	sx, sy = sx+v.X, sy+v.Y
	size := math.Round(64 * u)
	img := g.spr.get(fmt.Sprint("robot", size), size, size, func(dst *ebiten.Image, pa *painter) {
		c := size / 2
		// Facing +x: wheels above and below, the body between, eyes in front.
		pa.fillRoundRect(dst, c-size*0.30, c-size*0.46, size*0.42, size*0.14, size*0.05, colPenRing)
		pa.fillRoundRect(dst, c-size*0.30, c+size*0.32, size*0.42, size*0.14, size*0.05, colPenRing)
		pa.fillRoundRect(dst, c-size*0.40, c-size*0.34, size*0.80, size*0.68, size*0.14, colRobot)
		pa.fillCircle(dst, c+size*0.27, c-size*0.14, size*0.07, colBarText)
		pa.fillCircle(dst, c+size*0.27, c+size*0.14, size*0.07, colBarText)
		pa.fillCircle(dst, c, c, size*0.09, colAccent)
		pa.fillCircle(dst, c, c, size*0.04, colPenRing)
	})
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
	op.GeoM.Translate(-size/2, -size/2)
	op.GeoM.Rotate(p.Heading * math.Pi / 180)
	op.GeoM.Translate(sx, sy)
	op.ColorScale.ScaleAlpha(0.92)
	screen.DrawImage(img, op)

}

// drawRobotPanel draws the robot panel (before any drawing is sent, the
// robot chosen with C); and while the robot draws a stroke from the
// companion's pad, the robot itself over the live drawing (the stroke is
// planned on the page that drawing is on).
func (g *Game) drawRobotPanel(screen *ebiten.Image) {
	p, ok := g.robotPanelNow()
	if !ok {
		return
	}
	if r := g.robot; r != nil && r.pad && r.running() && g.live != nil && g.doc.d == g.live.pad.Drawing() {
		g.drawRobot(screen)
	}
	p.draw(screen, g.kit())
}

// robotPanelNow returns the robot panel the window shows: the run's, or
// before any drawing is sent the robot chosen with C; ok is false when
// there is none.
func (g *Game) robotPanelNow() (p robotPanel, ok bool) {
	switch {
	case g.robot != nil:
		return g.robot.panel(), true
	case g.pick != nil && g.pick.shown:
		p.title, p.detail, p.bg = g.pickStatus()
		return p, true
	}
	return p, false
}

// draw draws the panel.
func (p robotPanel) draw(screen *ebiten.Image, k kit) {
	u, f := k.lay.U, k.fonts
	x, y, w, h, sw := p.box(k)
	key := fmt.Sprint("robotpanel", p.title, p.detail, p.bg, w, h)
	if p.swatch != nil {
		key += fmt.Sprint(" swatch", *p.swatch)
	}
	img := k.spr.get(key, w, h, func(dst *ebiten.Image, pa *painter) {
		pa.fillRoundRect(dst, 0, 0, w, h, 14*u, p.bg)
		if p.swatch != nil {
			r := (h - 28*u) / 2
			pa.fillCircle(dst, sw/2+12*u, h/2, r+2*u, colBarText) // a ring, for dark and pale pens alike
			pa.fillCircle(dst, sw/2+12*u, h/2, r, *p.swatch)
		}
		drawText(dst, p.title, f.bodyBold, 20*u+sw, 11*u+f.bodyBold.Size*0.7, alignStart, colBarText)
		drawText(dst, p.detail, f.big, 20*u+sw, h-11*u-f.big.Size*0.65, alignStart, colBarText)
	})
	drawAt(screen, img, x, y)
}

// box returns the panel's place and size, and the room its pen swatch
// takes (0: none). The swatch's centre is at (x+sw/2+12u, y+h/2).
func (p robotPanel) box(k kit) (x, y, w, h, sw float64) {
	l, u, f := k.lay, k.lay.U, k.fonts
	h = math.Round(f.bodyBold.Size*1.4 + f.big.Size*1.3 + 22*u)
	if p.swatch != nil {
		sw = h - 8*u
	}
	w = math.Round(math.Max(textWidth(p.title, f.bodyBold), textWidth(p.detail, f.big)) + 40*u + sw)
	return l.W - w - 16*u, l.View.Y + l.View.H - h - 12*u, w, h, sw
}
