package format

import (
	"bufio"
	"bytes"
	"errors"
	"image/color"
	"io"
	"math"
	"strconv"

	"mbotdraw/jsonstring"
	"mbotdraw/playback"
)

// mbotdraw JSON (DESIGN.md):
//
//	{"format": "mbotdraw", "version": 1, "width": 800, "height": 600,
//	 "background": "#ffffff", "name": "cat",
//	 "strokes": [{"color": "#1e88e5", "width": 3, "points": [[10, 20, 0], [15, 22, 16.5]]}]}
//
// Points are [x, y] or [x, y, t] (t in milliseconds), all of one kind in a
// file. "format" and "version", when present, must be "mbotdraw" and 1;
// "name" is optional; unknown keys are skipped. Defaults: background white,
// stroke colour black, stroke width 2, and a canvas around the points when
// width or height is missing.

// Defaults for mbotdraw JSON members that are absent.
const (
	DefaultStrokeWidth = 2
)

var (
	black = color.RGBA{0, 0, 0, 255}
	white = color.RGBA{255, 255, 255, 255}
)

type jsonDecoder struct {
	s       scanner
	d       *playback.Drawing
	timed   int // 0: not known yet, 1: points have times, -1: they don't
	shift   float64
	prevT   float32
	havePts bool
	max     int // the most points (Options.MaxPoints)
}

// countJSON bounds, from above, the points and strokes an mbotdraw JSON
// file can hold, each at most limit: a point is a '[' before a number, a
// stroke a '{' (less the drawing's own). It is a fast pass over bytes in
// memory already.
func countJSON(data []byte, limit int) (points, strokes int) {
	for i := 0; points < limit; {
		k := bytes.IndexByte(data[i:], '[')
		if k < 0 {
			break
		}
		i += k + 1
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		if i < len(data) && (data[i] == '-' || data[i] >= '0' && data[i] <= '9') {
			points++
		}
	}
	strokes = bytes.Count(data, []byte{'{'}) - 1
	return points, min(max(strokes, 0), points)
}

func decodeJSON(name string, data []byte, o Options) (*playback.Drawing, error) {
	d, err := parseJSON(data, o)
	if err != nil {
		var se *synError
		if errors.As(err, &se) {
			return nil, errAt(name, data, se.off, se.err)
		}
		return nil, noPlace(name, err)
	}
	return d, nil
}

