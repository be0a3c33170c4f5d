package format

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"
	"unicode/utf8"
	"unsafe"

	"mbotdraw/playback"
)

// SVG reading: a plotter draws lines, so every shape becomes its outline.
//
//   - Elements: path (every command, arcs included), line, polyline,
//     polygon, rect (with rounded corners), circle, ellipse; g, a, switch and
//     nested svg group them. text, defs, symbol, use, image, metadata, style,
//     unknown elements and elements of other namespaces are skipped with
//     what they hold. display:none skips an element; visibility:hidden
//     hides a shape.
//   - Each subpath is a stroke; a subpath that draws nothing (a lone moveto)
//     makes none.
//   - Transforms (matrix, translate, scale, rotate with a centre, skewX,
//     skewY, lists of them) compose down the tree; curves are flattened
//     after transforming, to Options.Tolerance in drawing units.
//   - Colour: the stroke paint, or, for shapes with no stroke, the fill
//     paint (their outline is drawn, 1 unit wide); opacity, stroke-opacity
//     and fill-opacity scale alpha. Presentation attributes, inline style
//     and inheritance from groups apply; CSS style sheets do not.
//   - Width: stroke-width, scaled by the transform. A stroke of width 0 is
//     kept, as a hairline (a plotter's pen has its own width).
//   - Canvas: the root's viewBox, in user units (points are moved so the
//     viewBox starts at 0,0); without a viewBox, width and height converted
//     to user units (px, 96 per inch: mm, cm, in, pt, pc…); without those,
//     a canvas around the points. The root's style background(-color) sets
//     the paper colour. The root's <title> names the drawing.
//   - Elements nest at most maxSVGDepth deep.

const (
	svgNS       = "http://www.w3.org/2000/svg"
	maxSVGDepth = 256
)

// svgStyle is the inherited state at an element.
type svgStyle struct {
	stroke, fill                        paint
	strokeWidth                         float64
	strokeOpacity, fillOpacity, opacity float64
	color                               color.RGBA // currentColor, straight alpha
	hidden                              bool
	m                                   affine
	vw, vh                              float64 // the viewport, for percentages
}

type svgDecoder struct {
	name    string
	o       Options
	d       *playback.Drawing
	p       pen
	counts  map[string]int
	line    int
	col     int
	element string // the element being read, for errors

	// attrMin is the length past which d and points values are read aside
	// (bigAttrReader); 0: bigAttrMin; negative: none are (tests compare).
	attrMin, attrChunk int
	big                *bigAttrs
	bigD, bigPoints    [][]byte // the element's values read aside, if any
}

func decodeSVG(name string, data []byte, o Options) (*playback.Drawing, error) {
	return readSVG(name, bytes.NewReader(data), o)
}

// readSVG decodes SVG as it reads it from r, so that a file need not be in
// memory whole.
func readSVG(name string, r io.Reader, o Options) (*playback.Drawing, error) {
	return readSVGAside(name, r, o, 0, 0)
}

// readSVGAside is readSVG with d and points values longer than attrMin
// bytes read aside in chunks of attrChunk (0: the defaults; attrMin < 0:
// none are).
func readSVGAside(name string, r io.Reader, o Options, attrMin, attrChunk int) (*playback.Drawing, error) {
	w := &svgDecoder{name: name, o: o, counts: map[string]int{}, attrMin: attrMin, attrChunk: attrChunk}
	d, err := w.decode(r)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, &Error{File: name, Line: w.line, Col: w.col, Offset: -1, Element: w.element, Err: err}
	}
	return d, nil
}

