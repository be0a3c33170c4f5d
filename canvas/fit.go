package canvas

import (
	"math"

	"mbotdraw/playback"
)

// Fit maps drawing units to canvas pixels: px = x·Scale + OffX,
// py = y·Scale + OffY.
type Fit struct {
	Scale, OffX, OffY float64
}

// Identity is the fit that maps a drawing unit to a pixel.
var Identity = Fit{Scale: 1}

// FitTo returns the fit that shows d's canvas (its Width×Height, or, when it
// has no size, its bounds) whole and centred on a w×h pixel canvas, keeping
// the aspect ratio.
func FitTo(d *playback.Drawing, w, h int) Fit {
	minX, minY, dw, dh := 0.0, 0.0, d.Width, d.Height
	if !(dw > 0 && dh > 0) || math.IsInf(dw, 0) || math.IsInf(dh, 0) {
		b := d.Bounds()
		if b.Empty() {
			return Identity
		}
		// A margin so that round caps at the edge stay visible.
		minX, minY, dw, dh = b.MinX, b.MinY, b.Dx(), b.Dy()
		m := 0.02 * math.Max(dw, dh)
		if m == 0 {
			m = 1
		}
		minX, minY, dw, dh = minX-m, minY-m, dw+2*m, dh+2*m
	}
	s := math.Min(float64(w)/dw, float64(h)/dh)
	return Fit{Scale: s, OffX: (float64(w)-dw*s)/2 - minX*s, OffY: (float64(h)-dh*s)/2 - minY*s}
}

// Apply maps a point in drawing units to pixels.
func (f Fit) Apply(x, y float32) (float32, float32) {
	return float32(float64(x)*f.Scale + f.OffX), float32(float64(y)*f.Scale + f.OffY)
}

// Radius returns the pixel half-width of a stroke of the given width in
// drawing units: a width of 0 is a one-pixel hairline.
func (f Fit) Radius(width float32) float32 {
	if width <= 0 || math.IsNaN(float64(width)) {
		return 0.5
	}
	r := float32(float64(width) * f.Scale / 2)
	if math.IsInf(float64(r), 0) {
		r = math.MaxFloat32 / 4
	}
	return r
}
