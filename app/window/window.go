package window

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/image/draw"

	"mbotdraw/app/config"
	"mbotdraw/app/recentfiles"
	"mbotdraw/assets"
	"mbotdraw/canvas"
	"mbotdraw/perf"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
	"mbotdraw/version"
)

var (
	errIsFolder = errors.New("is a folder, not a drawing file")
	errTooBig   = fmt.Errorf("is larger than %d MB", maxDropBytes>>20)
)

// Run opens the window on cfg's drawing and returns when it closes.
func Run(cfg config.Window) error {
	if cfg.Bench != nil {
		return runBench(cfg)
	}
	pc := ebitenPacer(cfg.Verbose)
	g, err := newPacedGame(cfg, &ebitenInput{}, pc)
	if err != nil {
		return err
	}
	beat := make(chan struct{})
	defer close(beat)
	go pc.runHeartbeat(beat)
	if cfg.Done != nil {
		go func() {
			select {
			case <-cfg.Done: // Ctrl+C or SIGTERM: wake a resting window to quit
				pc.wake()
			case <-beat:
			}
		}()
	}
	// The Go runtime's soft memory limit follows the profile's budget.
	perf.NewMemoryOptimizer(g.perf.prof.MemoryLimitMB).ApplyRuntimeLimit()
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		w, h = designW, designH
	}
	ebiten.SetWindowSize(w, h)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetWindowClosingHandled(true)
	ebiten.SetWindowTitle(g.title())
	if icon, err := assets.Icon(); err == nil {
		ebiten.SetWindowIcon(iconSizes(icon))
	}
	err = ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{X11ClassName: "mbotdraw", X11InstanceName: "mbotdraw"})
	if ferr := g.finish(); err == nil {
		err = ferr
	}
	return err
}

// iconSizes returns the icon at the sizes desktops ask for.
func iconSizes(src image.Image) []image.Image {
	out := []image.Image{src}
	for _, n := range []int{48, 32, 16} {
		dst := image.NewRGBA(image.Rect(0, 0, n, n))
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
		out = append(out, dst)
	}
	return out
}

// Game is the window's ebiten.Game.
type Game struct {
	cfg config.Window
	in  Input

	// The drawings of the open file (several for a gallery), the one shown,
	// and its playback.
	file   string
	docs   []*playback.Drawing
	docIdx int
	doc    *doc
	speed  float64

	// Screen and interface. layoutW, layoutH is the screen size Layout
	// returned last; sw, sh the size the interface is laid out for.
	layoutW, layoutH int
	sw, sh           int
	lay              screenLayout
	fonts            *fonts
	spr              sprites
	hover            buttonID
	// pressed is the button under a pointer that went down on it; pressID
	// that pointer.
	pressed   buttonID
	pressID   int
	scrubbing bool
	scrubID   int
	wasPlay   bool
	showHelp  bool
	overlay   overlay
	msgs      messages

	// helpPaused is set when opening the help paused the playback: closing
	// it plays on.
	helpPaused bool

	tick  int
	frame int // Draw calls
	// loads delivers files decoded in the background (dropped files).
	loads   chan loadResult
	loading int

	// Captures asked for by S and by --screenshot at quit.
	quitting  bool
	finalShot *image.RGBA
	done      bool
	// robot is the last drawing sent to the robot; robotView shows the
	// robot's view of the paper instead of the playback; robotScale is the
	// virtual mBot's time scale (1: real time; tests go faster);
	// robotOpenLoop sends drawings with robot.DriverOptions.OpenLoop, for
	// diagnosis (?open-loop=1 in the browser).
	robot         *robotRun
	robotView     bool
	robotScale    float64
	robotOpenLoop bool
	// hold makes a frame in the browser wait while the robot's wheels turn.
	hold robotHold
	// pick is the robot R sends drawings to, when one was named or chosen
	// (nil: --robot, or the virtual mBot).
	pick        *robotPick
	pickStarted bool
	perf        *perfSys
	saves       chan saved
	// background counts the files still being written.
	background sync.WaitGroup
	gifBusy    bool
	// lastSaveDir is the folder of the last save (O opens it); openFolder
	// shows a folder in the file manager (nil: folder.Open; tests set it).
	lastSaveDir string
	openFolder  func(dir string) error
	// card is the Open card (Ctrl+O); picks delivers its tiles, read in
	// the background; recent is the recent files' list (nil: none kept).
	card   picker
	picks  chan pickResult
	recent *recentfiles.List
	// live is the companion page (--listen), nil without it.
	live *liveLink
	// pacer rests the window while nothing moves; held is true while a
	// key, mouse button or finger is down.
	pacer *pacer
	held  bool
	// subtitleShown is the line under the title as last drawn.
	subtitleShown string
	// saving is cancelled at exit: a GIF being encoded stops (its file is
	// written whole or not at all).
	saving     context.Context
	stopSaving context.CancelFunc
}