func (w *svgDecoder) decode(r io.Reader) (*playback.Drawing, error) {
	if w.attrMin >= 0 {
		z := newBigAttrReader(r)
		if w.attrMin > 0 {
			z.min, z.chunk = w.attrMin, w.attrChunk
		}
		r, w.big = z, z.attrs
	}
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charsetReader
	w.d = playback.NewDrawing(0, 0)
	w.p = pen{d: w.d, tol: w.o.tolerance(), max: w.o.maxPoints()}
	var (
		stack     []svgStyle
		depth     int
		skipDepth int // > 0: inside a skipped element that began at this depth
		titleAt   int // > 0: inside the root's <title>, at this depth
		title     strings.Builder
		rootSeen  bool
		rootDone  bool
	)
	for {
		w.line, w.col = w.big.pos(dec.InputPos())
		w.element = ""
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				if se.Line != w.line {
					w.line, w.col = se.Line, 0
				}
				return nil, fmt.Errorf("XML syntax error: %s", se.Msg)
			}
			return nil, fmt.Errorf("XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			w.takeBig(t)
			depth++
			if depth > maxSVGDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxSVGDepth)
			}
			if skipDepth > 0 || titleAt > 0 {
				continue
			}
			if depth == 1 {
				if rootDone {
					skipDepth = depth
					continue
				}
				if t.Name.Local != "svg" || (t.Name.Space != "" && t.Name.Space != svgNS) {
					return nil, fmt.Errorf("the root element is <%s>, not <svg>", t.Name.Local)
				}
				rootSeen = true
			}
			st, skip, err := w.element1(t, stack, depth)
			w.bigD, w.bigPoints = nil, nil
			if err != nil {
				return nil, err
			}
			if skip {
				skipDepth = depth
				if t.Name.Local == "title" && depth == 2 && w.d.Name == "" && (t.Name.Space == "" || t.Name.Space == svgNS) {
					skipDepth, titleAt = 0, depth
				}
				continue
			}
			stack = append(stack, st)
		case xml.EndElement:
			switch {
			case titleAt > 0:
				if depth == titleAt {
					titleAt = 0
					w.d.Name = strings.Join(strings.Fields(title.String()), " ")
				}
			case skipDepth > 0:
				if depth == skipDepth {
					skipDepth = 0
				}
			default:
				stack = stack[:len(stack)-1]
			}
			depth--
			if depth == 0 {
				rootDone = true
			}
		case xml.CharData:
			if titleAt > 0 && title.Len() < 1024 {
				title.Write(t)
			}
		}
	}
	if !rootSeen {
		w.line, w.col = 0, 0
		return nil, errors.New("no <svg> element: not an SVG file")
	}
	d := w.d
	d.XY = d.XY[:len(d.XY):len(d.XY)]
	d.T = d.T[:len(d.T):len(d.T)]
	d.AssignTimes(w.o.PenSpeed, -1)
	fitCanvas(d)
	w.line, w.col = 0, 0
	if err := d.Validate(); err != nil {
		return nil, err // unreachable: the pen checks every point
	}
	return d, nil
}

// takeBig takes the element's d and points values that were read aside,
// so that they are drawn, or forgotten when the element is skipped.
func (w *svgDecoder) takeBig(t xml.StartElement) {
	w.bigD, w.bigPoints = nil, nil
	if w.big == nil {
		return
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "d":
			w.bigD, _ = w.big.take(a.Value)
		case "points":
			w.bigPoints, _ = w.big.take(a.Value)
		}
	}
}

// charsetReader reads the 8-bit encodings old SVG files declare.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b)+len(b)/8)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// setElement names the element being read, and the attribute, for errors:
// "<path d> element 3" is the third <path> of the file.
func (w *svgDecoder) setElement(name, attr string) {
	if attr == "" {
		w.element = fmt.Sprintf("<%s> element %d", name, w.counts[name])
		return
	}
	w.element = fmt.Sprintf("<%s %s> element %d", name, attr, w.counts[name])
}

