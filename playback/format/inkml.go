package format

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"mbotdraw/playback"
)

// W3C InkML (www.w3.org/TR/InkML), as Microsoft Office and handwriting
// corpora write it, with or without a namespace prefix ("inkml:trace").
//
//   - Each <trace> is a stroke; <traceGroup>s nest them and may give the
//     brushRef and contextRef their traces inherit. Empty traces are
//     skipped; annotations and other elements are ignored.
//   - Points are separated by commas; a point's values follow its
//     traceFormat's channels (X and Y required, others such as F, the
//     pressure, read and not used). Values may be explicit ("!"), first
//     differences ("'") or second differences ('"'); a value without a
//     prefix keeps its channel's last one, and each trace starts explicit.
//     Numbers may run together ("-1-2" is -1 then -2, "1.5.3" is 1.5 then
//     .3). A second difference with no earlier step counts from a step of 0.
//   - Units: a channel's units ("in", "cm", "mm", "m", "pt", "pc", "px",
//     "himetric") and its resolution channelProperty (steps per unit) give
//     the size of one step; drawing units are 1/96 inch. X's scale is used
//     for Y too: Office writes a square grid (equal steps in X and Y) while
//     declaring the digitiser's unequal resolutions, and so does Microsoft's
//     own InkML.js renderer. Without units the file's numbers are drawing
//     units.
//   - Brushes: brushProperty "color" (#rrggbb), "width" (with units; cm in
//     Office) and "transparency" (0 opaque … 255 clear). No brush: black,
//     2 units wide.
//   - Times: InkML gives a trace a timeOffset (ms from its context's
//     timestamp) but its points no time. Each trace starts at its
//     timeOffset, less the first trace's, so strokes keep their real order
//     and pauses; a trace without one starts playback.DefaultStrokeGap after
//     the one before. Its points are spread along it at Options.PenSpeed,
//     squeezed to end by the next trace's start when that comes sooner, and
//     a start is never earlier than the end of the trace before. A file with
//     any timeOffset counts as timed.
//   - The canvas is placed by placeAtMargin.

const inkmlNS = "http://www.w3.org/2003/InkML"

// inkFormat is a trace format: where X and Y are among the regular
// channels, how many channels a point may have, and drawing units a step.
type inkFormat struct {
	x, y         int
	regular, all int
	scale        float64
}

var defaultInkFormat = inkFormat{x: 0, y: 1, regular: 2, all: 2, scale: 1}

type inkBrush struct {
	c     color.RGBA
	width float32
}

// inkTrace is one trace as read: its points in drawing units and its
// timeOffset (NaN when none).
type inkTrace struct {
	xy    []float64
	tOff  float64
	brush inkBrush
}

// inkChannel is a channel declaration being read.
type inkChannel struct {
	name, units  string
	intermittent bool
}

type inkmlDecoder struct {
	name string
	data []byte
	bom  int

	formats map[string]inkFormat // by xml:id of traceFormat, inkSource and context
	brushes map[string]inkBrush
	deflt   *inkFormat // the first format defined

	// The definitions being read.
	channels            []inkChannel
	intermittent        bool
	resolution          map[string]float64 // channel → steps per inch (negative: per the channel's unit)
	fmtID, srcID, ctxID string             // xml:ids of the open traceFormat, inkSource, context ("" none)
	inSource, inCtx     bool
	last                *inkFormat // the format the open context got
	brush               *inkBrush
	brushID             string
	traces              []inkTrace
}

func decodeInkML(name string, data []byte, o Options) (*playback.Drawing, error) {
	k := &inkmlDecoder{name: name, data: data, formats: map[string]inkFormat{}, brushes: map[string]inkBrush{}}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		k.bom = 3
	}
	if err := k.read(); err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, noPlace(name, err)
	}
	d := playback.NewDrawing(0, 0)
	k.timeTraces(d, o)
	return finishInk(d, o)
}

