package bridge

import (
	"math"
	"slices"
	"time"

	"mbotdraw/playback"
)

// PadDrawing assembles what the companion pages draw on their pads (the
// PadStroke pieces, Undo and Clear that Live.Pad delivers) into one live
// drawing, for the window to show.
//
// Strokes drawn on a page's pad stream into the live drawing with their
// times: a new live drawing, the size of the page's canvas (the drawing the
// page shows), begins when none is on show, and later strokes add to it
// while it is. Times keep the pad's rhythm, but a wait of more than
// playback.DefaultMaxGapMs is cut to that, and a page that joins a drawing
// begun by another starts PadPageGapMs after the last point. Strokes from
// several pages at once are drawn one after the other: a stroke's pieces
// that come while another page's stroke is open wait until it ends, or
// until that page has sent nothing for PadOptions.StaleOpen (its page is
// gone).
//
// Undo takes back one of a page's strokes: from the live drawing, from the
// strokes waiting, and from the robot's queue. Clear starts a new live
// drawing (the one before is kept by the window). Both come in order among
// the page's pieces, so a stroke drawn after a Clear never lands in the
// drawing before it. A stroke finished with the page's robot switch on
// joins the robot's queue, alone on a page of the drawing's size.
//
// A PadDrawing is used from one goroutine (the window's).
type PadDrawing struct {
	view PadView
	o    PadOptions

	// d is the live drawing (nil before the first pad stroke). open is its
	// stroke being drawn (-1: none), which is the stroke openKey of a page
	// and got its last piece at openAt.
	d       *playback.Drawing
	open    int
	openKey padKey
	openAt  time.Time
	// waiting holds the pieces of strokes drawn on other pages while one is
	// open; they follow when it ends.
	waiting []PadStroke
	// closed is the last stroke number each page has finished.
	closed map[uint64]int
	// offset maps each page's times onto the live drawing's (ms added);
	// lastT is the time of the live drawing's last point.
	offset map[uint64]float64
	lastT  float64
	// strokeOf is the index in d of each pad stroke begun there.
	strokeOf map[padKey]int
	// robot holds finished pad strokes, each alone on its page, that wait
	// for the robot.
	robot []padRobotStroke
}

// PadView is the window's side of a PadDrawing: what it shows.
type PadView interface {
	// Showing reports whether d is the drawing on show.
	Showing(d *playback.Drawing) bool
	// PageSize is the size of a new live drawing: the page's canvas, in
	// the drawing units the pads use.
	PageSize() (w, h float64)
	// Show puts d, a new live drawing, on show.
	Show(d *playback.Drawing)
	// Replace puts d in place of old, the live drawing a stroke was taken
	// back from.
	Replace(old, d *playback.Drawing)
	// Cleared says a page's Clear began a new drawing; forRobot: for the
	// robot too (the strokes waiting for it were dropped).
	Cleared(forRobot bool)
}

// PadOptions tune a PadDrawing. The zero value is the documented default.
type PadOptions struct {
	// StaleOpen is how long a stroke may get nothing while a stroke of
	// another page waits before it is taken as finished (0: 3 s).
	StaleOpen time.Duration
	// Abandoned is how long when nothing waits (0: 30 s); a piece that
	// comes later begins a new stroke.
	Abandoned time.Duration
}

// Live drawing times, in milliseconds of drawing time.
const (
	// PadLeadMs is the time of a live drawing's first point: a blank moment
	// before the first stroke.
	PadLeadMs = 100
	// PadPageGapMs is the pause put before the first stroke of a page that
	// joins a live drawing begun by another.
	PadPageGapMs = 250
)

// PadNews is what the pieces taken did to the live drawing, for the window
// to follow. Begin each tick with NewStroke -1.
type PadNews struct {
	// Started: a new live drawing was begun, and is not on show yet.
	Started bool
	// Grew: points were added.
	Grew bool
	// NewStroke is the first stroke begun, or -1.
	NewStroke int
}

// padRobotStroke is a finished pad stroke waiting for the robot.
type padRobotStroke struct {
	key padKey
	d   *playback.Drawing
}

// padKey names a pad stroke: its page and its number there.
type padKey struct {
	page   uint64
	stroke int
}

// NewPadDrawing returns an empty PadDrawing shown through v.
func NewPadDrawing(v PadView, o PadOptions) *PadDrawing {
	if o.StaleOpen <= 0 {
		o.StaleOpen = 3 * time.Second
	}
	if o.Abandoned <= 0 {
		o.Abandoned = 30 * time.Second
	}
	return &PadDrawing{view: v, o: o, open: -1, closed: map[uint64]int{}, offset: map[uint64]float64{},
		strokeOf: map[padKey]int{}}
}

