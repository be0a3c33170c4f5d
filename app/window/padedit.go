package window

import (
	"slices"

	"mbotdraw/playback"
)

// The window's side of the live drawing that bridge.PadDrawing assembles
// from the companion pages' pads (see live.go): it shows a new live
// drawing, puts one with a stroke taken back (a page's Undo) in place of
// the one before, and tells what a page's Clear did.
//
// Undo takes a stroke back from the live drawing: the window and every
// page's Watch panel show the drawing without it; a stroke the robot has
// drawn stays on the paper. Clear starts a new drawing, shown at once in
// the window and on every page, after the one before (PageUp goes back to
// it: nothing is lost); with the page's robot switch on, the robot starts a
// new drawing too, and the window asks for a new sheet of paper.

// padView is the window as the live drawing's bridge.PadView.
type padView struct{ g *Game }

// Showing reports whether d is the drawing on show.
func (v padView) Showing(d *playback.Drawing) bool { return v.g.doc.d == d }

// PageSize is the size of the page's canvas: the drawing the pages show,
// whose units their pads use.
func (v padView) PageSize() (w, h float64) {
	base := v.g.live.sent
	if base == nil {
		base = v.g.doc.d
	}
	w, h = base.Width, base.Height
	if !(w > 0 && h > 0) {
		w, h = 800, 600 // the page's canvas for a drawing without a size
	}
	return w, h
}

// Show opens the new live drawing after the open drawings and plays it.
func (v padView) Show(*playback.Drawing) { v.g.showPad() }

// Replace puts d in place of old, in the open drawings and on screen,
// keeping the clock where it was.
func (v padView) Replace(old, d *playback.Drawing) {
	g := v.g
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

// Cleared says that a page's Clear began a new drawing.
func (v padView) Cleared(forRobot bool) {
	title, body := "New drawing from the tablet", "The one before is kept: PageUp goes back to it"
	if forRobot {
		title, body = "New drawing from the tablet, for the robot too", "Put a new sheet of paper under the robot · "+body
	}
	v.g.msgs.show(v.g.tick, message{kind: msgInfo, id: "live", title: title, body: body})
}
