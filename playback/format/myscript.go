package format

import (
	"image/color"
	"math"

	"mbotdraw/playback"
)

// MyScript iink JSON (the strokes the iink SDKs export and import,
// github.com/MyScript/iinkTS): a list of items
//
//	[{"type": "stroke", "style": {"color": "#000000", "width": 2, "opacity": 1},
//	  "pointers": [{"x": 189, "y": 145, "t": 1708100505892, "p": 1}, …]}, …]
//
// with t an absolute clock reading in milliseconds, shifted so the drawing
// starts at 0, and p the pressure (not used). Items of another type
// ("shape", …) are skipped. A file whose pointers have no "t" is untimed
// (timed from the pen speed); one where some have it and some do not, or
// where a time goes back, is an error that names the stroke and point.
// Missing style: black, 2 units wide. The canvas is placed by placeAtMargin.

type msItem struct {
	typ     string
	c       color.RGBA
	width   float32
	opacity float64
	pts     []inkPoint
}

func decodeMyScript(name string, data []byte, o Options) (*playback.Drawing, error) {
	return decodeWith(name, data, func(s *scanner) (*playback.Drawing, error) {
		return parseMyScript(s, o)
	})
}

func parseMyScript(s *scanner, o Options) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	s.ws()
	start := s.pos
	if err := s.expect('[', "'[' to begin the list of strokes"); err != nil {
		return nil, err
	}
	var timed timedness
	typed := false // some item has a "type"
	first := true
	var shift, prev float64
	var it msItem
	if s.peek() == ']' {
		s.pos++
		return finishInk(d, o)
	}
	for {
		s.ws()
		iOff := s.pos
		it = msItem{c: black, width: DefaultStrokeWidth, opacity: 1, pts: it.pts[:0]}
		if err := s.myScriptItem(&it); err != nil {
			return nil, err
		}
		typed = typed || it.typ != ""
		if it.typ == "stroke" {
			si := len(d.Strokes)
			if len(it.pts) == 0 {
				return nil, s.errf(iOff, "stroke %d has no points", si)
			}
			c := premultiply(it.c.R, it.c.G, it.c.B, uint8(math.Round(float64(it.c.A)*it.opacity)))
			d.BeginStroke(c, it.width)
			for pi, p := range it.pts {
				if !timed.see(p.hasT) {
					return nil, s.errf(p.off, "stroke %d point %d: some points have a time and some do not", si, pi)
				}
				var t float32
				if p.hasT {
					if first {
						shift, first = p.t, false
					} else if p.t < prev {
						return nil, s.errf(p.tOff, "stroke %d point %d: time %s ms is before the previous point's %s ms (times must not decrease)",
							si, pi, fmtMs(p.t), fmtMs(prev))
					}
					prev = p.t
					t = float32(p.t - shift)
				}
				d.AddPoint(float32(p.x), float32(p.y), t)
			}
		}
		more, err := s.more(']', "the list of strokes")
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	if !typed {
		// A list of objects none of which has a "type": some other
		// JSON, not an empty MyScript drawing.
		return nil, s.errf(start, "%w", ErrNotDrawing)
	}
	d.Timed = timed.timed()
	return finishInk(d, o)
}

// myScriptItem reads one item: its type, style and pointers.
func (s *scanner) myScriptItem(it *msItem) error {
	return s.object("a stroke", func(k string, _ int) error {
		switch k {
		case "type":
			v, _, err := s.str()
			it.typ = v
			return err
		case "style":
			return s.object("a style", func(k string, _ int) error {
				switch k {
				case "color":
					v, off, err := s.str()
					if err != nil {
						return err
					}
					c, ok := parseHex(v) // straight alpha until the opacity is known
					if !ok {
						return s.errf(off, "colour %q is not #rrggbb or #rrggbbaa", clip([]byte(v)))
					}
					it.c = c
				case "width":
					v, off, err := s.number(64)
					if err != nil {
						return err
					}
					if !(v >= 0 && v <= playback.MaxCoord) {
						return s.errf(off, "stroke width %g is out of range 0..1e7", v)
					}
					it.width = float32(v)
				case "opacity":
					v, off, err := s.number(64)
					if err != nil {
						return err
					}
					if !(v >= 0 && v <= 1) {
						return s.errf(off, "opacity %g is out of range 0..1", v)
					}
					it.opacity = v
				default:
					return s.skip()
				}
				return nil
			})
		case "pointers":
			if err := s.expect('[', "'[' to begin the pointers"); err != nil {
				return err
			}
			if s.peek() == ']' {
				s.pos++
				return nil
			}
			for {
				p, err := s.pointObject("t")
				if err != nil {
					return err
				}
				it.pts = append(it.pts, p)
				more, err := s.more(']', "the pointers")
				if err != nil || !more {
					return err
				}
			}
		}
		return s.skip()
	})
}
