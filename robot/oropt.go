package robot

// Or-opt of any reach: the neighbour-list search (improve.go) keeps the
// tour in an array, so a move costs the shift of every stroke between its
// two places, and moves are bounded by the span. A greedy tour's worst
// hops join strokes far apart in the order, so at 100,000 strokes that
// search cannot reach most of the moves that would fix them. Here the tour
// is a doubly linked list: taking a run of one to three strokes out and
// putting it back anywhere, as it is or reversed, costs the run's length,
// whatever the distance in the order. Candidate places come from the
// neighbour lists of the run's two ends, as in orOpt.

// orOptBudget is the linked-list pass's work budget: this many runs looked
// at per stroke.
const orOptBudget = 12

// linkedTour is a tour as a doubly linked list of strokes; -1 stands for
// home before the first stroke and for nothing after the last.
type linkedTour struct {
	tour
	next, prev []int32
	head       int32
}

// in returns where stroke k is entered; out where it is left (home for -1).
func (l *linkedTour) in(k int32) (float64, float64) { return l.tour.in(int(k)) }

func (l *linkedTour) out(k int32) (float64, float64) { return l.tour.out(int(k)) }

// hop returns the pen-up length from leaving a to entering b (0 when b is
// nothing).
func (l *linkedTour) hop(a, b int32) float64 {
	if b < 0 {
		return 0
	}
	ax, ay := l.out(a)
	bx, by := l.in(b)
	return dist(ax, ay, bx, by)
}

// orOptMove is a candidate: put the run of the l strokes from first
// between x and y (in the tour without the run), reversed or not.
type orOptMove struct {
	l        int
	x, y     int32
	reversed bool
	gain     float64
}

// orOptAnywhere improves t by Or-opt moves of any reach found through the
// neighbour lists nb, looking at most at budget runs, beginning with the
// strokes seeds (nil: every stroke, in tour order); it reports whether it
// changed the tour. It adds to dirty (if not nil) the strokes each move
// puts next to new ones.
func orOptAnywhere(t tour, nb []int32, budget int, seeds []int32, dirty *marks) bool {
	n := len(t.order)
	if n < 3 {
		return false
	}
	l := &linkedTour{tour: t, next: make([]int32, n), prev: make([]int32, n), head: int32(t.order[0])}
	for p, k := range t.order {
		l.prev[k], l.next[k] = -1, -1
		if p > 0 {
			l.prev[k] = int32(t.order[p-1])
		}
		if p+1 < n {
			l.next[k] = int32(t.order[p+1])
		}
	}
	queue := make([]int32, 0, n)
	inQ := make([]bool, n)
	push := func(k int32) {
		if k >= 0 && !inQ[k] {
			inQ[k] = true
			queue = append(queue, k)
		}
	}
	if seeds == nil {
		for _, k := range t.order {
			push(int32(k))
		}
	}
	for _, k := range seeds {
		push(k)
	}
	touch := func(k int32) {
		if dirty != nil {
			dirty.add(k)
		}
		push(k)
	}
	changed := false
	var run [3]int32
	for len(queue) > 0 && budget > 0 {
		k := queue[0]
		queue = queue[1:]
		inQ[k] = false
		budget--
		m, ok := l.best(k, nb, &run)
		if !ok {
			continue
		}
		a, b := l.prev[k], l.next[run[m.l-1]]
		l.apply(run[:m.l], m)
		changed = true
		for _, s := range run[:m.l] {
			touch(s)
		}
		touch(a)
		touch(b)
		touch(m.x)
		touch(m.y)
	}
	if changed {
		p := 0
		for k := l.head; k >= 0; k = l.next[k] {
			t.order[p] = int(k)
			p++
		}
	}
	return changed
}

// best returns the best move of a run that starts with stroke k (filling
// run with its strokes), if one gains.
func (l *linkedTour) best(k int32, nb []int32, run *[3]int32) (orOptMove, bool) {
	best := orOptMove{gain: improveGain}
	found := false
	a := l.prev[k]
	last := k
	for n := 1; n <= 3 && last >= 0; n++ {
		if n > 1 {
			last = l.next[last]
			if last < 0 {
				break
			}
		}
		run[n-1] = last
		b := l.next[last]
		remove := l.hop(a, k) + l.hop(last, b) - l.hop(a, b)
		if remove <= improveGain {
			continue
		}
		fx, fy := l.in(k)
		lx, ly := l.out(last)
		// After the run is taken out, a is followed by b.
		nextR := func(q int32) int32 {
			if q == a {
				return b
			}
			return l.next[q]
		}
		prevR := func(q int32) int32 {
			if q == b {
				return a
			}
			return l.prev[q]
		}
		try := func(x, y int32, reversed bool) {
			sx, sy, ex, ey := fx, fy, lx, ly
			if reversed {
				sx, sy, ex, ey = lx, ly, fx, fy
			}
			ox, oy := l.out(x)
			add := dist(ox, oy, sx, sy)
			if y >= 0 {
				yx, yy := l.in(y)
				add += dist(ex, ey, yx, yy) - dist(ox, oy, yx, yy)
			}
			if g := remove - add; g > best.gain {
				best = orOptMove{l: n, x: x, y: y, reversed: reversed, gain: g}
				found = true
			}
		}
		firstEnd := 2 * k
		if l.rev[k] {
			firstEnd++
		}
		lastEnd := 2*last + 1
		if l.rev[last] {
			lastEnd--
		}
		for _, e := range [2]int32{firstEnd, lastEnd} {
			for _, c := range nb[int(e)*neighbourCount : int(e+1)*neighbourCount] {
				if c < 0 {
					break
				}
				q := c >> 1
				if inRun(run[:n], q) {
					continue
				}
				cEntry := (c&1 == 0) != l.rev[q]
				switch {
				case e == firstEnd && !cEntry: // q's exit → the run, as it is
					try(q, nextR(q), false)
				case e == firstEnd: // the run reversed → q's entry
					try(prevR(q), q, true)
				case cEntry: // the run, as it is → q's entry
					try(prevR(q), q, false)
				default: // q's exit → the run reversed
					try(q, nextR(q), true)
				}
			}
		}
	}
	if found {
		// run holds the strokes of the longest run looked at; the move's
		// run is its first best.l.
		return best, true
	}
	return best, false
}

func inRun(run []int32, q int32) bool {
	for _, s := range run {
		if s == q {
			return true
		}
	}
	return false
}

// apply makes move m of the run.
func (l *linkedTour) apply(run []int32, m orOptMove) {
	first, last := run[0], run[len(run)-1]
	a, b := l.prev[first], l.next[last]
	// Take the run out.
	if a >= 0 {
		l.next[a] = b
	} else {
		l.head = b
	}
	if b >= 0 {
		l.prev[b] = a
	}
	// Link it in its new order between x and y.
	seq := run
	var buf [3]int32
	if m.reversed {
		for i, s := range run {
			buf[len(run)-1-i] = s
			l.rev[s] = !l.rev[s]
		}
		seq = buf[:len(run)]
	}
	prev := m.x
	for _, s := range seq {
		l.prev[s] = prev
		if prev >= 0 {
			l.next[prev] = s
		} else {
			l.head = s
		}
		prev = s
	}
	l.next[prev] = m.y
	if m.y >= 0 {
		l.prev[m.y] = prev
	}
}
