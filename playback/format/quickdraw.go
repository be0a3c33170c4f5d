package format

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"mbotdraw/playback"
)

// Quick, Draw! ndjson (github.com/googlecreativelab/quickdraw-dataset): one
// JSON object a line, each with "word", "key_id" and "drawing", a list of
// strokes. Raw strokes are [[x…], [y…], [t…]] with t in milliseconds since
// the first point; simplified strokes are [[x…], [y…]], integers 0–255.
// A file that is one bare drawing array ([[xs, ys], …]) is read too.
//
// Canvas: a simplified drawing keeps its coordinates on a 256x256 canvas. A
// raw drawing has no canvas size, so it is moved to sit a margin (5% of its
// size, at least 8 units) from the top-left corner of a canvas that fits it.
// Strokes are black, 3 units wide on the 256 canvas and as wide in
// proportion on a raw one.

type selection int

const (
	selectAll   selection = iota // every drawing
	selectIndex                  // Options.Index
	selectKey                    // Options.KeyID
)

// QuickDrawCell is the size of a gallery cell in drawing units.
const QuickDrawCell = 256

// galleryGap is the pause between two drawings of a gallery, in ms.
const galleryGap = 500

type qdParser struct {
	name   string
	data   []byte
	o      Options
	xs, ys []float64
	ts     []float64
	tOffs  []int
}

func decodeQuickDraw(name string, data []byte, o Options, sel selection) ([]*playback.Drawing, error) {
	q := &qdParser{name: name, data: data, o: o, tOffs: make([]int, 0, 64)}
	ds, err := q.decode(sel)
	if err != nil {
		var se *synError
		if errors.As(err, &se) {
			return nil, errAt(name, data, se.off, se.err)
		}
		var fe *Error
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, noPlace(name, err)
	}
	return ds, nil
}

func (q *qdParser) decode(sel selection) ([]*playback.Drawing, error) {
	data := q.data
	start := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		start = 3
	}
	if sel == selectIndex && q.o.Index < 0 {
		return nil, fmt.Errorf("drawing index %d is negative", q.o.Index)
	}
	// A bare drawing array: the whole file is one drawing.
	if s := (scanner{data: data, pos: start, end: len(data)}); s.peek() == '[' {
		d, err := q.drawing(&s, "")
		if err != nil {
			return nil, err
		}
		if s.peek() != 0 {
			return nil, s.errf(s.pos, "unexpected %s after the drawing", s.describe(s.pos))
		}
		switch {
		case sel == selectKey:
			return nil, fmt.Errorf("no drawing with key_id %q: the file is one drawing without a key_id", q.o.KeyID)
		case sel == selectIndex && q.o.Index != 0:
			return nil, fmt.Errorf("drawing index %d is out of range: the file holds 1 drawing", q.o.Index)
		}
		return []*playback.Drawing{d}, nil
	}
	var out []*playback.Drawing
	n := 0
	for start < len(data) {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		s := scanner{data: data, pos: start, end: end}
		start = end + 1
		if s.peek() == 0 {
			continue // a blank line
		}
		// The drawing is parsed as the line is read when it is known to be
		// wanted; one chosen by key_id only after its key is known.
		now := sel == selectAll || (sel == selectIndex && n == q.o.Index)
		d, key, drawOff, err := q.line(&s, now)
		if err != nil {
			return nil, err
		}
		n++
		switch {
		case now:
		case sel == selectKey && key == q.o.KeyID:
			ds := scanner{data: data, pos: drawOff, end: s.end}
			if d, err = q.drawing(&ds, d.Name); err != nil {
				return nil, err
			}
		default:
			continue
		}
		out = append(out, d)
		if sel != selectAll {
			return out, nil
		}
	}
	switch sel {
	case selectIndex:
		return nil, fmt.Errorf("drawing index %d is out of range: the file holds %d drawing%s", q.o.Index, n, plural(n))
	case selectKey:
		return nil, fmt.Errorf("no drawing with key_id %q among the file's %d drawing%s", q.o.KeyID, n, plural(n))
	}
	if n == 0 {
		return nil, errors.New("the file holds no drawings")
	}
	return out, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// line reads one ndjson line and returns its drawing (parsed when parse is
