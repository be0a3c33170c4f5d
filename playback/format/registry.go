package format

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"

	"mbotdraw/playback"
)

// codec is one format's entry in the table of formats: what a new format
// adds, in one place (as the image package's RegisterFormat does).
type codec struct {
	format Format
	name   string   // Format.String
	exts   []string // lower-case extensions, with the dot, that suggest it
	// sniff returns where, in the first bytes of a file (white space and a
	// byte order mark trimmed, at least one byte), the mark of the format
	// is: the earliest mark of all the formats wins, the first in the
	// table on a tie; -1 when it has none.
	sniff func(head []byte) int
	// extNot lists the first bytes with which the extension does not
	// decide for this format when no format has its mark in the file.
	extNot string
	// decode reads every drawing of data (with Options.Gallery, the one
	// gallery drawing).
	decode func(name string, data []byte, o Options) ([]*playback.Drawing, error)
	// choose, when not nil, decodes only the drawing Options.Index or
	// Options.KeyID chooses (Quick, Draw!).
	choose func(name string, data []byte, o Options) (*playback.Drawing, error)
	// many: a file holds many drawings, chosen by Options.Index.
	many bool
	// perLine: a file holds a drawing a line, and the byte limit is on
	// each line rather than on the file (Quick, Draw! ndjson).
	perLine bool
	// stream, when not nil, decodes a long file of one drawing as it reads
	// it, so that the file need not be in memory whole.
	stream func(name string, r io.Reader, o Options) (*playback.Drawing, error)
	// encode writes a drawing; nil: the format is read only.
	encode func(w io.Writer, d *playback.Drawing) error
}

// codecs is the table of formats, in the order that breaks ties in Sniff.
var codecs = []codec{
	{format: JSON, name: "mbotdraw", exts: []string{".json"}, extNot: "<",
		sniff: func(h []byte) int { return objectKey(h, `"strokes"`, `"mbotdraw"`) },
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeJSON(name, data, o))
		},
		encode: encodeJSON},
	{format: QuickDraw, name: "quickdraw", exts: []string{".ndjson"}, extNot: "<",
		sniff: sniffQuickDraw,
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			ds, err := decodeQuickDraw(name, data, o, selectAll)
			if err != nil || !o.Gallery {
				return ds, err
			}
			return []*playback.Drawing{Gallery(ds)}, nil
		},
		choose: chooseQuickDraw, many: true, perLine: true},
	{format: SVG, name: "svg", exts: []string{".svg"}, extNot: "{",
		sniff: func(h []byte) int {
			if h[0] != '<' {
				return -1
			}
			return bytes.Index(h, []byte("<svg"))
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeSVG(name, data, o))
		},
		stream: readSVG, encode: encodeSVG},
	{format: WriteMath, name: "writemath", extNot: "<{",
		sniff: func(h []byte) int { // [[{: strokes of point objects
			if h[0] == '[' && next(h, 1) == '[' && next(h, nextIndex(h, 1)+1) == '{' {
				return 0
			}
			return -1
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeWriteMath(name, data, o))
		}},
	{format: MyScript, name: "myscript", extNot: "<{",
		sniff: func(h []byte) int { // [{: a list of items
			if h[0] == '[' && next(h, 1) == '{' {
				return 0
			}
			return -1
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeMyScript(name, data, o))
		}},
	{format: Tldraw, name: "tldraw", exts: []string{".tldr"}, extNot: "<",
		sniff: func(h []byte) int { return objectKey(h, `"document"`) },
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return many(decodeTldraw(name, data, o))(o)
		},
		many: true},
	{format: Excalidraw, name: "excalidraw", exts: []string{".excalidrawlib", ".excalidraw"}, extNot: "<",
		sniff: func(h []byte) int {
			if h[0] != '{' {
				return -1
			}
			return excalidrawType(h)
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return many(decodeExcalidraw(name, data, o))(o)
		},
		many: true},
	{format: InkML, name: "inkml", exts: []string{".inkml"}, extNot: "<{",
		sniff: func(h []byte) int {
			if h[0] == '<' && sniffInkML(h) {
				return 0
			}
			return -1
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeInkML(name, data, o))
		}},
	{format: SVC, name: "svc", exts: []string{".svc"}, extNot: "<{",
		sniff: func(h []byte) int {
			if h[0] >= '0' && h[0] <= '9' && sniffSVC(h) {
				return 0
			}
			return -1
		},
		decode: func(name string, data []byte, o Options) ([]*playback.Drawing, error) {
			return one(decodeSVC(name, data, o))
		}},
}

// codecOf returns the table's entry for f, or nil.
func codecOf(f Format) *codec {
	for i := range codecs {
		if codecs[i].format == f {
			return &codecs[i]
		}
	}
	return nil
}

func (f Format) String() string {
	if c := codecOf(f); c != nil {
		return c.name
	}
	return "unknown"
}

// ByExtension returns the format a file name's extension suggests.
func ByExtension(name string) Format {
	ext := strings.ToLower(filepath.Ext(name))
	for _, c := range codecs {
		for _, e := range c.exts {
			if e == ext {
				return c.format
			}
		}
	}
	return Unknown
}

// sniffWindow bounds how much of a file Sniff looks at.
const sniffWindow = 64 << 10

// Sniff tells the format from the content, using the name's extension only
// where the content does not decide: the format whose mark comes first in
// the file; without a mark, the extension's format if it can begin so, or
// mbotdraw JSON for a JSON object.
func Sniff(name string, data []byte) Format {
	ext := ByExtension(name)
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	i := 0
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	head := data[i:min(len(data), i+sniffWindow)]
	if len(head) == 0 {
		return ext
	}
	best, f := -1, Unknown
	for _, c := range codecs {
		if at := c.sniff(head); at >= 0 && (best < 0 || at < best) {
			best, f = at, c.format
		}
	}
	switch c := codecOf(ext); {
	case f != Unknown:
		return f
	case c != nil && !strings.ContainsRune(c.extNot, rune(head[0])):
		return ext
	case head[0] == '{':
		return JSON
	}
	return Unknown
}

// objectKey returns where the first of keys is in a JSON object's first
// bytes, or -1.
func objectKey(h []byte, keys ...string) int {
	best := -1
	if h[0] != '{' {
		return -1
	}
	for _, k := range keys {
		if i := bytes.Index(h, []byte(k)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// sniffQuickDraw: an object with "drawing" (ndjson), or a bare drawing
// array [[[…: any other list, after write-math's and MyScript's, which
// have their marks at 0 and come first in the table.
func sniffQuickDraw(h []byte) int {
	if h[0] == '[' {
		return 1
	}
	return objectKey(h, `"drawing"`)
}

// excalidrawType returns the index of "type": "excalidraw…" in b, or -1.
func excalidrawType(b []byte) int {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(`"excalidraw`))
		if i < 0 {
			return -1
		}
		i += off
		k := bytes.TrimRight(b[:i], " \t\r\n")
		if bytes.HasSuffix(k, []byte(":")) && bytes.HasSuffix(bytes.TrimRight(k[:len(k)-1], " \t\r\n"), []byte(`"type"`)) {
			return i
		}
		off = i + 1
	}
}

// nextIndex returns the index of the first non-space byte of b at or after
// i (len(b) when there is none).
func nextIndex(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// next returns the first non-space byte of b at or after i, or 0.
func next(b []byte, i int) byte {
	if i = nextIndex(b, i); i < len(b) {
		return b[i]
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
