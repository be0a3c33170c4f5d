package robot

import (
	"errors"
	"image/color"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"mbotdraw/playback"
)

var black = color.RGBA{0, 0, 0, 255}

// drawingOf builds a drawing from polylines given as x0, y0, x1, y1, ….
func drawingOf(w, h float64, strokes ...[]float32) *playback.Drawing {
	d := playback.NewDrawing(w, h)
	for _, s := range strokes {
		d.BeginStroke(black, 1)
		for i := 0; i+1 < len(s); i += 2 {
			d.AddPoint(s[i], s[i+1], 0)
		}
	}
	return d
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestPlanFitsPaperKeepingAspect(t *testing.T) {
	tests := []struct {
		name         string
		d            *playback.Drawing
		o            PlanOptions
		minX, minY   float64 // expected ink box on paper, mm
		maxX, maxY   float64
		wantScale    float64
		wantNumPaths int
	}{
		{"wide on A4", drawingOf(100, 50, []float32{0, 0, 100, 50}), PlanOptions{},
			15, 148.5 - 45, 195, 148.5 + 45, 1.8, 1},
		{"tall on A4", drawingOf(10, 1000, []float32{5, 0, 5, 10, 6, 1000}), PlanOptions{},
			105 - 0.5*267/1000, 15, 105 + 0.5*267/1000, 282, 267.0 / 1000, 1},
		{"custom paper, no margin", drawingOf(10, 10, []float32{0, 0, 10, 10}), PlanOptions{PaperWidth: 100, PaperHeight: 50, Margin: -1},
			25, 0, 75, 50, 5, 1},
		{"horizontal line", drawingOf(10, 10, []float32{2, 3, 12, 3}), PlanOptions{},
			15, 148.5, 195, 148.5, 18, 1},
		{"single dot", drawingOf(10, 10, []float32{4, 4}), PlanOptions{},
			105, 148.5, 105, 148.5, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(tc.d, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if !near(p.Scale, tc.wantScale, 1e-9) {
				t.Errorf("scale %g, want %g", p.Scale, tc.wantScale)
			}
			if len(p.Paths) != tc.wantNumPaths {
				t.Fatalf("%d paths, want %d", len(p.Paths), tc.wantNumPaths)
			}
			minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
			for i := 0; i < len(p.XY)/2; i++ {
				x, y := p.Point(i)
				minX, minY = math.Min(minX, x), math.Min(minY, y)
				maxX, maxY = math.Max(maxX, x), math.Max(maxY, y)
			}
			for _, c := range [][2]float64{{minX, tc.minX}, {minY, tc.minY}, {maxX, tc.maxX}, {maxY, tc.maxY}} {
				if !near(c[0], c[1], 1e-6) {
					t.Errorf("ink box (%g,%g)-(%g,%g), want (%g,%g)-(%g,%g)", minX, minY, maxX, maxY, tc.minX, tc.minY, tc.maxX, tc.maxY)
					break
				}
			}
		})
	}
}

func TestPlanBadInput(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name string
		d    *playback.Drawing
		o    PlanOptions
		want error
	}{
		{"NaN point", drawingOf(10, 10, []float32{0, 0, nan, 1}), PlanOptions{}, playback.ErrNotFinite},
		{"margins eat the paper", drawingOf(10, 10, []float32{0, 0, 1, 1}), PlanOptions{Margin: 105}, ErrPaper},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPlan(tc.d, tc.o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := NewPlan(drawingOf(1, 1), PlanOptions{PaperWidth: -3, PaperHeight: 10}); err == nil {
		t.Error("negative paper width accepted")
	}
}

func TestPlanEmptyDrawing(t *testing.T) {
	p, err := NewPlan(drawingOf(100, 100), PlanOptions{})
	if err != nil || len(p.Paths) != 0 || p.Stats.PenUp != 0 {
		t.Fatalf("empty drawing: %v, %+v", err, p)
	}
}

// Every stroke is drawn exactly once, by the path PathOf names, and the
// path's points follow the stroke (in one direction or the other) within the
// simplification tolerance.
func TestPlanDrawsEveryStrokeOnce(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 400, Seed: 3, Width: 800, Height: 600})
	for _, o := range []PlanOptions{{}, {TwoOpt: true}, {KeepOrder: true}, {JoinTolerance: -1}, {Tolerance: -1}} {
		p, err := NewPlan(d, o)
		if err != nil {
			t.Fatal(err)
		}
		seen := make([]int, len(d.Strokes))
		for pi := range p.Paths {
			for _, si := range p.PathStrokes(pi) {
				seen[si]++
				if p.PathOf[si] != pi {
					t.Fatalf("%+v: PathOf[%d] = %d, want %d", o, si, p.PathOf[si], pi)
				}
			}
		}
		for si, n := range seen {
			if n != 1 {
				t.Fatalf("%+v: stroke %d drawn %d times", o, si, n)
			}
		}
		tol := DefaultTolerance
		if o.Tolerance < 0 {
			tol = 1e-9
		}
		// Each original point is within tol of its path's polyline.
		for si, s := range d.Strokes {
			pa := p.Paths[p.PathOf[si]]
			poly := p.XY[2*pa.Start : 2*pa.End]
			for i := s.Start; i < s.End; i++ {
				x, y := p.ToPaper(float64(d.XY[2*i]), float64(d.XY[2*i+1]))
				if dd := distToPolyline(x, y, poly); dd > tol+1e-6 {
					t.Fatalf("%+v: stroke %d point %d is %.3f mm from its path", o, si, i-s.Start, dd)
				}
			}
		}
		if o.KeepOrder && o.JoinTolerance < 0 && !near(p.Stats.PenUp, p.Stats.FilePenUp, 1e-6) {
			t.Errorf("file order: pen-up %g, file pen-up %g", p.Stats.PenUp, p.Stats.FilePenUp)
		}
	}
}

