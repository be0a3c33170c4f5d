package perf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// drawingXY returns a drawing-like point sequence: strokes of 15..45 points
// wandering with a smoothly turning heading at 1..6 px a sample over a
// 1920x1080 canvas, at fractional coordinates, with pen-up jumps anywhere
// between strokes (as playback.Generate and real doodles make them).
func drawingXY(strokes int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 99))
	var xy []float32
	for range strokes {
		x, y := r.Float64()*1920, r.Float64()*1080
		h, turn := r.Float64()*2*math.Pi, (r.Float64()-0.5)*0.3
		for range 15 + r.IntN(31) {
			xy = append(xy, float32(x), float32(y))
			h += turn + (r.Float64()-0.5)*0.2
			step := 1 + 5*r.Float64()
			x = math.Max(0, math.Min(1920, x+step*math.Cos(h)))
			y = math.Max(0, math.Min(1080, y+step*math.Sin(h)))
		}
	}
	return xy
}

func maxError(t testing.TB, q *QuantizedXY, xy []float32) float64 {
	if q.Len() != len(xy)/2 {
		t.Fatalf("Len %d, want %d", q.Len(), len(xy)/2)
	}
	worst := 0.0
	dec := q.Decode(nil)
	for i := 0; i < q.Len(); i++ {
		x, y := q.At(i)
		if x != dec[2*i] || y != dec[2*i+1] {
			t.Fatalf("point %d: At (%v,%v) ≠ Decode (%v,%v)", i, x, y, dec[2*i], dec[2*i+1])
		}
		worst = max(worst, math.Abs(float64(x)-float64(xy[2*i])), math.Abs(float64(y)-float64(xy[2*i+1])))
	}
	return worst
}

// On a drawing-like sequence, quantized storage takes at most half the
// memory of float32 XY and every point is within 1/16 pixel.
func TestQuantizedXYSavesMemoryWithinSixteenthPixel(t *testing.T) {
	xy := drawingXY(2000, 1)
	var q QuantizedXY
	if err := q.AppendXY(xy); err != nil {
		t.Fatal(err)
	}
	q.Clip()
	float32Bytes := 4 * len(xy)
	ratio := float64(q.Bytes()) / float64(float32Bytes)
	worst := maxError(t, &q, xy)
	t.Logf("%d points: %d bytes quantized vs %d float32 (%.1f%%, %.1f%% saved), max error %.4f px",
		q.Len(), q.Bytes(), float32Bytes, 100*ratio, 100*(1-ratio), worst)
	if ratio > 0.5 {
		t.Errorf("quantized points take %.1f%% of float32 XY, want ≤ 50%%", 100*ratio)
	}
	if worst > 1.0/16 {
		t.Errorf("max error %.4f px > 1/16 px", worst)
	}
	if worst > 1.0/32+1e-4 {
		t.Errorf("max error %.4f px > half a quantization step", worst)
	}
}

// Jumps beyond an int16 delta, coordinates far off the canvas and negative
// ones round-trip too.
func TestQuantizedXYFarJumps(t *testing.T) {
	xy := []float32{0, 0, 100.5, 50.25, 300, -200, 5000.3, -7000.7, 5001, -7001, -1e6, 1e6, -1e6 + 0.5, 1e6 - 0.25, 3, 4}
	for range 300 { // cross an anchor with far points around it
		xy = append(xy, 1e5, -3, 0, 3)
	}
	var q QuantizedXY
	if err := q.AppendXY(xy); err != nil {
		t.Fatal(err)
	}
	if w := maxError(t, &q, xy); w > 1.0/16 {
		t.Errorf("max error %.4f px", w)
	}
	var wide, abs int
	for i := 1; i < q.Len(); i++ {
		if i%quantBlock != 0 {
			x0, y0 := q.At(i - 1)
			x1, y1 := q.At(i)
			dx, dy := math.Abs(float64(x1-x0)), math.Abs(float64(y1-y0))
			switch {
			case dx >= 2048 || dy >= 2048:
				abs++
			case dx >= 8 || dy >= 8:
				wide++
			}
		}
	}
	if wide == 0 || abs == 0 {
		t.Errorf("wide deltas %d, absolute points %d: an escape path is untested", wide, abs)
	}
}

func TestQuantizedXYRejectsBadCoordinates(t *testing.T) {
	var q QuantizedXY
	for _, c := range [][2]float32{{float32(math.NaN()), 0}, {0, float32(math.Inf(1))}, {3e8, 0}, {0, -3e8}} {
		if err := q.Append(c[0], c[1]); err == nil {
			t.Errorf("Append(%v, %v) accepted", c[0], c[1])
		}
	}
	if q.Len() != 0 {
		t.Errorf("rejected points were stored: Len %d", q.Len())
	}
	if err := q.AppendXY([]float32{1, 2, float32(math.NaN()), 3}); err == nil || q.Len() != 1 {
		t.Errorf("AppendXY with a NaN: err %v, Len %d", err, q.Len())
	}
	q.Reset()
	if q.Len() != 0 || len(q.Decode(nil)) != 0 {
		t.Error("Reset left points")
	}
	defer func() {
		if recover() == nil {
			t.Error("At out of range did not panic")
		}
	}()
	q.At(0)
}

// BenchmarkQuantizedXY measures storing a 10,000-stroke drawing-like
// sequence, and reports bytes a point against float32's 8 and the worst
// error in pixels.
func BenchmarkQuantizedXY(b *testing.B) {
	xy := drawingXY(10000, 2)
	var q QuantizedXY
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q = QuantizedXY{}
			if err := q.AppendXY(xy); err != nil {
				b.Fatal(err)
			}
		}
		q.Clip()
		b.ReportMetric(float64(q.Bytes())/float64(q.Len()), "bytes/point")
		b.ReportMetric(8, "float32-bytes/point")
		b.ReportMetric(maxError(b, &q, xy), "max-err-px")
	})
	b.Run("decode", func(b *testing.B) {
		buf := make([]float32, 0, len(xy))
		for b.Loop() {
			buf = q.Decode(buf[:0])
		}
		b.ReportMetric(float64(len(xy)/2), "points")
	})
	b.Run("at", func(b *testing.B) {
		n := q.Len()
		i := 0
		for b.Loop() {
			q.At(i)
			i = (i + 7919) % n
		}
	})
}
