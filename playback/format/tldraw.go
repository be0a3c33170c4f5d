package format

import (
	"errors"
	"image/color"
	"math"

	"mbotdraw/playback"
)

// tldraw v1 documents (.tldr, github.com/tldraw/tldraw-v1):
//
//	{"name": …, "document": {"pages": {"page": {"shapes": {"<id>": {
//	  "type": "draw", "point": [294.37, 385.62], "rotation": 0,
//	  "style": {"color": "black", "size": "small"},
//	  "points": [[0, 0.21, 0.5], …]}, …}}}}}
//
// Each page is one drawing (the first is the one Load opens; Options.Index
// chooses another, Options.Gallery lays them all out). Shapes are drawn in
// file order, in page coordinates (a group does not move its children):
//
//   - draw: its points [x, y, pressure] are relative to "point"; a
//     one-point shape is a dot, a shape with no points is skipped;
//   - rectangle ("point", "size") and ellipse ("point", "radius") become
//     their outlines;
//   - every other shape (text, sticky, arrow, group, …) is skipped.
//
// "rotation" turns a shape, in radians, about the centre of its bounds.
// Colours and widths are tldraw v1's for the style's "color" and "size"
// (small 2, medium 3.5, large 5 units). tldraw keeps no times: they come
// from the pen speed. The canvas is placed by placeAtMargin.

// tldrawColors are tldraw v1's stroke colours by name.
var tldrawColors = map[string]color.RGBA{
	"white": {0xf0, 0xf1, 0xf3, 255}, "lightGray": {0xc6, 0xcb, 0xd1, 255}, "gray": {0x78, 0x84, 0x92, 255},
	"black": {0x1d, 0x1d, 0x1d, 255}, "green": {0x36, 0xb2, 0x4d, 255}, "cyan": {0x0e, 0x98, 0xad, 255},
	"blue": {0x1c, 0x7e, 0xd6, 255}, "indigo": {0x42, 0x63, 0xeb, 255}, "violet": {0x77, 0x46, 0xf1, 255},
	"red": {0xff, 0x21, 0x33, 255}, "orange": {0xff, 0x94, 0x33, 255}, "yellow": {0xff, 0xc9, 0x36, 255},
}

// tldrawWidths are tldraw v1's stroke widths by style size.
var tldrawWidths = map[string]float32{"small": 2, "medium": 3.5, "large": 5}

// shapeRec is one tldraw shape or Excalidraw element as read.
type shapeRec struct {
	off           int
	typ           string
	x, y          float64 // tldraw "point", Excalidraw "x", "y"
	w, h          float64 // tldraw "size" or 2×"radius", Excalidraw "width", "height"
	angle         float64
	pts           [][2]float64
	c             color.RGBA
	width         float32
	deleted, none bool // Excalidraw: isDeleted, a transparent stroke
}

func decodeTldraw(name string, data []byte, o Options) ([]*playback.Drawing, error) {
	return decodeWith(name, data, func(s *scanner) ([]*playback.Drawing, error) {
		var ds []*playback.Drawing
		found := false
		err := s.object("a tldraw file", func(k string, _ int) error {
			if k != "document" {
				return s.skip()
			}
			found = true
			return s.object("the document", func(k string, _ int) error {
				if k != "pages" {
					return s.skip()
				}
				return s.object("the pages", func(page string, _ int) error {
					d, err := s.tldrawPage(page, o)
					if err == nil {
						ds = append(ds, d)
					}
					return err
				})
			})
		})
		if err != nil {
			return nil, err
		}
		if !found || len(ds) == 0 {
			return nil, errors.New("the file holds no tldraw pages (document.pages)")
		}
		return ds, nil
	})
}

func (s *scanner) tldrawPage(page string, o Options) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	pOff := s.pos
	err := s.object("a page", func(k string, _ int) error {
		switch k {
		case "name":
			v, _, err := s.str()
			d.Name = v
			return err
		case "shapes":
			return s.object("the shapes", func(_ string, _ int) error {
				r, err := s.tldrawShape()
				if err != nil {
					return err
				}
				return s.addShape(d, r)
			})
		}
		return s.skip()
	})
	if err != nil {
		return nil, err
	}
	d, err = finishInk(d, o)
	if err != nil {
		return nil, s.errf(pOff, "page %q: %v", page, err)
	}
	return d, nil
}

