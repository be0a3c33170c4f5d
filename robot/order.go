package robot

import "math"

// Stroke ordering: a greedy nearest-end tour over the strokes' endpoints,
// with a static k-d tree whose nodes count their live points, so that used
// endpoints cost nothing in later searches; then optional 2-opt and Or-opt
// (improve.go).
//
// ends holds sx, sy, ex, ey per stroke (paper mm). order is a permutation of
// the stroke indices and rev[k] says whether stroke k is drawn end to start.

// kdTree is an implicit k-d tree over points: the node for the index range
// [lo, hi) is its middle element mid, splitting on x at even depths and y at
// odd ones; count[mid] is the number of live points in [lo, hi).
type kdTree struct {
	x, y  []float64
	id    []int32 // point id at each tree position
	pos   []int32 // tree position of each point id
	live  []bool  // by tree position
	count []int32 // by tree position (node mid)
}

func newKDTree(x, y []float64) *kdTree {
	n := len(x)
	t := &kdTree{x: append([]float64(nil), x...), y: append([]float64(nil), y...), id: make([]int32, n),
		pos: make([]int32, n), live: make([]bool, n), count: make([]int32, n)}
	for i := range t.id {
		t.id[i] = int32(i)
	}
	// Partition the points in place, their ids and coordinates together
	// (reading the keys in order, not through the ids); a node's count is
	// the size of its range.
	type job struct{ lo, hi, depth int }
	stack := []job{{0, n, 0}}
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if j.hi <= j.lo {
			continue
		}
		mid := (j.lo + j.hi) / 2
		t.count[mid] = int32(j.hi - j.lo)
		if j.hi-j.lo == 1 {
			continue
		}
		key, other := t.x[j.lo:j.hi], t.y[j.lo:j.hi]
		if j.depth&1 == 1 {
			key, other = other, key
		}
		selectNth(key, other, t.id[j.lo:j.hi], mid-j.lo)
		stack = append(stack, job{j.lo, mid, j.depth + 1}, job{mid + 1, j.hi, j.depth + 1})
	}
	for p, i := range t.id {
		t.pos[i] = int32(p)
		t.live[p] = true
	}
	return t
}

