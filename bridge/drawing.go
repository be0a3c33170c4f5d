package bridge

import (
	"encoding/json"
	"fmt"
	"image/color"
	"strconv"

	"mbotdraw/playback"
)

// encodeDrawing encodes the drawing tm plays as the live endpoint's
// "drawing" message:
//
//	{"type":"drawing","width":W,"height":H,"background":"#rrggbb","name":"…",
//	 "strokes":[{"color":"#rrggbb","width":3,"points":[x0,y0,t0,x1,y1,t1,…]}]}
//
// Points are flat triples, coordinates to 0.01 unit and times to 0.1 ms.
// The times are playback times (tm.PointTime), the window's clock, which
// the playback messages' t counts in: not the recorded times, whose long
// pauses the clock shortens. Beyond maxPoints the strokes are thinned
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
	b := make([]byte, 0, 64+d.NumPoints()/step*20)
	b = append(b, `{"type":"drawing","width":`...)
	b = strconv.AppendFloat(b, d.Width, 'f', -1, 64)
	b = append(b, `,"height":`...)
	b = strconv.AppendFloat(b, d.Height, 'f', -1, 64)
	b = append(b, `,"background":"`...)
	b = append(b, hexColor(d.Background)...)
	b = append(b, `","name":`...)
	b = appendJSONString(b, d.Name)
	b = append(b, `,"strokes":[`...)
	for si, s := range d.Strokes {
		if si > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"color":"`...)
		b = append(b, hexColor(s.Color)...)
		b = append(b, `","width":`...)
		b = strconv.AppendFloat(b, float64(s.Width), 'f', -1, 32)
		b = append(b, `,"points":[`...)
		first := true
		for i := s.Start; i < s.End; i++ {
			if step > 1 && i != s.Start && i != s.End-1 && (i-s.Start)%step != 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = strconv.AppendFloat(b, round(float64(d.XY[2*i]), 100), 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(float64(d.XY[2*i+1]), 100), 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(tm.PointTime(i), 10), 'f', -1, 64)
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

func round(v, k float64) float64 {
	if v != v || v > 1e12 || v < -1e12 {
		return 0
	}
	return float64(int64(v*k+copysignHalf(v))) / k
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
