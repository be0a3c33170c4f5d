package canvas

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"testing"

	"mbotdraw/playback"
)

// drawingFromBytes builds a small drawing from fuzz input: each 6-byte
// record is a point (x, y as int16 scaled to reach far outside the canvas);
// a record whose first byte is 0xff starts a stroke with the next bytes as
// width (including 0 and huge) and colour.
func drawingFromBytes(data []byte) *playback.Drawing {
	d := playback.NewDrawing(64, 48)
	t := float32(0)
	for len(data) >= 6 && d.NumPoints() < 200 {
		rec := data[:6]
		data = data[6:]
		if rec[0] == 0xff || len(d.Strokes) == 0 {
			w := float32(rec[1]) / 8
			if rec[1] == 0xfe {
				w = 1e6
			}
			d.BeginStroke(color.RGBA{rec[2], rec[3], rec[4], max(rec[5], rec[2], rec[3], rec[4])}, w)
			if rec[0] == 0xff {
				continue
			}
		}
		x := float32(int16(binary.LittleEndian.Uint16(rec[0:]))) / 256
		y := float32(int16(binary.LittleEndian.Uint16(rec[2:]))) / 256
		if rec[4]&0x80 != 0 { // now and then, very far away
			x *= 5e4 // within playback.MaxCoord
		}
		t += float32(rec[5] % 40)
		d.AddPoint(x, y, t)
	}
	// Strokes that never got a point are dropped (Validate forbids them).
	ss := d.Strokes[:0]
	for _, s := range d.Strokes {
		if s.Len() > 0 {
			ss = append(ss, s)
		}
	}
	d.Strokes = ss
	return d
}

// FuzzRender checks, for any geometry, that rendering never panics and that
// playing in steps gives the same pixels as rendering from scratch.
func FuzzRender(f *testing.F) {
	f.Add([]byte{0xff, 16, 0, 0, 0, 255, 0, 10, 0, 10, 0, 5, 0, 40, 0, 30, 0, 5})
	f.Add([]byte{0xff, 0xfe, 200, 0, 0, 255, 0, 1, 0, 1, 0x80, 5, 0xff, 0, 1, 2, 3, 128, 0, 20, 0, 20, 0, 9})
	f.Add(bytes.Repeat([]byte{7, 1, 200, 3, 9, 17}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := drawingFromBytes(data)
		if d.Validate() != nil {
			return
		}
		o := Options{Width: 64, Height: 48, KeyframeDiskBudget: -1, KeyframeBudget: 64 * 48 * 4 * 2, Quality: Quality{KeyframeSpacing: 16}}
		r := NewRenderer(d, o)
		n := d.NumPoints()
		for _, m := range []playback.Mark{{N: n / 2, Frac: 0.5}, {N: n}, {N: n / 3}, {N: 1}, {N: n - 1, Frac: 0.75}} {
			if m.N < 0 || m.N > n {
				continue
			}
			got := r.Render(m)
			want := RenderAt(d, m, o)
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("mark %+v: incremental differs from scratch", m)
			}
		}
	})
}
