// Package format loads and saves drawings: mbotdraw JSON (the native format),
// Quick, Draw! ndjson (raw, with times, and simplified, without) and SVG;
// and loads the ink of other apps: write-math JSON, MyScript iink JSON,
// tldraw v1 documents and Excalidraw libraries and scenes; and pen
// recordings: W3C InkML and BDALab SVC tablet samples.
//
// Every loader returns drawings that pass playback.Drawing.Validate: finite
// coordinates within ±playback.MaxCoord, non-empty strokes, times in
// milliseconds that start at 0 and never decrease. Input without times gets
// them from a pen speed (playback.Drawing.AssignTimes), so every drawing plays.
//
// Bad input never panics: every loader returns an *Error that names the file
// and the place (line and column, byte offset, or SVG element) in one line.
//
// Colours: Stroke.Color and Drawing.Background are color.RGBA, which Go
// defines as alpha-premultiplied. Files write colours the CSS way, straight
// (not premultiplied): "#rrggbb" or "#rrggbbaa". Loading premultiplies and
// saving divides back, which round-trips exactly.
package format

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mbotdraw/atomicfile"
	"mbotdraw/playback"
)

// Format names a file format.
type Format int

// The formats this package knows.
const (
	Unknown    Format = iota
	JSON              // mbotdraw JSON (.json, .mbd.json)
	QuickDraw         // Quick, Draw! ndjson, raw or simplified (.ndjson)
	SVG               // SVG 1.1 line art (.svg)
	WriteMath         // write-math.com JSON (.json), load only
	MyScript          // MyScript iink JSON (.json), load only
	Tldraw            // tldraw v1 document (.tldr), load only
	Excalidraw        // Excalidraw library or scene (.excalidrawlib, .excalidraw), load only
	InkML             // W3C InkML (.inkml), load only
	SVC               // BDALab SVC tablet samples (.svc), load only
)

// DefaultTolerance is the curve flattening tolerance, in drawing units, when
// Options.Tolerance is 0: a flattened curve strays at most this far from the
// true one.
const DefaultTolerance = 0.25

// Options configures loading. The zero value loads the first drawing of a
// file, flattens curves to DefaultTolerance and times untimed input at
// playback.DefaultPenSpeed.
type Options struct {
	// Index chooses a drawing of a many-drawing file (Quick, Draw! ndjson,
	// a tldraw page, an Excalidraw library item), counting from 0. Load only.
	Index int
	// KeyID chooses a Quick, Draw! drawing by its key_id instead of by Index.
	// Load only.
	KeyID string
	// Gallery lays every drawing of the file out in a grid as one drawing,
	// played one after another.
	Gallery bool
	// Tolerance is the curve flattening tolerance in drawing units
	// (0: DefaultTolerance).
	Tolerance float64
	// PenSpeed times untimed input, in drawing units per second
	// (0: playback.DefaultPenSpeed).
	PenSpeed float64
	// MaxPoints is the most points a drawing may have (0 or less:
	// DefaultMaxPoints); it also bounds the file's size, BytesPerPoint
	// bytes a point (see ErrTooBig). Loading every drawing of a file, or a
	// gallery, bounds them together.
	MaxPoints int
}

func (o Options) tolerance() float64 {
	if !(o.Tolerance > 0) || o.Tolerance > 1e6 {
		return DefaultTolerance
	}
	return o.Tolerance
}