func TestPlanJoinsTouchingStrokes(t *testing.T) {
	// Three strokes that chain end to start (the middle one reversed) and one
	// far away.
	d := drawingOf(100, 100,
		[]float32{0, 0, 10, 0},
		[]float32{20, 0, 10, 0.01}, // reversed, its end touches the first's end
		[]float32{20, 0, 30, 10},
		[]float32{90, 90, 95, 95},
	)
	p, err := NewPlan(d, PlanOptions{Home: &Pose{X: 15, Y: 15}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Paths) != 2 {
		t.Fatalf("%d paths, want 2 (three joined strokes and one apart)", len(p.Paths))
	}
	if got := len(p.PathStrokes(p.PathOf[0])); got != 3 {
		t.Errorf("first path draws %d strokes, want 3", got)
	}
	if p.Reversed[indexOf(p.Sources, 1)] == p.Reversed[indexOf(p.Sources, 0)] {
		t.Errorf("stroke 1 must run the other way from stroke 0: reversed %v", p.Reversed)
	}
	p2, err := NewPlan(d, PlanOptions{Home: &Pose{X: 15, Y: 15}, JoinTolerance: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Paths) != 4 {
		t.Errorf("without joining: %d paths, want 4", len(p2.Paths))
	}
}

func indexOf(a []int, v int) int {
	for i, x := range a {
		if x == v {
			return i
		}
	}
	return -1
}

func TestSimplifyKeepsShapeWithinTolerance(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 2 + r.IntN(300)
		src := make([]float64, 0, 2*n)
		x, y, h := 0.0, 0.0, 0.0
		for i := 0; i < n; i++ {
			src = append(src, x, y)
			h += (r.Float64() - 0.5) * 1.5
			x += math.Cos(h) * 0.7
			y += math.Sin(h) * 0.7
		}
		var keep []bool
		tol := 0.05 + r.Float64()
		out := appendSimplified(nil, src, tol, &keep)
		if out[0] != src[0] || out[1] != src[1] || out[len(out)-2] != src[len(src)-2] || out[len(out)-1] != src[len(src)-1] {
			t.Fatal("endpoints not kept")
		}
		for i := 0; i < n; i++ {
			if d := distToPolyline(src[2*i], src[2*i+1], out); d > tol+1e-9 {
				t.Fatalf("trial %d: point %d is %g from the simplified line (tol %g)", trial, i, d, tol)
			}
		}
		if n > 50 && len(out) >= len(src) {
			t.Errorf("trial %d: nothing simplified (%d points)", trial, n)
		}
	}
	// A stroke that doubles back keeps its turning point.
	out := appendSimplified(nil, []float64{0, 0, 10, 0, 5, 0}, 0.1, new([]bool))
	if len(out) != 6 {
		t.Errorf("doubling back: %v", out)
	}
}

// The k-d tree greedy order is the naive O(n²) greedy order.
func TestGreedyOrderMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 20; trial++ {
		n := 1 + r.IntN(200)
		ends := make([]float64, 4*n)
		for i := range ends {
			ends[i] = r.Float64() * 200
		}
		order, rev := make([]int, n), make([]bool, n)
		greedyOrder(ends, 100, 100, order, rev)
		used := make([]bool, n)
		cx, cy := 100.0, 100.0
		for i := 0; i < n; i++ {
			best, bestD, bestRev := -1, math.Inf(1), false
			for k := 0; k < n; k++ {
				if used[k] {
					continue
				}
				for e := 0; e < 2; e++ {
					d := math.Hypot(ends[4*k+2*e]-cx, ends[4*k+2*e+1]-cy)
					if d < bestD {
						best, bestD, bestRev = k, d, e == 1
					}
				}
			}
			if order[i] != best || rev[best] != bestRev {
				t.Fatalf("trial %d step %d: got stroke %d rev %v, want %d rev %v", trial, i, order[i], rev[order[i]], best, bestRev)
			}
			used[best] = true
			if bestRev {
				cx, cy = ends[4*best], ends[4*best+1]
			} else {
				cx, cy = ends[4*best+2], ends[4*best+3]
			}
		}
	}
}

