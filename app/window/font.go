package window

import (
	"bytes"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// The bundled fonts: Go Regular and Go Bold (golang.org/x/image/font/gofont,
// BSD licence), so the window looks the same on every machine.
var (
	regularSource = mustFace(goregular.TTF)
	boldSource    = mustFace(gobold.TTF)
)

func mustFace(ttf []byte) *text.GoTextFaceSource {
	s, err := text.NewGoTextFaceSource(bytes.NewReader(ttf))
	if err != nil {
		panic("window: bundled font: " + err.Error())
	}
	return s
}

// fontFace is a face at one size.
type fontFace = *text.GoTextFace

// fonts holds the faces at the current interface scale; sizes are in screen
// pixels.
type fonts struct {
	scale                    float64
	huge, big, body, small   fontFace
	bigBold, bodyBold, title fontFace
	label                    fontFace
}

// fontsAt returns faces for the interface unit u (screen pixels per design
// pixel). Sizes are rounded to whole pixels so glyph caches stay small
// while a window is resized. The interface unit follows the window's
// height, so the smallest text (the buttons' labels, 18 design pixels) is
// at least 2.2 % of the window's height, readable from the back of a
// classroom on a projector (TestTextReadableAtAnySize).
func fontsAt(u float64) *fonts {
	sz := func(px float64) float64 { return math.Max(8, math.Round(px*u)) }
	return &fonts{
		scale:    u,
		huge:     &text.GoTextFace{Source: boldSource, Size: sz(40)},
		big:      &text.GoTextFace{Source: regularSource, Size: sz(28)},
		bigBold:  &text.GoTextFace{Source: boldSource, Size: sz(28)},
		title:    &text.GoTextFace{Source: boldSource, Size: sz(30)},
		body:     &text.GoTextFace{Source: regularSource, Size: sz(22)},
		bodyBold: &text.GoTextFace{Source: boldSource, Size: sz(22)},
		small:    &text.GoTextFace{Source: regularSource, Size: sz(19)},
		label:    &text.GoTextFace{Source: boldSource, Size: sz(18)},
	}
}

// Text alignment for drawText.
const (
	alignStart  = text.AlignStart
	alignCenter = text.AlignCenter
	alignEnd    = text.AlignEnd
)

// drawText draws one line of s with its box's horizontal anchor at x (start,
// centre or end by ha) and its vertical centre at y.
func drawText(dst *ebiten.Image, s string, face *text.GoTextFace, x, y float64, ha text.Align, c color.Color) {
	op := &text.DrawOptions{}
	op.GeoM.Translate(x, y)
	op.ColorScale.ScaleWithColor(c)
	op.PrimaryAlign = ha
	op.SecondaryAlign = text.AlignCenter
	text.Draw(dst, s, face, op)
}

// textWidth returns the advance of s in face, in screen pixels.
func textWidth(s string, face *text.GoTextFace) float64 {
	return text.Advance(s, face)
}

// fitText shortens s with an ellipsis until it fits in max pixels.
func fitText(s string, face *text.GoTextFace, max float64) string {
	if textWidth(s, face) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; textWidth(t, face) <= max {
			return t
		}
	}
	return "…"
}