// loadResult is a dropped file, decoded.
type loadResult struct {
	name string
	path string // the file's path, when known: it joins the recent files
	ds   []*playback.Drawing
	err  error
}

// newGame prepares the game for cfg, reading input from in, for a loop
// that keeps running (tests).
func newGame(cfg config.Window, in Input) (*Game, error) {
	return newPacedGame(cfg, in, &pacer{})
}

// newPacedGame prepares the game for cfg, reading input from in, paced by
// pc.
func newPacedGame(cfg config.Window, in Input, pc *pacer) (*Game, error) {
	g := &Game{cfg: cfg, in: in, hover: -1, pressed: -1, loads: make(chan loadResult, 4), saves: make(chan saved, 4), pacer: pc,
		picks: make(chan pickResult, pickMaxTiles), recent: loadRecent(cfg.Recent)}
	g.saving, g.stopSaving = context.WithCancel(context.Background())
	meta := map[string]string{"program": "mbotdraw play", "version": version.Get().String(), "file": cfg.File}
	ps, err := newPerfSys(cfg.Profile, cfg.Trace != "" || cfg.TraceCSV != "", meta)
	if err != nil {
		return nil, err
	}
	g.perf = ps
	g.overlay.ps = ps
	g.speed = cfg.Speed
	if g.speed == 0 {
		g.speed = 1
	}
	g.robotScale = pageTimeScale()   // ?time-scale=K in the browser; else 0: real time
	g.robotOpenLoop = pageOpenLoop() // ?open-loop=1 in the browser; else false
	ds := cfg.Drawings
	if len(ds) == 0 && cfg.Drawing != nil {
		ds = []*playback.Drawing{cfg.Drawing}
	}
	file := cfg.File
	if len(ds) == 0 {
		var err error
		ds, err = format.Decode(assets.DemoName, assets.Demo(), format.Options{})
		if err != nil {
			return nil, fmt.Errorf("demo drawing: %w", err)
		}
		file = ""
	}
	if err := g.open(file, ds, 0); err != nil {
		return nil, err
	}
	if file != "" {
		g.remember(file)
	}
	if cfg.OpenError != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + filepath.Base(cfg.Unopened), body: cfg.OpenError.Error(), until: -1})
	}
	g.doc.tl.Play()
	if err := g.startLive(); err != nil {
		return nil, err
	}
	return g, nil
}

// open shows drawing idx of ds, read from file ("" for the demo).
func (g *Game) open(file string, ds []*playback.Drawing, idx int) error {
	name := drawingName(file, ds[idx])
	dc, err := newDoc(ds[idx], name, g.speed, canvas.QualityOf(g.perf.opt.Knobs()))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if g.doc != nil {
		g.doc.dispose()
	}
	g.file, g.docs, g.docIdx, g.doc = file, ds, idx, dc
	g.sayIfEmpty()
	return nil
}

// drawingName is what the title bar calls a drawing.
func drawingName(file string, d *playback.Drawing) string {
	switch {
	case d.Name != "" && file == "":
		return d.Name
	case file == "":
		return "Demo"
	case d.Name != "" && d.Name != "generated":
		return d.Name
	}
	return filepath.Base(file)
}