// Error is a load or save error that says where: the file, and the place in
// it. Its message is one line:
//
//	FILE:LINE:COL: msg              (a text position)
//	FILE: byte N: msg               (a byte offset, for input with no lines)
//	FILE:LINE:COL: <path d> element 3: msg   (an SVG element)
type Error struct {
	File string
	// Line and Col are 1-based; 0 when unknown.
	Line, Col int
	// Offset is the byte offset in the file; negative when there is no place
	// (a missing drawing, an unreadable file).
	Offset int64
	// Element names an SVG element and attribute, with the element's ordinal
	// among its kind ("<path d> element 3").
	Element string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	case e.Element == "" && e.Offset >= 0:
		fmt.Fprintf(&b, ": byte %d", e.Offset)
	}
	if e.Element != "" {
		b.WriteString(": ")
		b.WriteString(e.Element)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(oneLine(e.Err.Error()))
	} else {
		b.WriteString("error")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// ErrNotDrawing is the error (wrapped in *Error) for content that is none of
// the supported formats.
var ErrNotDrawing = errors.New("not a drawing: expected mbotdraw JSON, Quick, Draw! ndjson, SVG, write-math or MyScript JSON, tldraw, Excalidraw, InkML or SVC")

// errAt returns an *Error for byte offset off of data, with line and column.
func errAt(name string, data []byte, off int, err error) *Error {
	if off < 0 {
		off = 0
	}
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return &Error{File: name, Line: line, Col: col, Offset: int64(off), Err: err}
}

// noPlace returns an *Error that names only the file.
func noPlace(name string, err error) *Error {
	return &Error{File: name, Offset: -1, Err: err}
}

// Load reads one drawing from a file: the drawing Options.Index or
// Options.KeyID chooses from a many-drawing file, or with Options.Gallery
// all of them laid out in a grid.
func Load(path string, o Options) (*playback.Drawing, error) {
	src, err := openSource(path, o)
	if err != nil {
		return nil, err
	}
	defer src.f.Close()
	if d, ok, err := src.stream(); ok {
		return d, err
	}
	if ds, _, ok, err := src.quickDraw(false, false); ok {
		return first(ds, err)
	}
	data, err := src.readAll()
	if err != nil {
		return nil, err
	}
	return decodeOne(path, data, o)
}

// LoadCounted is Load, and also says how many drawings the file holds:
// counted in the same pass for Quick, Draw! ndjson (whose drawings, one a
// line, need not fit in memory together), by decoding them all for the
// other many-drawing formats.
func LoadCounted(path string, o Options) (*playback.Drawing, int, error) {
	src, err := openSource(path, o)
	if err != nil {
		return nil, 0, err
	}
	defer src.f.Close()
	if d, ok, err := src.stream(); ok {
		return d, 1, err
	}
	if ds, n, ok, err := src.quickDraw(false, true); ok {
		d, err := first(ds, err)
		return d, n, err
	}
	data, err := src.readAll()
	if err != nil {
		return nil, 0, err
	}
	c := codecOf(Sniff(path, data))
	if c != nil && c.format == QuickDraw {
		return countQuickDraw(path, data, o)
	}
	d, err := decodeOne(path, data, o)
	if err != nil || c == nil || !c.many {
		return d, 1, err
	}
	o.Gallery = false
	ds, err := Decode(path, data, o)
	return d, len(ds), err
}

// LoadAll reads every drawing of a file (one for JSON and SVG); with
// Options.Gallery, the one gallery drawing. Index and KeyID are ignored.
func LoadAll(path string, o Options) ([]*playback.Drawing, error) {
	src, err := openSource(path, o)
	if err != nil {
		return nil, err
	}
	defer src.f.Close()
	if d, ok, err := src.stream(); ok {
		return one(d, err)
	}
	if ds, _, ok, err := src.quickDraw(true, false); ok {
		return ds, err
	}
	data, err := src.readAll()
	if err != nil {
		return nil, err
	}
	return Decode(path, data, o)
}

// Decode reads every drawing in data, like LoadAll; name is used in errors
// and its extension as a hint when the content does not tell the format.
//
// The drawings must be within o's size limits (see ErrTooBig).
func Decode(name string, data []byte, o Options) ([]*playback.Drawing, error) {
	ds, err := decode(name, data, o)
	if err != nil {
		return nil, err
	}
	if err := checkPoints(ds, o); err != nil {
		return nil, noPlace(name, err)
	}
	return ds, nil
}

func decode(name string, data []byte, o Options) ([]*playback.Drawing, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Offset: 0, Err: errors.New("the file is empty")}
	}
	c := codecOf(Sniff(name, data))
	if c == nil {
		return nil, &Error{File: name, Offset: int64(firstNonSpace(data)), Err: ErrNotDrawing}
	}
	if !c.perLine && int64(len(data)) > o.maxBytes() {
		return nil, noPlace(name, errTooManyBytes("the file", int64(len(data)), o))
	}
	return c.decode(name, data, o)
}

