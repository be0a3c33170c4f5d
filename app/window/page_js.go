package window

import (
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
//     and tolerance_px, which change the ink), and robot (pageRobotState).
//     The page's tests read it.
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
		"robot": g.pageRobotState(),
	})
}

// pageRobotState is what the page is told of the robot: name (the robot R
// draws on), title and detail (the robot panel's text, "" when there is
// no panel) and, once a drawing was sent, state (robot.State's name),
// running, motions_done of motions, and reconnects.
func (g *Game) pageRobotState() map[string]any {
	m := map[string]any{"name": robotName(g.robotSpec()), "title": "", "detail": ""}
	switch r := g.robot; {
	case r != nil:
		p := r.panel()
		m["title"], m["detail"] = p.title, p.detail
		m["state"], m["running"] = r.last.State.String(), r.running()
		m["motions_done"], m["motions"], m["reconnects"] = r.last.MotionsDone, len(r.prog.Motions), r.last.Reconnects
	case g.pick != nil && g.pick.shown:
		m["title"], m["detail"], _ = g.pickStatus()
	}
	return m
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