// element1 reads one start element: its style and transform, and draws it
// when it is a shape. skip says to skip it and what it holds.
func (w *svgDecoder) element1(t xml.StartElement, stack []svgStyle, depth int) (svgStyle, bool, error) {
	name := t.Name.Local
	if t.Name.Space != "" && t.Name.Space != svgNS {
		return svgStyle{}, true, nil
	}
	w.counts[name]++
	w.setElement(name, "")
	var st svgStyle
	if len(stack) == 0 {
		st = svgStyle{fill: paint{kind: paintColor, c: black}, strokeWidth: 1,
			strokeOpacity: 1, fillOpacity: 1, opacity: 1, color: black, m: identity}
	} else {
		st = stack[len(stack)-1]
	}
	switch name {
	case "svg", "g", "a", "switch", "path", "line", "polyline", "polygon", "rect", "circle", "ellipse":
	default:
		return st, true, nil // title, text, defs, metadata, unknown…
	}
	attr := map[string]string{}
	for _, a := range t.Attr {
		if a.Name.Space == "" {
			attr[a.Name.Local] = a.Value
		}
	}
	// Presentation attributes, then the style attribute, which wins.
	display := ""
	apply := func(prop, val string) {
		switch prop {
		case "stroke":
			if p, ok := parsePaint(val); ok {
				st.stroke = p
			}
		case "fill":
			if p, ok := parsePaint(val); ok {
				st.fill = p
			}
		case "stroke-width":
			if v, ok := parseLength(val, math.Sqrt((st.vw*st.vw+st.vh*st.vh)/2)); ok && v >= 0 {
				st.strokeWidth = v
			}
		case "stroke-opacity":
			if v, ok := parseOpacity(val); ok {
				st.strokeOpacity = v
			}
		case "fill-opacity":
			if v, ok := parseOpacity(val); ok {
				st.fillOpacity = v
			}
		case "opacity":
			if v, ok := parseOpacity(val); ok {
				st.opacity = stackOpacity(stack) * v
			}
		case "color":
			if c, ok := parseCSSColor(val); ok {
				st.color = c
			}
		case "display":
			display = strings.TrimSpace(val)
		case "visibility":
			switch strings.TrimSpace(val) {
			case "hidden", "collapse":
				st.hidden = true
			case "visible":
				st.hidden = false
			}
		}
	}
	for _, prop := range []string{"stroke", "fill", "stroke-width", "stroke-opacity", "fill-opacity", "opacity", "color", "display", "visibility"} {
		if v, ok := attr[prop]; ok {
			apply(prop, v)
		}
	}
	if s, ok := attr["style"]; ok {
		styleDecls(s, apply)
	}
	if display == "none" {
		return st, true, nil
	}
	if name == "svg" {
		if err := w.viewport(&st, attr, depth == 1); err != nil {
			return st, false, err
		}
	}
	if tr, ok := attr["transform"]; ok {
		w.setElement(name, "transform")
		m, err := parseTransform(tr)
		if err != nil {
			return st, false, err
		}
		st.m = st.m.mul(m)
	}
	switch name {
	case "svg", "g", "a", "switch":
		return st, false, nil
	}
	return st, false, w.shape(name, attr, &st)
}

func stackOpacity(stack []svgStyle) float64 {
	if len(stack) == 0 {
		return 1
	}
	return stack[len(stack)-1].opacity
}

