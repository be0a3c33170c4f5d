package robot

import "math"

// maxExactOrder is the most strokes for which NewPlan finds the shortest
// pen-up order exactly. A child's drawing, a Quick, Draw! doodle or a kanji
// has this few; the search costs n²·2ⁿ·4 steps (about 2.4 million, a few
// milliseconds, at 12).
const maxExactOrder = 12

// exactOrder sets order and rev to the shortest pen-up tour from (hx, hy)
// through every stroke of ends (sx, sy, ex, ey per stroke), each drawn whole
// in either direction: Held–Karp dynamic programming over the subsets of
// strokes drawn so far, the last one drawn and its direction. len(order)
// must be at most maxExactOrder.
func exactOrder(ends []float64, hx, hy float64, order []int, rev []bool) {
	n := len(order)
	if n == 0 {
		return
	}
	// point returns where stroke k is entered (exit false) or left (exit
	// true) when drawn in direction r (1: end to start).
	point := func(k, r int, exit bool) (float64, float64) {
		if (r == 1) != exit {
			return ends[4*k+2], ends[4*k+3]
		}
		return ends[4*k], ends[4*k+1]
	}
	state := func(mask, k, r int) int { return (mask*n+k)*2 + r }
	size := (1 << n) * n * 2
	cost := make([]float64, size)
	from := make([]int32, size) // the previous (k, r) as 2k+r, -1 at the start
	for i := range cost {
		cost[i] = math.Inf(1)
	}
	for k := 0; k < n; k++ {
		for r := 0; r < 2; r++ {
			x, y := point(k, r, false)
			s := state(1<<k, k, r)
			cost[s], from[s] = math.Hypot(x-hx, y-hy), -1
		}
	}
	for mask := 1; mask < 1<<n; mask++ {
		for k := 0; k < n; k++ {
			if mask&(1<<k) == 0 {
				continue
			}
			for r := 0; r < 2; r++ {
				c := cost[state(mask, k, r)]
				if math.IsInf(c, 1) {
					continue
				}
				ex, ey := point(k, r, true)
				for j := 0; j < n; j++ {
					if mask&(1<<j) != 0 {
						continue
					}
					for rj := 0; rj < 2; rj++ {
						x, y := point(j, rj, false)
						s := state(mask|1<<j, j, rj)
						if nc := c + math.Hypot(x-ex, y-ey); nc < cost[s] {
							cost[s], from[s] = nc, int32(2*k+r)
						}
					}
				}
			}
		}
	}
	full := 1<<n - 1
	best, bk, br := math.Inf(1), 0, 0
	for k := 0; k < n; k++ {
		for r := 0; r < 2; r++ {
			if c := cost[state(full, k, r)]; c < best {
				best, bk, br = c, k, r
			}
		}
	}
	for i, mask := n-1, full; i >= 0; i-- {
		order[i], rev[bk] = bk, br == 1
		prev := from[state(mask, bk, br)]
		mask &^= 1 << bk
		bk, br = int(prev>>1), int(prev&1)
	}
}
