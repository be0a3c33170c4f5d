package robot

import "math"

// Local search on a stroke order: 2-opt and Or-opt moves driven by
// neighbour lists, with a work queue ("don't look bits").
//
// The tour is open: it starts at home and ends at its last stroke. Each
// stroke has two endpoints (ids 2k for its first point, 2k+1 for its last);
// the stroke at position p is entered at entry(p) and left at exit(p). A
// 2-opt move reverses a block of the order (which also flips each stroke in
// it); an Or-opt move takes a run of one to three strokes out and puts it
// back, as it is or reversed, between two others. Candidate moves come from
// each endpoint's nearest endpoints of other strokes, wherever they are in
// the order, so a stroke finds the neighbour it should follow even when the
// greedy tour left it far away; a move is only tried when it makes an edge
// shorter than the one it replaces there. The farthest apart in the order
// that two strokes of one move may be is the span: it bounds the work of a
// reversal or a shift (an array's worth of copying), and so the run time.

// neighbourCount is how many nearest endpoints each endpoint considers.
const neighbourCount = 8

// searchBudget is the neighbour search's work budget, for drawings of up
// to maxWindowed strokes: this many strokes looked at per stroke.
const searchBudget = 50

// largeSearchBudget is the neighbour search's work budget above
// maxWindowed strokes, over all its sweeps: at 100,000 strokes, the
// searches of optimize together then stay within the time of a plan of
// about a second (BenchmarkPlan100kTwoOpt), where searching until nothing
// gains would take about twice that for 1.1% less pen-up travel (8130
// mm against 8219 mm).
const largeSearchBudget = 2

// improveGain is the least saving, in mm, that counts as one.
const improveGain = 1e-9

// tour is an open tour of strokes from home, which the searches change in
// place.
type tour struct {
	ends   []float64 // sx, sy, ex, ey per stroke
	hx, hy float64   // home
	order  []int     // stroke at each position
	rev    []bool    // by stroke: entered at its last point
}

// length returns the tour's pen-up travel.
func (t tour) length() float64 { return travel(t.ends, t.hx, t.hy, t.order, t.rev) }

// in returns the point where stroke k is entered, as the tour runs it.
func (t tour) in(k int) (float64, float64) {
	if t.rev[k] {
		return t.ends[4*k+2], t.ends[4*k+3]
	}
	return t.ends[4*k], t.ends[4*k+1]
}

// out returns the point where stroke k is left; k = -1 is home.
func (t tour) out(k int) (float64, float64) {
	if k < 0 {
		return t.hx, t.hy
	}
	if t.rev[k] {
		return t.ends[4*k], t.ends[4*k+1]
	}
	return t.ends[4*k+2], t.ends[4*k+3]
}

// tourSearch is the state of the neighbour-list search on a tour.
type tourSearch struct {
	tour
	pos  []int   // position of each stroke
	nb   []int32 // endpointNeighbours with neighbourCount
	span int     // the farthest apart in the order two strokes of one move may be
	// budget is the neighbour search's work: strokes looked at, per stroke.
	budget int

	queue []int32 // strokes to look at
	inQ   []bool

	// dirty holds the strokes whose hops changed, or which a reversal
	// turned round, since the last search began; all stands for every
	// stroke. A search that follows another looks only at the strokes
	// near one of them (seeds): elsewhere the tour is as the last search
	// left it, with nothing to gain.
	dirty marks
	all   bool
	near  adjacency // the strokes whose neighbour lists name each stroke
	pick  marks     // scratch for seeds
}

