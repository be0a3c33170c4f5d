package robot

import (
	"encoding/binary"
	"math"
	"testing"

	"mbotdraw/playback"
)

func FuzzParsePaper(f *testing.F) {
	for _, s := range []string{"A4", "210x297mm", "a3-landscape", "1x1", "x", "12.5x1e3mm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, h, err := ParsePaper(s)
		if err != nil {
			return
		}
		if !(w >= 10 && h >= 10 && w <= 10000 && h <= 10000) {
			t.Fatalf("%q: accepted %gx%g", s, w, h)
		}
		if _, err := NewPlan(drawingOf(10, 10, []float32{0, 0, 1, 1}), PlanOptions{PaperWidth: w, PaperHeight: h, Margin: -1}); err != nil {
			t.Fatalf("%q: an accepted paper does not plan: %v", s, err)
		}
	})
}

// FuzzPlan plans drawings made of arbitrary float32 coordinates: planning
// and compiling never panic, and whatever plans keeps to the paper.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64}, uint8(3))
	f.Add(make([]byte, 64), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		d := playback.NewDrawing(100, 100)
		per := int(split%8) + 1
		for i := 0; i+8 <= len(data); i += 8 {
			if (i/8)%per == 0 {
				d.BeginStroke(black, 1)
			}
			x := math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))
			y := math.Float32frombits(binary.LittleEndian.Uint32(data[i+4:]))
			d.AddPoint(x, y, 0)
		}
		p, err := NewPlan(d, PlanOptions{TwoOpt: split&0x80 != 0})
		if err != nil {
			return
		}
		for i := 0; i < len(p.XY)/2; i++ {
			x, y := p.Point(i)
			if !(x >= p.Margin-1e-6 && x <= p.PaperWidth-p.Margin+1e-6 && y >= p.Margin-1e-6 && y <= p.PaperHeight-p.Margin+1e-6) {
				t.Fatalf("point (%g, %g) off the printable area", x, y)
			}
		}
		prog, err := Compile(p, DefaultCalibration(), CompileOptions{ReturnHome: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range prog.Motions {
			if m.Duration < 0 || math.IsNaN(m.Pose.X) || math.IsNaN(m.Pose.Heading) {
				t.Fatalf("bad motion %+v", m)
			}
		}
	})
}
