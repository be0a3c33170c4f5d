package robot

import (
	"errors"
	"fmt"
	"math"

	"mbotdraw/playback"
	"mbotdraw/robot/link"
)

// Defaults of PlanOptions.
const (
	DefaultPaperWidth    = 210.0 // mm, A4 portrait
	DefaultPaperHeight   = 297.0 // mm
	DefaultMargin        = 15.0  // mm
	DefaultTolerance     = 0.3   // mm, Ramer–Douglas–Peucker
	DefaultJoinTolerance = 0.5   // mm
	DefaultTwoOptWindow  = 1000  // strokes
)

// Pose is where the robot is and which way it faces: millimetres on the paper
// and a heading in degrees from +x towards +y (clockwise seen from above).
// It is link.Pose, the virtual mBot's, so that a plan's home and a virtual
// robot's place are one type.
type Pose = link.Pose

// PlanOptions configures Plan. The zero value plans for A4 portrait paper
// with 15 mm margins, a 0.3 mm simplification tolerance, strokes joined when
// their ends are within 0.5 mm, greedy ordering without 2-opt, and the robot
// starting at the centre of the paper facing its top edge.
type PlanOptions struct {
	// PaperWidth and PaperHeight are the paper size in mm (0: 210x297).
	PaperWidth, PaperHeight float64
	// Margin is the blank border kept on every side, in mm (0: 15 mm;
	// negative: no margin).
	Margin float64
	// Tolerance is the simplification tolerance in mm: no point of a
	// simplified stroke is farther than this from the original (0: 0.3 mm;
	// negative: no simplification).
	Tolerance float64
	// JoinTolerance merges two consecutive strokes into one pen-down path
	// when the end of one is within this many mm of the start of the next
	// (0: 0.5 mm; negative: never merge).
	JoinTolerance float64
	// KeepOrder draws the strokes in file order and direction (no sorting,
	// no reversing, no 2-opt); joining still applies.
	KeepOrder bool
	// TwoOpt improves the greedy ordering with 2-opt and Or-opt moves
	// found through each stroke end's nearest neighbours, then Or-opt moves
	// of any reach in the order (and file order too, for drawings of up to
	// 20,000 strokes, to keep the better of the two).
	TwoOpt bool
	// TwoOptWindow bounds how far apart in the order, in strokes, the
	// strokes of one 2-opt or Or-opt move may be: the longest block a move
	// reverses or shifts (0: 1000).
	TwoOptWindow int
	// Home is where the robot starts; nil means the centre of the paper,
	// facing the top edge (heading -90°).
	Home *Pose
	// ByColour draws the strokes colour by colour, one pen for each
	// everyday colour name (PenName): the pen of the drawing's first stroke
	// first, then the others in the order they first appear. Ordering (greedy, 2-opt, the exact search
	// for a few strokes) works within each colour, starting where the
	// colour before it ended; strokes of different colours are never
	// joined. Plan.Groups records the colours; Compile puts a PenChange
	// motion between them. Off (the zero value), colours are ignored.
	ByColour bool
}

// Group is the run of paths drawn with one pen (PlanOptions.ByColour).
type Group struct {
	// Pen is the colour of the group's strokes, with its everyday name.
	Pen Pen
	// Start and End bound the group's paths: indices [Start, End) of
	// Plan.Paths.
	Start, End int
}

// Path is one pen-down run of the plan: a range of points in Plan.XY and the
// drawing strokes it draws, in order.
type Path struct {
	// Start and End bound the path's points: indices [Start, End) of points
	// (pairs) in Plan.XY. A path of one point is a dot.
	Start, End int
	// SrcStart and SrcEnd bound the path's source strokes in Plan.Sources.
	SrcStart, SrcEnd int
}

// Len returns the number of points of the path.
func (p Path) Len() int { return p.End - p.Start }

