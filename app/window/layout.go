package window

import (
	"math"

	"mbotdraw/playback"
)

// rect is a box in screen pixels.
type rect struct{ X, Y, W, H float64 }

func (r rect) contains(x, y float64) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

func (r rect) centre() (float64, float64) { return r.X + r.W/2, r.Y + r.H/2 }

// Design sizes, in design pixels (multiplied by the interface unit u).
const (
	designW, designH = 1280, 800
	unitW            = 1000 // the width at which the interface starts to shrink
	topBarH          = 78
	bottomH          = 150
	buttonW, buttonH = 92, 82
	buttonGap        = 12
	canvasMargin     = 18
)

// uiUnit returns the interface unit for a screen of w x h pixels: 1 at the
// 1280x800 design size (and down to 1000 pixels wide, which the buttons
// need), 2 on a HiDPI screen of the same logical size, and never so small
// that the text becomes unreadable.
func uiUnit(w, h int) float64 {
	u := math.Min(float64(w)/unitW, float64(h)/designH)
	return math.Max(0.55, math.Min(u, 4))
}

// buttonID names an on-screen button.
type buttonID int

const (
	btnRestart buttonID = iota
	btnPrevStroke
	btnPlay
	btnNextStroke
	btnSlower
	btnFaster
	btnRobot
	btnHelp
	btnPrevDrawing
	btnNextDrawing
	btnOpen
	numButtons
)

// screenLayout is where everything goes on a screen of a given size.
type screenLayout struct {
	W, H float64
	U    float64
	Top  rect // title and time
	View rect // the drawing's viewport: the ink layer covers it
	Bot  rect // scrubber and buttons
	// Scrub is the scrubber's hit area; Track the bar drawn inside it.
	Scrub, Track rect
	Buttons      [numButtons]rect // zero-sized when absent
}

// layoutScreen places the bars, the viewport and the buttons. gallery adds
// the previous/next drawing buttons.
func layoutScreen(w, h int, gallery bool) screenLayout {
	u := uiUnit(w, h)
	l := screenLayout{W: float64(w), H: float64(h), U: u}
	top, bot := math.Round(topBarH*u), math.Round(bottomH*u)
	if top+bot > l.H*0.6 { // a very flat window: keep most of it for the drawing
		k := l.H * 0.6 / (top + bot)
		top, bot = math.Round(top*k), math.Round(bot*k)
	}
	l.Top = rect{0, 0, l.W, top}
	l.Bot = rect{0, l.H - bot, l.W, bot}
	l.View = rect{0, top, l.W, math.Max(1, l.H-top-bot)}

	pad := math.Round(22 * u)
	scrubH := math.Round(44 * u * bot / math.Round(bottomH*u))
	l.Scrub = rect{pad, l.Bot.Y + math.Round(4*u), math.Max(1, l.W-2*pad), scrubH}
	trackH := math.Max(4, math.Round(12*u))
	l.Track = rect{l.Scrub.X + 8*u, l.Scrub.Y + (scrubH-trackH)/2, math.Max(1, l.Scrub.W-16*u), trackH}

	// Buttons: the playback group centred, the robot beside it, help at the
	// right end, gallery stepping at the left end; when that does not fit,
	// all of them in one row, centred.
	bh := math.Max(24, l.Bot.Y+l.Bot.H-(l.Scrub.Y+l.Scrub.H)-math.Round(14*u))
	bw := math.Round(buttonW * u * bh / math.Round(buttonH*u))
	gap := math.Round(buttonGap * u)
	row := []buttonID{btnRestart, btnPrevStroke, btnPlay, btnNextStroke, btnSlower, btnFaster, btnRobot, btnHelp}
	if gallery {
		row = append([]buttonID{btnPrevDrawing, btnNextDrawing}, row...)
	}
	row = append([]buttonID{btnOpen}, row...)
	width := func(id buttonID) float64 {
		if id == btnHelp {
			return math.Round(bw * 0.75)
		}
		return bw
	}
	rowW := func() float64 {
		w := float64(len(row)-1) * gap
		for _, id := range row {
			w += width(id)
		}
		return w
	}
	if need := rowW() + 2*pad; need > l.W { // narrow window: shrink
		k := (l.W - 2*pad) / (need - 2*pad)
		bw, gap = math.Floor(bw*k), math.Floor(gap*k)
	}
	y := l.Scrub.Y + l.Scrub.H + math.Round(4*u)
	group := []buttonID{btnRestart, btnPrevStroke, btnPlay, btnNextStroke, btnSlower, btnFaster}
	gw := float64(len(group))*bw + float64(len(group)-1)*gap
	x := math.Round((l.W - gw) / 2)
	left := pad + bw + gap // Open
	if gallery {
		left += 2*bw + 2*gap
	}
	right := x + gw + 2*gap + bw + gap + width(btnHelp)
	if x >= left && right <= l.W-pad {
		for _, id := range group {
			l.Buttons[id] = rect{x, y, bw, bh}
			x += bw + gap
		}
		l.Buttons[btnRobot] = rect{x + gap, y, bw, bh}
		l.Buttons[btnHelp] = rect{l.W - pad - width(btnHelp), y, width(btnHelp), bh}
		l.Buttons[btnOpen] = rect{pad, y, bw, bh}
		if gallery {
			l.Buttons[btnPrevDrawing] = rect{pad + bw + gap, y, bw, bh}
			l.Buttons[btnNextDrawing] = rect{pad + 2*(bw+gap), y, bw, bh}
		}
		return l
	}
	x = math.Round((l.W - rowW()) / 2)
	for _, id := range row {
		l.Buttons[id] = rect{x, y, width(id), bh}
		x += width(id) + gap
	}
	return l
}