// Drawing returns the live drawing, or nil before the first pad stroke.
func (p *PadDrawing) Drawing() *playback.Drawing { return p.d }

// StrokeOpen reports whether a stroke is being drawn: its last piece has
// not come yet.
func (p *PadDrawing) StrokeOpen() bool { return p.open >= 0 }

// Take adds a piece of a pad stroke to the live drawing, or keeps it
// waiting while another page's stroke is being drawn; or carries out a
// page's Undo or Clear.
func (p *PadDrawing) Take(ps PadStroke, news *PadNews) {
	if ps.Action != PadDraw {
		p.action(ps, news)
		return
	}
	key := padKey{ps.Page, ps.Stroke}
	if last, ok := p.closed[ps.Page]; ok && ps.Stroke <= last {
		return // a stroke that has ended
	}
	if p.open >= 0 && key != p.openKey {
		p.waiting = append(p.waiting, ps)
		return
	}
	p.appendPiece(ps, news)
	if ps.End {
		p.end(key, ps.Robot)
		p.takeWaiting(news)
	}
}

// Expire takes an open stroke as finished when its page has sent nothing
// for StaleOpen while others wait, or for Abandoned (its page went away
// mid-stroke), and lets the waiting strokes draw.
func (p *PadDrawing) Expire(news *PadNews) {
	idle := time.Since(p.openAt)
	if p.open >= 0 && (len(p.waiting) > 0 && idle > p.o.StaleOpen || idle > p.o.Abandoned) {
		p.open = -1
		p.takeWaiting(news)
	}
}

// NextForRobot takes the next finished stroke waiting for the robot, alone
// on a page of the live drawing's size, and says how many more wait.
func (p *PadDrawing) NextForRobot() (d *playback.Drawing, more int, ok bool) {
	if len(p.robot) == 0 {
		return nil, 0, false
	}
	d = p.robot[0].d
	p.robot = p.robot[1:]
	return d, len(p.robot), true
}

// ForRobot returns how many finished strokes wait for the robot.
func (p *PadDrawing) ForRobot() int { return len(p.robot) }

// DropForRobot forgets the strokes waiting for the robot.
func (p *PadDrawing) DropForRobot() { p.robot = nil }

// takeWaiting draws the waiting strokes, in order of arrival, until one is
// left open.
func (p *PadDrawing) takeWaiting(news *PadNews) {
	for p.open < 0 && len(p.waiting) > 0 {
		first := p.waiting[0]
		if first.Action != PadDraw {
			p.waiting = p.waiting[1:]
			p.action(first, news)
			continue
		}
		key := padKey{first.Page, first.Stroke}
		var mine, rest []PadStroke
		for _, ps := range p.waiting {
			if ps.Action == PadDraw && (padKey{ps.Page, ps.Stroke}) == key {
				mine = append(mine, ps)
			} else {
				rest = append(rest, ps)
			}
		}
		p.waiting = rest
		for _, ps := range mine {
			p.appendPiece(ps, news)
			if ps.End {
				p.end(key, ps.Robot)
			}
		}
	}
}

// appendPiece adds the piece's points to the live drawing, beginning the
// stroke (and the live drawing) with its first point.
func (p *PadDrawing) appendPiece(ps PadStroke, news *PadNews) {
	if len(ps.Points) == 0 {
		return
	}
	page := ps.Page
	if p.open < 0 {
		if p.d == nil || (!p.view.Showing(p.d) && !news.Started) {
			p.begin()
			news.Started = true
		}
		// The stroke's start: the page's rhythm, never before the last
		// point, and at most a second after it.
		t0 := float64(ps.Points[0].T)
		start := float64(PadLeadMs)
		if p.d.NumPoints() > 0 {
			off, seen := p.offset[page]
			start = p.lastT + PadPageGapMs
			if seen {
				start = t0 + off
			}
			start = min(max(start, p.lastT), p.lastT+playback.DefaultMaxGapMs)
		}
		p.offset[page] = start - t0
		c := ps.Color
		if c.A == 0 {
			c.A = 255
		}
		w := ps.Width
		if !(w > 0) || math.IsInf(float64(w), 0) {
			w = 1
		}
		p.d.BeginStroke(c, w)
		p.open, p.openKey = len(p.d.Strokes)-1, padKey{page, ps.Stroke}
		p.strokeOf[p.openKey] = p.open
		if news.NewStroke < 0 {
			news.NewStroke = p.open
		}
	}
	off := p.offset[page]
	for _, pt := range ps.Points {
		t := float64(pt.T) + off
		if gap := t - p.lastT; gap > playback.DefaultMaxGapMs {
			off -= gap - playback.DefaultMaxGapMs
			t = p.lastT + playback.DefaultMaxGapMs
		}
		t = float64(float32(max(t, p.lastT)))
		p.lastT = t
		p.d.AddPoint(pt.X, pt.Y, float32(t))
	}
	p.offset[page] = off
	p.openAt = time.Now()
	news.Grew = true
}

