package window

import (
	"fmt"
	"path/filepath"
	"strings"
)

// fittedSubtitle returns the line under the title for room pixels: its
// full wording, or the terse one when that does not fit (a small window).
func (g *Game) fittedSubtitle(face fontFace, room float64) string {
	if s := g.subtitleIn(false); textWidth(s, face) <= room {
		return s
	}
	return g.subtitleIn(true)
}

// subtitleIn is the line under the title: where the tablet page is, what
// is shown, and the place in a gallery; short says the same in fewer words.
func (g *Game) subtitleIn(short bool) string {
	say := func(full, terse string) string {
		if short {
			return terse
		}
		return full
	}
	var parts []string
	if u := g.live.url(); u != "" {
		parts = append(parts, g.live.who()+": "+u)
	}
	switch {
	case g.loading > 0:
		parts = append(parts, say("Opening a file…", "Opening…"))
	case g.live != nil && g.doc.d == g.live.pad.Drawing():
		parts = append(parts, say("Drawn on the companion page, live", "From the tablet, live"))
	case g.file == "":
		parts = append(parts, say("Demo drawing · Open (Ctrl+O) or drop a file here for yours · H for help", "Demo · Ctrl+O opens yours · H: help"))
	default:
		parts = append(parts, say(g.file, filepath.Base(g.file)))
	}
	if n := len(g.docs); n > 1 {
		parts = append(parts, say(fmt.Sprintf("drawing %d of %d", g.docIdx+1, n), fmt.Sprintf("%d of %d", g.docIdx+1, n)))
	}
	return strings.Join(parts, " · ")
}