func (s *scanner) tldrawShape() (shapeRec, error) {
	s.ws()
	r := shapeRec{off: s.pos, c: tldrawColors["black"], width: tldrawWidths["small"]}
	err := s.object("a shape", func(k string, _ int) error {
		var err error
		switch k {
		case "type":
			r.typ, _, err = s.str()
		case "point":
			r.x, r.y, err = s.pair("point")
		case "size":
			r.w, r.h, err = s.pair("size")
		case "radius":
			r.w, r.h, err = s.pair("radius")
			r.w, r.h = 2*r.w, 2*r.h
		case "rotation":
			r.angle, err = s.angle()
		case "points":
			r.pts, err = s.pointList(r.pts)
		case "style":
			err = s.object("a style", func(k string, _ int) error {
				if k != "color" && k != "size" {
					return s.skip()
				}
				v, _, err := s.str()
				if k == "color" {
					if c, ok := tldrawColors[v]; ok {
						r.c = c
					}
				} else if w, ok := tldrawWidths[v]; ok {
					r.width = w
				}
				return err
			})
		default:
			err = s.skip()
		}
		return err
	})
	switch r.typ {
	case "draw":
		r.typ = "freedraw"
	case "rectangle", "ellipse":
	default:
		r.typ = "" // skipped
	}
	return r, err
}

// pair reads [a, b], two coordinates (more numbers may follow).
func (s *scanner) pair(what string) (float64, float64, error) {
	pts, err := s.numbers(what, nil)
	if err != nil {
		return 0, 0, err
	}
	if len(pts) < 2 {
		return 0, 0, s.errf(s.pos-1, "%s has %d numbers, want 2", what, len(pts))
	}
	return pts[0], pts[1], nil
}

// angle reads a rotation in radians.
func (s *scanner) angle() (float64, error) {
	v, off, err := s.number(64)
	if err == nil && !(math.Abs(v) <= 1e6) {
		err = s.errf(off, "angle %g is out of range", v)
	}
	return v, err
}

// numbers reads an array of coordinates within ±MaxCoord.
func (s *scanner) numbers(what string, buf []float64) ([]float64, error) {
	the := "the " + what
	if err := s.begin('[', the); err != nil {
		return nil, err
	}
	if s.peek() == ']' {
		s.pos++
		return buf, nil
	}
	for {
		v, _, err := s.coord(what)
		if err != nil {
			return nil, err
		}
		buf = append(buf, v)
		more, err := s.more(']', the)
		if err != nil || !more {
			return buf, err
		}
	}
}

// pointList reads [[x, y, …], …]: numbers after x and y (pressure) are
// read and dropped.
func (s *scanner) pointList(buf [][2]float64) ([][2]float64, error) {
	buf = buf[:0]
	if err := s.expect('[', "'[' to begin the points"); err != nil {
		return nil, err
	}
	if s.peek() == ']' {
		s.pos++
		return buf, nil
	}
	var xy [8]float64
	for {
		s.ws()
		off := s.pos
		v, err := s.numbers("point", xy[:0])
		if err != nil {
			return nil, err
		}
		if len(v) < 2 {
			return nil, s.errf(off, "point %d has %d numbers, want [x, y]", len(buf), len(v))
		}
		buf = append(buf, [2]float64{v[0], v[1]})
		more, err := s.more(']', "the points")
		if err != nil || !more {
			return buf, err
		}
	}
}

// addShape adds a shape's strokes to d: a freedraw, line or arrow's
// points (relative to x, y), or a rectangle, diamond or ellipse's outline,
// turned by its angle about the centre of its bounds.
func (s *scanner) addShape(d *playback.Drawing, r shapeRec) error {
	if r.typ == "" || r.deleted || r.none {
		return nil
	}
	var pts [][2]float64
	var cx, cy float64
	x0, y0, x1, y1 := r.x, r.y, r.x+r.w, r.y+r.h
	switch r.typ {
	case "freedraw", "line", "arrow":
		if len(r.pts) == 0 {
			return nil
		}
		pts = make([][2]float64, len(r.pts))
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for i, p := range r.pts {
			pts[i] = [2]float64{r.x + p[0], r.y + p[1]}
			minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
			minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
		}
		cx, cy = r.x+(minX+maxX)/2, r.y+(minY+maxY)/2
	case "rectangle":
		if r.w == 0 && r.h == 0 {
			return nil
		}
		pts = [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	case "diamond":
		if r.w == 0 && r.h == 0 {
			return nil
		}
		mx, my := (x0+x1)/2, (y0+y1)/2
		pts = [][2]float64{{mx, y0}, {x1, my}, {mx, y1}, {x0, my}, {mx, y0}}
	case "ellipse":
		if r.w == 0 && r.h == 0 {
			return nil
		}
		pts = ellipsePoints((x0+x1)/2, (y0+y1)/2, r.w/2, r.h/2, DefaultTolerance)
	default:
		return nil
	}
	if r.typ != "freedraw" && r.typ != "line" && r.typ != "arrow" {
		cx, cy = (x0+x1)/2, (y0+y1)/2
	}
	rotateAbout(pts, r.angle, cx, cy)
	if err := addPolyline(d, r.c, r.width, pts); err != nil {
		return s.errf(r.off, "%s %d: %v", r.typ, len(d.Strokes), err)
	}
	return nil
}