// PlanStats are the plan's lengths, in mm.
type PlanStats struct {
	// Strokes is the number of non-empty strokes in the drawing; Paths the
	// number of pen-down runs after joining; Points the points after
	// simplification (Original before).
	Strokes, Paths, Points, Original int
	// PenDown is the length drawn (including the tiny bridges of joins);
	// PenUp the travel with the pen lifted, from Home to the first path and
	// between paths (not the way back).
	PenDown, PenUp float64
	// FilePenDown and FilePenUp are the same lengths in file order, without
	// simplification, reversal or joining.
	FilePenDown, FilePenUp float64
	// Reduction is 1 - PenUp/FilePenUp: 0.6 means 60% less pen-up travel
	// than file order (0 when file order has no travel).
	Reduction float64
}

// Plan is a drawing laid out on paper and ordered for the robot.
type Plan struct {
	PaperWidth, PaperHeight float64 // mm
	Margin                  float64 // mm
	// Scale is mm per drawing unit; a drawing point (x, y) lands on the paper
	// at (x*Scale + OffsetX, y*Scale + OffsetY) (ToPaper computes it
	// without losing precision on far-off coordinates).
	Scale, OffsetX, OffsetY float64
	// The same map as (x - ox)*Scale + bx: the ink box's corner and where it
	// lands on the paper.
	ox, oy, bx, by float64
	Home           Pose
	// Paths in drawing order for the robot.
	Paths []Path
	// XY holds the paths' points in mm, interleaved x0, y0, x1, y1, …
	XY []float64
	// Sources lists drawing stroke indices; Path.SrcStart/SrcEnd index it.
	// Reversed[i] tells whether Sources[i] is drawn end to start.
	Sources  []int
	Reversed []bool
	// PathOf maps each drawing stroke to the index of the path that draws it.
	PathOf []int
	// Groups are the colour groups in drawing order, when planned with
	// PlanOptions.ByColour (one group for a drawing of one colour); nil
	// otherwise.
	Groups []Group
	Stats  PlanStats
}

// PathStrokes returns the drawing strokes that path i draws.
func (p *Plan) PathStrokes(i int) []int {
	return p.Sources[p.Paths[i].SrcStart:p.Paths[i].SrcEnd]
}

// Point returns point i of the point store, in mm.
func (p *Plan) Point(i int) (x, y float64) { return p.XY[2*i], p.XY[2*i+1] }

// ToPaper maps a drawing point to the paper, in mm.
func (p *Plan) ToPaper(x, y float64) (float64, float64) {
	return (x-p.ox)*p.Scale + p.bx, (y-p.oy)*p.Scale + p.by
}

// maxScale is the largest enlargement, in mm per drawing unit: a drawing a
// millionth of a unit across is a dot, not a page of rounding noise.
const maxScale = 1e6

// ErrPaper reports paper options that leave nowhere to draw.
var ErrPaper = errors.New("paper size and margins leave no room to draw")

