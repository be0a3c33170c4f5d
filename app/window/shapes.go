package window

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
)

// painter draws the interface's filled shapes (panels, buttons, icons) with
// anti-aliasing, reusing its vertex and index buffers across calls.
type painter struct {
	path vector.Path
	vs   []ebiten.Vertex
	is   []uint16
}

// whiteSrc is the 1x1 white source image shapes are filled from.
var whiteSrc = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
}()

// fill fills the painter's path with c and resets it.
func (p *painter) fill(dst *ebiten.Image, c color.Color) {
	p.vs, p.is = p.path.AppendVerticesAndIndicesForFilling(p.vs[:0], p.is[:0])
	p.draw(dst, c)
}

// stroke strokes the painter's path with c and resets it.
func (p *painter) stroke(dst *ebiten.Image, width float64, c color.Color) {
	p.vs, p.is = p.path.AppendVerticesAndIndicesForStroke(p.vs[:0], p.is[:0], &vector.StrokeOptions{
		Width: float32(width), LineJoin: vector.LineJoinRound, LineCap: vector.LineCapRound,
	})
	p.draw(dst, c)
}

func (p *painter) draw(dst *ebiten.Image, c color.Color) {
	r, g, b, a := c.RGBA()
	cr, cg, cb, ca := float32(r)/0xffff, float32(g)/0xffff, float32(b)/0xffff, float32(a)/0xffff
	for i := range p.vs {
		p.vs[i].SrcX, p.vs[i].SrcY = 1, 1
		p.vs[i].ColorR, p.vs[i].ColorG, p.vs[i].ColorB, p.vs[i].ColorA = cr, cg, cb, ca
	}
	op := &ebiten.DrawTrianglesOptions{AntiAlias: true, FillRule: ebiten.FillRuleFillAll, ColorScaleMode: ebiten.ColorScaleModePremultipliedAlpha}
	dst.DrawTriangles(p.vs, p.is, whiteSrc, op)
	p.path = vector.Path{}
}

// roundRect adds a rounded rectangle to the path; r is clamped to half the
// shorter side.
func (p *painter) roundRect(x, y, w, h, r float64) {
	r = math.Max(0, math.Min(r, math.Min(w, h)/2))
	pa := &p.path
	pa.MoveTo(float32(x+r), float32(y))
	pa.LineTo(float32(x+w-r), float32(y))
	pa.Arc(float32(x+w-r), float32(y+r), float32(r), -math.Pi/2, 0, vector.Clockwise)
	pa.LineTo(float32(x+w), float32(y+h-r))
	pa.Arc(float32(x+w-r), float32(y+h-r), float32(r), 0, math.Pi/2, vector.Clockwise)
	pa.LineTo(float32(x+r), float32(y+h))
	pa.Arc(float32(x+r), float32(y+h-r), float32(r), math.Pi/2, math.Pi, vector.Clockwise)
	pa.LineTo(float32(x), float32(y+r))
	pa.Arc(float32(x+r), float32(y+r), float32(r), math.Pi, 3*math.Pi/2, vector.Clockwise)
	pa.Close()
}

// fillRoundRect fills a rounded rectangle.
func (p *painter) fillRoundRect(dst *ebiten.Image, x, y, w, h, r float64, c color.Color) {
	p.roundRect(x, y, w, h, r)
	p.fill(dst, c)
}

// fillCircle fills a disc.
func (p *painter) fillCircle(dst *ebiten.Image, cx, cy, r float64, c color.Color) {
	p.path.Arc(float32(cx), float32(cy), float32(r), 0, 2*math.Pi, vector.Clockwise)
	p.path.Close()
	p.fill(dst, c)
}

// fillPoly fills a polygon given as x0, y0, x1, y1, ….
func (p *painter) fillPoly(dst *ebiten.Image, c color.Color, xy ...float64) {
	p.poly(xy...)
	p.fill(dst, c)
}

func (p *painter) poly(xy ...float64) {
	for i := 0; i+1 < len(xy); i += 2 {
		if i == 0 {
			p.path.MoveTo(float32(xy[0]), float32(xy[1]))
		} else {
			p.path.LineTo(float32(xy[i]), float32(xy[i+1]))
		}
	}
	p.path.Close()
}

// line strokes a polyline given as x0, y0, x1, y1, … with round ends.
func (p *painter) line(dst *ebiten.Image, width float64, c color.Color, xy ...float64) {
	for i := 0; i+1 < len(xy); i += 2 {
		if i == 0 {
			p.path.MoveTo(float32(xy[0]), float32(xy[1]))
		} else {
			p.path.LineTo(float32(xy[i]), float32(xy[i+1]))
		}
	}
	p.stroke(dst, width, c)
}

// fillRect fills an axis-aligned rectangle without anti-aliasing (its edges
// are on whole pixels in every use).
func fillRect(dst *ebiten.Image, x, y, w, h float64, c color.Color) {
	vector.DrawFilledRect(dst, float32(x), float32(y), float32(w), float32(h), c, false)
}