// selectNth reorders key so that key[k] holds the element that would be
// there if key were sorted, with smaller-or-equal keys before it and
// greater-or-equal after (quickselect, median-of-three pivots); other and
// id are reordered alongside.
func selectNth(key, other []float64, id []int32, k int) {
	swap := func(i, j int) {
		key[i], key[j] = key[j], key[i]
		other[i], other[j] = other[j], other[i]
		id[i], id[j] = id[j], id[i]
	}
	lo, hi := 0, len(key)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Median of three into key[mid].
		if key[mid] < key[lo] {
			swap(mid, lo)
		}
		if key[hi] < key[lo] {
			swap(hi, lo)
		}
		if key[hi] < key[mid] {
			swap(hi, mid)
		}
		pv := key[mid]
		i, j := lo, hi
		for i <= j {
			for key[i] < pv {
				i++
			}
			for key[j] > pv {
				j--
			}
			if i <= j {
				swap(i, j)
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// remove marks point id as used.
func (t *kdTree) remove(id int) {
	p := int(t.pos[id])
	if !t.live[p] {
		return
	}
	t.live[p] = false
	lo, hi := 0, len(t.id)
	for lo < hi {
		mid := (lo + hi) / 2
		t.count[mid]--
		switch {
		case p == mid:
			return
		case p < mid:
			hi = mid
		default:
			lo = mid + 1
		}
	}
}

// nearest returns the id of the live point nearest to (qx, qy), or -1.
func (t *kdTree) nearest(qx, qy float64) int {
	best, bestD := -1, math.Inf(1)
	var search func(lo, hi, depth int)
	search = func(lo, hi, depth int) {
		if lo >= hi {
			return
		}
		mid := (lo + hi) / 2
		if t.count[mid] == 0 {
			return
		}
		if t.live[mid] {
			dx, dy := t.x[mid]-qx, t.y[mid]-qy
			if d := dx*dx + dy*dy; d < bestD || (d == bestD && int(t.id[mid]) < best) {
				best, bestD = int(t.id[mid]), d
			}
		}
		diff := qx - t.x[mid]
		if depth&1 == 1 {
			diff = qy - t.y[mid]
		}
		if diff < 0 {
			search(lo, mid, depth+1)
			if diff*diff <= bestD {
				search(mid+1, hi, depth+1)
			}
		} else {
			search(mid+1, hi, depth+1)
			if diff*diff <= bestD {
				search(lo, mid, depth+1)
			}
		}
	}
	search(0, len(t.id), 0)
	return best
}

// greedyOrder fills order and rev with the greedy nearest-end tour that
// starts at (hx, hy): from the pen's position, the nearest free endpoint of
// any stroke, entering the stroke there.
func greedyOrder(ends []float64, hx, hy float64, order []int, rev []bool) {
	greedySeated(ends, nil, hx, hy, order, rev, nil)
}

// seats lists, for closed strokes, the points where the pen may enter them
// (any vertex: a closed stroke can start anywhere on its loop).
type seats struct {
	xy     []float64 // x, y per seat
	vertex []int     // the seat's vertex, counted from the stroke's first point
	first  []int     // seats of stroke k: [first[k], first[k+1])
}

// greedySeated is greedyOrder where closed strokes may also be entered at
// any of their seats. For such a stroke, seat[k] is set to the index of the
// vertex chosen (counted from the stroke's first point), and ends[k] becomes that
// point at both ends; seat[k] is -1 for a stroke entered at an end.
func greedySeated(ends []float64, st *seats, hx, hy float64, order []int, rev []bool, seat []int) {
	n := len(order)
	// Candidates: the two ends of every stroke, then the seats.
	total := 2 * n
	if st != nil {
		total += len(st.xy) / 2
	}
	x := make([]float64, 0, total)
	y := make([]float64, 0, total)
	for k := 0; k < n; k++ {
		x = append(x, ends[4*k], ends[4*k+2])
		y = append(y, ends[4*k+1], ends[4*k+3])
	}
	if st != nil {
		for i := 0; i+1 < len(st.xy); i += 2 {
			x = append(x, st.xy[i])
			y = append(y, st.xy[i+1])
		}
	}
	// owner maps a seat candidate (id - 2n) to its stroke.
	var owner []int32
	if st != nil {
		owner = make([]int32, len(st.xy)/2)
		for k := 0; k < n; k++ {
			for i := st.first[k]; i < st.first[k+1]; i++ {
				owner[i] = int32(k)
			}
		}
	}
	t := newKDTree(x, y)
	cx, cy := hx, hy
	for i := 0; i < n; i++ {
		q := t.nearest(cx, cy)
		var k int
		if q < 2*n {
			k = q / 2
			order[i], rev[i] = k, q&1 == 1
			o := q ^ 1 // the other end: where the pen leaves the stroke
			cx, cy = x[o], y[o]
			if seat != nil {
				seat[k] = -1
			}
		} else {
			k = int(owner[q-2*n])
			order[i], rev[i] = k, false
			seat[k] = st.vertex[q-2*n]
			cx, cy = x[q], y[q]
			ends[4*k], ends[4*k+1], ends[4*k+2], ends[4*k+3] = cx, cy, cx, cy
		}
		t.remove(2 * k)
		t.remove(2*k + 1)
		if st != nil {
			for s := st.first[k]; s < st.first[k+1]; s++ {
				t.remove(2*n + s)
			}
		}
	}
	// order holds stroke indices with rev by position; callers index rev by
	// stroke.
	byStroke := make([]bool, n)
	for i, k := range order {
		byStroke[k] = rev[i]
	}
	copy(rev, byStroke)
}

// travel returns the pen-up length of a tour from (hx, hy).
func travel(ends []float64, hx, hy float64, order []int, rev []bool) float64 {
	cx, cy, sum := hx, hy, 0.0
	for _, k := range order {
		sx, sy, ex, ey := ends[4*k], ends[4*k+1], ends[4*k+2], ends[4*k+3]
		if rev[k] {
			sx, sy, ex, ey = ex, ey, sx, sy
		}
		sum += math.Hypot(sx-cx, sy-cy)
		cx, cy = ex, ey
	}
	return sum
}
