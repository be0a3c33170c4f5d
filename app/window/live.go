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
//
// A stroke drawn with the page's robot switch on goes to the robot when the
// pen is lifted: planned alone with the page (not the stroke's ink) fitted
// to the paper, so that each stroke lands where it is on the page, at the
// scale of the whole page, and starting where the robot stopped. Strokes
// wait their turn while the robot draws; Shift+R stops the robot and drops
// them.

// Live drawing constants, in milliseconds of drawing time.
const (
	// liveLeadMs is the time of the live drawing's first point: a blank
	// moment before the first stroke.
	liveLeadMs = 100
	// livePageGapMs is the pause put before the first stroke of a page
	// that joins a live drawing begun by another.
	livePageGapMs = 250
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
	// liveStaleOpen is how long a stroke may get nothing while a stroke of
	// another page waits before it is taken as finished (its page is gone);
	// liveAbandoned how long when nothing waits (a piece that comes later
	// begins a new stroke).
	liveStaleOpen = 3 * time.Second
	liveAbandoned = 30 * time.Second
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

	// pad is the live drawing (nil before the first pad stroke). open is
	// its stroke being drawn (-1: none), which is the stroke openKey of a
	// page and got its last piece at openAt.
	pad     *playback.Drawing
	open    int
	openKey padKey
	openAt  time.Time
	// waiting holds the pieces of strokes drawn on other pages while one
	// is open; they follow when it ends.
	waiting []bridge.PadStroke
	// closed is the last stroke number each page has finished.
	closed map[uint64]int
	// offset maps each page's times onto the live drawing's (ms added);
	// lastT is the time of the live drawing's last point.
	offset map[uint64]float64
	lastT  float64
	// strokeOf is the index in pad of each pad stroke begun there.
	strokeOf map[padKey]int
	// robotQueue holds finished pad strokes, each alone on its page, that
	// wait for the robot.
	robotQueue []padRobotStroke
}

// padRobotStroke is a finished pad stroke waiting for the robot.
type padRobotStroke struct {
	key padKey
	d   *playback.Drawing
}

// padKey names a pad stroke: its page and its number there.
type padKey struct {
	page   uint64
	stroke int
}

