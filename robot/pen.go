package robot

import (
	"fmt"
	"image/color"
)

// Pen is a pen colour as people name it: what the robot asks for when a
// drawing is plotted colour by colour (PlanOptions.ByColour).
type Pen struct {
	Color color.RGBA
	// Name is the nearest of a few everyday colour names ("blue", "red",
	// "black", …: see PenName).
	Name string
}

// NewPen returns the pen for colour c, named by PenName.
func NewPen(c color.RGBA) Pen { return Pen{Color: c, Name: PenName(c)} }

// Hex returns the pen's colour as #rrggbb.
func (p Pen) Hex() string {
	return fmt.Sprintf("#%02x%02x%02x", p.Color.R, p.Color.G, p.Color.B)
}

// String returns the name and the hex, like "blue (#1e88e5)".
func (p Pen) String() string { return p.Name + " (" + p.Hex() + ")" }

// penNames are the colours of a classroom's felt-tip box, with a typical
// shade of each.
var penNames = []struct {
	name string
	c    color.RGBA
}{
	{"black", color.RGBA{0x00, 0x00, 0x00, 0xff}},
	{"grey", color.RGBA{0x80, 0x80, 0x80, 0xff}},
	{"white", color.RGBA{0xff, 0xff, 0xff, 0xff}},
	{"red", color.RGBA{0xe5, 0x1c, 0x23, 0xff}},
	{"pink", color.RGBA{0xf4, 0x8f, 0xb1, 0xff}},
	{"orange", color.RGBA{0xff, 0x8c, 0x00, 0xff}},
	{"yellow", color.RGBA{0xff, 0xe0, 0x00, 0xff}},
	{"brown", color.RGBA{0x79, 0x48, 0x1e, 0xff}},
	{"green", color.RGBA{0x2e, 0xa0, 0x3c, 0xff}},
	{"blue", color.RGBA{0x1e, 0x6f, 0xe0, 0xff}},
	{"purple", color.RGBA{0x80, 0x30, 0xa8, 0xff}},
}

// PenName returns the everyday name nearest to colour c (alpha ignored):
// black, grey, white, red, pink, orange, yellow, brown, green, blue or
// purple, by the "redmean" weighted RGB distance, which follows the eye
// better than plain RGB distance at no cost.
func PenName(c color.RGBA) string {
	best, bestD := "", -1.0
	for _, n := range penNames {
		rm := (float64(c.R) + float64(n.c.R)) / 2
		dr := float64(c.R) - float64(n.c.R)
		dg := float64(c.G) - float64(n.c.G)
		db := float64(c.B) - float64(n.c.B)
		d := (2+rm/256)*dr*dr + 4*dg*dg + (2+(255-rm)/256)*db*db
		if bestD < 0 || d < bestD {
			best, bestD = n.name, d
		}
	}
	return best
}
