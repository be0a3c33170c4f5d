package window

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/version"
)

// The palette: a deep navy frame around white paper, one warm accent.
var (
	colBackdrop  = color.RGBA{0xdd, 0xe4, 0xef, 0xff}
	colBar       = color.RGBA{0x1f, 0x2a, 0x44, 0xff}
	colBarText   = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colBarDim    = color.RGBA{0xb4, 0xbf, 0xd8, 0xff}
	colChip      = color.RGBA{0x32, 0x40, 0x63, 0xff}
	colButton    = color.RGBA{0x34, 0x44, 0x6b, 0xff}
	colPlay      = color.RGBA{0x2e, 0x9d, 0x4f, 0xff}
	colPause     = color.RGBA{0xef, 0x8a, 0x00, 0xff}
	colRobot     = color.RGBA{0x1e, 0x88, 0xe5, 0xff}
	colTrack     = color.RGBA{0x3b, 0x4a, 0x72, 0xff}
	colAccent    = color.RGBA{0xff, 0xc1, 0x07, 0xff}
	colShadow    = color.RGBA{0x00, 0x00, 0x00, 0x22}
	colPenRing   = color.RGBA{0x21, 0x21, 0x21, 0xff}
	colDim       = color.RGBA{0x00, 0x00, 0x00, 0x99}
	colCard      = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colCardText  = color.RGBA{0x1f, 0x2a, 0x44, 0xff}
	colCardMuted = color.RGBA{0x5a, 0x66, 0x80, 0xff}
	colError     = color.RGBA{0xc6, 0x28, 0x28, 0xf2}
	colInfo      = color.RGBA{0x1f, 0x2a, 0x44, 0xe8}
	colDone      = color.RGBA{0x2e, 0x7d, 0x32, 0xf0}
)

// formatTime writes milliseconds as m:ss (h:mm:ss past an hour).
func formatTime(ms float64) string {
	s := int(math.Floor(math.Max(0, ms) / 1000))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// formatSpeed writes a speed factor as "1x", "0.5x", "16x".
func formatSpeed(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".") + "x"
}

// drawPaper draws the paper's shadow; the ink layer on top is the paper.
func (g *Game) drawPaper(screen *ebiten.Image) {
	v, u, pr := g.lay.View, g.lay.U, g.doc.paper
	s := math.Max(1, math.Round(3*u))
	fillRect(screen, v.X+float64(pr.Min.X)+s, v.Y+float64(pr.Min.Y)+s, float64(pr.Dx()), float64(pr.Dy()), colShadow)
}

// drawPen draws the pen tip where the drawing is being drawn: a dot of the
// stroke's colour in a dark ring while drawing, an empty ring when lifted.
func (g *Game) drawPen(screen *ebiten.Image) {
	x, y, p, show := g.doc.penView()
	if !show {
		return
	}
	u, v := g.lay.U, g.lay.View
	x, y = x+v.X, y+v.Y
	w := g.doc.strokeWidthView(max(p.Stroke, 0))
	r := math.Round(math.Max(7*u, w/2+3*u))
	var c color.RGBA
	if p.Down {
		c = g.doc.d.Strokes[p.Stroke].Color
	}
	ring := math.Max(2, math.Round(3*u))
	size := 2 * (r + ring + 1)
	img := g.spr.get(fmt.Sprint("pen", p.Down, c, r, ring), size, size, func(dst *ebiten.Image, pa *painter) {
		if p.Down {
			pa.fillCircle(dst, size/2, size/2, r+ring, colPenRing)
			pa.fillCircle(dst, size/2, size/2, r, c)
			return
		}
		pa.path.Arc(float32(size/2), float32(size/2), float32(r), 0, 2*math.Pi, 0)
		pa.path.Close()
		pa.stroke(dst, ring, color.RGBA{0x21, 0x21, 0x21, 0xc8})
	})
	drawAt(screen, img, x-size/2, y-size/2)
}