// set; otherwise only named, its syntax checked), its key_id and the offset
// of its drawing array.
func (q *qdParser) line(s *scanner, parse bool) (d *playback.Drawing, key string, drawOff int, err error) {
	drawOff = -1
	lineOff := s.pos
	word := ""
	err = s.object("a Quick, Draw! drawing", func(k string, _ int) error {
		switch k {
		case "word":
			v, _, err := s.str()
			word = v
			return err
		case "key_id":
			if s.peek() == '"' {
				v, _, err := s.str()
				key = v
				return err
			}
			tok, _, err := s.numberToken()
			key = string(tok)
			return err
		case "drawing":
			s.ws()
			if s.peek() != '[' {
				return s.errf(s.pos, "expected '[' to begin the drawing, found %s", s.describe(s.pos))
			}
			drawOff = s.pos
			if parse {
				var err error
				d, err = q.drawing(s, "")
				return err
			}
			return s.skip()
		}
		return s.skip()
	})
	if err != nil {
		return nil, "", 0, err
	}
	if s.peek() != 0 {
		return nil, "", 0, s.errf(s.pos, "unexpected %s after the drawing's object (one object a line)", s.describe(s.pos))
	}
	if drawOff < 0 {
		return nil, "", 0, s.errf(lineOff, "the object has no \"drawing\"")
	}
	if d == nil {
		d = &playback.Drawing{}
	}
	d.Name = word
	return d, key, drawOff, nil
}

// drawing parses a drawing array at s.pos.
func (q *qdParser) drawing(s *scanner, word string) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	d.Name = word
	s.ws()
	dOff := s.pos
	if err := s.expect('[', "'[' to begin the drawing"); err != nil {
		return nil, err
	}
	timed := 0
	first := true
	var shift float64
	var prevT float32
	if s.peek() == ']' {
		s.pos++
	} else {
		for si := 0; ; si++ {
			s.ws()
			sOff := s.pos
			if err := s.expect('[', "'[' to begin a stroke [[x…], [y…]] or [[x…], [y…], [t…]]"); err != nil {
				return nil, err
			}
			var err error
			if q.xs, _, err = q.nums(s, q.xs[:0], nil); err != nil {
				return nil, err
			}
			if err := s.expect(',', "',' between a stroke's x and y lists"); err != nil {
				return nil, err
			}
			if q.ys, _, err = q.nums(s, q.ys[:0], nil); err != nil {
				return nil, err
			}
			hasT := s.peek() == ','
			if hasT {
				s.pos++
				if q.ts, q.tOffs, err = q.nums(s, q.ts[:0], q.tOffs[:0]); err != nil {
					return nil, err
				}
			}
			if err := s.expect(']', "']' to end the stroke"); err != nil {
				return nil, err
			}
			switch {
			case len(q.xs) == 0:
				return nil, s.errf(sOff, "stroke %d has no points", si)
			case len(q.xs) != len(q.ys):
				return nil, s.errf(sOff, "stroke %d has %d x values but %d y values", si, len(q.xs), len(q.ys))
			case hasT && len(q.ts) != len(q.xs):
				return nil, s.errf(sOff, "stroke %d has %d points but %d times", si, len(q.xs), len(q.ts))
			case timed == 0 && hasT:
				timed = 1
			case timed == 0:
				timed = -1
			case (timed > 0) != hasT:
				return nil, s.errf(sOff, "stroke %d: some strokes have times and some do not", si)
			}
			d.BeginStroke(black, 3)
			for i := range q.xs {
				var t float32
				if hasT {
					v := q.ts[i]
					if first {
						shift, first = v, false
					}
					v -= shift
					t = float32(v)
					if !finite32(v) || t < prevT {
						return nil, s.errf(q.tOffs[i], "time %s ms is before the previous point's %s ms (times must not decrease)",
							strconv.FormatFloat(q.ts[i], 'g', -1, 64), strconv.FormatFloat(float64(prevT)+shift, 'g', -1, 64))
					}
					prevT = t
				}
				d.AddPoint(float32(q.xs[i]), float32(q.ys[i]), t)
			}
			more, err := s.more(']', "the drawing")
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
	}
	d.Timed = timed > 0
	q.place(d)
	if !d.Timed {
		d.AssignTimes(q.o.PenSpeed, -1)
	}
	if err := d.Validate(); err != nil {
		return nil, s.errf(dOff, "drawing: %v", err) // only when the canvas would exceed ±1e7
	}
	return d, nil
}