// title is the window title: the program, the file and the gallery place.
func (g *Game) title() string {
	t := "mbotdraw"
	switch {
	case g.file == "":
		t += " — demo"
	default:
		t += " — " + filepath.Base(g.file)
	}
	if len(g.docs) > 1 {
		t += fmt.Sprintf(" (%d of %d)", g.docIdx+1, len(g.docs))
	}
	return t
}

// Layout makes the screen as many pixels as the window has device pixels,
// so the interface and the ink stay sharp on HiDPI screens.
func (g *Game) Layout(outsideW, outsideH int) (int, int) {
	s := ebiten.Monitor().DeviceScaleFactor()
	if s <= 0 {
		s = 1
	}
	g.layoutW, g.layoutH = max(1, int(float64(outsideW)*s)), max(1, int(float64(outsideH)*s))
	return g.layoutW, g.layoutH
}

// relayout places the interface for a w x h screen and fits the drawing
// in its viewport; it does nothing when nothing changed.
func (g *Game) relayout(w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	if w != g.sw || h != g.sh || g.fonts == nil || (g.lay.Buttons[btnPrevDrawing].W > 0) != (len(g.docs) > 1) {
		g.sw, g.sh = w, h
		g.lay = layoutScreen(w, h, len(g.docs) > 1)
		if g.fonts == nil || g.fonts.scale != g.lay.U {
			g.fonts = fontsAt(g.lay.U)
		}
	}
	v := g.lay.View
	g.doc.setView(int(v.W), int(v.H), canvasMargin*g.lay.U)
}

// dtMs is the playback time one tick advances, in milliseconds of wall time.
func dtMs() float64 { return 1000 / float64(ebiten.TPS()) }

// Update handles one tick: input, background loads, the clock.
func (g *Game) Update() error {
	if holdForRobot {
		g.hold.wait(g.robotDue())
	}
	g.perf.beginUpdate(time.Now())
	defer g.perf.prf.Start("update").Stop()
	if g.done {
		return ebiten.Termination
	}
	defer g.pace()
	if g.quitting {
		if g.cfg.Screenshot == "" || g.finalShot != nil {
			g.done = true
			return ebiten.Termination
		}
		// Hold still until the Draw that takes the final screenshot: Ebiten
		// may run several updates before the next draw, and --frames N
		// means N.
		return nil
	}
	g.tick++
	g.startPick()
	g.relayout(g.layoutW, g.layoutH)
	ev := g.in.Poll()
	g.held = ev.Held
	if ev.Close || g.stopAsked() {
		g.quitting = true
	}
	for _, f := range append(ev.Dropped, pageFiles()...) {
		g.drop(f)
	}
	g.receiveLoads()
	g.receivePicks()
	g.receiveSaves()
	for _, k := range ev.Keys {
		g.do(actionFor(k))
	}
	g.pointers(ev)
	g.updateRobot()
	g.relayout(g.sw, g.sh)
	g.doc.tl.Advance(dtMs())
	g.updateLive()
	g.msgs.expire(g.tick)
	if g.cfg.Frames > 0 && g.tick >= g.cfg.Frames {
		g.quitting = true
	}
	g.publish()
	return nil
}

// stopAsked reports whether the program was asked to stop (Ctrl+C,
// SIGTERM).
func (g *Game) stopAsked() bool {
	select {
	case <-g.cfg.Done:
		return true
	default:
		return false
	}
}