// perInch returns how many of a unit make an inch (0: not a length).
func perInch(u string) float64 {
	switch u {
	case "in":
		return 1
	case "cm":
		return 2.54
	case "mm":
		return 25.4
	case "m":
		return 0.0254
	case "pt":
		return 72
	case "pc":
		return 6
	case "px":
		return 96
	case "himetric":
		return 2540
	}
	return 0
}

func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (k *inkmlDecoder) read() error {
	dec := xml.NewDecoder(bytes.NewReader(k.data[k.bom:]))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charsetReader
	type group struct{ brush, ctx string }
	var (
		stack    []group // the traceGroups and the trace being read
		depth    int
		inTrace  bool
		text     []byte
		textOff  int
		traceOff int
		sawRoot  bool
	)
	for {
		off := k.bom + int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return &Error{File: k.name, Line: se.Line, Offset: -1, Err: fmt.Errorf("XML syntax error: %s", se.Msg)}
			}
			return errAt(k.name, k.data, off, fmt.Errorf("XML: %v", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxSVGDepth {
				return errAt(k.name, k.data, off, fmt.Errorf("elements nested deeper than %d", maxSVGDepth))
			}
			if depth == 1 {
				if t.Name.Local != "ink" || (t.Name.Space != "" && t.Name.Space != inkmlNS) {
					return errAt(k.name, k.data, off, fmt.Errorf("the root element is <%s>, not <ink>", t.Name.Local))
				}
				sawRoot = true
			}
			if t.Name.Space != "" && t.Name.Space != inkmlNS {
				continue
			}
			if err := k.start(t, off); err != nil {
				return err
			}
			switch t.Name.Local {
			case "traceGroup", "trace":
				g := group{}
				if len(stack) > 0 {
					g = stack[len(stack)-1]
				}
				if v, ok := attr(t, "brushRef"); ok {
					g.brush = v
				}
				if v, ok := attr(t, "contextRef"); ok {
					g.ctx = v
				}
				stack = append(stack, g)
				if t.Name.Local == "trace" {
					if inTrace {
						return errAt(k.name, k.data, off, errors.New("a <trace> inside a <trace>"))
					}
					inTrace, text, textOff, traceOff = true, text[:0], -1, off
				}
			}
		case xml.CharData:
			if inTrace {
				if textOff < 0 {
					textOff = off
				}
				text = append(text, t...)
			}
		case xml.EndElement:
			depth--
			if t.Name.Space != "" && t.Name.Space != inkmlNS {
				continue
			}
			switch t.Name.Local {
			case "traceGroup", "trace":
				g := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if t.Name.Local == "trace" {
					inTrace = false
					if err := k.trace(g.brush, g.ctx, text, textOff, traceOff); err != nil {
						return err
					}
				}
			default:
				if err := k.end(t.Name.Local, off); err != nil {
					return err
				}
			}
		}
	}
	if !sawRoot {
		return errAt(k.name, k.data, 0, errors.New("no <ink> element: not an InkML file"))
	}
	return nil
}

func xmlID(t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Local == "id" {
			return "#" + a.Value
		}
	}
	return ""
}

