package window

import "image/color"

// colDisabled is a button that does nothing now.
var colDisabled = color.RGBA{0x4a, 0x52, 0x66, 0xff}

// A drawing with no strokes (a file whose stroke list is empty) opens, but
// there is nothing to play, draw or save: the window says so, and R, S and
// G explain instead of sending or saving nothing. The robot button is
// greyed. The live drawing of the companion page, empty after an Undo,
// goes without the banner: the tablet shows why.

// empty reports whether the drawing shown has no strokes.
func (g *Game) empty() bool { return len(g.doc.d.Strokes) == 0 }

// sayIfEmpty shows, or takes down, the banner about an empty drawing.
func (g *Game) sayIfEmpty() {
	g.msgs.drop("empty")
	if !g.empty() || (g.live != nil && g.doc.d == g.live.pad.Drawing()) {
		return
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "empty", until: -1, title: "This drawing has no strokes",
		body: "There is nothing to play, to send to the robot or to save. Open another drawing (Ctrl+O) or drop one on the window."})
}

// refuseEmpty explains, and reports true, when an action needs strokes
// the drawing does not have.
func (g *Game) refuseEmpty(a action) bool {
	if !g.empty() {
		return false
	}
	var title string
	switch a {
	case actRobot:
		title = "Nothing to send to the robot"
	case actScreenshot:
		title = "Nothing to save as a picture"
	case actGIF:
		title = "Nothing to save as a GIF"
	default:
		return false
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "empty-key", title: title, body: "This drawing has no strokes."})
	return true
}
