package format

import (
	"errors"
	"math"

	"mbotdraw/playback"
)

// Excalidraw libraries (.excalidrawlib) and scenes (.excalidraw),
// github.com/excalidraw/excalidraw:
//
//	{"type": "excalidrawlib", "version": 2, "libraryItems": [{"elements": [ELEMENT, …]}, …]}
//	{"type": "excalidrawlib", "version": 1, "library": [[ELEMENT, …], …]}
//	{"type": "excalidraw", "elements": [ELEMENT, …]}
//
//	ELEMENT: {"type": "freedraw", "x": 1110.7, "y": 569.3, "angle": 0,
//	          "strokeColor": "#c92a2a", "strokeWidth": 1, "opacity": 100,
//	          "points": [[0, 0], [0.03, 0.09], …]}
//
// Each library item is one drawing (the first is the one Load opens;
// Options.Index chooses another, Options.Gallery lays them all out); a
// scene is one drawing. Elements become strokes in file order:
//
//   - freedraw, line and arrow: their points, relative to x, y;
//   - rectangle, diamond and ellipse: their outlines (x, y, width, height);
//   - every other element (text, image, frame, …), deleted elements and
//     elements with a transparent stroke are skipped.
//
// "angle" turns an element, in radians, about the centre of its bounds.
// strokeColor is a hex colour (others draw black), opacity 0–100 its alpha.
// Excalidraw keeps no times: they come from the pen speed. The canvas is
// placed by placeAtMargin.

func decodeExcalidraw(name string, data []byte, o Options) ([]*playback.Drawing, error) {
	return decodeWith(name, data, func(s *scanner) ([]*playback.Drawing, error) {
		var ds []*playback.Drawing
		found := false
		elements := func() error {
			s.ws()
			off := s.pos
			d, err := s.excalidrawElements(o)
			if err != nil {
				return err
			}
			if d, err = finishInk(d, o); err != nil {
				return s.errf(off, "drawing %d: %v", len(ds), err)
			}
			ds = append(ds, d)
			return nil
		}
		err := s.object("an Excalidraw file", func(k string, _ int) error {
			switch k {
			case "elements": // a scene
				found = true
				return elements()
			case "library": // library v1: a list of element lists
				found = true
				return s.array("the library", func() error { return elements() })
			case "libraryItems": // library v2
				found = true
				return s.array("the library items", func() error {
					return s.object("a library item", func(k string, _ int) error {
						if k == "elements" {
							return elements()
						}
						return s.skip()
					})
				})
			}
			return s.skip()
		})
		if err != nil {
			return nil, err
		}
		if !found || len(ds) == 0 {
			return nil, errors.New("the file holds no Excalidraw elements (libraryItems, library or elements)")
		}
		return ds, nil
	})
}

// array calls elem for each element of the array at pos; elem must
// consume it.
func (s *scanner) array(what string, elem func() error) error {
	if err := s.begin('[', what); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		more, err := s.more(']', what)
		if err != nil || !more {
			return err
		}
	}
}

// excalidrawElements reads a list of elements as one drawing.
func (s *scanner) excalidrawElements(o Options) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	var pts [][2]float64
	err := s.array("a list of elements", func() error {
		s.ws()
		r := shapeRec{off: s.pos, c: black, width: 1, pts: pts}
		opacity := 100.0
		err := s.object("an element", func(k string, _ int) error {
			var err error
			switch k {
			case "type":
				r.typ, _, err = s.str()
			case "x":
				r.x, _, err = s.coord("x")
			case "y":
				r.y, _, err = s.coord("y")
			case "width":
				r.w, _, err = s.coord("width")
			case "height":
				r.h, _, err = s.coord("height")
			case "angle":
				r.angle, err = s.angle()
			case "points":
				r.pts, err = s.pointList(r.pts)
			case "strokeWidth":
				var v float64
				var off int
				v, off, err = s.number(64)
				if err == nil && !(v >= 0 && v <= playback.MaxCoord) {
					err = s.errf(off, "strokeWidth %g is out of range 0..1e7", v)
				}
				r.width = float32(v)
			case "opacity":
				var off int
				opacity, off, err = s.number(64)
				if err == nil && !(opacity >= 0 && opacity <= 100) {
					err = s.errf(off, "opacity %g is out of range 0..100", opacity)
				}
			case "strokeColor":
				var v string
				v, _, err = s.str()
				if c, ok := parseHex(v); ok {
					r.c = c // straight alpha until the opacity is known
				}
				r.none = v == "transparent" || r.c.A == 0
			case "isDeleted":
				if s.peek() == 't' || s.peek() == 'f' {
					var v string
					v, err = s.literal()
					r.deleted = v == "true"
				} else {
					err = s.skip()
				}
			default:
				err = s.skip()
			}
			return err
		})
		if err != nil {
			return err
		}
		pts = r.pts
		c := r.c
		r.c = premultiply(c.R, c.G, c.B, uint8(math.Round(float64(c.A)*opacity/100)))
		return s.addShape(d, r)
	})
	return d, err
}