// fit maps drawing units to viewport pixels: screen = drawing*Scale + Off,
// relative to the viewport's top-left corner.
type fit struct {
	Scale      float64
	OffX, OffY float64
}

// toView maps a drawing point to viewport pixels.
func (f fit) toView(x, y float64) (float64, float64) {
	return x*f.Scale + f.OffX, y*f.Scale + f.OffY
}

// fitBox letterboxes box into a viewport of w x h pixels with margin pixels
// on every side, keeping the aspect ratio and centring it. An empty or
// degenerate box gets a scale of 1 around its centre.
func fitBox(box playback.Rect, w, h, margin float64) fit {
	aw, ah := math.Max(1, w-2*margin), math.Max(1, h-2*margin)
	bw, bh := box.Dx(), box.Dy()
	if box.Empty() {
		return fit{Scale: 1, OffX: w / 2, OffY: h / 2}
	}
	var s float64
	switch {
	case bw <= 0 && bh <= 0:
		s = 1
	case bw <= 0:
		s = ah / bh
	case bh <= 0:
		s = aw / bw
	default:
		s = math.Min(aw/bw, ah/bh)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		s = 1
	}
	return fit{
		Scale: s,
		OffX:  (w-bw*s)/2 - box.MinX*s,
		OffY:  (h-bh*s)/2 - box.MinY*s,
	}
}

// fitMode says what the viewport frames.
type fitMode int

const (
	// fitPage frames the drawing's page (its width and height).
	fitPage fitMode = iota
	// fitInk frames the strokes themselves, zoomed in.
	fitInk
)

// pageBox returns the drawing's page as a box, or its strokes' bounds when
// the drawing declares no size.
func pageBox(d *playback.Drawing) playback.Rect {
	if d.Width > 0 && d.Height > 0 {
		return playback.Rect{MaxX: d.Width, MaxY: d.Height}
	}
	return inkBox(d)
}

// inkBox returns the bounds of the strokes, widened by half the widest pen
// so that round caps stay inside.
func inkBox(d *playback.Drawing) playback.Rect {
	b := d.Bounds()
	if b.Empty() {
		if d.Width > 0 && d.Height > 0 {
			return playback.Rect{MaxX: d.Width, MaxY: d.Height}
		}
		return playback.Rect{MaxX: 100, MaxY: 100}
	}
	w := 0.0
	for _, s := range d.Strokes {
		w = math.Max(w, float64(s.Width))
	}
	w = math.Min(w/2, math.Max(b.Dx(), b.Dy())/4)
	return playback.Rect{MinX: b.MinX - w, MinY: b.MinY - w, MaxX: b.MaxX + w, MaxY: b.MaxY + w}
}

// defaultFitMode frames the page unless most of the ink lies outside it.
func defaultFitMode(d *playback.Drawing) fitMode {
	if !(d.Width > 0 && d.Height > 0) {
		return fitInk
	}
	b := d.Bounds()
	if b.Empty() {
		return fitPage
	}
	mx, my := d.Width*0.1, d.Height*0.1
	if b.MinX < -mx || b.MinY < -my || b.MaxX > d.Width+mx || b.MaxY > d.Height+my {
		return fitInk
	}
	return fitPage
}