// start reads the definitions: brushes, channels, resolutions; and
// remembers a trace's timeOffset.
func (k *inkmlDecoder) start(t xml.StartElement, off int) error {
	bad := func(format string, a ...any) error { return errAt(k.name, k.data, off, fmt.Errorf(format, a...)) }
	switch t.Name.Local {
	case "trace":
		tr := inkTrace{tOff: math.NaN()}
		if v, ok := attr(t, "timeOffset"); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !(math.Abs(f) <= 1e12) {
				return bad("<trace timeOffset=%q>: not a time in ms", clip([]byte(v)))
			}
			tr.tOff = f
		}
		k.traces = append(k.traces, tr)
	case "context":
		k.inCtx, k.ctxID, k.last = true, xmlID(t), nil
		for _, ref := range []string{"inkSourceRef", "traceFormatRef"} {
			if v, ok := attr(t, ref); ok {
				if f, ok := k.formats[v]; ok {
					k.last = &f
				}
			}
		}
	case "inkSource":
		k.inSource, k.srcID = true, xmlID(t)
		k.channels, k.intermittent, k.resolution = k.channels[:0], false, map[string]float64{}
	case "traceFormat":
		k.fmtID = xmlID(t)
		k.channels, k.intermittent = k.channels[:0], false
		if !k.inSource {
			k.resolution = map[string]float64{}
		}
	case "intermittentChannels":
		k.intermittent = true
	case "channel":
		n, _ := attr(t, "name")
		u, _ := attr(t, "units")
		k.channels = append(k.channels, inkChannel{name: n, units: strings.TrimSpace(u), intermittent: k.intermittent})
	case "channelProperty":
		ch, _ := attr(t, "channel")
		n, _ := attr(t, "name")
		if n != "resolution" || k.resolution == nil {
			return nil
		}
		v, _ := attr(t, "value")
		u, _ := attr(t, "units")
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err == nil && r == 0 {
			return nil // Office writes 0 for the pressure channel
		}
		if err != nil || !(r > 0 && r < 1e12) {
			return bad("<channelProperty channel=%q> resolution %q is not a positive number", clip([]byte(ch)), clip([]byte(v)))
		}
		if p := perInch(strings.TrimPrefix(strings.TrimSpace(u), "1/")); p > 0 {
			r *= p // steps per inch
		} else {
			r = -r // steps per the channel's own unit
		}
		k.resolution[ch] = r
	case "brush":
		k.brush, k.brushID = &inkBrush{c: black, width: DefaultStrokeWidth}, xmlID(t)
	case "brushProperty":
		if k.brush == nil {
			return nil
		}
		n, _ := attr(t, "name")
		v, _ := attr(t, "value")
		u, _ := attr(t, "units")
		v = strings.TrimSpace(v)
		switch n {
		case "color":
			c, ok := parseHex(v)
			if !ok || len(v) != 7 {
				return bad("<brushProperty name=\"color\"> %q is not #rrggbb", clip([]byte(v)))
			}
			k.brush.c = premultiply(c.R, c.G, c.B, k.brush.c.A)
		case "width", "transparency":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f >= 0 && f <= 1e6) {
				return bad("<brushProperty name=%q> %q is not a number 0..1e6", n, clip([]byte(v)))
			}
			if n == "transparency" {
				// Applied to the straight colour: give the colour first.
				k.brush.c.A = uint8(255 - math.Min(255, math.Round(f)))
				k.brush.c = premultiply(k.brush.c.R, k.brush.c.G, k.brush.c.B, k.brush.c.A)
				return nil
			}
			if p := perInch(strings.TrimSpace(u)); p > 0 {
				f *= 96 / p
			}
			k.brush.width = float32(min(f, playback.MaxCoord))
		}
	}
	return nil
}

// end closes a definition, filing it under its xml:id.
func (k *inkmlDecoder) end(local string, off int) error {
	switch local {
	case "brush":
		if k.brush != nil && k.brushID != "" {
			k.brushes[k.brushID] = *k.brush
		}
		k.brush = nil
	case "traceFormat", "inkSource":
		f, err := k.format()
		if err != nil {
			return errAt(k.name, k.data, off, err)
		}
		id := k.fmtID
		if local == "inkSource" {
			id, k.inSource = k.srcID, false
		}
		if id != "" {
			k.formats[id] = f
		}
		if k.inCtx {
			k.last = &f
		} else if k.deflt == nil && !k.inSource {
			k.deflt = &f
		}
	case "context":
		k.inCtx = false
		if k.last != nil {
			if k.ctxID != "" {
				k.formats[k.ctxID] = *k.last
			}
			if k.deflt == nil {
				k.deflt = k.last
			}
		}
	}
	return nil
}

// format builds the trace format of the channels just read.
func (k *inkmlDecoder) format() (inkFormat, error) {
	f := inkFormat{x: -1, y: -1}
	for i, c := range k.channels {
		if !c.intermittent {
			f.regular++
			switch c.name {
			case "X":
				f.x = i
			case "Y":
				f.y = i
			}
		}
		f.all++
	}
	if f.x < 0 || f.y < 0 {
		return f, errors.New("the traceFormat has no X or no Y channel")
	}
	c := k.channels[f.x]
	f.scale = 1
	r := k.resolution[c.name]
	switch p := perInch(c.units); {
	case r > 0:
		f.scale = 96 / r
	case r < 0 && p > 0:
		f.scale = 96 / (-r * p)
	case r == 0 && p > 0:
		f.scale = 96 / p
	}
	return f, nil
}

