package bridge

import (
	"fmt"
	"image/color"

	"mbotdraw/bridge/wire"
	"mbotdraw/playback"
)

// encodeDrawing encodes the drawing tm plays as the live endpoint's
// "drawing" message:
//
//	{"type":"drawing","width":W,"height":H,"background":"#rrggbb","name":"…",
//	 "strokes":[{"color":"#rrggbb","width":3,"points":[x0,y0,t0,x1,y1,t1,…]}]}
//
// (written by wire.DrawingEncoder). The times are playback times
// (tm.PointTime), the window's clock, which the playback messages' t counts
// in: not the recorded times, whose long pauses the clock shortens. Beyond maxPoints the strokes are thinned
// evenly, keeping their ends. A nil tm is an empty 800x600 drawing.
func encodeDrawing(tm *playback.Timing, maxPoints int) []byte {
	d := playback.NewDrawing(800, 600)
	if tm != nil {
		d = tm.Drawing()
	}
	step := 1
	if n := d.NumPoints(); maxPoints > 0 && n > maxPoints {
		step = (n + maxPoints - 1) / maxPoints
	}
	e := wire.NewDrawingEncoder(d.Width, d.Height, hexColor(d.Background), d.Name, d.NumPoints()/step)
	for _, s := range d.Strokes {
		e.Stroke(hexColor(s.Color), s.Width)
		for i := s.Start; i < s.End; i++ {
			if step > 1 && i != s.Start && i != s.End-1 && (i-s.Start)%step != 0 {
				continue
			}
			e.Point(float64(d.XY[2*i]), float64(d.XY[2*i+1]), tm.PointTime(i))
		}
	}
	return e.Bytes()
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
