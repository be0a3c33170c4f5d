package robot

import "math"

// endpointNeighbours returns, for each endpoint (2k: stroke k's first
// point, 2k+1: its last), the ids of the k nearest endpoints of other
// strokes, nearest first (of two as near, the one found first: the cell
// nearer in the search's order, then the lower id), padded with -1: k
// entries per endpoint. It buckets the points in a grid of about two
// points a cell and searches rings of cells outwards from each, until the
// next ring is no nearer than the kth neighbour found.
//
// The points are copied into the grid's order, and looked up cell by cell,
// so that a search reads memory that the one before it has just read: at
// 100,000 strokes that, not the arithmetic, is what the search costs.
func endpointNeighbours(ends []float64, k int) []int32 {
	n := len(ends) / 2
	out := make([]int32, n*k)
	for i := range out {
		out[i] = -1
	}
	if n == 0 {
		return out
	}
	g := newPointGrid(ends, n)
	s := knnSearch{pointGrid: g, k: k, ids: make([]int32, k), ds: make([]float64, k)}
	for c := 0; c < g.gx*g.gy; c++ {
		cx, cy := c%g.gx, c/g.gx
		for slot := g.first[c]; slot < g.first[c+1]; slot++ {
			e := g.items[slot]
			m := s.search(g.px[slot], g.py[slot], e>>1, cx, cy)
			copy(out[int(e)*k:], s.ids[:m])
		}
	}
	return out
}

// pointGrid buckets points in square cells: the points of cell c (row-major,
// gx cells a row) are slots [first[c], first[c+1]) of items (their ids, in
// increasing order) and px, py (their coordinates).
type pointGrid struct {
	minX, minY, cs float64 // the grid's corner and its cells' side
	gx, gy         int
	first          []int32
	items          []int32
	px, py         []float64
}

// newPointGrid buckets the n points xy (x, y each) in cells of about two
// points each.
func newPointGrid(xy []float64, n int) *pointGrid {
	minX, minY, maxX, maxY := xy[0], xy[1], xy[0], xy[1]
	for i := 0; i < n; i++ {
		x, y := xy[2*i], xy[2*i+1]
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	w, h := maxX-minX, maxY-minY
	cells := float64(max(1, n/2))
	cs := math.Sqrt(w * h / cells)
	if !(cs > 0) {
		cs = math.Max(w, h) / cells // all on one line (or one point)
	}
	if !(cs > 0) {
		cs = 1
	}
	g := &pointGrid{minX: minX, minY: minY, cs: cs,
		gx: min(int(w/cs)+1, 2*n+1), gy: min(int(h/cs)+1, 2*n+1)}
	// Counting sort of the points by cell.
	cellOf := make([]int32, n)
	g.first = make([]int32, g.gx*g.gy+1)
	for i := 0; i < n; i++ {
		cx, cy := g.cell(xy[2*i], xy[2*i+1])
		c := int32(cy*g.gx + cx)
		cellOf[i] = c
		g.first[c+1]++
	}
	for c := 1; c < len(g.first); c++ {
		g.first[c] += g.first[c-1]
	}
	g.items = make([]int32, n)
	g.px, g.py = make([]float64, n), make([]float64, n)
	fill := append([]int32(nil), g.first[:g.gx*g.gy]...)
	for i, c := range cellOf {
		slot := fill[c]
		g.items[slot] = int32(i)
		g.px[slot], g.py[slot] = xy[2*i], xy[2*i+1]
		fill[c]++
	}
	return g
}

// cell returns the column and row of the cell of point (x, y).
func (g *pointGrid) cell(x, y float64) (int, int) {
	return min(int((x-g.minX)/g.cs), g.gx-1), min(int((y-g.minY)/g.cs), g.gy-1)
}

// knnSearch finds a point's k nearest points in a pointGrid; ids and ds
// hold what it found, nearest first, and m how many.
type knnSearch struct {
	*pointGrid
	k     int
	ids   []int32
	ds    []float64 // squared distances
	m     int
	worst float64 // ds[k-1] once m == k
	// The query: its point and the stroke whose points do not count.
	qx, qy float64
	skip   int32
}

// search finds the k nearest points to (qx, qy), in cell (cx, cy), that
// are not ends of stroke skip, and returns how many it found.
func (s *knnSearch) search(qx, qy float64, skip int32, cx, cy int) int {
	s.qx, s.qy, s.skip = qx, qy, skip
	s.m, s.worst = 0, math.Inf(1)
	// The query's distances to the sides of its cell.
	x0 := qx - (s.minX + float64(cx)*s.cs)
	x1 := s.minX + float64(cx+1)*s.cs - qx
	y0 := qy - (s.minY + float64(cy)*s.cs)
	y1 := s.minY + float64(cy+1)*s.cs - qy
	near := math.Max(0, math.Min(math.Min(x0, x1), math.Min(y0, y1)))
	s.visit(cx, cy)
	for r := 1; r <= max(s.gx, s.gy); r++ {
		if s.m == s.k {
			// Every cell of ring r is at least this far from the query
			// (less a hair, for rounding in cell).
			reach := math.Max(float64(r-1)*s.cs, near+float64(r-1)*s.cs-1e-9*s.cs)
			if reach > 0 && reach*reach >= s.worst {
				break
			}
		}
		for dx := -r; dx <= r; dx++ {
			s.visit(cx+dx, cy-r)
			s.visit(cx+dx, cy+r)
		}
		for dy := -r + 1; dy <= r-1; dy++ {
			s.visit(cx-r, cy+dy)
			s.visit(cx+r, cy+dy)
		}
	}
	return s.m
}

// visit considers the points of cell (cx, cy), if the grid has it.
func (s *knnSearch) visit(cx, cy int) {
	if cx < 0 || cy < 0 || cx >= s.gx || cy >= s.gy {
		return
	}
	c := cy*s.gx + cx
	lo, hi := s.first[c], s.first[c+1]
	ids, px, py := s.items[lo:hi], s.px[lo:hi], s.py[lo:hi]
	k, ds, out := s.k, s.ds, s.ids
	for i, id := range ids {
		if id>>1 == s.skip {
			continue
		}
		dx, dy := px[i]-s.qx, py[i]-s.qy
		d := dx*dx + dy*dy
		if s.m == k && d >= s.worst {
			continue
		}
		j := min(s.m, k-1)
		for j > 0 && ds[j-1] > d {
			ds[j], out[j] = ds[j-1], out[j-1]
			j--
		}
		ds[j], out[j] = d, id
		if s.m < k {
			s.m++
		}
		if s.m == k {
			s.worst = ds[k-1]
		}
	}
}