// trace reads one trace's points: text is its content, found at byte
// textOff, and the trace element began at traceOff.
func (k *inkmlDecoder) trace(brushRef, ctxRef string, text []byte, textOff, traceOff int) error {
	tr := &k.traces[len(k.traces)-1]
	f := defaultInkFormat
	if k.deflt != nil {
		f = *k.deflt
	}
	if ctxRef != "" {
		g, ok := k.formats[ctxRef]
		if !ok {
			return errAt(k.name, k.data, traceOff, fmt.Errorf("<trace contextRef=%q>: no such context", clip([]byte(ctxRef))))
		}
		f = g
	}
	tr.brush = inkBrush{c: black, width: DefaultStrokeWidth}
	if brushRef != "" {
		b, ok := k.brushes[brushRef]
		if !ok {
			return errAt(k.name, k.data, traceOff, fmt.Errorf("<trace brushRef=%q>: no such brush", clip([]byte(brushRef))))
		}
		tr.brush = b
	}
	pts, err := inkPoints(text, f)
	if err != nil {
		var pe *inkPointError
		if errors.As(err, &pe) {
			return errAt(k.name, k.data, textOff+pe.at, fmt.Errorf("trace %d: %w", len(k.traces)-1, pe.err))
		}
		return err
	}
	tr.xy = pts
	return nil
}

type inkPointError struct {
	at  int
	err error
}

func (e *inkPointError) Error() string { return e.err.Error() }

// inkPoints decodes a trace's text into x, y pairs in drawing units.
func inkPoints(text []byte, f inkFormat) ([]float64, error) {
	var (
		val, vel [64]float64
		mode     [64]byte // 0 explicit, 1 first, 2 second difference
		out      []float64
		n        int // values in this point
		point    int
	)
	if f.all > len(val) {
		return nil, &inkPointError{0, fmt.Errorf("%d channels, at most %d", f.all, len(val))}
	}
	fail := func(i int, format string, a ...any) error {
		return &inkPointError{i, fmt.Errorf("point %d: "+format, append([]any{point}, a...)...)}
	}
	endPoint := func(i int) error {
		if n < f.regular {
			return fail(i, "%d values, want %d", n, f.regular)
		}
		x, y := val[f.x]*f.scale, val[f.y]*f.scale
		if !(math.Abs(x) <= playback.MaxCoord && math.Abs(y) <= playback.MaxCoord) {
			return fail(i, "(%g, %g) is beyond ±1e7", x, y)
		}
		out = append(out, x, y)
		point++
		n = 0
		return nil
	}
	i := 0
	for {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i == len(text) || text[i] == ',' {
			if n == 0 && i == len(text) && point > 0 {
				break // a trailing comma
			}
			if n == 0 && i == len(text) {
				break // an empty trace
			}
			if err := endPoint(i); err != nil {
				return nil, err
			}
			if i == len(text) {
				break
			}
			i++
			continue
		}
		start := i
		q := byte(0xff)
		switch text[i] {
		case '!':
			q = 0
		case '\'':
			q = 1
		case '"':
			q = 2
		}
		if q != 0xff {
			i++
			for i < len(text) && isSpace(text[i]) {
				i++
			}
		}
		j := numberEnd(text, i)
		if j == i {
			return nil, fail(i, "expected a number, found %s", describeByte(text, i))
		}
		v, err := strconv.ParseFloat(string(text[i:j]), 64)
		if err != nil || !(math.Abs(v) <= 1e15) {
			return nil, fail(i, "%q is out of range", clip(text[i:j]))
		}
		if n >= f.all {
			return nil, fail(start, "more than %d values", f.all)
		}
		if q != 0xff {
			if q > 0 && point == 0 {
				return nil, fail(start, "the first point's values must be explicit, not differences")
			}
			mode[n] = q
		} else if point == 0 {
			mode[n] = 0
		}
		switch mode[n] {
		case 0:
			vel[n] = v - val[n]
			if point == 0 {
				vel[n] = 0
			}
			val[n] = v
		case 1:
			vel[n] = v
			val[n] += v
		case 2:
			vel[n] += v
			val[n] += vel[n]
		}
		if math.Abs(val[n]) > 1e15 {
			return nil, fail(start, "the value runs out of range")
		}
		n++
		i = j
	}
	return out, nil
}

