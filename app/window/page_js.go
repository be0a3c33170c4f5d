package window

import (
	"strconv"
	"sync"
	"syscall/js"
)

// In the browser the page and the game talk through globalThis.mbotdraw
// (set up by the player's index.html):
//
//   - mbotdraw.open(name, bytes) hands the game a file the user picked with
//     the page's file input (a Uint8Array); it opens like a dropped file.
//   - mbotdraw.pick() opens the page's file chooser (Open and Ctrl+O call it,
//     as the desktop opens its file dialog).
//   - mbotdraw.game is what the game shows, refreshed every tick: tick,
//     t_ms and duration_ms (drawing time), playing, ended, speed, stroke and
//     strokes, file ("" for the demo), and paper (the drawing's rectangle on
//     the screen, in device pixels: x, y, w, h) with fit (scale, offX, offY:
//     drawing units to paper pixels), and knobs (the optimizer's antialias
//     and tolerance_px, which change the ink), buttons (each on-screen
//     button's rectangle by name, in device pixels: x, y, w, h; absent
//     buttons are left out) and scrub (the scrubber's), and robot
//     (pageRobotState). The page's tests read it.
//   - ?time-scale=K in the page's address makes the robot's time run K
//     times faster (as --time-scale does for the desktop's plot): for the
//     virtual mBot, and for tests of a virtual mBot behind Web Serial.
//   - ?open-loop=1 sends the drawing's moves to the robot as compiled,
//     without the driver's corrections for frames that went out late
//     (robot.DriverOptions.OpenLoop): a diagnosis setting, for comparing
//     what the robot received with the dry run. Not for children's
//     drawings: on a busy browser the lines come out shorter or longer.
//   - mbotdraw.bridge is the classroom bridge that served the page, set by
//     index.html before the game starts (see robotchoices_js.go).
var browserPage struct {
	once  sync.Once
	obj   js.Value
	mu    sync.Mutex
	files []DroppedFile
}

func pageObject() js.Value {
	browserPage.once.Do(func() {
		o := js.Global().Get("mbotdraw")
		if o.Type() != js.TypeObject {
			o = js.Global().Get("Object").New()
			js.Global().Set("mbotdraw", o)
		}
		o.Set("open", js.FuncOf(func(this js.Value, args []js.Value) any {
			if len(args) < 2 {
				return nil
			}
			name, src := args[0].String(), args[1]
			df := DroppedFile{Name: name}
			if n := src.Get("length").Int(); n > maxDropBytes {
				df.Err = errTooBig
			} else {
				df.Data = make([]byte, n)
				js.CopyBytesToGo(df.Data, src)
			}
			browserPage.mu.Lock()
			browserPage.files = append(browserPage.files, df)
			browserPage.mu.Unlock()
			go scheduleFrame() // a resting window wakes to open it
			return nil
		}))
		browserPage.obj = o
	})
	return browserPage.obj
}

// pageFiles returns the files the page handed over since the last call.
func pageFiles() []DroppedFile {
	pageObject()
	browserPage.mu.Lock()
	defer browserPage.mu.Unlock()
	f := browserPage.files
	browserPage.files = nil
	return f
}

// publish shows the page what the game shows.
func (g *Game) publish() {
	o := pageObject()
	if g.tick == 1 {
		// When the first frame came, in ms since the page began loading.
		o.Set("first_tick_ms", js.Global().Get("performance").Call("now"))
	}
	tl := g.doc.tl
	v := g.lay.View
	pr := g.doc.paper
	f := g.doc.fit
	k := g.perf.opt.Knobs()
	o.Set("game", map[string]any{
		"tick": g.tick, "t_ms": tl.Time(), "duration_ms": tl.Duration(),
		"playing": tl.Playing(), "ended": tl.Ended(), "speed": tl.Speed(),
		"stroke": g.doc.currentStroke(), "strokes": len(g.doc.d.Strokes), "file": g.file,
		"paper": map[string]any{"x": int(v.X) + pr.Min.X, "y": int(v.Y) + pr.Min.Y, "w": pr.Dx(), "h": pr.Dy()},
		"fit":   map[string]any{"scale": f.Scale, "offX": f.OffX, "offY": f.OffY},
		"knobs": map[string]any{"antialias": k.AntiAlias, "tolerance_px": k.Tolerance},
		"robot": g.pageRobotState(), "buttons": g.pageButtons(), "scrub": pageRect(g.lay.Scrub),
	})
}