// NewPlan lays the drawing out on paper and orders it for the robot. The drawing
// must pass playback.Drawing.Validate. A drawing with no strokes gives a plan
// with no paths.
func NewPlan(d *playback.Drawing, o PlanOptions) (*Plan, error) {
	o, err := o.normalized()
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	p := &Plan{PaperWidth: o.PaperWidth, PaperHeight: o.PaperHeight, Margin: o.Margin, Home: *o.Home}
	p.fit(d)

	// Strokes worth drawing, with their paper endpoints.
	n := 0
	for _, s := range d.Strokes {
		if s.Len() > 0 {
			n++
		}
	}
	ids := make([]int, 0, n)
	ends := make([]float64, 0, 4*n) // sx, sy, ex, ey per stroke
	for si, s := range d.Strokes {
		if s.Len() == 0 {
			continue
		}
		ids = append(ids, si)
		sx, sy := p.ToPaper(float64(d.XY[2*s.Start]), float64(d.XY[2*s.Start+1]))
		ex, ey := p.ToPaper(float64(d.XY[2*s.End-2]), float64(d.XY[2*s.End-1]))
		ends = append(ends, sx, sy, ex, ey)
	}
	p.Stats.Strokes = n

	// File order figures.
	cx, cy := p.Home.X, p.Home.Y
	for k, si := range ids {
		p.Stats.FilePenUp += math.Hypot(ends[4*k]-cx, ends[4*k+1]-cy)
		cx, cy = ends[4*k+2], ends[4*k+3]
		s := d.Strokes[si]
		p.Stats.Original += s.Len()
		p.Stats.FilePenDown += p.Scale * strokeLength(d, s)
	}

	// Order: a permutation of 0..n-1, a reversal flag per stroke, and for a
	// closed stroke entered mid-loop the vertex it starts at; by colour,
	// each colour's strokes ordered from where the colour before ended.
	var groupAt []int // by colour: the position in order where each group begins
	var order []int
	var rev []bool
	var seat []int
	if !o.ByColour {
		ends, order, rev, seat = p.orderStrokes(d, ids, ends, p.Home.X, p.Home.Y, o)
	} else {
		order, rev, seat = make([]int, 0, n), make([]bool, n), make([]int, n)
		members := colourGroups(d, ids)
		hx, hy := p.Home.X, p.Home.Y
		for _, ks := range members {
			gids := make([]int, len(ks))
			gends := make([]float64, 4*len(ks))
			for j, k := range ks {
				gids[j] = ids[k]
				copy(gends[4*j:4*j+4], ends[4*k:4*k+4])
			}
			gends, gorder, grev, gseat := p.orderStrokes(d, gids, gends, hx, hy, o)
			groupAt = append(groupAt, len(order))
			for j, k := range ks {
				copy(ends[4*k:4*k+4], gends[4*j:4*j+4])
				rev[k], seat[k] = grev[j], gseat[j]
			}
			for _, j := range gorder {
				order = append(order, ks[j])
			}
			last := gorder[len(gorder)-1]
			hx, hy = gends[4*last+2], gends[4*last+3]
			if grev[last] {
				hx, hy = gends[4*last], gends[4*last+1]
			}
		}
	}
	p.build(d, ids, ends, order, rev, seat, groupAt, o)
	if o.ByColour {
		p.Groups = make([]Group, len(groupAt))
		for g, at := range groupAt {
			si := ids[order[at]]
			p.Groups[g] = Group{Pen: NewPen(d.Strokes[si].Color), Start: p.PathOf[si], End: len(p.Paths)}
			if g > 0 {
				p.Groups[g-1].End = p.Groups[g].Start
			}
		}
	}
	if p.Stats.FilePenUp > 0 {
		p.Stats.Reduction = 1 - p.Stats.PenUp/p.Stats.FilePenUp
	}
	return p, nil
}

