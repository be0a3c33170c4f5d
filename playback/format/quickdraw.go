package format

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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
	name string
	data []byte
	o    Options
	// budget is the most points the next drawing may have: the limit, less
	// the points of the drawings kept before it when all are kept.
	budget int
	all    bool // the drawings are kept together (selectAll)
	count  bool // after the chosen drawing, count the others
	n      int  // the drawings counted
}

// tooMany says that the drawing, or with q.all and drawings kept before it
// the file's drawings together, have more points than the limit.
func (q *qdParser) tooMany() error {
	if q.all && q.budget < q.o.maxPoints() {
		return fmt.Errorf("the file is %w: its drawings have more than %s points together, the limit (raise it with --max-points, or choose one drawing with --index)",
			ErrTooBig, thousands(int64(q.o.maxPoints())))
	}
	return errTooManyPoints(q.o.maxPoints())
}

func decodeQuickDraw(name string, data []byte, o Options, sel selection) ([]*playback.Drawing, error) {
	q := &qdParser{name: name, data: data, o: o, budget: o.maxPoints(), all: sel == selectAll}
	ds, err := q.decode(sel)
	if err != nil {
		return nil, qdError(name, data, err)
	}
	return ds, nil
}

// lineErr places a syntax error of the line no that begins at byte off of
// the file.
func (q *qdParser) lineErr(err error, line []byte, no int, off int64) error {
	var se *synError
	if !errors.As(err, &se) {
		return err
	}
	e := errAt(q.name, line, se.off, se.err)
	e.Line += no - 1
	e.Offset += off
	return e
}

// memLines yields the lines of an ndjson file in memory.
type memLines struct {
	data []byte
	pos  int // where the next line begins
	no   int // the last line's number, from 1
}

func (l *memLines) next() ([]byte, int, int64, error) {
	if l.pos >= len(l.data) {
		return nil, 0, 0, io.EOF
	}
	start := l.pos
	end := bytes.IndexByte(l.data[start:], '\n')
	if end < 0 {
		end = len(l.data)
	} else {
		end += start
	}
	l.pos = end + 1
	l.no++
	return l.data[start:end], l.no, int64(start), nil
}

// readLines yields the lines of an ndjson file as it reads them, each in a
// buffer of at most the byte limit that the next line reuses.
type readLines struct {
	r    *bufio.Reader
	buf  []byte
	no   int   // the last line's number, from 1
	off  int64 // where the next line begins
	name string
	o    Options
}

