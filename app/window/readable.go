package window

import (
	"fmt"
	"path/filepath"
	"strings"
)

// fittedSubtitle returns the line under the title for room pixels: its
// full wording, or the terse one when that does not fit (a small window).
func (g *Game) fittedSubtitle(face fontFace, room float64) string {
	if s := g.subtitle(); textWidth(s, face) <= room {
		return s
	}
	return g.shortSubtitle()
}

// shortSubtitle is the subtitle's terse wording: the same facts in fewer
// words.
func (g *Game) shortSubtitle() string {
	var parts []string
	if u := g.live.url(); u != "" {
		parts = append(parts, "Tablet: "+u)
	}
	switch {
	case g.loading > 0:
		parts = append(parts, "Opening…")
	case g.live != nil && g.doc.d == g.live.pad.Drawing():
		parts = append(parts, "From the tablet, live")
	case g.file == "":
		parts = append(parts, "Demo · drop a drawing here · H: help")
	default:
		parts = append(parts, filepath.Base(g.file))
	}
	if len(g.docs) > 1 {
		parts = append(parts, fmt.Sprintf("%d of %d", g.docIdx+1, len(g.docs)))
	}
	return strings.Join(parts, " · ")
}
