package robot

// appendSimplified appends to dst the points of the polyline src (interleaved
// x, y) that Ramer–Douglas–Peucker keeps at tolerance tol (same units), and
// returns dst. The first and last points are always kept; tol <= 0 keeps
// every point. keep is scratch space, reused between calls.
func appendSimplified(dst, src []float64, tol float64, keep *[]bool) []float64 {
	n := len(src) / 2
	if n <= 2 || tol <= 0 {
		return append(dst, src...)
	}
	k := (*keep)[:0]
	for i := 0; i < n; i++ {
		k = append(k, false)
	}
	*keep = k
	k[0], k[n-1] = true, true
	tol2 := tol * tol
	// An explicit stack of index ranges: no recursion depth limit on long strokes.
	type span struct{ a, b int }
	stack := []span{{0, n - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.b-s.a < 2 {
			continue
		}
		ax, ay := src[2*s.a], src[2*s.a+1]
		bx, by := src[2*s.b], src[2*s.b+1]
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		worst, wi := -1.0, -1
		// The points strictly between a and b, indexed from a+1.
		mid := src[2*s.a+2 : 2*s.b]
		for j := 0; j+1 < len(mid); j += 2 {
			px, py := mid[j]-ax, mid[j+1]-ay
			var d2 float64
			if l2 == 0 {
				d2 = px*px + py*py
			} else {
				// Distance to the segment, not the infinite line, so that a
				// stroke doubling back on itself keeps its turning point.
				t := (px*dx + py*dy) / l2
				if t < 0 {
					t = 0
				} else if t > 1 {
					t = 1
				}
				ex, ey := px-t*dx, py-t*dy
				d2 = ex*ex + ey*ey
			}
			if d2 > worst {
				worst, wi = d2, s.a+1+j/2
			}
		}
		if worst > tol2 {
			k[wi] = true
			stack = append(stack, span{s.a, wi}, span{wi, s.b})
		}
	}
	for i := 0; i < n; i++ {
		if k[i] {
			dst = append(dst, src[2*i], src[2*i+1])
		}
	}
	return dst
}
