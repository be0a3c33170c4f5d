package playback

import "testing"

// TestStrokeOf finds the stroke of every point, one-point strokes and the
// point past the end included, on drawings of 1 to 40 strokes of varied
// lengths.
func TestStrokeOf(t *testing.T) {
	for n := 1; n <= 40; n++ {
		d := NewDrawing(100, 100)
		var want []int // want[i]: the stroke of point i
		for s := range n {
			d.BeginStroke(black, 1)
			for k := range 1 + (s*7)%5 {
				d.AddPoint(float32(k), float32(s), float32(len(want)))
				want = append(want, s)
			}
		}
		for i, s := range want {
			if got := d.StrokeOf(i); got != s {
				t.Fatalf("%d strokes: point %d in stroke %d, want %d", n, i, got, s)
			}
		}
		if got := d.StrokeOf(len(want)); got != n {
			t.Errorf("%d strokes: the point past the end in stroke %d, want %d", n, got, n)
		}
	}
	if got := NewDrawing(1, 1).StrokeOf(0); got != 0 {
		t.Errorf("empty drawing: stroke %d, want 0", got)
	}
}