// nums parses an array of numbers within ±MaxCoord (times: finite). It
// records each value's offset in offs when offs is not nil.
func (q *qdParser) nums(s *scanner, buf []float64, offs []int) ([]float64, []int, error) {
	if err := s.expect('[', "'[' to begin a list of numbers"); err != nil {
		return nil, nil, err
	}
	if s.peek() == ']' {
		s.pos++
		return buf, offs, nil
	}
	for {
		v, off, err := s.number(64)
		if err != nil {
			return nil, nil, err
		}
		if offs != nil {
			if math.Abs(v) > 1e15 {
				return nil, nil, s.errf(off, "time %g ms is out of range", v)
			}
			offs = append(offs, off)
		} else if math.Abs(v) > playback.MaxCoord {
			return nil, nil, s.errf(off, "coordinate %g is beyond ±1e7", v)
		}
		buf = append(buf, v)
		more, err := s.more(']', "a list of numbers")
		if err != nil {
			return nil, nil, err
		}
		if !more {
			return buf, offs, nil
		}
	}
}

// place gives the drawing its canvas: 256x256 for simplified drawings that
// fit it, otherwise a canvas around the points with a margin.
func (q *qdParser) place(d *playback.Drawing) {
	b := d.Bounds()
	if b.Empty() || (!d.Timed && b.MinX >= 0 && b.MinY >= 0 && b.MaxX <= QuickDrawCell && b.MaxY <= QuickDrawCell) {
		d.Width, d.Height = QuickDrawCell, QuickDrawCell
		return
	}
	size := math.Max(b.Dx(), b.Dy())
	m := math.Max(8, 0.05*size)
	dx, dy := float32(m-b.MinX), float32(m-b.MinY)
	for i := 0; i < len(d.XY); i += 2 {
		d.XY[i] += dx
		d.XY[i+1] += dy
	}
	d.Width, d.Height = math.Ceil(b.Dx()+2*m), math.Ceil(b.Dy()+2*m)
	w := float32(math.Max(1, 3*math.Max(d.Width, d.Height)/QuickDrawCell))
	for i := range d.Strokes {
		d.Strokes[i].Width = w
	}
}

// Gallery lays drawings out in a grid of QuickDrawCell-sized cells, as one
// drawing: each drawing is scaled to fit its cell, keeping its proportions,
// and plays after the one before it, with a short pause between. The
// gallery is timed when every drawing is.
func Gallery(ds []*playback.Drawing) *playback.Drawing {
	const cell, pad = QuickDrawCell, 16
	cols := int(math.Ceil(math.Sqrt(float64(len(ds)))))
	if cols == 0 {
		cols = 1
	}
	rows := (len(ds) + cols - 1) / cols
	g := playback.NewDrawing(float64(cols*cell), float64(max(rows, 1)*cell))
	g.Timed = len(ds) > 0
	total, strokes := 0, 0
	for _, d := range ds {
		total += d.NumPoints()
		strokes += len(d.Strokes)
	}
	g.XY = make([]float32, 0, 2*total)
	g.T = make([]float32, 0, total)
	g.Strokes = make([]playback.Stroke, 0, strokes)
	base := 0.0
	for i, d := range ds {
		if !d.Timed {
			g.Timed = false
		}
		w, h := math.Max(d.Width, 1), math.Max(d.Height, 1)
		k := math.Min((cell-2*pad)/w, (cell-2*pad)/h)
		ox := float64(i%cols*cell) + (cell-w*k)/2
		oy := float64(i/cols*cell) + (cell-h*k)/2
		if len(g.T) > 0 {
			base = float64(g.T[len(g.T)-1]) + galleryGap
		}
		for _, s := range d.Strokes {
			g.BeginStroke(s.Color, float32(float64(s.Width)*k))
			for j := s.Start; j < s.End; j++ {
				g.AddPoint(float32(float64(d.XY[2*j])*k+ox), float32(float64(d.XY[2*j+1])*k+oy), float32(base+float64(d.T[j])))
			}
		}
	}
	g.Name = galleryName(ds)
	return g
}

func galleryName(ds []*playback.Drawing) string {
	if len(ds) == 0 {
		return ""
	}
	name := ds[0].Name
	for _, d := range ds[1:] {
		if d.Name != name {
			name = ""
			break
		}
	}
	if name == "" {
		return fmt.Sprintf("%d drawings", len(ds))
	}
	return fmt.Sprintf("%s (%d drawings)", name, len(ds))
}