// improve shortens the pen-up travel of the tour by 2-opt and Or-opt moves
// until none helps: moves found through the neighbour lists s.nb, within a
// work budget proportional to the number of strokes, then, for drawings of
// up to maxWindowed strokes, exhaustive passes over every pair of strokes up to windowed
// positions apart (which find the moves the neighbour lists' pruning
// misses), in turn until neither gains. s.span bounds how far apart in the
// order two strokes of one 2-opt move may be.
//
// The two kinds of search end in different local optima: for drawings of up
// to maxWindowed strokes, the windowed passes alone also run from the
// starting order, and the shorter result is kept.
func (s *tourSearch) improve() {
	n := len(s.order)
	if n > maxWindowed {
		s.neighbourSearch()
		return
	}
	w := min(s.span, windowed)
	alone := tour{ends: s.ends, hx: s.hx, hy: s.hy,
		order: append([]int(nil), s.order...), rev: append([]bool(nil), s.rev...)}
	for round := 0; round < 6; round++ {
		a := alone.windowTwoOpt(w)
		if b := alone.windowOrOpt(w); !a && !b {
			break
		}
	}
	for round := 0; round < 6; round++ {
		s.neighbourSearch()
		a := s.windowTwoOpt(w)
		if b := s.windowOrOpt(w); !a && !b {
			break
		}
	}
	if alone.length() < s.length() {
		copy(s.order, alone.order)
		copy(s.rev, alone.rev)
	}
}

// optimize improves the order with improve, then lets each closed stroke
// be entered at the vertex nearest its neighbours in the order (reseat),
// and improves again while that helps; last, polish.
//
// The neighbour lists are found once: a new seat moves a closed stroke's
// ends only within the stroke, and the lists only propose moves, which
// are judged on the ends as they are.
//
// Above maxWindowed strokes it works on the strokes renumbered in the
// order's sequence (relabelled), so that strokes next to each other in the
// tour are next to each other in memory.
func optimize(ends, orig []float64, st *seats, hx, hy float64, order []int, rev []bool, seat []int, span int) {
	if len(order) > maxWindowed {
		relabelled(ends, orig, st, order, rev, seat, func(ends, orig []float64, st *seats, order []int, rev []bool, seat []int) {
			optimizeTour(ends, orig, st, hx, hy, order, rev, seat, span)
		})
		return
	}
	optimizeTour(ends, orig, st, hx, hy, order, rev, seat, span)
}

func optimizeTour(ends, orig []float64, st *seats, hx, hy float64, order []int, rev []bool, seat []int, span int) {
	s := newTourSearch(tour{ends: ends, hx: hx, hy: hy, order: order, rev: rev}, span, endpointNeighbours(ends, neighbourCount))
	s.improve()
	for round := 0; round < 3 && reseat(ends, orig, st, hx, hy, order, rev, seat, &s.dirty); round++ {
		s.improve()
	}
	s.polish()
}

// polishRounds bounds polish's rounds.
const polishRounds = 2

// polish shortens the tour further with Or-opt moves of any reach
// (orOptAnywhere), then the neighbour search and, for drawings of up to
// maxWindowed strokes, the windowed passes again, while the Or-opt pass
// finds something. Every move it makes shortens the tour, so the result is
// never longer than improve's.
//
// The first Or-opt pass looks at every stroke; after it, each pass looks
// only near what the pass before it changed.
func (s *tourSearch) polish() {
	n := len(s.order)
	w := min(s.span, windowed)
	s.all = true
	for round := 0; round < polishRounds; round++ {
		if !orOptAnywhere(s.tour, s.nb, orOptBudget*n, s.seeds(), &s.dirty) {
			return
		}
		s.neighbourSearch()
		if n <= maxWindowed {
			s.windowTwoOpt(w)
			s.windowOrOpt(w)
		}
	}
}

