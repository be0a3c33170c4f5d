package window

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/bridge"
	"mbotdraw/playback"
	"mbotdraw/robot"
)

// The live companion (play --listen ADDR [--token T]): the window serves
// the companion web page (package bridge) so that a tablet or another
// computer watches the playback, controls it, and draws into it.
//
// Every tick the window publishes its playback (the page's clock, slider
// and buttons follow it), sends the drawing shown whenever it changes, and
// applies what the pages ask: play, pause, seek, speed, on the drawing
// shown, as the window's own controls would.
//
// Strokes drawn on a page's pad stream into a live drawing, with their
// timing: the first pad stroke starts a new drawing, the size of the page's
// canvas (the drawing the page shows), added after the open drawings (so
// PageUp goes back) and shown at once; later strokes add to it while it is
// shown, and start a new one once the user has switched to another drawing.
// While the clock stands at the end of what has arrived, the window follows
// the pen live: each piece plays as it comes, and an idle wait before a
// new stroke is skipped. A paused clock stays paused. Times keep the pad's
// rhythm, except that a wait longer than a second counts as a second (as
// playback shortens it anyway). Strokes from several pages at once are
// drawn one after the other: the point store takes one stroke at a time.
// bridge.PadDrawing assembles the live drawing from the pages' pieces, Undo
// and Clear; the window shows it (padedit.go) and keeps its clock.
//
// A stroke drawn with the page's robot switch on goes to the robot when the
// pen is lifted: planned alone with the page (not the stroke's ink) fitted
// to the paper, so that each stroke lands where it is on the page, at the
// scale of the whole page, and starting where the robot stopped. Strokes
// wait their turn while the robot draws; Shift+R stops the robot and drops
// them.

// Live drawing constants, in milliseconds of drawing time (the live
// drawing's own are bridge.PadLeadMs and bridge.PadPageGapMs).
const (
	// liveSkipLeadMs is how long before a new stroke's first point the
	// clock jumps to when it was waiting at the end.
	liveSkipLeadMs = 50
	// liveHoldMs keeps the clock short of the last point of a stroke still
	// being drawn: the ink layer bakes a stroke's last piece once the
	// stroke looks complete, and would have to re-bake the whole drawing
	// when more of it came.
	liveHoldMs = 0.01
)

// Live timing in wall time.
const (
	// liveDrawingEvery is how often a growing live drawing is sent to the
	// pages while a stroke is being drawn (a finished stroke goes at once).
	liveDrawingEvery = 250 * time.Millisecond
	// livePiecesPerTick bounds the pad pieces and commands taken per tick;
	// the rest wait for the next tick (the pages wait with them).
	livePiecesPerTick = 256
)

// liveLink is the window's side of the companion.
type liveLink struct {
	srv    *bridge.Live
	cancel context.CancelFunc
	served chan struct{}
	// urls are where people open the page; urls[0] is the one shown.
	// localOnly says the page listens on loopback: only this computer
	// reaches it.
	urls      []string
	localOnly bool

	// sent is the drawing the pages have, sentN its points when sent, at
	// sentAt.
	sent   *playback.Drawing
	sentN  int
	sentAt time.Time

	// pad assembles the pages' pad strokes into the live drawing.
	pad *bridge.PadDrawing
}