// drawTopBar draws the title on the left and the clock, speed and stroke
// count on the right, big enough to read from the back of a classroom.
func (g *Game) drawTopBar(screen *ebiten.Image) {
	l, u, f, dc := g.lay, g.lay.U, g.fonts, g.doc
	fillRect(screen, 0, 0, l.W, l.Top.H, colBar)
	pad := math.Round(22 * u)
	cy := l.Top.H / 2

	// Right: time, then speed and stroke chips to its left.
	tl, c := dc.tl, g.clock()
	clock := formatTime(c.t) + " / " + formatTime(c.dur)
	x := l.W - pad
	drawText(screen, clock, f.huge, x, cy, alignEnd, colBarText)
	x -= textWidth(clock, f.huge) + math.Round(20*u)
	if c.robot {
		x = g.chip(screen, "Robot", f.bigBold, x, cy, colRobot, colBarText)
	} else {
		x = g.chip(screen, formatSpeed(tl.Speed()), f.bigBold, x, cy, colAccent, colBar)
	}
	x -= math.Round(12 * u)
	strokes := fmt.Sprintf("Stroke %d of %d", c.stroke, c.strokes)
	x = g.chip(screen, strokes, f.big, x, cy, colChip, colBarText)

	// Left: the drawing's name and a line under it.
	room := x - pad - math.Round(16*u)
	if room > 40*u {
		drawText(screen, fitText(dc.name, f.title, room), f.title, pad, cy-13*u, alignStart, colBarText)
		g.subtitleShown = fitText(g.fittedSubtitle(f.small, room), f.small, room)
		drawText(screen, g.subtitleShown, f.small, pad, cy+20*u, alignStart, colBarDim)
	}
}

// chip draws text in a rounded box whose right edge is at x, and returns
// the box's left edge.
func (g *Game) chip(screen *ebiten.Image, s string, face fontFace, x, cy float64, bg, fg color.Color) float64 {
	u := g.lay.U
	w := math.Ceil(textWidth(s, face) + 28*u)
	h := math.Ceil(face.Size + 18*u)
	img := g.spr.get(fmt.Sprint("chip", s, face.Size, bg, fg, u), w, h, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, w, h, h/2, bg)
		drawText(dst, s, face, w/2, h/2, alignCenter, fg)
	})
	drawAt(screen, img, x-w, cy-h/2)
	return x - w
}

// subtitle is the small line under the title, in its full wording.
func (g *Game) subtitle() string { return g.subtitleIn(false) }

// drawBottom draws the scrubber and the buttons.
func (g *Game) drawBottom(screen *ebiten.Image) {
	l, u := g.lay, g.lay.U
	fillRect(screen, 0, l.Bot.Y, l.W, l.Bot.H, colBar)

	// Scrubber: the track, the played part, the knob.
	t := l.Track
	track := g.spr.get(fmt.Sprint("track", t.W, t.H), t.W, t.H, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, t.W, t.H, t.H/2, colTrack)
	})
	played := g.spr.get(fmt.Sprint("played", t.W, t.H), t.W, t.H, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, t.W, t.H, t.H/2, colAccent)
	})
	drawAt(screen, track, t.X, t.Y)
	fx := t.W * g.clock().fraction
	if fx >= 1 {
		drawAt(screen, played.SubImage(image.Rect(0, 0, int(math.Round(fx)), int(math.Ceil(t.H)))).(*ebiten.Image), t.X, t.Y)
	}
	r := math.Round(math.Max(7, 15*u))
	if g.scrubbing {
		r = math.Round(r * 1.2)
	}
	knob := g.spr.get(fmt.Sprint("knob", r), 2*r+2, 2*r+2, func(dst *ebiten.Image, p *painter) {
		p.fillCircle(dst, r+1, r+1, r, colAccent)
		p.fillCircle(dst, r+1, r+1, r*0.6, colBarText)
	})
	_, cy := t.centre()
	drawAt(screen, knob, t.X+fx-r-1, cy-r-1)

	for i, b := range l.Buttons {
		if b.W > 0 {
			g.drawButton(screen, buttonID(i), b)
		}
	}
}

// drawButton draws one big button: a rounded box, an icon and a label.
func (g *Game) drawButton(screen *ebiten.Image, id buttonID, b rect) {
	u := g.lay.U
	bg := colButton
	switch id {
	case btnPlay:
		bg = colPlay
		if g.playShown() {
			bg = colPause
		}
	case btnRobot:
		bg = colRobot
		if g.empty() {
			bg = colDisabled
		}
	case btnPrevDrawing, btnNextDrawing:
		if g.galleryEnd(id) {
			bg = colDisabled
		}
	}
	if g.hover == id {
		bg = lighten(bg, 0.15)
	}
	if g.pressed == id {
		bg = lighten(bg, 0.3)
	}
	label := buttonLabel(id, g)
	playing := g.playShown()
	img := g.spr.get(fmt.Sprint("button", id, label, bg, b.W, b.H, playing), b.W, b.H, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, b.W, b.H, 14*u, bg)
		lf := g.fonts.label
		iconH := b.H - lf.Size - 16*u
		cx, cy := b.W/2, 6*u+iconH/2
		g.drawIcon(dst, p, id, playing, cx, cy, math.Min(iconH, b.W)*0.62)
		drawText(dst, fitText(label, lf, b.W-6*u), lf, cx, b.H-lf.Size/2-7*u, alignCenter, colBarText)
	})
	drawAt(screen, img, b.X, b.Y)
}