// reseat enters each closed stroke of the order at the vertex (one of its
// seats, or its first point either way round) that makes the pen-up hops
// to it and from it shortest, given its neighbours in the order: a loop
// can start anywhere, and where the tour turns, a vertex on the inside of
// the turn saves on both hops. ends[k] becomes the seat at both ends (or
// orig's ends again), with seat and rev to match. It reports whether the
// travel got shorter, and adds to dirty (if not nil) each stroke it
// reseated and the strokes before and after it.
func reseat(ends, orig []float64, st *seats, hx, hy float64, order []int, rev []bool, seat []int, dirty *marks) bool {
	if st == nil {
		return false
	}
	n := len(order)
	changed := false
	for p, k := range order {
		if st.first[k] == st.first[k+1] {
			continue // not a closed stroke
		}
		px, py := hx, hy
		if p > 0 {
			q := order[p-1]
			px, py = ends[4*q+2], ends[4*q+3]
			if rev[q] {
				px, py = ends[4*q], ends[4*q+1]
			}
		}
		cost := func(ax, ay, bx, by float64) float64 {
			c := dist(px, py, ax, ay)
			if p+1 < n {
				q := order[p+1]
				nx, ny := ends[4*q], ends[4*q+1]
				if rev[q] {
					nx, ny = ends[4*q+2], ends[4*q+3]
				}
				c += dist(bx, by, nx, ny)
			}
			return c
		}
		in, out := 0, 2 // where stroke k is entered and left, in ends
		if rev[k] {
			in, out = 2, 0
		}
		best := cost(ends[4*k+in], ends[4*k+in+1], ends[4*k+out], ends[4*k+out+1])
		bestSeat, bestRev := -2, false // -2: as it is
		sx, sy, ex, ey := orig[4*k], orig[4*k+1], orig[4*k+2], orig[4*k+3]
		if c := cost(sx, sy, ex, ey); c < best-improveGain {
			best, bestSeat, bestRev = c, -1, false
		}
		if c := cost(ex, ey, sx, sy); c < best-improveGain {
			best, bestSeat, bestRev = c, -1, true
		}
		for i := st.first[k]; i < st.first[k+1]; i++ {
			x, y := st.xy[2*i], st.xy[2*i+1]
			if c := cost(x, y, x, y); c < best-improveGain {
				best, bestSeat = c, i
			}
		}
		switch {
		case bestSeat == -2:
			continue
		case bestSeat == -1:
			copy(ends[4*k:4*k+4], orig[4*k:4*k+4])
			seat[k], rev[k] = -1, bestRev
		default:
			x, y := st.xy[2*bestSeat], st.xy[2*bestSeat+1]
			ends[4*k], ends[4*k+1], ends[4*k+2], ends[4*k+3] = x, y, x, y
			seat[k] = st.vertex[bestSeat]
		}
		changed = true
		for q := max(p-1, 0); q <= min(p+1, n-1) && dirty != nil; q++ {
			dirty.add(int32(order[q]))
		}
	}
	return changed
}

// Exhaustive windowed passes: for drawings of up to maxWindowed strokes,
// each stroke against the next windowed ones.
const (
	maxWindowed = 20000
	windowed    = 48
)

// newTourSearch returns the search state for t, with moves of at most span
// positions and the neighbour lists nb.
func newTourSearch(t tour, span int, nb []int32) *tourSearch {
	n := len(t.order)
	s := &tourSearch{tour: t, pos: make([]int, n), span: max(span, 3), nb: nb, budget: searchBudget,
		inQ: make([]bool, n), queue: make([]int32, 0, n), dirty: newMarks(n), all: true}
	if n > maxWindowed {
		// Only searches of more strokes begin near what changed (seeds).
		s.budget = largeSearchBudget
		s.near, s.pick = reverseNeighbours(nb, n), newMarks(n)
	}
	return s
}

// neighbourSearch is improve's neighbour-list search of 2-opt and short
// Or-opt moves, within a budget of s.budget strokes looked at per stroke.
// Above maxWindowed strokes it searches in sweeps: the first begins with
// seeds (every stroke, the first time), each next one with what the sweep
// before it changed, until a sweep changes nothing. Up to maxWindowed
// strokes it makes one sweep, beginning with every stroke (the windowed
// passes and the repeats of improve do the rest).
func (s *tourSearch) neighbourSearch() {
	n := len(s.order)
	if n < 2 {
		return
	}
	budget := s.budget * n
	for budget > 0 {
		clear(s.inQ)
		s.queue = s.seeds()
		if len(s.queue) == 0 {
			break
		}
		for _, k := range s.queue {
			s.inQ[k] = true
		}
		for len(s.queue) > 0 && budget > 0 {
			k := int(s.queue[0])
			s.queue = s.queue[1:]
			s.inQ[k] = false
			budget--
			if s.twoOpt(k) || s.orOpt(k) {
				s.push(k)
			}
		}
		if n <= maxWindowed {
			break
		}
	}
}

func (s *tourSearch) push(k int) {
	if !s.inQ[k] {
		s.inQ[k] = true
		s.queue = append(s.queue, int32(k))
	}
}