// startLive serves the companion when cfg.Listen is set. An address beyond
// loopback without a token is refused (package app checks it first, for
// exit status 2).
func (g *Game) startLive() error {
	if g.cfg.Listen == "" {
		return nil
	}
	ln, err := bridge.Listen(g.cfg.Listen, g.cfg.Token)
	if err != nil {
		return fmt.Errorf("companion page: %w", err)
	}
	srv := bridge.NewLive(bridge.LiveOptions{
		Token:       g.cfg.Token,
		Compression: bridge.Compression{Off: !g.perf.prof.Compression},
		OnRTT:       g.perf.mon.RecordWebSocket,
		Wake:        g.pacer.wake,
		Logf: func(format string, a ...any) {
			fmt.Fprintf(os.Stderr, "companion: "+format+"\n", a...)
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	l := &liveLink{srv: srv, cancel: cancel, served: make(chan struct{}), urls: companionURLs(ln.Addr(), g.cfg.Token)}
	l.pad = bridge.NewPadDrawing(padView{g}, bridge.PadOptions{})
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		l.localOnly = true
	}
	go func() {
		defer close(l.served)
		if err := srv.Serve(ctx, ln); err != nil {
			fmt.Fprintf(os.Stderr, "companion: %v\n", err)
		}
	}()
	g.live = l
	if l.localOnly {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		fmt.Fprintf(os.Stderr, "mbotdraw: companion page at %s — on this computer only; for tablets, start with --listen 0.0.0.0:%s --token WORD\n", joinOr(l.urls), port)
		g.msgs.show(g.tick, message{kind: msgInfo, id: "live", until: g.tick + 12*60, title: "Companion page, on this computer only: open " + l.urls[0],
			body: "Tablets cannot reach it: for them, start mbotdraw with --listen 0.0.0.0:" + port + " --token WORD"})
		return nil
	}
	fmt.Fprintf(os.Stderr, "mbotdraw: live companion page at %s — open it on a tablet or another computer to watch, control and draw\n", joinOr(l.urls))
	g.msgs.show(g.tick, message{kind: msgInfo, id: "live", until: g.tick + 12*60, title: "Tablets and other computers: open " + l.urls[0],
		body: "to watch the playback, control it and draw along · the address stays at the top and in the help (H)"})
	return nil
}

// who says who can open the companion page: "Tablet", or "This computer"
// when it listens on loopback only.
func (l *liveLink) who() string {
	if l != nil && l.localOnly {
		return "This computer"
	}
	return "Tablet"
}

// stop closes every page and stops serving; nil stops nothing.
func (l *liveLink) stop() {
	if l == nil {
		return
	}
	l.cancel()
	select {
	case <-l.served:
	case <-time.After(3 * time.Second):
	}
}

// companionURLs returns the page's addresses for people to type: for an
// address that listens on every interface, this computer's network
// addresses (private ones first), else the address itself. The token goes
// in the query, as the page passes it on to its WebSocket.
func companionURLs(addr net.Addr, token string) []string {
	var hosts []string
	port := ""
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
		if tcp.IP.IsUnspecified() {
			hosts = networkHosts()
			if len(hosts) == 0 {
				hosts = []string{"localhost"}
			}
		} else {
			hosts = []string{tcp.IP.String()}
		}
	}
	q := ""
	if token != "" {
		q = "?token=" + url.QueryEscape(token)
	}
	if port == "" {
		return []string{"http://" + addr.String() + "/" + q}
	}
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = "http://" + net.JoinHostPort(h, port) + "/" + q
	}
	return out
}

// networkHosts returns this computer's IPv4 addresses other than loopback
// and link-local ones, private (LAN) addresses first.
func networkHosts() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var ips []net.IP
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.To4() == nil || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
			continue
		}
		ips = append(ips, n.IP.To4())
	}
	sort.SliceStable(ips, func(i, j int) bool { return ips[i].IsPrivate() && !ips[j].IsPrivate() })
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

// joinOr joins URLs as "a or b or c".
func joinOr(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " or "
		}
		out += v
	}
	return out
}

// url is the page's address shown in the HUD and the help ("" when the
// window does not serve it: l is nil).
func (l *liveLink) url() string {
	if l == nil || len(l.urls) == 0 {
		return ""
	}
	return l.urls[0]
}