// padNews is what one tick's pad pieces did to the live drawing.
type padNews struct {
	started   bool // a new live drawing was begun
	grew      bool // points were added
	newStroke int  // the first stroke begun this tick, or -1
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
	l := &liveLink{srv: srv, cancel: cancel, served: make(chan struct{}), open: -1,
		urls: companionURLs(ln.Addr(), g.cfg.Token), closed: map[uint64]int{}, offset: map[uint64]float64{},
		strokeOf: map[padKey]int{}}
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

// companionWho says who can open the companion page: "Tablet", or "This
// computer" when it listens on loopback only.
func (g *Game) companionWho() string {
	if g.live != nil && g.live.localOnly {
		return "This computer"
	}
	return "Tablet"
}

// stopLive closes every page and stops serving.
func (g *Game) stopLive() {
	l := g.live
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

// companionURL is the page's address shown in the HUD and the help ("" when
// the window does not serve it).
func (g *Game) companionURL() string {
	if g.live == nil || len(g.live.urls) == 0 {
		return ""
	}
	return g.live.urls[0]
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
	news := padNews{newStroke: -1}
	for range livePiecesPerTick {
		select {
		case ps := <-l.srv.Pad():
			g.takePiece(ps, &news)
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
	if idle := time.Since(l.openAt); l.open >= 0 && (len(l.waiting) > 0 && idle > liveStaleOpen || idle > liveAbandoned) {
		l.open = -1 // its page went away mid-stroke: let the others draw
		g.takeWaiting(&news)
	}
	switch {
	case news.started:
		g.showPad()
	case news.grew && g.doc.d == l.pad:
		g.padGrew(follow, news.newStroke)
	}
	g.holdPad()
	g.feedRobot()
	g.publishLive()
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

// takePiece adds a piece of a pad stroke to the live drawing, or keeps it
// waiting while another page's stroke is being drawn.
func (g *Game) takePiece(ps bridge.PadStroke, news *padNews) {
	l := g.live
	if ps.Action != bridge.PadDraw {
		g.padAction(ps, news)
		return
	}
	key := padKey{ps.Page, ps.Stroke}
	if last, ok := l.closed[ps.Page]; ok && ps.Stroke <= last {
		return // a stroke that has ended
	}
	if l.open >= 0 && key != l.openKey {
		l.waiting = append(l.waiting, ps)
		return
	}
	g.appendPiece(ps, news)
	if ps.End {
		g.endPadStroke(key, ps.Robot)
		g.takeWaiting(news)
	}
}

// takeWaiting draws the waiting strokes, in order of arrival, until one
// is left open.
func (g *Game) takeWaiting(news *padNews) {
	l := g.live
	for l.open < 0 && len(l.waiting) > 0 {
		first := l.waiting[0]
		if first.Action != bridge.PadDraw {
			l.waiting = l.waiting[1:]
			g.padAction(first, news)
			continue
		}
		key := padKey{first.Page, first.Stroke}
		var mine, rest []bridge.PadStroke
		for _, ps := range l.waiting {
			if ps.Action == bridge.PadDraw && (padKey{ps.Page, ps.Stroke}) == key {
				mine = append(mine, ps)
			} else {
				rest = append(rest, ps)
			}
		}
		l.waiting = rest
		for _, ps := range mine {
			g.appendPiece(ps, news)
			if ps.End {
				g.endPadStroke(key, ps.Robot)
			}
		}
	}
}

// appendPiece adds the piece's points to the live drawing, beginning the
// stroke (and the live drawing) with its first point.
func (g *Game) appendPiece(ps bridge.PadStroke, news *padNews) {
	l := g.live
	if len(ps.Points) == 0 {
		return
	}
	page := ps.Page
	if l.open < 0 {
		if l.pad == nil || (g.doc.d != l.pad && !news.started) {
			g.newPad()
			news.started = true
		}
		// The stroke's start: the page's rhythm, never before the last
		// point, and at most a second after it.
		t0 := float64(ps.Points[0].T)
		start := float64(liveLeadMs)
		if l.pad.NumPoints() > 0 {
			off, seen := l.offset[page]
			start = l.lastT + livePageGapMs
			if seen {
				start = t0 + off
			}
			start = min(max(start, l.lastT), l.lastT+playback.DefaultMaxGapMs)
		}
		l.offset[page] = start - t0
		c := ps.Color
		if c.A == 0 {
			c.A = 255
		}
		w := ps.Width
		if !(w > 0) || math.IsInf(float64(w), 0) {
			w = 1
		}
		l.pad.BeginStroke(c, w)
		l.open, l.openKey = len(l.pad.Strokes)-1, padKey{page, ps.Stroke}
		l.strokeOf[l.openKey] = l.open
		if news.newStroke < 0 {
			news.newStroke = l.open
		}
	}
	off := l.offset[page]
	for _, p := range ps.Points {
		t := float64(p.T) + off
		if gap := t - l.lastT; gap > playback.DefaultMaxGapMs {
			off -= gap - playback.DefaultMaxGapMs
			t = l.lastT + playback.DefaultMaxGapMs
		}
		t = float64(float32(max(t, l.lastT)))
		l.lastT = t
		l.pad.AddPoint(p.X, p.Y, float32(t))
	}
	l.offset[page] = off
	l.openAt = time.Now()
	news.grew = true
}

// endPadStroke closes the pad stroke key; a stroke for the robot joins the
// robot's queue.
func (g *Game) endPadStroke(key padKey, forRobot bool) {
	l := g.live
	if last, ok := l.closed[key.page]; !ok || key.stroke > last {
		l.closed[key.page] = key.stroke
	}
	if l.open < 0 || l.openKey != key {
		return
	}
	i := l.open
	l.open = -1
	if forRobot {
		l.robotQueue = append(l.robotQueue, padRobotStroke{key, strokeAlone(l.pad, i)})
	}
}

// newPad begins a live drawing the size of the page's canvas: the drawing
// the pages show, whose units their pads use.
func (g *Game) newPad() {
	l := g.live
	base := l.sent
	if base == nil {
		base = g.doc.d
	}
	w, h := base.Width, base.Height
	if !(w > 0 && h > 0) {
		w, h = 800, 600 // the page's canvas for a drawing without a size
	}
	d := playback.NewDrawing(w, h)
	d.Name = "Live drawing"
	l.pad, l.open, l.lastT = d, -1, 0
	clear(l.offset)
	clear(l.strokeOf)
}

// showPad opens the new live drawing after the open drawings and plays it.
func (g *Game) showPad() {
	l := g.live
	docs := append(append(make([]*playback.Drawing, 0, len(g.docs)+1), g.docs...), l.pad)
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
	l := g.live
	if l.pad == nil || g.doc.d != l.pad {
		return true
	}
	tl := g.doc.tl
	if tl.Ended() {
		return true
	}
	return tl.Playing() && l.open >= 0 && tl.Time() >= g.padHoldLimit()-1
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
	n := g.live.pad.NumPoints()
	return g.doc.tl.Timing().PointTime(n-1) - liveHoldMs
}

// holdPad keeps the clock of the live drawing shown short of the last
// point of a stroke still being drawn (see liveHoldMs); a clock that ran
// into that end keeps following.
func (g *Game) holdPad() {
	l := g.live
	if l.open < 0 || l.pad == nil || g.doc.d != l.pad || l.pad.NumPoints() == 0 {
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

// publishLive sends the pages the drawing shown, when it changed (a
// growing live drawing at most every liveDrawingEvery while a stroke is
// drawn), and the playback state (bridge.Live throttles it).
func (g *Game) publishLive() {
	l := g.live
	d, now := g.doc.d, time.Now()
	if d != l.sent || (d.NumPoints() != l.sentN && (l.open < 0 || now.Sub(l.sentAt) >= liveDrawingEvery)) {
		l.srv.SetDrawing(g.doc.tl.Timing()) // the pages draw each point when the window does
		l.sent, l.sentN, l.sentAt = d, d.NumPoints(), now
	}
	tl := g.doc.tl
	l.srv.Publish(bridge.Playback{T: tl.Time(), Duration: tl.Duration(), Playing: tl.Playing(),
		Speed: tl.Speed(), Stroke: tl.StrokesDone(), Strokes: len(d.Strokes)})
}

// strokeAlone returns stroke i of d alone on a page of d's size.
func strokeAlone(d *playback.Drawing, i int) *playback.Drawing {
	o := playback.NewDrawing(d.Width, d.Height)
	o.Name = "Stroke from the tablet"
	copyStroke(o, d, i)
	return o
}

// copyStroke appends stroke i of d to o, with its points and times.
func copyStroke(o, d *playback.Drawing, i int) {
	s := d.Strokes[i]
	o.BeginStroke(s.Color, s.Width)
	for k := s.Start; k < s.End; k++ {
		o.AddPoint(d.XY[2*k], d.XY[2*k+1], d.T[k])
	}
}

// dropPadRobotQueue forgets the pad strokes waiting for the robot.
func (g *Game) dropPadRobotQueue() {
	if g.live != nil {
		g.live.robotQueue = nil
	}
}

// feedRobot sends the next pad stroke waiting for the robot once the robot
// is free, starting where the last run left it.
func (g *Game) feedRobot() {
	l := g.live
	if len(l.robotQueue) == 0 || (g.robot != nil && g.robot.running()) {
		return
	}
	d := l.robotQueue[0].d
	l.robotQueue = l.robotQueue[1:]
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
	if n := len(l.robotQueue); n > 0 {
		body = fmt.Sprintf("%d more waiting · %s", n, body)
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