// end closes the pad stroke key; a stroke for the robot joins the robot's
// queue.
func (p *PadDrawing) end(key padKey, forRobot bool) {
	if last, ok := p.closed[key.page]; !ok || key.stroke > last {
		p.closed[key.page] = key.stroke
	}
	if p.open < 0 || p.openKey != key {
		return
	}
	i := p.open
	p.open = -1
	if forRobot {
		p.robot = append(p.robot, padRobotStroke{key, strokeAlone(p.d, i)})
	}
}

// begin starts a new live drawing the size of the page's canvas.
func (p *PadDrawing) begin() {
	w, h := p.view.PageSize()
	d := playback.NewDrawing(w, h)
	d.Name = "Live drawing"
	p.d, p.open, p.lastT = d, -1, 0
	clear(p.offset)
	clear(p.strokeOf)
}

// action carries out a page's Undo or Clear, or keeps it waiting while
// another page's stroke is being drawn (it follows that stroke).
func (p *PadDrawing) action(ps PadStroke, news *PadNews) {
	if p.open >= 0 && p.openKey.page != ps.Page {
		p.waiting = append(p.waiting, ps)
		return
	}
	if news.Started {
		// A live drawing begun with these pieces goes on show before it
		// changes.
		p.view.Show(p.d)
		news.Started = false
	}
	news.NewStroke = -1 // stroke numbers change below; nothing to skip to
	switch ps.Action {
	case PadUndo:
		p.undo(padKey{ps.Page, ps.Stroke})
	case PadClear:
		p.clear(ps.Page, ps.Robot)
	}
}

// undo takes back pad stroke key.
func (p *PadDrawing) undo(key padKey) {
	if last, ok := p.closed[key.page]; !ok || key.stroke > last {
		p.closed[key.page] = key.stroke // pieces of it that come later are dropped
	}
	p.waiting = slices.DeleteFunc(p.waiting, func(ps PadStroke) bool {
		return ps.Action == PadDraw && ps.Page == key.page && ps.Stroke == key.stroke
	})
	p.robot = slices.DeleteFunc(p.robot, func(r padRobotStroke) bool { return r.key == key })
	if p.open >= 0 && p.openKey == key {
		p.open = -1
	}
	i, ok := p.strokeOf[key]
	if !ok || p.d == nil {
		return
	}
	delete(p.strokeOf, key)
	for k, j := range p.strokeOf {
		if j > i {
			p.strokeOf[k] = j - 1
		}
	}
	if p.open > i {
		p.open--
	}
	old := p.d
	p.d = withoutStroke(old, i)
	p.view.Replace(old, p.d)
}

// clear starts a new live drawing for page's Clear.
func (p *PadDrawing) clear(page uint64, forRobot bool) {
	if p.open >= 0 && p.openKey.page == page {
		p.open = -1
	}
	if p.open >= 0 {
		return // another page's stroke: action kept the Clear waiting
	}
	if forRobot {
		p.robot = nil
	}
	if p.d == nil || len(p.d.Strokes) > 0 || !p.view.Showing(p.d) {
		// Unless a blank live drawing is on show already: nothing to keep.
		p.begin()
		p.view.Show(p.d)
	}
	p.view.Cleared(forRobot)
}

// strokeAlone returns stroke i of d alone on a page of d's size.
func strokeAlone(d *playback.Drawing, i int) *playback.Drawing {
	o := playback.NewDrawing(d.Width, d.Height)
	o.Name = "Stroke from the tablet"
	copyStroke(o, d, i)
	return o
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

// copyStroke appends stroke i of d to o, with its points and times.
func copyStroke(o, d *playback.Drawing, i int) {
	s := d.Strokes[i]
	o.BeginStroke(s.Color, s.Width)
	for k := s.Start; k < s.End; k++ {
		o.AddPoint(d.XY[2*k], d.XY[2*k+1], d.T[k])
	}
}
