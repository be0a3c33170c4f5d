package window

import "fmt"

// setHelp shows or hides the help card. The playback waits behind it: it
// pauses when the help opens and plays on when it closes, if it was
// playing.
func (g *Game) setHelp(on bool) {
	if on == g.showHelp {
		return
	}
	g.showHelp = on
	tl := g.doc.tl
	switch {
	case on && tl.Playing():
		tl.Pause()
		g.helpPaused = true
	case !on && g.helpPaused:
		g.helpPaused = false
		if !tl.Ended() {
			tl.Play()
		}
	}
}

// sayGalleryEnd tells that there is no drawing before the first or after
// the last of a gallery: stepping does not wrap around without a word.
func (g *Game) sayGalleryEnd(delta int) {
	n := len(g.docs)
	if delta > 0 {
		g.msgs.show(g.tick, message{kind: msgInfo, id: "gallery", title: fmt.Sprintf("Drawing %d of %d is the last one", n, n),
			body: "PageUp or B goes back."})
		return
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "gallery", title: fmt.Sprintf("Drawing 1 of %d is the first one", n),
		body: "PageDown or N goes on."})
}

// galleryEnd reports whether a gallery button leads nowhere (greyed).
func (g *Game) galleryEnd(id buttonID) bool {
	return (id == btnPrevDrawing && g.docIdx == 0) || (id == btnNextDrawing && g.docIdx == len(g.docs)-1)
}
