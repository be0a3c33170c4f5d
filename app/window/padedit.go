package window

import (
	"slices"

	"mbotdraw/bridge"
	"mbotdraw/playback"
)

// A companion page's Undo and Clear (see live.go for the pad's strokes).
//
// Undo takes back one of the page's strokes: it goes from the live drawing
// (the window and every page's Watch panel show the drawing without it),
// from the strokes waiting to be drawn, and from the robot's queue if the
// robot has not begun it. A stroke the robot has drawn stays on the paper.
//
// Clear starts a new drawing: a blank live drawing, shown at once in the
// window and on every page, after the one before (PageUp goes back to it:
// nothing is lost). With the page's robot switch on, the robot starts a new
// drawing too: the strokes still waiting for it are dropped and the window
// asks for a new sheet of paper.
//
// Both come in order among the page's pieces, so a stroke drawn after a
// Clear never lands in the drawing before it.

// padAction carries out a page's Undo or Clear, or keeps it waiting while
// another page's stroke is being drawn (it follows that stroke).
func (g *Game) padAction(ps bridge.PadStroke, news *padNews) {
	l := g.live
	if l.open >= 0 && l.openKey.page != ps.Page {
		l.waiting = append(l.waiting, ps)
		return
	}
	if news.started {
		// A live drawing begun this tick goes on show before it changes.
		g.showPad()
		news.started = false
	}
	news.newStroke = -1 // stroke numbers change below; nothing to skip to
	switch ps.Action {
	case bridge.PadUndo:
		g.undoPad(padKey{ps.Page, ps.Stroke})
	case bridge.PadClear:
		g.clearPad(ps.Page, ps.Robot)
	}
}

// undoPad takes back pad stroke key.
func (g *Game) undoPad(key padKey) {
	l := g.live
	if last, ok := l.closed[key.page]; !ok || key.stroke > last {
		l.closed[key.page] = key.stroke // pieces of it that come later are dropped
	}
	l.waiting = slices.DeleteFunc(l.waiting, func(ps bridge.PadStroke) bool {
		return ps.Action == bridge.PadDraw && ps.Page == key.page && ps.Stroke == key.stroke
	})
	l.robotQueue = slices.DeleteFunc(l.robotQueue, func(r padRobotStroke) bool { return r.key == key })
	if l.open >= 0 && l.openKey == key {
		l.open = -1
	}
	i, ok := l.strokeOf[key]
	if !ok || l.pad == nil {
		return
	}
	delete(l.strokeOf, key)
	for k, j := range l.strokeOf {
		if j > i {
			l.strokeOf[k] = j - 1
		}
	}
	if l.open > i {
		l.open--
	}
	g.replacePad(withoutStroke(l.pad, i))
}

// clearPad starts a new live drawing for page's Clear.
func (g *Game) clearPad(page uint64, forRobot bool) {
	l := g.live
	if l.open >= 0 && l.openKey.page == page {
		l.open = -1
	}
	if l.open >= 0 {
		return // another page's stroke: padAction kept the Clear waiting
	}
	if forRobot {
		l.robotQueue = nil
	}
	if l.pad != nil && len(l.pad.Strokes) == 0 && g.doc.d == l.pad {
		// Already a blank drawing on show: nothing to keep.
	} else {
		g.newPad()
		g.showPad()
	}
	title, body := "New drawing from the tablet", "The one before is kept: PageUp goes back to it"
	if forRobot {
		title, body = "New drawing from the tablet, for the robot too", "Put a new sheet of paper under the robot · "+body
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "live", title: title, body: body})
}

// replacePad puts d in place of the live drawing, in the open drawings and
// on screen, keeping the clock where it was.
func (g *Game) replacePad(d *playback.Drawing) {
	l := g.live
	old := l.pad
	l.pad = d
	j := slices.Index(g.docs, old)
	if j < 0 {
		return
	}
	g.docs[j] = d
	if g.doc.d != old {
		return
	}
	tl := g.doc.tl
	t, playing := tl.Time(), tl.Playing()
	if err := g.open(g.file, g.docs, j); err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "live", title: "Can't show the tablet's drawing", body: err.Error()})
		return
	}
	g.doc.mode = fitPage
	g.doc.tl.SetTime(t)
	if playing {
		g.doc.tl.Play()
	}
}

// withoutStroke returns a copy of d without stroke i.
func withoutStroke(d *playback.Drawing, i int) *playback.Drawing {
	o := playback.NewDrawing(d.Width, d.Height)
	o.Name, o.Background, o.Timed = d.Name, d.Background, d.Timed
	for k := range d.Strokes {
		if k != i {
			copyStroke(o, d, k)
		}
	}
	return o
}