// pushAt queues the stroke at position p, if there is one, and marks it
// dirty: a move changed a hop to or from it.
func (s *tourSearch) pushAt(p int) {
	if p >= 0 && p < len(s.order) {
		s.push(s.order[p])
		s.dirty.add(int32(s.order[p]))
	}
}

// entry returns the point where the stroke at position p is entered.
func (s *tourSearch) entry(p int) (float64, float64) { return s.in(s.order[p]) }

// exit returns the point where the stroke at position p is left; p = -1 is
// home.
func (s *tourSearch) exit(p int) (float64, float64) {
	if p < 0 {
		return s.hx, s.hy
	}
	return s.out(s.order[p])
}

// isEntry reports whether endpoint e is where its stroke is entered.
func (s *tourSearch) isEntry(e int) bool { return (e&1 == 0) != s.rev[e>>1] }

func dist(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	return math.Sqrt(dx*dx + dy*dy)
}

// twoOpt tries the 2-opt moves that give one of stroke k's endpoints a
// nearer partner, and makes the best one. It reports whether it did.
func (s *tourSearch) twoOpt(k int) bool {
	n := len(s.order)
	p := s.pos[k]
	bestGain, bi, bj := improveGain, -1, -1
	for _, x := range [2]int{2 * k, 2*k + 1} {
		entry := s.isEntry(x)
		if !entry && p+1 == n {
			continue // the tour's last point: nothing follows it
		}
		for _, c := range s.nb[x*neighbourCount : (x+1)*neighbourCount] {
			if c < 0 {
				break
			}
			q := s.pos[c>>1]
			if q == p || s.isEntry(int(c)) != entry {
				continue
			}
			var i, j int
			switch {
			case entry && q > p:
				i, j = p, q-1
			case entry:
				i, j = q, p-1
			case q > p:
				i, j = p+1, q
			default:
				i, j = q+1, p
			}
			if j-i >= s.span {
				continue
			}
			if g := s.gain2(i, j); g > bestGain {
				bestGain, bi, bj = g, i, j
			}
		}
	}
	if bi < 0 {
		return false
	}
	s.reverse(bi, bj)
	s.pushAt(bi - 1)
	s.pushAt(bi)
	s.pushAt(bj)
	s.pushAt(bj + 1)
	return true
}

// gain2 returns what reversing positions i…j saves.
func (s *tourSearch) gain2(i, j int) float64 {
	ax, ay := s.exit(i - 1)
	bx, by := s.entry(i)
	cx, cy := s.exit(j)
	old, nu := dist(ax, ay, bx, by), dist(ax, ay, cx, cy)
	if j+1 < len(s.order) {
		dx, dy := s.entry(j + 1)
		old += dist(cx, cy, dx, dy)
		nu += dist(bx, by, dx, dy)
	}
	return old - nu
}

// reverse reverses positions i…j, flipping each stroke (which dirties it:
// its entry and exit swap, and so do the moves its neighbours can make
// with it).
func (s *tourSearch) reverse(i, j int) {
	for ; i <= j; i, j = i+1, j-1 {
		a, b := s.order[i], s.order[j]
		s.order[i], s.order[j] = b, a
		s.pos[a], s.pos[b] = j, i
		s.rev[a] = !s.rev[a]
		s.dirty.add(int32(a))
		s.dirty.add(int32(b))
		if a != b {
			s.rev[b] = !s.rev[b]
		}
	}
}