// orderStrokes orders strokes ids (paper ends ends: sx, sy, ex, ey each)
// for a pen starting at (hx, hy): a permutation of 0..len(ids)-1, a
// reversal flag per stroke, and for a closed stroke entered mid-loop the
// vertex it starts at (-1 otherwise). It returns ends as the order leaves
// them (a seated loop starts and ends at its seat).
func (p *Plan) orderStrokes(d *playback.Drawing, ids []int, ends []float64, hx, hy float64, o PlanOptions) (_ []float64, order []int, rev []bool, seat []int) {
	n := len(ids)
	order = make([]int, n)
	rev = make([]bool, n)
	seat = make([]int, n)
	for k := range order {
		order[k], seat[k] = k, -1
	}
	// A lone stroke keeps its direction, unless it is one colour's only
	// stroke: then the way in from the colour before counts.
	if (n > 1 || n == 1 && o.ByColour) && !o.KeepOrder {
		st := p.closedSeats(d, ids, o)
		orig := append([]float64(nil), ends...)
		greedySeated(ends, st, hx, hy, order, rev, seat)
		if o.TwoOpt {
			optimize(ends, orig, st, hx, hy, order, rev, seat, o.TwoOptWindow)
		}
		// Greedy can lose to an order that was already good (a file saved
		// by a plotting tool): keep file order then, improved the same way.
		fileEnds := append([]float64(nil), orig...)
		fileOrder := make([]int, n)
		fileRev := make([]bool, n)
		fileSeat := make([]int, n)
		for k := range fileOrder {
			fileOrder[k], fileSeat[k] = k, -1
		}
		if o.TwoOpt && n <= maxFileOrderTwoOpt {
			optimize(fileEnds, orig, st, hx, hy, fileOrder, fileRev, fileSeat, o.TwoOptWindow)
		}
		if travel(fileEnds, hx, hy, fileOrder, fileRev) < travel(ends, hx, hy, order, rev) {
			ends, order, rev, seat = fileEnds, fileOrder, fileRev, fileSeat
		}
		// A few strokes: the shortest order exactly, keeping the loops'
		// seats (a seated loop starts and ends at its seat either way round).
		if n <= maxExactOrder {
			exOrder := make([]int, n)
			exRev := make([]bool, n)
			exactOrder(ends, hx, hy, exOrder, exRev)
			for k := range exRev {
				if seat[k] >= 0 {
					exRev[k] = rev[k]
				}
			}
			if travel(ends, hx, hy, exOrder, exRev) < travel(ends, hx, hy, order, rev)-1e-9 {
				order, rev = exOrder, exRev
			}
		}
	}
	return ends, order, rev, seat
}

// colourGroups splits the strokes ids (indices into ids) by pen: strokes
// whose colours have the same everyday name (PenName: a light and a dark
// green both take the green pen) share one. The first stroke's pen comes
// first, then the others in order of first appearance; within a group,
// file order.
func colourGroups(d *playback.Drawing, ids []int) [][]int {
	var groups [][]int
	at := map[string]int{}
	for k, si := range ids {
		c := PenName(d.Strokes[si].Color)
		g, ok := at[c]
		if !ok {
			g = len(groups)
			at[c] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], k)
	}
	return groups
}

func (o PlanOptions) normalized() (PlanOptions, error) {
	if o.PaperWidth == 0 && o.PaperHeight == 0 {
		o.PaperWidth, o.PaperHeight = DefaultPaperWidth, DefaultPaperHeight
	}
	if !(o.PaperWidth > 0 && o.PaperHeight > 0) || o.PaperWidth > 1e5 || o.PaperHeight > 1e5 {
		return o, fmt.Errorf("paper %gx%g mm: width and height must be positive and at most 100 m", o.PaperWidth, o.PaperHeight)
	}
	switch {
	case o.Margin == 0:
		o.Margin = DefaultMargin
	case o.Margin < 0:
		o.Margin = 0
	}
	if math.IsNaN(o.Margin) || 2*o.Margin >= math.Min(o.PaperWidth, o.PaperHeight) {
		return o, fmt.Errorf("margin %g mm on %gx%g mm paper: %w", o.Margin, o.PaperWidth, o.PaperHeight, ErrPaper)
	}
	switch {
	case o.Tolerance == 0:
		o.Tolerance = DefaultTolerance
	case o.Tolerance < 0 || math.IsNaN(o.Tolerance):
		o.Tolerance = 0
	}
	switch {
	case o.JoinTolerance == 0:
		o.JoinTolerance = DefaultJoinTolerance
	case o.JoinTolerance < 0 || math.IsNaN(o.JoinTolerance):
		o.JoinTolerance = -1
	}
	if o.TwoOptWindow <= 0 {
		o.TwoOptWindow = DefaultTwoOptWindow
	}
	if o.Home == nil {
		o.Home = &Pose{X: o.PaperWidth / 2, Y: o.PaperHeight / 2, Heading: -90}
	} else {
		h := *o.Home
		if !finite64(h.X) || !finite64(h.Y) || !finite64(h.Heading) {
			return o, fmt.Errorf("home pose %+v is not finite", h)
		}
		o.Home = &h
	}
	return o, nil
}