// viewport sets up an <svg> element: the canvas for the root, a nested
// viewport otherwise.
func (w *svgDecoder) viewport(st *svgStyle, attr map[string]string, root bool) error {
	w.setElement("svg", "viewBox")
	var vb []float64
	if s, ok := attr["viewBox"]; ok {
		v, err := parseNumberList(s)
		if err != nil || len(v) != 4 {
			return fmt.Errorf("viewBox %q is not four numbers", clip([]byte(s)))
		}
		if v[2] > 0 && v[3] > 0 && v[2] <= playback.MaxCoord && v[3] <= playback.MaxCoord {
			vb = v
		}
	}
	w.setElement("svg", "width")
	width, wok := w.length(attr, "width", st.vw)
	w.setElement("svg", "height")
	height, hok := w.length(attr, "height", st.vh)
	wok = wok && width > 0 && width <= playback.MaxCoord
	hok = hok && height > 0 && height <= playback.MaxCoord
	if root {
		if bg, ok := rootBackground(attr["style"]); ok {
			w.d.Background = bg
		}
		switch {
		case vb != nil:
			w.d.Width, w.d.Height = vb[2], vb[3]
			st.m = affine{1, 0, 0, 1, -vb[0], -vb[1]}
		case wok && hok:
			w.d.Width, w.d.Height = width, height
		}
		st.vw, st.vh = w.d.Width, w.d.Height
		if st.vw <= 0 || st.vh <= 0 {
			st.vw, st.vh = 100, 100 // percentages of an unknown canvas
		}
		return nil
	}
	x, _ := w.length(attr, "x", st.vw)
	y, _ := w.length(attr, "y", st.vh)
	m := st.m.mul(affine{1, 0, 0, 1, x, y})
	if vb != nil {
		sx, sy := 1.0, 1.0
		if wok {
			sx = width / vb[2]
		}
		if hok {
			sy = height / vb[3]
		}
		m = m.mul(affine{sx, 0, 0, sy, -vb[0] * sx, -vb[1] * sy})
		st.vw, st.vh = vb[2], vb[3]
	} else if wok && hok {
		st.vw, st.vh = width, height
	}
	st.m = m
	return nil
}

// rootBackground reads background or background-color from a style.
func rootBackground(style string) (color.RGBA, bool) {
	var bg color.RGBA
	found := false
	styleDecls(style, func(prop, val string) {
		if prop != "background" && prop != "background-color" {
			return
		}
		for _, f := range strings.Fields(val) {
			if c, ok := parseCSSColor(f); ok {
				bg, found = premultiply(c.R, c.G, c.B, c.A), true
				return
			}
		}
	})
	return bg, found
}

// length reads a length attribute; a missing one is 0 and not ok, a
// malformed one an error.
func (w *svgDecoder) length(attr map[string]string, key string, ref float64) (float64, bool) {
	s, ok := attr[key]
	if !ok || strings.TrimSpace(s) == "" || strings.TrimSpace(s) == "auto" {
		return 0, false
	}
	v, ok := parseLength(s, ref)
	if !ok || math.Abs(v) > 1e15 {
		return 0, false
	}
	return v, true
}

// geometry reads a shape's length attribute; a malformed value is an
// error that names the attribute.
func (w *svgDecoder) geometry(name string, attr map[string]string, key string, ref float64) (float64, error) {
	s, ok := attr[key]
	if !ok || strings.TrimSpace(s) == "" || strings.TrimSpace(s) == "auto" {
		return 0, nil
	}
	v, ok := parseLength(s, ref)
	if !ok {
		w.setElement(name, key)
		return 0, fmt.Errorf("%s %q is not a length", key, clip([]byte(s)))
	}
	if math.Abs(v) > playback.MaxCoord {
		w.setElement(name, key)
		return 0, fmt.Errorf("%s %s is out of range", key, strings.TrimSpace(clip([]byte(s))))
	}
	return v, nil
}

// paintFor returns the colour and width a shape is drawn with, and false
// for a shape that is not drawn.
func paintFor(st *svgStyle) (color.RGBA, float32, bool) {
	if st.hidden {
		return color.RGBA{}, 0, false
	}
	p, op, width := st.stroke, st.strokeOpacity, st.strokeWidth
	if p.kind == paintNone {
		p, op, width = st.fill, st.fillOpacity, 1
		if p.kind == paintNone {
			return color.RGBA{}, 0, false
		}
	}
	c := p.c
	if p.kind == paintCurrent {
		c = st.color
	}
	a := math.Round(float64(c.A) * op * st.opacity)
	width *= st.m.meanScale()
	if !(width >= 0) || width > playback.MaxCoord {
		width = 0
	}
	return premultiply(c.R, c.G, c.B, uint8(a)), float32(width), true
}