// do carries out an action.
func (g *Game) do(a action) {
	if g.refuseEmpty(a) {
		return
	}
	if a == actPlayPause && g.robotPausable() {
		g.robotAction() // the robot's view: Play is the robot's one Pause control
		return
	}
	tl := g.doc.tl
	switch a {
	case actPlayPause, actBack5, actForward5, actPrevStroke, actNextStroke, actStart, actEnd, actRestart:
		g.robotView = false // playback controls show the playback
	}
	switch a {
	case actPlayPause:
		tl.Toggle()
	case actBack5:
		tl.SetTime(tl.Time() - seekStepMs)
	case actForward5:
		tl.SetTime(tl.Time() + seekStepMs)
	case actPrevStroke:
		tl.PrevStroke()
	case actNextStroke:
		tl.NextStroke()
	case actFaster:
		g.speed = tl.Faster()
	case actSlower:
		g.speed = tl.Slower()
	case actStart:
		tl.SetTime(0)
	case actEnd:
		tl.SetTime(tl.Duration())
	case actRestart:
		tl.SetTime(0)
		tl.Play()
	case actFit:
		if g.doc.mode == fitPage {
			g.doc.mode = fitInk
		} else {
			g.doc.mode = fitPage
		}
	case actFullscreen:
		ebiten.SetFullscreen(!ebiten.IsFullscreen())
	case actHelp:
		g.setHelp(!g.showHelp)
	case actPerf:
		g.overlay.shown = !g.overlay.shown
	case actRobot:
		g.robotAction()
	case actRobotStop:
		g.robotStop()
	case actPickRobot:
		g.nextRobot()
	case actView:
		g.robotView = !g.robotView && g.robot != nil
		if g.robot == nil {
			g.msgs.show(g.tick, message{kind: msgInfo, id: "robot", title: "No robot view yet", body: "R sends the drawing to the robot; then V switches between views."})
		}
	case actOpen:
		if !pagePick() { // in the browser, the page's own file chooser
			g.showPicker()
		}
	case actScreenshot:
		g.savePicture()
	case actOpenFolder:
		g.openSaveFolder()
	case actGIF:
		g.exportGIF()
	case actPrevDrawing:
		g.step(-1)
	case actNextDrawing:
		g.step(+1)
	case actQuit:
		g.quitting = true
	case actEscape:
		switch {
		case g.card.open:
			g.closePicker()
		case g.showHelp:
			g.setHelp(false)
		case len(g.msgs.list) > 0:
			g.msgs.dismiss()
		case ebiten.IsFullscreen():
			ebiten.SetFullscreen(false)
		}
	}
}

// step moves to the previous or next drawing of a gallery and plays it.
func (g *Game) step(delta int) {
	if len(g.docs) < 2 {
		g.msgs.show(g.tick, message{kind: msgInfo, id: "gallery", title: "Only one drawing", body: "Open a Quick, Draw! .ndjson file to step through many."})
		return
	}
	i := g.docIdx + delta
	if i < 0 || i >= len(g.docs) {
		g.sayGalleryEnd(delta)
		return
	}
	if err := g.open(g.file, g.docs, i); err != nil {
		g.msgs.show(g.tick, message{kind: msgError, title: "Can't show that drawing", body: err.Error()})
		return
	}
	g.doc.tl.Play()
	ebiten.SetWindowTitle(g.title())
	g.msgs.show(g.tick, message{kind: msgInfo, id: "gallery", title: fmt.Sprintf("Drawing %d of %d", i+1, len(g.docs))})
}

// drop starts decoding a dropped file in the background.
func (g *Game) drop(f DroppedFile) {
	if f.Err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + f.Name, body: f.Name + ": " + f.Err.Error()})
		return
	}
	g.loading++
	g.msgs.show(g.tick, message{kind: msgInfo, id: "open", title: "Opening " + f.Name + "…", until: -1})
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		ds, err := format.Decode(f.Name, f.Data, format.Options{MaxPoints: g.cfg.MaxPoints})
		if err == nil && len(ds) == 0 {
			err = fmt.Errorf("%s: holds no drawing", f.Name)
		}
		g.loaded(loadResult{name: f.Name, ds: ds, err: err})
	}()
}

// loaded hands a file read in the background to the loop; at exit, when
// nothing takes it any more, it is dropped, so a burst of reads cannot
// hold the exit up.
func (g *Game) loaded(r loadResult) {
	select {
	case g.loads <- r:
		g.pacer.wake()
	case <-g.saving.Done():
	}
}

