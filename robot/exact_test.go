package robot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteOrder tries every order and direction: the reference for exactOrder.
func bruteOrder(ends []float64, hx, hy float64, n int) float64 {
	best := math.Inf(1)
	order := make([]int, n)
	rev := make([]bool, n)
	used := make([]bool, n)
	var walk func(i int)
	walk = func(i int) {
		if i == n {
			for bits := 0; bits < 1<<n; bits++ {
				for k := range rev {
					rev[k] = bits&(1<<k) != 0
				}
				best = math.Min(best, travel(ends, hx, hy, order, rev))
			}
			return
		}
		for k := 0; k < n; k++ {
			if !used[k] {
				used[k], order[i] = true, k
				walk(i + 1)
				used[k] = false
			}
		}
	}
	walk(0)
	return best
}

func TestExactOrderIsShortest(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 40; trial++ {
		n := 1 + trial%6
		ends := make([]float64, 4*n)
		for i := range ends {
			ends[i] = r.Float64() * 200
		}
		hx, hy := r.Float64()*200, r.Float64()*200
		order := make([]int, n)
		rev := make([]bool, n)
		exactOrder(ends, hx, hy, order, rev)
		seen := make([]bool, n)
		for _, k := range order {
			if seen[k] {
				t.Fatalf("trial %d: order %v visits stroke %d twice", trial, order, k)
			}
			seen[k] = true
		}
		got, want := travel(ends, hx, hy, order, rev), bruteOrder(ends, hx, hy, n)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("trial %d (%d strokes): exact order travels %.6f mm, the best of all orders %.6f mm", trial, n, got, want)
		}
	}
}