// shape draws a path or a basic shape.
func (w *svgDecoder) shape(name string, attr map[string]string, st *svgStyle) error {
	col, width, ok := paintFor(st)
	if !ok {
		return nil
	}
	p := &w.p
	p.m, p.col, p.width, p.open, p.err = st.m, col, width, false, nil
	g := &shapeGeometry{w: w, name: name, attr: attr}
	switch name {
	case "path":
		if w.bigD != nil {
			return w.drawPathChunks(w.bigD)
		}
		return w.drawPath(attr["d"])
	case "line":
		return w.drawLine(g, st.vw, st.vh)
	case "polyline", "polygon":
		if w.bigPoints != nil {
			return w.drawPoly(name, w.bigPoints)
		}
		pts := attr["points"]
		return w.drawPoly(name, [][]byte{unsafe.Slice(unsafe.StringData(pts), len(pts))})
	case "rect":
		return w.drawRect(g, st.vw, st.vh)
	case "circle", "ellipse":
		return w.drawEllipse(g, st.vw, st.vh)
	}
	return nil
}

// shapeGeometry reads a shape's length attributes, keeping the first error.
type shapeGeometry struct {
	w    *svgDecoder
	name string
	attr map[string]string
	err  error
}

// get reads the length attribute key (0 when missing), relative to ref for
// percentages.
func (g *shapeGeometry) get(key string, ref float64) float64 {
	if g.err != nil {
		return 0
	}
	v, err := g.w.geometry(g.name, g.attr, key, ref)
	g.err = err
	return v
}

// has says whether the shape has the attribute key.
func (g *shapeGeometry) has(key string) bool {
	_, ok := g.attr[key]
	return ok
}

// drawPath draws a <path> of path data d.
func (w *svgDecoder) drawPath(d string) error {
	w.setElement("path", "d")
	w.growPoints(len(d))
	return drawPath(d, &w.p)
}

// drawPathChunks draws a <path> whose path data was read aside.
func (w *svgDecoder) drawPathChunks(chunks [][]byte) error {
	w.setElement("path", "d")
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	w.growPoints(n)
	return drawPathChunks(chunks, &w.p)
}

// growPoints makes room for the points of n bytes of path data, when they
// are many: a point per 8 bytes ("L 92,36 ") at once, rather than growing
// the point store step by step (no more than the points limit leaves).
func (w *svgDecoder) growPoints(n int) {
	p := &w.p
	if n > 1<<16 {
		n = max(0, min(n/8, p.max-len(p.d.T)))
		p.d.XY = growUntouched(p.d.XY, 2*n)
		p.d.T = growUntouched(p.d.T, n)
	}
}

// growUntouched is slices.Grow without writing to the new capacity: that
// copies n zeros in, making the whole of it resident, while memory that no
// point is written to stays untouched (a guess of a point per 8 bytes is
// generous for arcs and curves).
func growUntouched(s []float32, n int) []float32 {
	if cap(s)-len(s) >= n {
		return s
	}
	g := make([]float32, len(s), len(s)+n)
	copy(g, s)
	return g
}

// drawLine draws a <line>.
func (w *svgDecoder) drawLine(g *shapeGeometry, vw, vh float64) error {
	p := &w.p
	x1, y1, x2, y2 := g.get("x1", vw), g.get("y1", vh), g.get("x2", vw), g.get("y2", vh)
	if g.err != nil {
		return g.err
	}
	w.setElement(g.name, "")
	p.move(x1, y1)
	p.line(x2, y2)
	return p.err
}