// lighten mixes c with white.
func lighten(c color.RGBA, k float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*k) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), c.A}
}

// buttonLabel is the word under a button's icon.
func buttonLabel(id buttonID, g *Game) string {
	switch id {
	case btnRestart:
		return "Restart"
	case btnPrevStroke:
		return "Stroke"
	case btnPlay:
		if g.playShown() {
			return "Pause"
		}
		if g.robotPausable() {
			return "Resume"
		}
		return "Play"
	case btnNextStroke:
		return "Stroke"
	case btnSlower:
		return "Slower"
	case btnFaster:
		return "Faster"
	case btnRobot:
		return g.robotButtonLabel()
	case btnHelp:
		return "Help"
	case btnPrevDrawing, btnNextDrawing:
		return "Drawing"
	case btnOpen:
		return "Open"
	}
	return ""
}

// drawIcon draws a button's icon centred at (cx, cy) in an s-pixel box.
func (g *Game) drawIcon(screen *ebiten.Image, p *painter, id buttonID, playing bool, cx, cy, s float64) {
	c := colBarText
	h := s / 2
	switch id {
	case btnPlay:
		if playing {
			bw := s * 0.26
			p.fillRoundRect(screen, cx-h*0.75, cy-h, bw, s, bw/3, c)
			p.fillRoundRect(screen, cx+h*0.75-bw, cy-h, bw, s, bw/3, c)
		} else {
			p.fillPoly(screen, c, cx-h*0.7, cy-h, cx+h*0.95, cy, cx-h*0.7, cy+h)
		}
	case btnRestart:
		// A circular arrow.
		r := h * 0.8
		p.path.Arc(float32(cx), float32(cy), float32(r), float32(-math.Pi*0.35), float32(math.Pi*1.3), 0)
		p.stroke(screen, s*0.14, c)
		ax, ay := cx+r*math.Cos(-math.Pi*0.35), cy+r*math.Sin(-math.Pi*0.35)
		a := s * 0.28
		p.fillPoly(screen, c, ax-a*0.9, ay-a*0.5, ax+a*0.55, ay-a*0.75, ax+a*0.1, ay+a*0.65)
	case btnPrevStroke, btnNextStroke:
		dir := 1.0
		if id == btnPrevStroke {
			dir = -1
		}
		bw := s * 0.16
		p.fillPoly(screen, c, cx-dir*h*0.8, cy-h*0.85, cx+dir*h*0.5, cy, cx-dir*h*0.8, cy+h*0.85)
		bx := cx + dir*h*0.55
		if dir < 0 {
			bx -= bw
		}
		p.fillRoundRect(screen, bx, cy-h*0.85, bw, s*0.85, bw/3, c)
	case btnSlower, btnFaster:
		bw := s * 0.17
		p.fillRoundRect(screen, cx-h*0.8, cy-bw/2, s*0.8, bw, bw/2, c)
		if id == btnFaster {
			p.fillRoundRect(screen, cx-bw/2, cy-h*0.8, bw, s*0.8, bw/2, c)
		}
	case btnRobot:
		drawRobotIcon(p, screen, cx, cy, s, c)
	case btnOpen:
		drawFolderIcon(p, screen, cx, cy, s, c)
	case btnHelp:
		drawText(screen, "?", g.fonts.huge, cx, cy, alignCenter, c)
	case btnPrevDrawing, btnNextDrawing:
		dir := 1.0
		if id == btnPrevDrawing {
			dir = -1
		}
		p.line(screen, s*0.16, c, cx-dir*h*0.35, cy-h*0.75, cx+dir*h*0.4, cy, cx-dir*h*0.35, cy+h*0.75)
	}
}

// drawRobotIcon draws a friendly robot head.
func drawRobotIcon(p *painter, dst *ebiten.Image, cx, cy, s float64, c color.Color) {
	h := s / 2
	p.line(dst, s*0.08, c, cx, cy-h*0.55, cx, cy-h*0.95)
	p.fillCircle(dst, cx, cy-h, s*0.09, c)
	p.fillRoundRect(dst, cx-h*0.95, cy-h*0.55, s*0.95, s*0.75, s*0.16, c)
	e := s * 0.1
	p.fillCircle(dst, cx-h*0.4, cy-h*0.05, e, colRobot)
	p.fillCircle(dst, cx+h*0.4, cy-h*0.05, e, colRobot)
	p.fillRoundRect(dst, cx-h*0.35, cy+h*0.3, h*0.7, s*0.07, s*0.03, colRobot)
}