// fit sets the scale and offset that centre the drawing's ink in the
// printable area, as large as it goes without changing its aspect.
func (p *Plan) fit(d *playback.Drawing) {
	b := d.Bounds()
	aw, ah := p.PaperWidth-2*p.Margin, p.PaperHeight-2*p.Margin
	p.Scale = 1
	if b.Empty() {
		p.OffsetX, p.OffsetY = p.Margin, p.Margin
		p.bx, p.by = p.Margin, p.Margin
		return
	}
	dx, dy := b.Dx(), b.Dy()
	switch {
	case dx > 0 && dy > 0:
		p.Scale = math.Min(aw/dx, ah/dy)
	case dx > 0:
		p.Scale = aw / dx
	case dy > 0:
		p.Scale = ah / dy
	}
	if p.Scale > maxScale {
		p.Scale = maxScale // a speck: no use blowing it up to the page
	}
	p.ox, p.oy = b.MinX, b.MinY
	p.bx = p.Margin + (aw-dx*p.Scale)/2
	p.by = p.Margin + (ah-dy*p.Scale)/2
	p.OffsetX = p.bx - b.MinX*p.Scale
	p.OffsetY = p.by - b.MinY*p.Scale
}

// build writes the ordered strokes into paths, joining touching ones and
// simplifying each path.
//
// groupAt lists the positions in order where a colour group begins: a path
// never runs across one.
func (p *Plan) build(d *playback.Drawing, ids []int, ends []float64, order []int, rev []bool, seat []int, groupAt []int, o PlanOptions) {
	p.PathOf = make([]int, len(d.Strokes))
	for i := range p.PathOf {
		p.PathOf[i] = -1
	}
	p.Sources = make([]int, 0, len(ids))
	p.Reversed = make([]bool, 0, len(ids))
	p.XY = make([]float64, 0, 2*len(ids)*4)
	var scratch []float64 // the current path's points before simplification
	var keep []bool
	flush := func(srcStart int) {
		if len(scratch) == 0 {
			return
		}
		start := len(p.XY) / 2
		scratch, keep = dedupe(scratch), keep[:0]
		p.XY = appendSimplified(p.XY, scratch, o.Tolerance, &keep)
		path := Path{Start: start, End: len(p.XY) / 2, SrcStart: srcStart, SrcEnd: len(p.Sources)}
		pi := len(p.Paths)
		for _, si := range p.Sources[srcStart:] {
			p.PathOf[si] = pi
		}
		p.Stats.PenDown += polyLength(p.XY[2*path.Start : 2*path.End])
		p.Paths = append(p.Paths, path)
		scratch = scratch[:0]
	}
	cx, cy := p.Home.X, p.Home.Y
	srcStart := 0
	for pos, k := range order {
		sx, sy, ex, ey := ends[4*k], ends[4*k+1], ends[4*k+2], ends[4*k+3]
		if rev[k] {
			sx, sy, ex, ey = ex, ey, sx, sy
		}
		gap := math.Hypot(sx-cx, sy-cy)
		newGroup := len(groupAt) > 0 && groupAt[0] == pos
		if newGroup {
			groupAt = groupAt[1:]
		}
		if len(scratch) == 0 || o.JoinTolerance < 0 || gap > o.JoinTolerance || newGroup {
			flush(srcStart)
			srcStart = len(p.Sources)
			p.Stats.PenUp += gap
		}
		si := ids[k]
		s := d.Strokes[si]
		p.Sources = append(p.Sources, si)
		p.Reversed = append(p.Reversed, rev[k])
		switch v := seat[k]; {
		case v < 0 && !rev[k]:
			for i := s.Start; i < s.End; i++ {
				scratch = p.appendPaper(scratch, d, i)
			}
		case v < 0:
			for i := s.End - 1; i >= s.Start; i-- {
				scratch = p.appendPaper(scratch, d, i)
			}
		default:
			// A closed stroke entered at vertex v runs v…end, then
			// start…v (or the same backwards).
			n := s.Len()
			for j := 0; j <= n; j++ {
				jj := j
				if rev[k] {
					jj = n - j
				}
				i := s.Start + v + jj
				if jj >= n-v {
					i = s.Start + jj - (n - v)
				}
				scratch = p.appendPaper(scratch, d, i)
			}
		}
		cx, cy = ex, ey
	}
	flush(srcStart)
	p.Stats.Paths = len(p.Paths)
	p.Stats.Points = len(p.XY) / 2
}