// receiveLoads opens the files decoded since the last tick.
func (g *Game) receiveLoads() {
	for {
		select {
		case r := <-g.loads:
			g.loading--
			if r.path == "" && errors.Is(r.err, context.Canceled) {
				continue // the file dialog was cancelled
			}
			if r.err != nil {
				g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + r.name, body: r.err.Error()})
				continue
			}
			file := r.name
			if r.path != "" {
				file = r.path
			}
			if err := g.open(file, r.ds, 0); err != nil {
				g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + r.name, body: err.Error()})
				continue
			}
			g.doc.tl.Play()
			ebiten.SetWindowTitle(g.title())
			if r.path != "" {
				g.remember(r.path)
			}
			body := countOf(len(r.ds[0].Strokes), "stroke")
			if len(r.ds) > 1 {
				body = fmt.Sprintf("%d drawings: PageUp / PageDown or the arrow buttons step through them", len(r.ds))
			}
			g.msgs.show(g.tick, message{kind: msgDone, id: "open", title: "Opened " + r.name, body: body})
		default:
			return
		}
	}
}

// pointers handles presses, drags and releases of the mouse and fingers.
func (g *Game) pointers(ev Events) {
	g.hover = -1
	if ev.Hover {
		g.hover = g.buttonAt(ev.HoverX, ev.HoverY)
		if g.card.open {
			g.hover, g.card.hover = -1, g.tileAt(ev.HoverX, ev.HoverY)
		}
	}
	for _, p := range ev.Pointers {
		switch p.Phase {
		case PointerDown:
			g.pointerDown(p)
		case PointerMove:
			if g.scrubbing && p.ID == g.scrubID {
				g.scrubTo(p.X)
			}
		case PointerUp:
			if g.scrubbing && p.ID == g.scrubID {
				g.scrubTo(p.X)
				g.scrubbing = false
				if g.wasPlay && !g.doc.tl.Ended() {
					g.doc.tl.Play()
				}
			}
			if g.pressed >= 0 && p.ID == g.pressID {
				b := g.pressed
				g.pressed = -1
				if g.buttonAt(p.X, p.Y) == b {
					g.do(g.buttonAction(b))
				}
			}
		}
	}
}

func (g *Game) pointerDown(p PointerEvent) {
	if g.card.open {
		g.pickerClick(p.X, p.Y)
		return
	}
	if g.showHelp {
		g.setHelp(false)
		return
	}
	if len(g.msgs.list) > 0 && g.messagesRect().contains(p.X, p.Y) {
		g.clickMessages()
		return
	}
	if b := g.buttonAt(p.X, p.Y); b >= 0 {
		g.pressed, g.pressID = b, p.ID
		return
	}
	if g.lay.Scrub.contains(p.X, p.Y) {
		g.robotView = false // the scrubber seeks the playback: show it
		g.scrubbing, g.scrubID = true, p.ID
		g.wasPlay = g.doc.tl.Playing()
		g.doc.tl.Pause()
		g.scrubTo(p.X)
		return
	}
	if g.lay.View.contains(p.X, p.Y) {
		g.do(actPlayPause)
	}
}

// scrubTo seeks to the time under screen x on the scrubber.
func (g *Game) scrubTo(x float64) {
	t := g.lay.Track
	f := (x - t.X) / t.W
	f = min(max(f, 0), 1)
	g.doc.tl.SetTime(f * g.doc.tl.Duration())
}

// buttonAt returns the button under (x, y), or -1.
func (g *Game) buttonAt(x, y float64) buttonID {
	for i, r := range g.lay.Buttons {
		if r.W > 0 && r.contains(x, y) {
			return buttonID(i)
		}
	}
	return -1
}

// buttonAction maps an on-screen button to its action now: while the
// robot draws, its button stops it in the robot's view (Play pauses it
// there) and shows that view from the playback's.
func (g *Game) buttonAction(b buttonID) action {
	if b == btnRobot && g.robot != nil && g.robot.running() && !g.robot.pad && g.robot.d == g.doc.d {
		if g.robotShown() {
			return actRobotStop
		}
		return actView
	}
	return buttonActions(b)
}

