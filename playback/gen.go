package playback

import (
	"image/color"
	"math"
	"math/rand/v2"
)

// GenOptions configures Generate. The zero value makes 1,000 strokes on a
// 1920x1080 canvas with seed 0.
type GenOptions struct {
	// Strokes is the number of strokes (default 1,000).
	Strokes int
	// Seed makes the drawing; the same seed gives the same drawing.
	Seed uint64
	// Width and Height of the canvas in drawing units (default 1920x1080).
	Width, Height float64
	// PointsPerStroke is the mean number of points a stroke has (default 30).
	PointsPerStroke int
	// Duration, if positive, scales the drawing's times so that it lasts this
	// many milliseconds; otherwise strokes are timed at a natural pen speed.
	Duration float64
}

var genPalette = []color.RGBA{
	{0x1e, 0x88, 0xe5, 0xff}, {0xe5, 0x39, 0x35, 0xff}, {0x43, 0xa0, 0x47, 0xff},
	{0xfb, 0x8c, 0x00, 0xff}, {0x8e, 0x24, 0xaa, 0xff}, {0x21, 0x21, 0x21, 0xff},
}

// Generate returns a deterministic synthetic drawing: wandering, smoothly
// curving pen strokes of about PointsPerStroke points each, spread over the
// canvas, timed at a natural hand speed (about 60 samples a second, 300
// units a second) with short pen-up gaps.
func Generate(o GenOptions) *Drawing {
	if o.Strokes <= 0 {
		o.Strokes = 1000
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 1920, 1080
	}
	if o.PointsPerStroke <= 0 {
		o.PointsPerStroke = 30
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6d626f7464726177))
	d := NewDrawing(o.Width, o.Height)
	d.Timed = true
	d.Name = "generated"
	d.Strokes = make([]Stroke, 0, o.Strokes)
	d.XY = make([]float32, 0, 2*o.Strokes*o.PointsPerStroke)
	d.T = make([]float32, 0, o.Strokes*o.PointsPerStroke)
	t := 0.0
	const step = 5.0 // units between samples: 300 units/s at 60 Hz
	for s := 0; s < o.Strokes; s++ {
		n := o.PointsPerStroke/2 + r.IntN(o.PointsPerStroke+1)
		if n < 2 {
			n = 2
		}
		x, y := r.Float64()*o.Width, r.Float64()*o.Height
		heading := r.Float64() * 2 * math.Pi
		turn := (r.Float64() - 0.5) * 0.3
		d.BeginStroke(genPalette[r.IntN(len(genPalette))], float32(1+r.IntN(5)))
		for i := 0; i < n; i++ {
			d.AddPoint(float32(x), float32(y), float32(t))
			heading += turn + (r.Float64()-0.5)*0.2
			x = clamp(x+step*math.Cos(heading), 0, o.Width)
			y = clamp(y+step*math.Sin(heading), 0, o.Height)
			t += 1000.0 / 60
		}
		t += 80 + r.Float64()*120
	}
	if o.Duration > 0 && d.Duration() > 0 {
		k := float32(o.Duration / d.Duration())
		for i := range d.T {
			d.T[i] *= k
		}
	}
	return d
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