func (l *readLines) next() ([]byte, int, int64, error) {
	l.buf = l.buf[:0]
	no, off := l.no+1, l.off
	for {
		chunk, err := l.r.ReadSlice('\n')
		if int64(len(l.buf)+len(chunk)) > l.o.maxBytes()+1 { // +1: the '\n'
			return nil, no, off, l.tooLong(int64(len(l.buf)), chunk, err)
		}
		l.buf = append(l.buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(l.buf) == 0 {
			return nil, no, off, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, no, off, noPlace(l.name, pathCause(err))
		}
		break
	}
	l.no, l.off = no, off+int64(len(l.buf))
	return bytes.TrimSuffix(l.buf, []byte{'\n'}), no, off, nil
}

// tooLong reads the rest of a line over the byte limit, without keeping
// it, to say how long it is; n bytes of it are read, and chunk.
func (l *readLines) tooLong(n int64, chunk []byte, err error) error {
	for {
		n += int64(len(chunk))
		if err != bufio.ErrBufferFull {
			break
		}
		chunk, err = l.r.ReadSlice('\n')
	}
	if err == nil {
		n-- // the '\n'
	}
	return &Error{File: l.name, Line: l.no + 1, Col: 1, Offset: l.off, Err: errTooManyBytes("the line", n, l.o)}
}

// readQuickDraw is decodeQuickDraw (with count, countQuickDraw's count) for
// an ndjson file read as it is decoded, which need not fit in memory:
// size bounds its longest line. The file is not a bare drawing array.
func readQuickDraw(name string, r io.Reader, size int64, o Options, sel selection, count bool) ([]*playback.Drawing, int, error) {
	q := &qdParser{name: name, o: o, budget: o.maxPoints(), all: sel == selectAll, count: count}
	if sel == selectIndex && o.Index < 0 {
		return nil, 0, noPlace(name, fmt.Errorf("drawing index %d is negative", o.Index))
	}
	lines := &readLines{r: bufio.NewReaderSize(r, 64<<10), name: name, o: o}
	if size > 0 {
		lines.buf = make([]byte, 0, min(size, o.maxBytes()+1))
	}
	ds, err := q.ndjson(sel, lines.next)
	if err != nil {
		return nil, 0, qdError(name, nil, err)
	}
	return ds, q.n, nil
}

// qdError returns a decoding error as an *Error with its place.
func qdError(name string, data []byte, err error) *Error {
	var se *synError
	if errors.As(err, &se) {
		return errAt(name, data, se.off, se.err)
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return noPlace(name, err)
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
		if int64(len(data)) > q.o.maxBytes() {
			return nil, noPlace(q.name, errTooManyBytes("the file", int64(len(data)), q.o))
		}
		q.all = false
		s.ws()
		start := s.pos
		d, err := q.drawing(&s, "")
		if err != nil {
			return nil, err
		}
		if len(d.Strokes) == 0 {
			// [] is any empty JSON list, not a drawing.
			return nil, s.errf(start, "%w", ErrNotDrawing)
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
		q.n = 1
		return []*playback.Drawing{d}, nil
	}
	lines := &memLines{data: data}
	return q.ndjson(sel, lines.next)
}

// ndjson reads the drawings of an ndjson file, a line at a time from next
// (io.EOF at the end), keeping those sel chooses.
func (q *qdParser) ndjson(sel selection, next func() (line []byte, no int, off int64, err error)) ([]*playback.Drawing, error) {
	var out []*playback.Drawing
	n := 0
	for {
		line, no, off, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if int64(len(line)) > q.o.maxBytes() {
			return nil, &Error{File: q.name, Line: no, Col: 1, Offset: off, Err: errTooManyBytes("the line", int64(len(line)), q.o)}
		}
		s := scanner{data: line, end: len(line)}
		if no == 1 && bytes.HasPrefix(line, []byte("\xef\xbb\xbf")) {
			s.pos = 3 // a byte order mark
		}
		if s.peek() == 0 {
			continue // a blank line
		}
		// The drawing is parsed as the line is read when it is known to be
		// wanted; one chosen by key_id only after its key is known.
		now := sel == selectAll || (sel == selectIndex && n == q.o.Index)
		d, key, drawOff, err := q.line(&s, now)
		if err != nil {
			return nil, q.lineErr(err, line, no, off)
		}
		n++
		q.n = n
		switch {
		case len(out) > 0 && sel != selectAll:
			continue // counting the rest
		case now:
		case sel == selectKey && key == q.o.KeyID:
			ds := scanner{data: line, pos: drawOff, end: s.end}
			if d, err = q.drawing(&ds, d.Name); err != nil {
				return nil, q.lineErr(err, line, no, off)
			}
		default:
			continue
		}
		out = append(out, d)
		if sel != selectAll && !q.count {
			return out, nil
		}
		q.budget -= d.NumPoints()
	}
	if len(out) > 0 && sel != selectAll {
		return out, nil
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

// countQuickDraw is chooseQuickDraw, and also counts the file's drawings in
// the same pass.
func countQuickDraw(name string, data []byte, o Options) (*playback.Drawing, int, error) {
	sel := selectIndex
	switch {
	case o.Gallery:
		sel = selectAll
	case o.KeyID != "":
		sel = selectKey
	}
	q := &qdParser{name: name, data: data, o: o, budget: o.maxPoints(), all: sel == selectAll, count: true}
	ds, err := q.decode(sel)
	if err != nil {
		return nil, 0, qdError(name, data, err)
	}
	if o.Gallery {
		return Gallery(ds), q.n, nil
	}
	return ds[0], q.n, nil
}

// chooseQuickDraw decodes the drawing Options.KeyID or Options.Index
// chooses, parsing no other; with Options.Gallery, the gallery of all.
func chooseQuickDraw(name string, data []byte, o Options) (*playback.Drawing, error) {
	if o.Gallery {
		ds, err := decodeQuickDraw(name, data, o, selectAll)
		if err != nil {
			return nil, err
		}
		return Gallery(ds), nil
	}
	sel := selectIndex
	if o.KeyID != "" {
		sel = selectKey
	}
	ds, err := decodeQuickDraw(name, data, o, sel)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
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

// drawing parses a drawing array at s.pos, straight into the drawing's
// point store, allocated once: a point has an x and a y, each but the last
// followed by a comma, so the commas bound the points. It has at most
// q.budget points.
func (q *qdParser) drawing(s *scanner, word string) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	d.Name = word
	s.ws()
	dOff := s.pos
	if err := s.expect('[', "'[' to begin the drawing"); err != nil {
		return nil, err
	}
	if n := min((bytes.Count(s.data[s.pos:s.end], []byte{','})+1)/2, q.budget); n > 0 {
		d.XY = make([]float32, 0, 2*n)
		d.T = make([]float32, 0, n)
	}
	st := qdStroke{q: q, d: d, timed: 0, first: true}
	if s.peek() == ']' {
		s.pos++
	} else {
		for si := 0; ; si++ {
			if err := st.parse(s, si); err != nil {
				return nil, err
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
	d.XY = d.XY[:len(d.XY):len(d.XY)]
	d.T = d.T[:len(d.T):len(d.T)]
	d.Timed = st.timed > 0
	q.place(d)
	if !d.Timed {
		d.AssignTimes(q.o.PenSpeed, -1)
	}
	if err := d.Validate(); err != nil {
		return nil, s.errf(dOff, "drawing: %v", err) // only when the canvas would exceed ±1e7
	}
	return d, nil
}

// qdStroke parses the strokes of one Quick, Draw! drawing.
type qdStroke struct {
	q     *qdParser
	d     *playback.Drawing
	timed int // 0: not known yet, 1: strokes have times, -1: they don't
	first bool
	shift float64 // the first time, which becomes 0
	prevT float32
}

// parse reads stroke si, [[x…], [y…]] or [[x…], [y…], [t…]], and appends
// it to the drawing.
func (st *qdStroke) parse(s *scanner, si int) error {
	d := st.d
	s.ws()
	sOff := s.pos
	if err := s.expect('[', "'[' to begin a stroke [[x…], [y…]] or [[x…], [y…], [t…]]"); err != nil {
		return err
	}
	start := len(d.T)
	base := len(d.XY)
	// x values, each with a y to come.
	nx := 0
	err := eachNumber(s, func(v float64, off int) error {
		if math.Abs(v) > playback.MaxCoord {
			return s.errf(off, "coordinate %g is beyond ±1e7", v)
		}
		if start+nx >= st.q.budget {
			return s.errf(off, "%w", st.q.tooMany())
		}
		d.XY = append(d.XY, float32(v), 0)
		nx++
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.expect(',', "',' between a stroke's x and y lists"); err != nil {
		return err
	}
	ny := 0
	err = eachNumber(s, func(v float64, off int) error {
		if math.Abs(v) > playback.MaxCoord {
			return s.errf(off, "coordinate %g is beyond ±1e7", v)
		}
		if ny < nx {
			d.XY[base+2*ny+1] = float32(v)
		}
		ny++
		return nil
	})
	if err != nil {
		return err
	}
	hasT := s.peek() == ','
	nt := 0
	if hasT {
		s.pos++
		err = eachNumber(s, func(v float64, off int) error {
			if math.Abs(v) > 1e15 {
				return s.errf(off, "time %g ms is out of range", v)
			}
			if nt < nx {
				if st.first {
					st.shift, st.first = v, false
				}
				t := float32(v - st.shift)
				if !finite32(v-st.shift) || t < st.prevT {
					return s.errf(off, "time %s ms is before the previous point's %s ms (times must not decrease)",
						strconv.FormatFloat(v, 'g', -1, 64), strconv.FormatFloat(float64(st.prevT)+st.shift, 'g', -1, 64))
				}
				st.prevT = t
				d.T = append(d.T, t)
			}
			nt++
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := s.expect(']', "']' to end the stroke"); err != nil {
		return err
	}
	switch {
	case nx == 0:
		return s.errf(sOff, "stroke %d has no points", si)
	case nx != ny:
		return s.errf(sOff, "stroke %d has %d x values but %d y values", si, nx, ny)
	case hasT && nt != nx:
		return s.errf(sOff, "stroke %d has %d points but %d times", si, nx, nt)
	case st.timed == 0 && hasT:
		st.timed = 1
	case st.timed == 0:
		st.timed = -1
	case (st.timed > 0) != hasT:
		return s.errf(sOff, "stroke %d: some strokes have times and some do not", si)
	}
	if !hasT {
		for range nx {
			d.T = append(d.T, 0)
		}
	}
	d.Strokes = append(d.Strokes, playback.Stroke{Color: black, Width: 3, Start: start, End: len(d.T)})
	return nil
}

// eachNumber calls f with each number of the array at s.pos, and its
// offset.
func eachNumber(s *scanner, f func(v float64, off int) error) error {
	if err := s.expect('[', "'[' to begin a list of numbers"); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		v, off, err := s.number(64)
		if err != nil {
			return err
		}
		if err := f(v, off); err != nil {
			return err
		}
		more, err := s.more(']', "a list of numbers")
		if err != nil || !more {
			return err
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