// buttonActions maps an on-screen button to its usual action.
func buttonActions(b buttonID) action {
	return [numButtons]action{
		btnRestart: actRestart, btnPrevStroke: actPrevStroke, btnPlay: actPlayPause,
		btnNextStroke: actNextStroke, btnSlower: actSlower, btnFaster: actFaster,
		btnRobot: actRobot, btnHelp: actHelp, btnOpen: actOpen, btnPrevDrawing: actPrevDrawing, btnNextDrawing: actNextDrawing,
	}[b]
}

// Draw composes the frame: paper, ink, pen, robot, interface, overlays.
func (g *Game) Draw(screen *ebiten.Image) {
	span := g.perf.prf.Start("draw")
	g.frame++
	g.hold.drew = true
	g.relayout(screen.Bounds().Dx(), screen.Bounds().Dy())
	g.perf.prf.Measure("bake", g.doc.reveal)
	v := g.lay.View

	screen.Fill(colBackdrop)
	g.drawPaper(screen)
	if g.robotView && g.robot != nil && g.robot.d == g.doc.d {
		g.drawRobotView(screen)
	} else {
		g.doc.drawInk(screen, v.X+float64(g.doc.paper.Min.X), v.Y+float64(g.doc.paper.Min.Y))
		g.drawPen(screen)
	}
	g.drawRobotPanel(screen)
	g.drawTopBar(screen)
	g.drawBottom(screen)
	g.drawMessages(screen)
	if g.overlay.shown {
		g.overlay.draw(screen, g.kit(), g.pacer.resting)
	}
	if g.card.open {
		g.drawPicker(screen)
	}
	if g.showHelp {
		g.drawHelp(screen)
	}
	span.Stop()
	if _, changed := g.perf.endDraw(time.Now(), g.doc.tl.StrokesDone()); changed {
		g.doc.setQuality(canvas.QualityOf(g.perf.opt.Knobs()))
	}

	if g.quitting && g.cfg.Screenshot != "" && g.finalShot == nil {
		g.finalShot = grab(screen)
	}
}

// finish writes what the window owes at exit: the --screenshot file; and
// stops the robot with its pen lifted.
func (g *Game) finish() error {
	var errs []error
	// Let the screenshots being written finish, keeping their errors; a
	// GIF being encoded stops, leaving no file.
	g.stopSaving()
	keep := func(errs []error, r saved) []error {
		if r.err != nil && !errors.Is(r.err, context.Canceled) {
			errs = append(errs, r.err)
		}
		return errs
	}
	stop, drained := make(chan struct{}), make(chan []error)
	go func() {
		var errs []error
		for {
			select {
			case r := <-g.saves:
				errs = keep(errs, r)
			case <-stop:
				for len(g.saves) > 0 {
					errs = keep(errs, <-g.saves)
				}
				drained <- errs
				return
			}
		}
	}()
	g.background.Wait()
	close(stop)
	errs = append(errs, <-drained...)
	g.live.stop()
	if s := g.stopRobotAtExit(); s != "" {
		fmt.Fprintln(os.Stderr, s)
	}
	if g.cfg.Screenshot != "" {
		if g.finalShot == nil {
			errs = append(errs, fmt.Errorf("%s: the window closed before a frame was drawn", g.cfg.Screenshot))
		} else if err := writePNG(g.cfg.Screenshot, g.finalShot); err != nil {
			errs = append(errs, err)
		}
	}
	if g.cfg.Trace != "" {
		if err := writeFileAtomic(g.cfg.Trace, g.perf.writeTrace); err != nil {
			errs = append(errs, err)
		}
	}
	if g.cfg.TraceCSV != "" {
		if err := writeFileAtomic(g.cfg.TraceCSV, g.perf.writeCSV); err != nil {
			errs = append(errs, err)
		}
	}
	if g.cfg.Frames > 0 {
		fmt.Fprintln(os.Stderr, g.perf.summary())
	}
	return errors.Join(errs...)
}