// drawPoly draws a <polyline> or a <polygon> (closed) of the points list,
// in chunks cut after separators (the chunks of a value read aside, or
// one). The list is read twice, to check it and then to draw it, rather
// than held as numbers.
func (w *svgDecoder) drawPoly(name string, points [][]byte) error {
	p := &w.p
	w.setElement(name, "points")
	n, err := scanNumberChunks(points, nil)
	if err != nil {
		return err
	}
	if n%2 == 1 {
		return fmt.Errorf("points has an odd number of coordinates (%d)", n)
	}
	if n < 2 {
		return nil
	}
	if n > 1<<14 {
		m := max(0, min(n/2+1, p.max-len(p.d.T)))
		p.d.XY = growUntouched(p.d.XY, 2*m)
		p.d.T = growUntouched(p.d.T, m)
	}
	var x0, y0, x, y float64
	i := 0
	_, _ = scanNumberChunks(points, func(v float64) {
		if i%2 == 0 {
			x = v
		} else {
			y = v
			switch i {
			case 1:
				x0, y0 = x, y
				p.move(x, y)
				p.begin()
			default:
				p.line(x, y)
			}
		}
		i++
	})
	if name == "polygon" && n > 2 && (x0 != x || y0 != y) {
		p.line(x0, y0)
	}
	return p.err
}

// drawRect draws a <rect>, with its corners rounded by rx and ry.
func (w *svgDecoder) drawRect(g *shapeGeometry, vw, vh float64) error {
	p := &w.p
	x, y, rw, rh := g.get("x", vw), g.get("y", vh), g.get("width", vw), g.get("height", vh)
	rxok, ryok := g.has("rx"), g.has("ry")
	var rxv, ryv float64
	if rxok {
		rxv = g.get("rx", vw)
	}
	if ryok {
		ryv = g.get("ry", vh)
	}
	if g.err != nil || rw <= 0 || rh <= 0 {
		return g.err
	}
	switch {
	case rxok && !ryok:
		ryv = rxv
	case ryok && !rxok:
		rxv = ryv
	}
	rxv, ryv = math.Min(math.Max(rxv, 0), rw/2), math.Min(math.Max(ryv, 0), rh/2)
	w.setElement(g.name, "")
	p.move(x+rxv, y)
	p.line(x+rw-rxv, y)
	if rxv > 0 && ryv > 0 {
		p.arc(x+rw-rxv, y, rxv, ryv, 0, false, true, x+rw, y+ryv)
	}
	p.line(x+rw, y+rh-ryv)
	if rxv > 0 && ryv > 0 {
		p.arc(x+rw, y+rh-ryv, rxv, ryv, 0, false, true, x+rw-rxv, y+rh)
	}
	p.line(x+rxv, y+rh)
	if rxv > 0 && ryv > 0 {
		p.arc(x+rxv, y+rh, rxv, ryv, 0, false, true, x, y+rh-ryv)
	}
	p.line(x, y+ryv)
	if rxv > 0 && ryv > 0 {
		p.arc(x, y+ryv, rxv, ryv, 0, false, true, x+rxv, y)
	}
	return p.err
}

// drawEllipse draws a <circle> or an <ellipse>.
func (w *svgDecoder) drawEllipse(g *shapeGeometry, vw, vh float64) error {
	p := &w.p
	cx, cy := g.get("cx", vw), g.get("cy", vh)
	var rx, ry float64
	if g.name == "circle" {
		rx = g.get("r", math.Sqrt((vw*vw+vh*vh)/2))
		ry = rx
	} else {
		rx, ry = g.get("rx", vw), g.get("ry", vh)
		switch rxok, ryok := g.has("rx"), g.has("ry"); {
		case rxok && !ryok:
			ry = rx
		case ryok && !rxok:
			rx = ry
		}
	}
	if g.err != nil || rx <= 0 || ry <= 0 {
		return g.err
	}
	w.setElement(g.name, "")
	p.move(cx+rx, cy)
	p.ellipse(cx, cy, rx, ry, 0, 1, 0, 2*math.Pi, cx+rx, cy)
	return p.err
}