// updateLive runs once per tick, after the clock has advanced: it takes
// what the pages sent, feeds the robot with pad strokes, and tells the
// pages what the window shows.
func (g *Game) updateLive() {
	l := g.live
	if l == nil {
		return
	}
	follow := g.padFollowing()
	news := bridge.PadNews{NewStroke: -1}
	for range livePiecesPerTick {
		select {
		case ps := <-l.srv.Pad():
			if ps.Action == bridge.PadSave {
				g.savePad(ps.Reply)
				continue
			}
			l.pad.Take(ps, &news)
			continue
		case c := <-l.srv.Commands():
			g.liveCommand(c)
			if c.Kind == bridge.CmdSeek || c.Kind == bridge.CmdPause {
				follow = false // the page's user chose the moment shown
			}
			continue
		default:
		}
		break
	}
	l.pad.Expire(&news) // a page that went away mid-stroke lets the others draw
	switch {
	case news.Started:
		g.showPad()
	case news.Grew && g.doc.d == l.pad.Drawing():
		g.padGrew(follow, news.NewStroke)
	}
	g.holdPad()
	g.feedRobot()
	l.publish(g.doc)
}

// liveCommand applies a page's playback command to the drawing shown.
func (g *Game) liveCommand(c bridge.Command) {
	tl := g.doc.tl
	switch c.Kind {
	case bridge.CmdPlay:
		g.robotView = false
		if !tl.Playing() {
			tl.Play()
		}
	case bridge.CmdPause:
		tl.Pause()
	case bridge.CmdSeek:
		g.robotView = false
		tl.SetTime(c.T)
	case bridge.CmdSpeed:
		g.speed = tl.SetSpeed(c.Speed)
	}
}

// showPad opens the new live drawing after the open drawings and plays it.
func (g *Game) showPad() {
	l := g.live
	docs := append(append(make([]*playback.Drawing, 0, len(g.docs)+1), g.docs...), l.pad.Drawing())
	if err := g.open(g.file, docs, len(docs)-1); err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "live", title: "Can't show the tablet's drawing", body: err.Error()})
		return
	}
	g.doc.mode = fitPage // the page's canvas, which the pad draws on: it does not move as the ink grows
	g.robotView = false
	g.padGrew(true, 0)
	ebiten.SetWindowTitle(g.title())
	g.msgs.show(g.tick, message{kind: msgInfo, id: "live", title: "Drawing from the companion page",
		body: "Strokes drawn on the tablet appear here as they are drawn · PageUp goes back to the drawing before"})
}

// padFollowing reports whether the clock is caught up with the live
// drawing shown (so the next piece plays at once), or a new live drawing
// would begin.
func (g *Game) padFollowing() bool {
	pad := g.live.pad
	if pad.Drawing() == nil || g.doc.d != pad.Drawing() {
		return true
	}
	tl := g.doc.tl
	if tl.Ended() {
		return true
	}
	return tl.Playing() && pad.StrokeOpen() && tl.Time() >= g.padHoldLimit()-1
}

// padGrew brings the clock of the live drawing shown up to its new points:
// it keeps its time, and when it was following, it plays on, skipping the
// idle wait before a new stroke.
func (g *Game) padGrew(follow bool, newStroke int) {
	dc := g.doc
	t0 := dc.tl.Time()
	dc.tl.SetPacing(dc.tl.Timing().Pacing()) // the same pacing over the points now there
	dc.tl.SetTime(t0)
	dc.cur = playback.NewCursor(dc.tl.Timing())
	if !follow {
		return
	}
	if newStroke >= 0 && newStroke < len(dc.d.Strokes) {
		start := dc.tl.Timing().PointTime(dc.d.Strokes[newStroke].Start)
		dc.tl.SetTime(max(t0, start-liveSkipLeadMs))
	}
	if !dc.tl.Ended() && !dc.tl.Playing() {
		dc.tl.Play()
	}
}

// padHoldLimit is the latest the clock may show of the live drawing while
// a stroke is being drawn: just before its last point.
func (g *Game) padHoldLimit() float64 {
	n := g.live.pad.Drawing().NumPoints()
	return g.doc.tl.Timing().PointTime(n-1) - liveHoldMs
}

// holdPad keeps the clock of the live drawing shown short of the last
// point of a stroke still being drawn (see liveHoldMs); a clock that ran
// into that end keeps following.
func (g *Game) holdPad() {
	d := g.live.pad.Drawing()
	if !g.live.pad.StrokeOpen() || d == nil || g.doc.d != d || d.NumPoints() == 0 {
		return
	}
	tl := g.doc.tl
	limit := g.padHoldLimit()
	if tl.Time() <= limit {
		return
	}
	ran := tl.Ended() && !tl.Playing()
	tl.SetTime(limit)
	if ran {
		tl.Play()
	}
}