// numberEnd returns the end of the InkML number at text[i:]: an optional
// '-', digits with at most one '.', and an optional exponent.
func numberEnd(text []byte, i int) int {
	j := i
	if j < len(text) && text[j] == '-' {
		j++
	}
	digits, dot := 0, false
	for j < len(text) {
		c := text[j]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			goto exp
		}
		j++
	}
exp:
	if digits == 0 {
		return i
	}
	if j < len(text) && (text[j] == 'e' || text[j] == 'E') {
		e := j + 1
		if e < len(text) && (text[e] == '-' || text[e] == '+') {
			e++
		}
		if e < len(text) && text[e] >= '0' && text[e] <= '9' {
			for e < len(text) && text[e] >= '0' && text[e] <= '9' {
				e++
			}
			j = e
		}
	}
	return j
}

func describeByte(b []byte, i int) string {
	if i >= len(b) {
		return "the end of the trace"
	}
	return strconv.QuoteRune(rune(b[i]))
}

// timeTraces adds the traces to d as strokes, timed as the package
// comment says.
func (k *inkmlDecoder) timeTraces(d *playback.Drawing, o Options) {
	speed := o.PenSpeed
	if !(speed > 0) {
		speed = playback.DefaultPenSpeed
	}
	var ts []inkTrace
	for _, tr := range k.traces {
		if len(tr.xy) > 0 {
			ts = append(ts, tr)
		}
	}
	base := 0.0
	if len(ts) > 0 && !math.IsNaN(ts[0].tOff) {
		base = ts[0].tOff
	}
	end := 0.0
	for i, tr := range ts {
		start := 0.0
		switch {
		case !math.IsNaN(tr.tOff):
			d.Timed = true
			start = math.Max(tr.tOff-base, end)
		case i > 0:
			start = end + playback.DefaultStrokeGap
		}
		if i == 0 {
			start = 0
		}
		length := 0.0
		for j := 2; j < len(tr.xy); j += 2 {
			length += math.Hypot(tr.xy[j]-tr.xy[j-2], tr.xy[j+1]-tr.xy[j-1])
		}
		dur := 1000 * length / speed
		if i+1 < len(ts) && !math.IsNaN(ts[i+1].tOff) {
			if room := ts[i+1].tOff - base - start; room >= 0 && room < dur {
				dur = room
			}
		}
		d.BeginStroke(tr.brush.c, tr.brush.width)
		at := 0.0
		for j := 0; j < len(tr.xy); j += 2 {
			if j > 0 {
				at += math.Hypot(tr.xy[j]-tr.xy[j-2], tr.xy[j+1]-tr.xy[j-1])
			}
			t := start
			if length > 0 {
				t += dur * at / length
			}
			d.AddPoint(float32(tr.xy[j]), float32(tr.xy[j+1]), float32(t))
		}
		end = start + dur
	}
}

// sniffInkML reports whether the first element of an XML head is <ink>,
// prefixed or not.
func sniffInkML(head []byte) bool {
	for i := 0; i+1 < len(head); i++ {
		if head[i] != '<' {
			continue
		}
		c := head[i+1]
		if c == '?' || c == '!' || c == '/' {
			continue
		}
		j := i + 1
		for j < len(head) && !isSpace(head[j]) && head[j] != '>' && head[j] != '/' {
			j++
		}
		name := string(head[i+1 : j])
		return name == "ink" || strings.HasSuffix(name, ":ink")
	}
	return false
}