// orOpt tries moving the run of one to three strokes that starts with
// stroke k to a place next to a neighbour of its ends (as it is or
// reversed), and makes the best move. It reports whether it did.
func (s *tourSearch) orOpt(k int) bool {
	n := len(s.order)
	p := s.pos[k]
	bestGain, bestL, bestAfter := improveGain, 0, 0
	bestRev := false
	for l := 1; l <= 3 && p+l <= n; l++ {
		sx, sy := s.entry(p)
		ex, ey := s.exit(p + l - 1)
		ax, ay := s.exit(p - 1)
		remove := dist(ax, ay, sx, sy)
		if p+l < n {
			nx, ny := s.entry(p + l)
			remove += dist(ex, ey, nx, ny) - dist(ax, ay, nx, ny)
		}
		if remove <= improveGain {
			continue
		}
		// The run goes after position `after` (-1: first), entered at its
		// first stroke's entry or, reversed, at its last stroke's exit.
		try := func(after int, reversed bool) {
			if after >= p-1 && after <= p+l-1 {
				return // where it is, or inside it
			}
			if d := after - p; d > s.span || -d > s.span {
				return
			}
			fx, fy, lx, ly := sx, sy, ex, ey
			if reversed {
				fx, fy, lx, ly = ex, ey, sx, sy
			}
			jx, jy := s.exit(after)
			add := dist(jx, jy, fx, fy)
			if after+1 < n {
				kx, ky := s.entry(after + 1)
				add += dist(lx, ly, kx, ky) - dist(jx, jy, kx, ky)
			}
			if g := remove - add; g > bestGain {
				bestGain, bestL, bestAfter, bestRev = g, l, after, reversed
			}
		}
		for _, end := range [2]struct {
			x, y  float64
			first bool // the run's first point (else its last)
		}{{sx, sy, true}, {ex, ey, false}} {
			id := 2 * s.order[p]
			if s.rev[s.order[p]] {
				id++
			}
			if !end.first {
				last := s.order[p+l-1]
				id = 2*last + 1
				if s.rev[last] {
					id--
				}
			}
			for _, c := range s.nb[id*neighbourCount : (id+1)*neighbourCount] {
				if c < 0 {
					break
				}
				q := s.pos[c>>1]
				if q >= p && q < p+l {
					continue
				}
				switch cEntry := s.isEntry(int(c)); {
				case end.first && !cEntry: // c's exit → the run, as it is
					try(q, false)
				case end.first: // the run reversed → c's entry
					try(q-1, true)
				case cEntry: // the run, as it is → c's entry
					try(q-1, false)
				default: // c's exit → the run reversed
					try(q, true)
				}
			}
		}
	}
	if bestL == 0 {
		return false
	}
	s.move(p, bestL, bestAfter, bestRev)
	return true
}

// move takes the l strokes at positions p… out and puts them after position
// after (in the order before the move), reversed if asked.
func (s *tourSearch) move(p, l, after int, reversed bool) {
	var run [3]int
	copy(run[:l], s.order[p:p+l])
	if reversed {
		for a, b := 0, l-1; a < b; a, b = a+1, b-1 {
			run[a], run[b] = run[b], run[a]
		}
		for _, k := range run[:l] {
			s.rev[k] = !s.rev[k]
		}
	}
	var lo, hi, at int // positions whose strokes change place, and where the run lands
	if after < p {
		// Shift (after, p) right by l.
		copy(s.order[after+1+l:p+l], s.order[after+1:p])
		at, lo, hi = after+1, after+1, p+l-1
	} else {
		// Shift (p+l-1, after] left by l.
		copy(s.order[p:], s.order[p+l:after+1])
		at, lo, hi = after+1-l, p, after
	}
	copy(s.order[at:], run[:l])
	for q := lo; q <= hi; q++ {
		s.pos[s.order[q]] = q
	}
	for q := at - 1; q <= at+l; q++ {
		s.pushAt(q)
	}
	s.pushAt(p - 1)
	s.pushAt(p)
}

// windowTwoOpt improves the tour by reversing blocks of
// at most window consecutive strokes (which also flips each stroke) while
// that shortens the pen-up travel, for a few passes. It reports whether it
// changed anything.
func (t tour) windowTwoOpt(window int) (changed bool) {
	ends, hx, hy, order, rev := t.ends, t.hx, t.hy, t.order, t.rev
	n := len(order)
	start := func(i int) (float64, float64) {
		k := order[i]
		if rev[k] {
			return ends[4*k+2], ends[4*k+3]
		}
		return ends[4*k], ends[4*k+1]
	}
	end := func(i int) (float64, float64) {
		if i < 0 {
			return hx, hy
		}
		k := order[i]
		if rev[k] {
			return ends[4*k], ends[4*k+1]
		}
		return ends[4*k+2], ends[4*k+3]
	}
	const maxPasses = 8
	for pass := 0; pass < maxPasses; pass++ {
		improved := false
		for i := -1; i < n-1; i++ {
			ax, ay := end(i)
			bx, by := start(i + 1)
			dab := math.Hypot(bx-ax, by-ay)
			for j := i + 1; j < n && j <= i+window; j++ {
				cx, cy := end(j)
				old, nu := dab, math.Hypot(cx-ax, cy-ay)
				if j+1 < n {
					dx, dy := start(j + 1)
					old += math.Hypot(dx-cx, dy-cy)
					nu += math.Hypot(dx-bx, dy-by)
				}
				if nu < old-1e-9 {
					for l, r := i+1, j; l <= r; l, r = l+1, r-1 {
						order[l], order[r] = order[r], order[l]
						rev[order[l]] = !rev[order[l]]
						if l != r {
							rev[order[r]] = !rev[order[r]]
						}
					}
					improved, changed = true, true
					bx, by = start(i + 1)
					dab = math.Hypot(bx-ax, by-ay)
				}
			}
		}
		if !improved {
			return changed
		}
	}
	return changed
}