// publish sends the pages dc, the drawing shown, when it changed (a
// growing live drawing at most every liveDrawingEvery while a stroke is
// drawn), and the playback state (bridge.Live throttles it).
func (l *liveLink) publish(dc *doc) {
	d, now := dc.d, time.Now()
	if d != l.sent || (d.NumPoints() != l.sentN && (!l.pad.StrokeOpen() || now.Sub(l.sentAt) >= liveDrawingEvery)) {
		l.srv.SetDrawing(dc.tl.Timing()) // the pages draw each point when the window does
		l.sent, l.sentN, l.sentAt = d, d.NumPoints(), now
	}
	tl := dc.tl
	l.srv.Publish(bridge.Playback{T: tl.Time(), Duration: tl.Duration(), Playing: tl.Playing(),
		Speed: tl.Speed(), Stroke: tl.StrokesDone(), Strokes: len(d.Strokes)})
}

// dropRobotQueue forgets the pad strokes waiting for the robot; nil has
// none.
func (l *liveLink) dropRobotQueue() {
	if l != nil {
		l.pad.DropForRobot()
	}
}

// feedRobot sends the next pad stroke waiting for the robot once the robot
// is free, starting where the last run left it.
func (g *Game) feedRobot() {
	l := g.live
	if l.pad.ForRobot() == 0 || (g.robot != nil && g.robot.running()) {
		return
	}
	d, more, _ := l.pad.NextForRobot()
	var home *robot.Pose
	if g.robot != nil {
		p := g.robot.finalPose()
		home = &p
	}
	prog, err := planPadStroke(d, home)
	if err == nil {
		err = g.runRobot(d, prog, true)
	}
	if err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "robot", title: "Can't send the stroke to the robot", body: err.Error()})
		return
	}
	body := "Shift+R stops the robot"
	if more > 0 {
		body = fmt.Sprintf("%d more waiting · %s", more, body)
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "The robot draws the stroke from the tablet", body: body})
}

// planPadStroke plans a pad stroke (alone on its page) for the robot
// starting at home (nil: the centre of the paper, facing its top edge).
// The page, not the stroke's ink, is fitted to the paper, as large as it
// goes and centred, so that every stroke lands where it is on the page at
// the scale of the whole page. The stroke is simplified to the planner's
// default tolerance on the paper.
func planPadStroke(d *playback.Drawing, home *robot.Pose) (*robot.Program, error) {
	o := robot.PlanOptions{KeepOrder: true, Home: home, Tolerance: -1}
	plan, err := robot.NewPlan(d, o)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	if d.Width > 0 && d.Height > 0 && plan.Scale > 0 {
		aw, ah := plan.PaperWidth-2*plan.Margin, plan.PaperHeight-2*plan.Margin
		s := math.Min(aw/d.Width, ah/d.Height)
		// NewPlan fits the stroke's ink (scale plan.Scale): simplify there
		// with the tolerance scaled to match the paper's, then move the
		// points to where the page's fit puts them.
		o.Tolerance = robot.DefaultTolerance * plan.Scale / s
		if plan, err = robot.NewPlan(d, o); err != nil {
			return nil, fmt.Errorf("planning: %w", err)
		}
		ox, oy := plan.Margin+(aw-d.Width*s)/2, plan.Margin+(ah-d.Height*s)/2
		for i := 0; i+1 < len(plan.XY); i += 2 {
			x, y := (plan.XY[i]-plan.OffsetX)/plan.Scale, (plan.XY[i+1]-plan.OffsetY)/plan.Scale
			plan.XY[i], plan.XY[i+1] = x*s+ox, y*s+oy
		}
		plan.Scale, plan.OffsetX, plan.OffsetY = s, ox, oy
	}
	prog, err := robot.Compile(plan, robot.DefaultCalibration(), robot.CompileOptions{})
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	return prog, nil
}
