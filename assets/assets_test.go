package assets

import (
	"encoding/json"
	"testing"
)

func TestIcon(t *testing.T) {
	img, err := Icon()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 128 || b.Dy() != 128 {
		t.Errorf("icon is %v, want 128x128", b)
	}
	// The corner is transparent (rounded), the middle is not.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("icon corner alpha %d, want 0", a)
	}
	if _, _, _, a := img.At(64, 64).RGBA(); a != 0xffff {
		t.Errorf("icon centre alpha %d, want opaque", a)
	}
}

// TestDemo checks the demo against the mbotdraw JSON contract of DESIGN.md
// without the format package: the window's tests load it through that.
func TestDemo(t *testing.T) {
	var d struct {
		Format  string  `json:"format"`
		Version int     `json:"version"`
		Width   float64 `json:"width"`
		Height  float64 `json:"height"`
		Strokes []struct {
			Color  string      `json:"color"`
			Width  float64     `json:"width"`
			Points [][]float64 `json:"points"`
		} `json:"strokes"`
	}
	if err := json.Unmarshal(Demo(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Format != "mbotdraw" || d.Version != 1 {
		t.Errorf("format %q version %d, want mbotdraw 1", d.Format, d.Version)
	}
	if len(d.Strokes) < 20 {
		t.Errorf("%d strokes, want a scene of at least 20", len(d.Strokes))
	}
	prev := -1.0
	for i, s := range d.Strokes {
		for j, p := range s.Points {
			if len(p) != 3 {
				t.Fatalf("stroke %d point %d: %d numbers, want x, y, t", i, j, len(p))
			}
			if p[2] < prev {
				t.Fatalf("stroke %d point %d: time %v after %v", i, j, p[2], prev)
			}
			prev = p[2]
		}
	}
	if prev < 10000 || prev > 60000 {
		t.Errorf("demo lasts %v ms, want between 10 and 60 s", prev)
	}
}