// windowOrOpt improves the tour by moving runs of one
// to three consecutive strokes (as they are or reversed) to a better place
// at most window positions away, while that shortens the pen-up travel.
// It reports whether it changed anything.
func (t tour) windowOrOpt(window int) bool {
	ends, hx, hy, order, rev := t.ends, t.hx, t.hy, t.order, t.rev
	n := len(order)
	pt := func(i int, atEnd bool) (float64, float64) {
		if i < 0 {
			return hx, hy
		}
		k := order[i]
		if rev[k] != atEnd {
			return ends[4*k+2], ends[4*k+3]
		}
		return ends[4*k], ends[4*k+1]
	}
	dist := func(ax, ay, bx, by float64) float64 { return math.Hypot(bx-ax, by-ay) }
	changed := false
	seg := make([]int, 0, 3)
	for i := 0; i < n; i++ {
		for l := 1; l <= 3 && i+l <= n; l++ {
			// Segment [i, i+l). Its neighbours: i-1 (or home) and i+l (or none).
			psx, psy := pt(i, false)
			pex, pey := pt(i+l-1, true)
			ax, ay := pt(i-1, true)
			remove := dist(ax, ay, psx, psy)
			if i+l < n {
				nx, ny := pt(i+l, false)
				remove += dist(pex, pey, nx, ny) - dist(ax, ay, nx, ny)
			}
			if remove <= 1e-9 {
				continue
			}
			// Try every gap (j, j+1) within the window, outside the segment:
			// the segment goes after position j (j = -1: right after home).
			bestGain, bestJ, bestRev := 1e-9, -2, false
			for j := max(-1, i-window); j <= min(n-1, i+l-1+window); j++ {
				if j >= i-1 && j <= i+l-1 {
					continue
				}
				jx, jy := pt(j, true)
				old, hasNext := 0.0, j+1 < n
				var kx, ky float64
				if hasNext {
					kx, ky = pt(j+1, false)
					old = dist(jx, jy, kx, ky)
				}
				for _, r := range []bool{false, true} {
					sx, sy, ex, ey := psx, psy, pex, pey
					if r {
						sx, sy, ex, ey = pex, pey, psx, psy
					}
					add := dist(jx, jy, sx, sy) - old
					if hasNext {
						add += dist(ex, ey, kx, ky)
					}
					if g := remove - add; g > bestGain {
						bestGain, bestJ, bestRev = g, j, r
					}
				}
			}
			if bestJ == -2 {
				continue
			}
			seg = append(seg[:0], order[i:i+l]...)
			if bestRev {
				for a, b := 0, len(seg)-1; a < b; a, b = a+1, b-1 {
					seg[a], seg[b] = seg[b], seg[a]
				}
				for _, k := range seg {
					rev[k] = !rev[k]
				}
			}
			if bestJ < i {
				// Shift [bestJ+1, i) right by l, put the segment at bestJ+1.
				copy(order[bestJ+1+l:i+l], order[bestJ+1:i])
				copy(order[bestJ+1:], seg)
			} else {
				// Shift [i+l, bestJ] left by l, put the segment after it.
				copy(order[i:], order[i+l:bestJ+1])
				copy(order[bestJ+1-l:], seg)
			}
			changed = true
			break
		}
	}
	return changed
}