// buttonNames names the on-screen buttons for the page.
var buttonNames = [numButtons]string{btnRestart: "restart", btnPrevStroke: "prev_stroke", btnPlay: "play",
	btnNextStroke: "next_stroke", btnSlower: "slower", btnFaster: "faster", btnRobot: "robot", btnHelp: "help",
	btnPrevDrawing: "prev_drawing", btnNextDrawing: "next_drawing", btnOpen: "open"}

func pageRect(r rect) map[string]any {
	return map[string]any{"x": r.X, "y": r.Y, "w": r.W, "h": r.H}
}

// pageButtons returns the buttons on screen by name.
func (g *Game) pageButtons() map[string]any {
	out := map[string]any{}
	for id, r := range g.lay.Buttons {
		if r.W > 0 {
			out[buttonNames[id]] = pageRect(r)
		}
	}
	return out
}

// pageRobotState is what the page is told of the robot: spec and name (the
// robot R draws on), title and detail (the robot panel's text, "" when
// there is no panel), message (the newest robot banner's title and body,
// when one shows) and, once a drawing was sent, state (robot.State's
// name), running, motions_done of motions, reconnects, and what went over
// the link since R: sent (frames), sent_sum (FNV-1a of their bytes, hex),
// first_ack_ms (R to the first ack, 0 before) and losses (why the link was
// lost, each time); held_frames and held_ms (the frames that waited for the
// robot's wheels since the page opened, and how long in all: robotHold).
func (g *Game) pageRobotState() map[string]any {
	m := map[string]any{"spec": g.robotSpec(), "name": robotName(g.robotSpec()), "title": "", "detail": ""}
	if p, ok := g.robotPanelNow(); ok {
		m["title"], m["detail"] = p.title, p.detail
	}
	if r := g.robot; r != nil {
		m["state"], m["running"] = r.last.State.String(), r.running()
		m["motions_done"], m["motions"], m["reconnects"] = r.last.MotionsDone, len(r.prog.Motions), r.last.Reconnects
		m["sent"], m["sent_sum"] = r.wire.sent.Load(), strconv.FormatUint(r.wire.sum.Load(), 16)
		m["first_ack_ms"] = float64(r.wire.firstAck.Load()) / 1e6
		m["held_frames"], m["held_ms"] = g.hold.held, float64(g.hold.waited)/1e6
		var losses []any
		for _, l := range r.wire.lost() {
			losses = append(losses, l)
		}
		m["losses"] = losses
	}
	for _, msg := range g.msgs.list {
		if msg.id == "robot" {
			m["message"] = map[string]any{"title": msg.title, "body": msg.body}
		}
	}
	return m
}

// pageTimeScale returns K from the page's address (?time-scale=K), or 0.
func pageTimeScale() float64 {
	k, err := strconv.ParseFloat(pageParam("time-scale"), 64)
	if err != nil || !(k > 0) || k > 1000 {
		return 0
	}
	return k
}

// pageOpenLoop reports whether the page's address asks for open loop
// (?open-loop=1, or true): see robot.DriverOptions.OpenLoop.
func pageOpenLoop() bool {
	on, err := strconv.ParseBool(pageParam("open-loop"))
	return err == nil && on
}

// lost returns, for the page, why the link was lost or a frame went
// unanswered, each time.
func (w *wireLog) lost() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.losses...)
}

// pagePick opens the page's file chooser, if the page has one; the file
// chosen comes back through mbotdraw.open. Browsers open a chooser only
// shortly after the user clicked or pressed a key, as here.
func pagePick() bool {
	pick := pageObject().Get("pick")
	if pick.Type() != js.TypeFunction {
		return false
	}
	pick.Invoke()
	return true
}