// messagesRect is the area the banners take, for clicks that dismiss them.
func (g *Game) messagesRect() rect {
	l, u := g.lay, g.lay.U
	w := math.Round(math.Min(820*u, l.W-40*u))
	h := 0.0
	for _, m := range g.msgs.list {
		h += g.messageHeight(m, w) + 8*u
	}
	return rect{math.Round((l.W - w) / 2), l.View.Y + 12*u, w, h}
}

func (g *Game) messageHeight(m message, w float64) float64 {
	u, f := g.lay.U, g.fonts
	lines := wrapText(m.body, f.body, w-40*u, 2)
	return math.Ceil(20*u + f.bodyBold.Size*1.3 + float64(len(lines))*f.body.Size*1.3)
}

// drawMessages draws the banners at the top of the drawing.
func (g *Game) drawMessages(screen *ebiten.Image) {
	if len(g.msgs.list) == 0 {
		return
	}
	u, f := g.lay.U, g.fonts
	r := g.messagesRect()
	y := r.Y
	for _, m := range g.msgs.list {
		bg := colInfo
		switch m.kind {
		case msgError:
			bg = colError
		case msgDone:
			bg = colDone
		}
		h := g.messageHeight(m, r.W)
		img := g.spr.get(fmt.Sprint("msg", m.kind, m.title, m.body, r.W, h), r.W, h, func(dst *ebiten.Image, p *painter) {
			p.fillRoundRect(dst, 0, 0, r.W, h, 14*u, bg)
			ty := 10*u + f.bodyBold.Size*0.65
			drawText(dst, fitText(m.title, f.bodyBold, r.W-40*u), f.bodyBold, 20*u, ty, alignStart, colBarText)
			for _, ln := range wrapText(m.body, f.body, r.W-40*u, 2) {
				ty += f.body.Size * 1.3
				drawText(dst, ln, f.body, 20*u, ty, alignStart, colBarText)
			}
		})
		drawAt(screen, img, r.X, y)
		y += h + 8*u
	}
}

// wrapText breaks s into at most maxLines lines of at most width pixels;
// the last line ends with an ellipsis when s does not fit.
func wrapText(s string, face fontFace, width float64, maxLines int) []string {
	if s == "" {
		return nil
	}
	var lines []string
	words := strings.Fields(s)
	cur := ""
	for i, w := range words {
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if textWidth(try, face) <= width || cur == "" {
			cur = try
			continue
		}
		lines = append(lines, cur)
		cur = w
		if len(lines) == maxLines-1 {
			cur = strings.Join(words[i:], " ")
			break
		}
	}
	lines = append(lines, fitText(cur, face, width))
	return lines
}

// drawHelp draws the help card over a dimmed window.
func (g *Game) drawHelp(screen *ebiten.Image) {
	l, u, f := g.lay, g.lay.U, g.fonts
	fillRect(screen, 0, 0, l.W, l.H, colDim)
	rows := g.helpRows()
	rowH := math.Round(f.body.Size * 1.55)
	w := math.Round(math.Min(980*u, l.W-40*u))
	h := math.Round(92*u + float64(len(rows))*rowH + 56*u)
	if h > l.H-20*u { // a short window: smaller rows
		rowH = math.Max(10, (l.H-20*u-148*u)/float64(len(rows)))
		h = math.Round(l.H - 20*u)
	}
	img := g.spr.get(fmt.Sprint("help", w, h, u, len(rows)), w, h, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, w, h, 22*u, colCard)
		drawText(dst, "Keys and buttons", f.title, 36*u, 46*u, alignStart, colCardText)
		drawText(dst, "mbotdraw "+version.Get().Short(), f.small, w-36*u, 46*u, alignEnd, colCardMuted)
		col := 36*u + math.Min(330*u, w*0.38)
		ry := 92*u + rowH/2
		for _, hl := range rows {
			drawText(dst, hl.keys, f.bodyBold, col-20*u, ry, alignEnd, colCardText)
			drawText(dst, fitText(hl.what, f.body, w-col-30*u), f.body, col, ry, alignStart, colCardText)
			ry += rowH
		}
		drawText(dst, "Press H, Esc or click anywhere to close", f.small, w/2, h-28*u, alignCenter, colCardMuted)
	})
	drawAt(screen, img, (l.W-w)/2, (l.H-h)/2)
}

// helpRows is the help card's rows: every key, and with --listen where
// the companion page is.
func (g *Game) helpRows() []helpLine {
	u := g.live.url()
	if u == "" {
		return helpLines
	}
	return append(append(make([]helpLine, 0, len(helpLines)+1), helpLines...),
		helpLine{g.live.who(), "open " + u + " to watch, control and draw"})
}