// first returns the first of a list of drawings.
func first(ds []*playback.Drawing, err error) (*playback.Drawing, error) {
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// one returns a single drawing as a list.
func one(d *playback.Drawing, err error) ([]*playback.Drawing, error) {
	if err != nil {
		return nil, err
	}
	return []*playback.Drawing{d}, nil
}

// many returns a many-drawing file's drawings, or with Options.Gallery the
// one gallery drawing.
func many(ds []*playback.Drawing, err error) func(Options) ([]*playback.Drawing, error) {
	return func(o Options) ([]*playback.Drawing, error) {
		if err != nil {
			return nil, err
		}
		if o.Gallery && len(ds) > 1 {
			return []*playback.Drawing{Gallery(ds)}, nil
		}
		return ds, nil
	}
}

func firstNonSpace(data []byte) int {
	i := 0
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i == len(data) {
		return 0
	}
	return i
}

// decodeOne reads the drawing Options.Index or Options.KeyID chooses, or
// with Options.Gallery the gallery of all.
func decodeOne(name string, data []byte, o Options) (*playback.Drawing, error) {
	c := codecOf(Sniff(name, data))
	switch {
	case c == nil: // Decode says why
	case c.choose != nil:
		return c.choose(name, data, o)
	case c.many:
		if o.KeyID != "" {
			return nil, noPlace(name, fmt.Errorf("key_id %q: a %s file has no key_ids (use the drawing index)", o.KeyID, c.format))
		}
		if o.Index < 0 {
			return nil, noPlace(name, fmt.Errorf("drawing index %d is negative", o.Index))
		}
		ds, err := Decode(name, data, o)
		if err != nil {
			return nil, err
		}
		if o.Gallery {
			return ds[0], nil
		}
		if o.Index >= len(ds) {
			return nil, noPlace(name, fmt.Errorf("drawing index %d is out of range: the file holds %d drawing%s", o.Index, len(ds), plural(len(ds))))
		}
		return ds[o.Index], nil
	default:
		if o.KeyID != "" {
			return nil, noPlace(name, fmt.Errorf("key_id %q: a %s file holds one drawing and no key_id", o.KeyID, c.format))
		}
		if o.Index != 0 {
			return nil, noPlace(name, fmt.Errorf("drawing index %d is out of range: a %s file holds 1 drawing", o.Index, c.format))
		}
	}
	ds, err := Decode(name, data, o)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// Save writes d to path in the format of path's extension (.json and
// .mbd.json: mbotdraw JSON; .svg: SVG). The file appears whole or not at
// all: it is written beside path and renamed over it, so a failure leaves
// no partial file and an existing file untouched.
func Save(path string, d *playback.Drawing) error {
	f := ByExtension(path)
	if c := codecOf(f); c == nil || c.encode == nil {
		return noPlace(path, fmt.Errorf("cannot save %q files: use .json (mbotdraw) or .svg", filepath.Ext(path)))
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return Encode(w, f, d) })
	if err != nil {
		return noPlace(path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the file name from an *os.PathError inside err (the
// temporary file's, or the one the caller names anyway): "op: cause".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// Encode writes d to w as format f (JSON or SVG). It checks d first and
// refuses a drawing that fails Validate.
func Encode(w io.Writer, f Format, d *playback.Drawing) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("invalid drawing: %w", err)
	}
	if c := codecOf(f); c != nil && c.encode != nil {
		return c.encode(w, d)
	}
	return fmt.Errorf("cannot encode format %s", f)
}