func TestOrderingCutsTravel(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 2000, Seed: 11})
	greedy, err := NewPlan(d, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := NewPlan(d, PlanOptions{TwoOpt: true})
	if err != nil {
		t.Fatal(err)
	}
	if greedy.Stats.Reduction < 0.5 {
		t.Errorf("greedy cut pen-up travel by %.0f%%, want at least 50%%", 100*greedy.Stats.Reduction)
	}
	if opt.Stats.PenUp > greedy.Stats.PenUp+1e-6 {
		t.Errorf("2-opt made travel longer: %g > %g", opt.Stats.PenUp, greedy.Stats.PenUp)
	}
	if opt.Stats.PenUp >= greedy.Stats.PenUp {
		t.Errorf("2-opt found nothing to improve on 2000 random strokes (%g mm)", greedy.Stats.PenUp)
	}
	t.Logf("2000 strokes: file order %.0f mm, greedy %.0f mm (-%.1f%%), 2-opt %.0f mm (-%.1f%%)",
		greedy.Stats.FilePenUp, greedy.Stats.PenUp, 100*greedy.Stats.Reduction, opt.Stats.PenUp, 100*opt.Stats.Reduction)
}

func BenchmarkPlan100k(b *testing.B) {
	d := playback.Generate(playback.GenOptions{Strokes: 100_000, Seed: 1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NewPlan(d, PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlan100kTwoOpt(b *testing.B) {
	d := playback.Generate(playback.GenOptions{Strokes: 100_000, Seed: 1})
	b.ReportAllocs()
	b.ResetTimer()
	var p *Plan
	for i := 0; i < b.N; i++ {
		var err error
		if p, err = NewPlan(d, PlanOptions{TwoOpt: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(p.Stats.PenUp, "penup-mm")
}

func TestParsePaper(t *testing.T) {
	tests := []struct {
		in   string
		w, h float64
		bad  bool
	}{
		{"210x297mm", 210, 297, false},
		{"300x200", 300, 200, false},
		{"A4", 210, 297, false},
		{"a3-landscape", 420, 297, false},
		{"letter", 215.9, 279.4, false},
		{"A4x", 0, 0, true},
		{"0x100", 0, 0, true},
		{"1e9x5", 0, 0, true},
		{"NaNxNaN", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tc := range tests {
		w, h, err := ParsePaper(tc.in)
		if (err != nil) != tc.bad || w != tc.w || h != tc.h {
			t.Errorf("ParsePaper(%q) = %g, %g, %v", tc.in, w, h, err)
		}
	}
}

// The grid's neighbour lists are the brute-force ones, also on degenerate
// layouts (every point on one line, many on one spot).
func TestEndpointNeighboursMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	layouts := map[string]func(i int) (float64, float64){
		"scattered": func(int) (float64, float64) { return r.Float64() * 300, r.Float64() * 200 },
		"clustered": func(int) (float64, float64) {
			if r.IntN(3) == 0 {
				return 1000 + r.Float64(), 5 + r.Float64()
			}
			return r.Float64() * 3, r.Float64() * 3
		},
		"one line":   func(int) (float64, float64) { return 7, r.Float64() * 100 },
		"few places": func(int) (float64, float64) { return float64(r.IntN(3)), float64(r.IntN(2)) },
	}
	for name, at := range layouts {
		for _, n := range []int{1, 2, 5, 300} {
			ends := make([]float64, 4*n)
			for i := 0; i < 2*n; i++ {
				ends[2*i], ends[2*i+1] = at(i)
			}
			const k = neighbourCount
			nb := endpointNeighbours(ends, k)
			for e := 0; e < 2*n; e++ {
				var want []float64
				for o := 0; o < 2*n; o++ {
					if o>>1 != e>>1 {
						want = append(want, math.Hypot(ends[2*o]-ends[2*e], ends[2*o+1]-ends[2*e+1]))
					}
				}
				sort.Float64s(want)
				want = want[:min(k, len(want))]
				for j := 0; j < k; j++ {
					id := nb[e*k+j]
					if j >= len(want) {
						if id != -1 {
							t.Fatalf("%s n=%d: endpoint %d has %d neighbours, want %d", name, n, e, j+1, len(want))
						}
						continue
					}
					if id < 0 || id>>1 == int32(e>>1) {
						t.Fatalf("%s n=%d: endpoint %d neighbour %d is %d", name, n, e, j, id)
					}
					if d := math.Hypot(ends[2*id]-ends[2*e], ends[2*id+1]-ends[2*e+1]); math.Abs(d-want[j]) > 1e-12 {
						t.Fatalf("%s n=%d: endpoint %d neighbour %d at %g, want %g", name, n, e, j, d, want[j])
					}
				}
			}
		}
	}
}

// The local search keeps every stroke once and never lengthens the travel;
// on random strokes it shortens the greedy tour.
func TestImproveShortensAndKeepsEveryStroke(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 30; trial++ {
		n := 2 + r.IntN(400)
		ends := make([]float64, 4*n)
		for i := range ends {
			ends[i] = r.Float64() * 200
		}
		order, rev := make([]int, n), make([]bool, n)
		greedyOrder(ends, 100, 100, order, rev)
		before := travel(ends, 100, 100, order, rev)
		span := []int{3, 10, 1000}[trial%3]
		newTourSearch(tour{ends: ends, hx: 100, hy: 100, order: order, rev: rev}, span, endpointNeighbours(ends, neighbourCount)).improve()
		seen := make([]bool, n)
		for _, k := range order {
			if seen[k] {
				t.Fatalf("trial %d: stroke %d twice", trial, k)
			}
			seen[k] = true
		}
		after := travel(ends, 100, 100, order, rev)
		if after > before+1e-9 {
			t.Fatalf("trial %d (n=%d): travel %g after, %g before", trial, n, after, before)
		}
		if n > 50 && after >= before {
			t.Errorf("trial %d (n=%d): nothing improved on the greedy tour (%g)", trial, n, before)
		}
	}
}

// Or-opt of any reach keeps every stroke once, never lengthens the tour,
// and shortens greedy tours; polish after improve never loses what improve
// found, above and below maxWindowed strokes.
func TestOrOptAnywhere(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	randomEnds := func(n int) []float64 {
		ends := make([]float64, 4*n)
		for k := 0; k < n; k++ {
			x, y := r.Float64()*180, r.Float64()*260
			ends[4*k], ends[4*k+1] = x, y
			ends[4*k+2], ends[4*k+3] = x+r.Float64()*20-10, y+r.Float64()*20-10
		}
		return ends
	}
	for _, n := range []int{1, 2, 3, 4, 50, 400, 3000} {
		ends := randomEnds(n)
		order, rev := make([]int, n), make([]bool, n)
		greedyOrder(ends, 90, 130, order, rev)
		tr := tour{ends: ends, hx: 90, hy: 130, order: order, rev: rev}
		before := tr.length()
		orOptAnywhere(tr, endpointNeighbours(ends, neighbourCount), orOptBudget*n, nil, nil)
		seen := make([]bool, n)
		for _, k := range order {
			if seen[k] {
				t.Fatalf("n=%d: stroke %d twice", n, k)
			}
			seen[k] = true
		}
		after := tr.length()
		if after > before+1e-9 || (n >= 400 && after >= before) {
			t.Errorf("n=%d: travel %.3f after Or-opt, %.3f before", n, after, before)
		}
	}
	for _, n := range []int{2000, maxWindowed + 5000} {
		ends := randomEnds(n)
		order, rev := make([]int, n), make([]bool, n)
		greedyOrder(ends, 90, 130, order, rev)
		s := newTourSearch(tour{ends: ends, hx: 90, hy: 130, order: order, rev: rev}, DefaultTwoOptWindow, endpointNeighbours(ends, neighbourCount))
		s.improve()
		improved := s.length()
		s.polish()
		if polished := s.length(); polished > improved+1e-9 || polished >= improved && n > maxWindowed {
			t.Errorf("n=%d: %.3f mm after polish, %.3f after improve", n, polished, improved)
		}
	}
}

// Above maxWindowed strokes, the neighbour search sweeps from what each
// sweep changed until nothing is left to look at: then a sweep from every
// stroke finds nothing more either, so the marks missed no stroke that
// could gain (a 2-opt reversal, which turns its strokes round, changes the
// moves of every stroke in it).
func TestNeighbourSearchSweepsMissNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	n := maxWindowed + 5000
	ends := make([]float64, 4*n)
	for k := 0; k < n; k++ {
		x, y := r.Float64()*180, r.Float64()*260
		ends[4*k], ends[4*k+1] = x, y
		ends[4*k+2], ends[4*k+3] = x+r.Float64()*4-2, y+r.Float64()*4-2
	}
	order, rev := make([]int, n), make([]bool, n)
	greedyOrder(ends, 90, 130, order, rev)
	s := newTourSearch(tour{ends: ends, hx: 90, hy: 130, order: order, rev: rev}, DefaultTwoOptWindow, endpointNeighbours(ends, neighbourCount))
	s.budget = searchBudget // room to finish
	s.neighbourSearch()
	swept := s.length()
	s.all = true
	s.neighbourSearch()
	if again := s.length(); again < swept-1e-9 {
		t.Errorf("a search from every stroke after the sweeps saved %.3f mm more (%.3f mm to %.3f mm)", swept-again, swept, again)
	}
}

// The plan of BenchmarkPlan100kTwoOpt's drawing travels no farther with
// the pen up than it did when its search was made to fit in a second
// (8219.399 mm; 8245.444 mm before, with every search over every stroke).
func TestPlan100kTravel(t *testing.T) {
	if testing.Short() {
		t.Skip("plans 100,000 strokes")
	}
	d := playback.Generate(playback.GenOptions{Strokes: 100_000, Seed: 1})
	p, err := NewPlan(d, PlanOptions{TwoOpt: true})
	if err != nil {
		t.Fatal(err)
	}
	const bound = 8219.400 // mm
	if p.Stats.PenUp > bound {
		t.Errorf("pen-up travel %.3f mm, longer than the %.3f mm of before", p.Stats.PenUp, bound)
	}
	drawn := 0
	for pi := range p.Paths {
		drawn += len(p.PathStrokes(pi))
	}
	if drawn != len(d.Strokes) {
		t.Errorf("%d of %d strokes drawn", drawn, len(d.Strokes))
	}
}