func parseJSON(data []byte, o Options) (*playback.Drawing, error) {
	j := &jsonDecoder{s: scanner{data: data, end: len(data)}}
	if len(data) >= 3 && string(data[:3]) == "\xef\xbb\xbf" {
		j.s.pos = 3
	}
	d := playback.NewDrawing(0, 0)
	j.d = d
	j.max = o.maxPoints()
	// Allocate the points and strokes once, for as many as the file can
	// hold (at most the limit): growing them as they come would need twice
	// their size at times, and leave garbage behind.
	points, strokes := countJSON(data, j.max)
	d.XY = make([]float32, 0, 2*points)
	d.T = make([]float32, 0, points)
	d.Strokes = make([]playback.Stroke, 0, strokes)
	s := &j.s
	start := s.pos
	marked := false // the object has "strokes" or "format"
	err := s.object("the drawing", func(k string, off int) error {
		switch k {
		case "format", "strokes":
			marked = true
		}
		switch k {
		case "format":
			v, voff, err := s.str()
			if err != nil {
				return err
			}
			if v != "mbotdraw" {
				return s.errf(voff, "format is %q, want \"mbotdraw\"", clip([]byte(v)))
			}
		case "version":
			v, voff, err := s.number(64)
			if err != nil {
				return err
			}
			if v != 1 {
				return s.errf(voff, "version %g is not supported (this program reads version 1)", v)
			}
		case "width", "height":
			v, voff, err := s.number(64)
			if err != nil {
				return err
			}
			if !(v >= 0 && v <= playback.MaxCoord) {
				return s.errf(voff, "%s %g is out of range 0..1e7", k, v)
			}
			if k == "width" {
				d.Width = v
			} else {
				d.Height = v
			}
		case "background":
			c, err := j.color()
			if err != nil {
				return err
			}
			d.Background = c
		case "name":
			v, _, err := s.str()
			if err != nil {
				return err
			}
			d.Name = v
		case "strokes":
			return j.strokes()
		default:
			return s.skip()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.ws()
	if s.pos < s.end {
		return nil, s.errf(s.pos, "unexpected %s after the drawing", s.describe(s.pos))
	}
	if !marked {
		// Some other JSON ({"name": "shopping"}): not an empty drawing.
		return nil, s.errf(start, "%w", ErrNotDrawing)
	}
	d.XY = d.XY[:len(d.XY):len(d.XY)]
	d.T = d.T[:len(d.T):len(d.T)]
	if j.timed > 0 {
		d.Timed = true
	} else {
		d.AssignTimes(o.PenSpeed, -1)
	}
	fitCanvas(d)
	if err := d.Validate(); err != nil {
		return nil, err // unreachable: the decoder checks as it goes
	}
	return d, nil
}

func (j *jsonDecoder) color() (color.RGBA, error) {
	v, off, err := j.s.str()
	if err != nil {
		return color.RGBA{}, err
	}
	c, ok := parseHexColor(v)
	if !ok {
		return color.RGBA{}, j.s.errf(off, "colour %q is not #rrggbb or #rrggbbaa", clip([]byte(v)))
	}
	return c, nil
}

func (j *jsonDecoder) strokes() error {
	s := &j.s
	if err := s.expect('[', "'[' to begin the strokes"); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		s.ws()
		off := s.pos
		si := len(j.d.Strokes)
		j.d.BeginStroke(black, DefaultStrokeWidth)
		err := s.object("a stroke", func(k string, _ int) error {
			switch k {
			case "color", "colour":
				c, err := j.color()
				if err != nil {
					return err
				}
				j.d.Strokes[si].Color = c
			case "width":
				v, voff, err := s.number(64)
				if err != nil {
					return err
				}
				if !(v >= 0 && v <= playback.MaxCoord) {
					return s.errf(voff, "stroke width %g is out of range 0..1e7", v)
				}
				j.d.Strokes[si].Width = float32(v)
			case "points":
				return j.points(si)
			default:
				return s.skip()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if j.d.Strokes[si].Len() == 0 {
			return s.errf(off, "stroke %d has no points", si)
		}
		more, err := s.more(']', "the strokes")
		if err != nil || !more {
			return err
		}
	}
}

// points parses a stroke's point array: the hot loop of the loader.
func (j *jsonDecoder) points(si int) error {
	s := &j.s
	d := j.d
	if err := s.expect('[', "'[' to begin the points"); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	if d.Strokes[si].End != len(d.T) {
		return s.errf(s.pos, "stroke %d has two point lists", si)
	}
	for {
		s.ws()
		pOff := s.pos
		if s.pos >= s.end || s.data[s.pos] != '[' {
			return s.errf(s.pos, "expected a point [x, y] or [x, y, t], found %s", s.describe(s.pos))
		}
		s.pos++
		x, xo, err := s.number(32)
		if err != nil {
			return err
		}
		if math.Abs(x) > playback.MaxCoord {
			return s.errf(xo, "x %g is beyond ±1e7", x)
		}
		if err := s.expect(',', "',' between x and y"); err != nil {
			return err
		}
		y, yo, err := s.number(32)
		if err != nil {
			return err
		}
		if math.Abs(y) > playback.MaxCoord {
			return s.errf(yo, "y %g is beyond ±1e7", y)
		}
		var t float32
		c := s.peek()
		hasT := c == ','
		if hasT {
			s.pos++
			if t, err = j.time(); err != nil {
				return err
			}
		}
		if err := s.expect(']', "']' to end the point"); err != nil {
			return err
		}
		switch {
		case j.timed == 0 && hasT:
			j.timed = 1
		case j.timed == 0:
			j.timed = -1
		case (j.timed > 0) != hasT:
			if hasT {
				return s.errf(pOff, "point has a time but earlier points have none")
			}
			return s.errf(pOff, "point has no time but earlier points have one")
		}
		if len(d.T) == j.max {
			return s.errf(pOff, "%w", errTooManyPoints(j.max))
		}
		d.XY = append(d.XY, float32(x), float32(y))
		d.T = append(d.T, t)
		more, err := s.more(']', "the points")
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	d.Strokes[si].End = len(d.T)
	return nil
}

// time parses a point's time, normalised so that the first point is at 0.
func (j *jsonDecoder) time() (float32, error) {
	s := &j.s
	if !j.havePts {
		v, off, err := s.number(64)
		if err != nil {
			return 0, err
		}
		if math.IsInf(v, 0) || math.Abs(v) > 1e15 {
			return 0, s.errf(off, "time %g ms is out of range", v)
		}
		j.havePts, j.shift, j.prevT = true, v, 0
		return 0, nil
	}
	var t float32
	var off int
	if j.shift == 0 {
		v, o, err := s.number(32)
		if err != nil {
			return 0, err
		}
		t, off = float32(v), o
	} else {
		v, o, err := s.number(64)
		if err != nil {
			return 0, err
		}
		v -= j.shift
		if !finite32(v) {
			return 0, s.errf(o, "time is out of range")
		}
		t, off = float32(v), o
	}
	if t < j.prevT {
		return 0, s.errf(off, "time %g ms is before the previous point's %g ms (times must not decrease)", float64(t)+j.shift, float64(j.prevT)+j.shift)
	}
	j.prevT = t
	return t, nil
}

// fitCanvas gives a drawing without a size a canvas around its points.
func fitCanvas(d *playback.Drawing) {
	if d.Width > 0 && d.Height > 0 {
		return
	}
	b := d.Bounds()
	if b.Empty() {
		if d.Width <= 0 {
			d.Width = 800
		}
		if d.Height <= 0 {
			d.Height = 600
		}
		return
	}
	m := math.Max(8, 0.05*math.Max(b.MaxX, b.MaxY))
	if d.Width <= 0 {
		d.Width = math.Min(playback.MaxCoord, math.Max(1, math.Ceil(b.MaxX+m)))
	}
	if d.Height <= 0 {
		d.Height = math.Min(playback.MaxCoord, math.Max(1, math.Ceil(b.MaxY+m)))
	}
}

// encodeJSON writes mbotdraw JSON, one stroke a line. Numbers are written
// in the shortest form that reads back to the same float32 (float64 for the
// canvas size), so JSON → JSON is exact. Untimed drawings are written
// without times.
func encodeJSON(w io.Writer, d *playback.Drawing) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"format":"mbotdraw","version":1,"width":`...)
	b = strconv.AppendFloat(b, d.Width, 'g', -1, 64)
	b = append(b, `,"height":`...)
	b = strconv.AppendFloat(b, d.Height, 'g', -1, 64)
	b = append(b, `,"background":"`...)
	b = append(b, hexColor(d.Background)...)
	b = append(b, '"')
	if d.Name != "" {
		b = append(b, `,"name":`...)
		b = jsonstring.Append(b, d.Name)
	}
	b = append(b, `,"strokes":[`...)
	for si, s := range d.Strokes {
		if si > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"color\":\""...)
		b = append(b, hexColor(s.Color)...)
		b = append(b, `","width":`...)
		b = strconv.AppendFloat(b, float64(s.Width), 'g', -1, 32)
		b = append(b, `,"points":[`...)
		for i := s.Start; i < s.End; i++ {
			if i > s.Start {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendFloat(b, float64(d.XY[2*i]), 'g', -1, 32)
			b = append(b, ',')
			b = strconv.AppendFloat(b, float64(d.XY[2*i+1]), 'g', -1, 32)
			if d.Timed {
				b = append(b, ',')
				b = strconv.AppendFloat(b, float64(d.T[i]), 'g', -1, 32)
			}
			b = append(b, ']')
			if len(b) > 60<<10 {
				if _, err := bw.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		b = append(b, "]}"...)
	}
	b = append(b, "\n]}\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}
