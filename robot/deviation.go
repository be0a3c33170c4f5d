package robot

import (
	"math"

	"mbotdraw/robot/link"
)

// Deviation measures a robot's ink (the virtual mBot's Trace) against the
// plan, in mm: mean is how far the ink lies from the planned paths on
// average, sampled every 0.25 mm along the ink so that a long miss weighs
// by its length; farthest is how far the planned point farthest from any
// ink lies from it. Both are +Inf when there is no ink.
func (p *Plan) Deviation(tr link.Trace) (mean, farthest float64) {
	var ink []inkSeg
	var sum float64
	var n int
	for _, s := range tr.Ink() {
		for i := 1; i < len(s.Points); i++ {
			a, b := s.Points[i-1], s.Points[i]
			ink = append(ink, inkSeg{a.X, a.Y, b.X, b.Y})
			k := max(1, int(math.Ceil(math.Hypot(b.X-a.X, b.Y-a.Y)/0.25)))
			for j := range k {
				f := (float64(j) + 0.5) / float64(k)
				sum += distToPlan(p, a.X+f*(b.X-a.X), a.Y+f*(b.Y-a.Y))
				n++
			}
		}
	}
	if n == 0 {
		return math.Inf(1), math.Inf(1)
	}
	for _, pa := range p.Paths {
		if pa.Len() < 2 {
			continue
		}
		for i := pa.Start; i < pa.End; i++ {
			x, y := p.Point(i)
			farthest = math.Max(farthest, distToInk(ink, x, y))
		}
	}
	return sum / float64(n), farthest
}

// inkSeg is a straight piece of the pen's trace while it touched the paper.
type inkSeg struct{ x0, y0, x1, y1 float64 }

// distToPlan is the distance from (x, y) to the nearest of p's paths.
func distToPlan(p *Plan, x, y float64) float64 {
	best := math.Inf(1)
	for _, pa := range p.Paths {
		best = math.Min(best, distToPolyline(x, y, p.XY[2*pa.Start:2*pa.End]))
	}
	return best
}

// distToInk is the distance from (x, y) to the nearest piece of ink.
func distToInk(ink []inkSeg, x, y float64) float64 {
	best := math.Inf(1)
	for _, s := range ink {
		best = math.Min(best, distToSegment(x, y, s.x0, s.y0, s.x1, s.y1))
	}
	return best
}

// distToPolyline is the distance from (x, y) to the polyline of points xy
// (x, y pairs).
func distToPolyline(x, y float64, xy []float64) float64 {
	best := math.Hypot(x-xy[0], y-xy[1])
	for i := 2; i+1 < len(xy); i += 2 {
		best = math.Min(best, distToSegment(x, y, xy[i-2], xy[i-1], xy[i], xy[i+1]))
	}
	return best
}

// distToSegment is the distance from (px, py) to the segment from (ax, ay)
// to (bx, by).
func distToSegment(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}