// maxFileOrderTwoOpt bounds the drawings whose file order is also improved
// by 2-opt, to compare with the greedy tour (it doubles the work).
const maxFileOrderTwoOpt = 20000

// closedSeats returns, for each closed stroke (its ends within the join
// tolerance, at least three points), every vertex but the last as a place to
// enter it: a loop can start anywhere. Strokes of more than maxSeats points
// get every few vertices.
func (p *Plan) closedSeats(d *playback.Drawing, ids []int, o PlanOptions) *seats {
	tol := math.Max(o.JoinTolerance, 1e-6)
	st := &seats{first: make([]int, len(ids)+1)}
	for k, si := range ids {
		st.first[k] = len(st.xy) / 2
		s := d.Strokes[si]
		if s.Len() < 3 {
			continue
		}
		sx, sy := p.ToPaper(float64(d.XY[2*s.Start]), float64(d.XY[2*s.Start+1]))
		ex, ey := p.ToPaper(float64(d.XY[2*s.End-2]), float64(d.XY[2*s.End-1]))
		if math.Hypot(ex-sx, ey-sy) > tol {
			continue
		}
		step := max(1, (s.Len()-1)/maxSeats)
		for j := step; j < s.Len()-1; j += step {
			x, y := p.ToPaper(float64(d.XY[2*(s.Start+j)]), float64(d.XY[2*(s.Start+j)+1]))
			st.xy = append(st.xy, x, y)
			st.vertex = append(st.vertex, j)
		}
	}
	st.first[len(ids)] = len(st.xy) / 2
	if len(st.xy) == 0 {
		return nil
	}
	return st
}

// maxSeats is the most entry points a closed stroke gets.
const maxSeats = 64

// appendPaper appends drawing point i, on the paper, to xy.
func (p *Plan) appendPaper(xy []float64, d *playback.Drawing, i int) []float64 {
	return append(xy, (float64(d.XY[2*i])-p.ox)*p.Scale+p.bx, (float64(d.XY[2*i+1])-p.oy)*p.Scale+p.by)
}

// dedupe drops consecutive repeated points (they would make zero-length
// drives), keeping at least one.
func dedupe(xy []float64) []float64 {
	out := xy[:2]
	for i := 2; i+1 < len(xy); i += 2 {
		if xy[i] != out[len(out)-2] || xy[i+1] != out[len(out)-1] {
			out = append(out, xy[i], xy[i+1])
		}
	}
	return out
}

func strokeLength(d *playback.Drawing, s playback.Stroke) float64 {
	l := 0.0
	for i := s.Start + 1; i < s.End; i++ {
		l += math.Hypot(float64(d.XY[2*i]-d.XY[2*i-2]), float64(d.XY[2*i+1]-d.XY[2*i-1]))
	}
	return l
}

func polyLength(xy []float64) float64 {
	l := 0.0
	for i := 2; i+1 < len(xy); i += 2 {
		l += math.Hypot(xy[i]-xy[i-2], xy[i+1]-xy[i-1])
	}
	return l
}

func finite64(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
