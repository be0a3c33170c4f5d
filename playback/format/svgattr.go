package format

import (
	"bytes"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Long path data, read aside.
//
// encoding/xml holds an attribute's value in a growing buffer and then
// copies it into a string: a 190 MB d attribute costs about 2.3 times its
// size before the first point is drawn. bigAttrReader sits between the file
// and the XML decoder: it follows the markup, and the value of a d or
// points attribute that grows past bigAttrMin bytes is kept aside in chunks
// of about bigAttrChunk bytes, each cut after a separator (so no number or
// command spans two chunks), while the decoder sees a short key in its
// place. The decoder's element then takes the chunks by that key.
//
// Only values of plain ASCII (printable, tab, newline) are kept aside:
// anything XML would rewrite (a reference such as &#x20;, a carriage
// return) or reject (<, control bytes, bytes of other encodings) is passed
// through unchanged, so the decoder sees and reports exactly what it would
// without this reader. The key keeps the value's newlines, so line numbers
// stay the same; columns after a key are put right by bigAttrs.pos.

const (
	bigAttrMin   = 64 << 10 // values longer than this are kept aside
	bigAttrChunk = 1 << 20  // the size of the chunks they are kept in
)

// lexState is where bigAttrReader is in the markup.
type lexState uint8

const (
	lexText       lexState = iota
	lexLt                  // after <
	lexBang                // after <!
	lexBangDash            // after <!-
	lexComment             // in <!-- -->
	lexCDATAOpen           // in <![CDATA[
	lexCDATA               // in CDATA
	lexPI                  // in <? ?>
	lexDirective           // in <!DOCTYPE …> and the like
	lexDirLt               // after < in a directive
	lexDirComment          // in <!-- --> in a directive
	lexEndTag              // in </…>
	lexTagName             // in a start tag's name
	lexTag                 // in a start tag, between attributes
	lexAttrName            // in an attribute's name
	lexAfterName           // after an attribute's name, before =
	lexAfterEq             // after =, before the quote
	lexValue               // in an attribute's value
	lexSlash               // after / in a start tag
	lexLost                // the markup is not what XML allows: pass the rest through
)

// bigAttrs holds the values kept aside, until their elements take them.
type bigAttrs struct {
	prefix string // every key begins with it: "mbotdraw:" and a random nonce
	n      int
	values map[string][][]byte
	marks  []bigAttrMark
}

// bigAttrMark says that on the decoder's line, from column col on, columns
// are short of the file's by delta.
type bigAttrMark struct{ line, col, delta int }

// take returns the chunks of a value kept aside, when v is one's key, and
// forgets them.
func (a *bigAttrs) take(v string) ([][]byte, bool) {
	if a == nil || !strings.HasPrefix(v, a.prefix) {
		return nil, false
	}
	k := strings.TrimRight(v, "\n")
	c, ok := a.values[k]
	delete(a.values, k)
	return c, ok
}

// pos turns a position the decoder reports into the file's.
func (a *bigAttrs) pos(line, col int) (int, int) {
	if a == nil {
		return line, col
	}
	i := sort.Search(len(a.marks), func(i int) bool { return a.marks[i].line >= line })
	fileCol := col
	for ; i < len(a.marks) && a.marks[i].line == line && a.marks[i].col <= col; i++ {
		fileCol += a.marks[i].delta
	}
	return line, fileCol
}

// bigAttrReader passes an XML document through, keeping long d and points
// values aside (see above).
type bigAttrReader struct {
	r      io.Reader
	min    int // bigAttrMin, smaller in tests
	chunk  int // bigAttrChunk, smaller in tests
	in     []byte
	out    []byte
	outPos int
	err    error

	st     lexState
	b0, b1 byte // the last bytes, for terminators
	n      int  // bytes matched of "CDATA[" or "!--"
	quote  byte // the value's quote; in a directive, the open quote
	depth  int  // a directive's nesting
	name   [6]byte
	nameN  int  // the attribute name's length
	want   bool // the value being read may be kept aside
	aside  bool // it is being kept aside
	cur    []byte
	chunks [][]byte
	vlen   int // the value's bytes so far
	nl     int // its newlines
	tail   int // its bytes after its last newline

	// the position of the output's end, as the decoder counts it
	line, lineStart, emitted int

	attrs *bigAttrs
}

func newBigAttrReader(r io.Reader) *bigAttrReader {
	return &bigAttrReader{
		r: r, min: bigAttrMin, chunk: bigAttrChunk, line: 1,
		attrs: &bigAttrs{
			prefix: "mbotdraw:" + strconv.FormatUint(rand.Uint64(), 36) + ":",
			values: map[string][][]byte{},
		},
	}
}

func (z *bigAttrReader) Read(p []byte) (int, error) {
	if err := z.fill(); err != nil {
		return 0, err
	}
	n := copy(p, z.out[z.outPos:])
	z.outPos += n
	return n, nil
}

// ReadByte lets encoding/xml read without a bufio.Reader of its own.
func (z *bigAttrReader) ReadByte() (byte, error) {
	if z.outPos < len(z.out) {
		c := z.out[z.outPos]
		z.outPos++
		return c, nil
	}
	if err := z.fill(); err != nil {
		return 0, err
	}
	c := z.out[z.outPos]
	z.outPos++
	return c, nil
}

// fill reads input until there is output, or returns the input's error.
func (z *bigAttrReader) fill() error {
	for z.outPos == len(z.out) {
		if z.err != nil {
			return z.err
		}
		z.out, z.outPos = z.out[:0], 0
		if z.in == nil {
			z.in = make([]byte, 16<<10)
		}
		n, err := z.r.Read(z.in)
		z.lex(z.in[:n])
		if err != nil {
			z.err = err
			if err == io.EOF {
				z.release() // an unfinished value: the decoder reports it
			}
		}
	}
	return nil
}

func (z *bigAttrReader) emit(b []byte) {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		z.line += bytes.Count(b, []byte{'\n'})
		z.lineStart = z.emitted + i + 1
	}
	z.emitted += len(b)
	z.out = append(z.out, b...)
}

func (z *bigAttrReader) emitByte(c byte) {
	if c == '\n' {
		z.line++
		z.lineStart = z.emitted + 1
	}
	z.emitted++
	z.out = append(z.out, c)
}

// plainValue marks the bytes that XML passes through an attribute value
// unchanged.
var plainValue = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '&' && c != '<'
	}
	t['\t'], t['\n'] = true, true
	return t
}()

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isXMLNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-' || c >= 0x80
}

// lex reads b, following the markup as encoding/xml does.
func (z *bigAttrReader) lex(b []byte) {
	for len(b) > 0 {
		switch z.st {
		case lexText:
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				z.emit(b)
				return
			}
			z.emit(b[:i+1])
			b = b[i+1:]
			z.st = lexLt
		case lexLost:
			z.emit(b)
			return
		case lexValue:
			if !z.want {
				i := bytes.IndexByte(b, z.quote)
				if i < 0 {
					z.emit(b)
					return
				}
				z.emit(b[:i+1])
				b = b[i+1:]
				z.st = lexTag
				continue
			}
			i := 0
			for i < len(b) && b[i] != z.quote && plainValue[b[i]] {
				i++
			}
			z.keep(b[:i])
			b = b[i:]
			if len(b) == 0 {
				return
			}
			if b[0] == z.quote {
				z.endValue()
				z.emitByte(b[0])
				b = b[1:]
				z.st = lexTag
				continue
			}
			z.release() // a byte XML would change or reject
		default:
			c := b[0]
			b = b[1:]
			z.emitByte(c)
			z.step(c)
		}
	}
}

// step follows the markup over one byte, already emitted.
func (z *bigAttrReader) step(c byte) {
	switch z.st {
	case lexLt:
		switch {
		case c == '/':
			z.st = lexEndTag
		case c == '?':
			z.st, z.b0 = lexPI, 0
		case c == '!':
			z.st = lexBang
		case isXMLNameByte(c):
			z.st = lexTagName
		default:
			z.st = lexLost
		}
	case lexBang:
		switch c {
		case '-':
			z.st = lexBangDash
		case '[':
			z.st, z.n = lexCDATAOpen, 0
		default: // the directive's first byte is not looked at
			z.st, z.quote, z.depth = lexDirective, 0, 0
		}
	case lexBangDash:
		z.st, z.b0, z.b1 = lexComment, 0, 0
		if c != '-' {
			z.st = lexLost
		}
	case lexComment, lexDirComment:
		if z.b0 == '-' && z.b1 == '-' {
			switch {
			case c != '>':
				z.st = lexLost
			case z.st == lexComment:
				z.st = lexText
			default:
				z.st = lexDirective
			}
			return
		}
		z.b0, z.b1 = z.b1, c
	case lexCDATAOpen:
		if c != "CDATA["[z.n] {
			z.st = lexLost
			return
		}
		z.n++
		if z.n == len("CDATA[") {
			z.st, z.b0, z.b1 = lexCDATA, 0, 0
		}
	case lexCDATA:
		if z.b0 == ']' && z.b1 == ']' && c == '>' {
			z.st = lexText
			return
		}
		z.b0, z.b1 = z.b1, c
	case lexPI:
		if z.b0 == '?' && c == '>' {
			z.st = lexText
			return
		}
		z.b0 = c
	case lexDirective:
		z.directive(c)
	case lexDirLt:
		if c == "!--"[z.n] {
			z.n++
			if z.n == len("!--") {
				z.st, z.b0, z.b1 = lexDirComment, 0, 0
			}
			return
		}
		z.st = lexDirective
		z.depth++
		z.directive(c)
	case lexEndTag:
		if c == '>' {
			z.st = lexText
		}
	default:
		z.tag(c)
	}
}

// directive follows <!DOCTYPE …> as encoding/xml does: quoted angle
// brackets do not count for nesting, and comments are skipped.
func (z *bigAttrReader) directive(c byte) {
	switch {
	case z.quote == 0 && c == '>' && z.depth == 0:
		z.st = lexText
	case c == z.quote:
		z.quote = 0
	case z.quote != 0:
	case c == '\'' || c == '"':
		z.quote = c
	case c == '>':
		z.depth--
	case c == '<':
		z.st, z.n = lexDirLt, 0
	}
}

// tag follows a start tag over one byte.
func (z *bigAttrReader) tag(c byte) {
	switch z.st {
	case lexTagName:
		switch {
		case isXMLNameByte(c):
		case isXMLSpace(c):
			z.st = lexTag
		default:
			z.endTag(c)
		}
	case lexTag:
		switch {
		case isXMLSpace(c):
		case c == '>' || c == '/':
			z.endTag(c)
		case isXMLNameByte(c):
			z.st, z.nameN = lexAttrName, 0
			z.addName(c)
		default:
			z.st = lexLost
		}
	case lexAttrName:
		switch {
		case isXMLNameByte(c):
			z.addName(c)
		case isXMLSpace(c):
			z.st = lexAfterName
		case c == '=':
			z.st = lexAfterEq
		default:
			z.st = lexLost
		}
	case lexAfterName:
		switch {
		case isXMLSpace(c):
		case c == '=':
			z.st = lexAfterEq
		default:
			z.st = lexLost
		}
	case lexAfterEq:
		switch {
		case isXMLSpace(c):
		case c == '"' || c == '\'':
			name := string(z.name[:min(z.nameN, len(z.name))])
			z.st, z.quote = lexValue, c
			z.want = z.nameN <= len(z.name) && (name == "d" || name == "points")
			z.vlen, z.nl, z.tail = 0, 0, 0
		default:
			z.st = lexLost
		}
	case lexSlash:
		if c == '>' {
			z.st = lexText
		} else {
			z.st = lexLost
		}
	}
}

func (z *bigAttrReader) endTag(c byte) {
	switch c {
	case '>':
		z.st = lexText
	case '/':
		z.st = lexSlash
	default:
		z.st = lexLost
	}
}

func (z *bigAttrReader) addName(c byte) {
	if z.nameN < len(z.name) {
		z.name[z.nameN] = c
	}
	z.nameN++
}

// keep takes plain bytes of a value that may be kept aside.
func (z *bigAttrReader) keep(b []byte) {
	if len(b) == 0 {
		return
	}
	z.vlen += len(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		z.nl += bytes.Count(b, []byte{'\n'})
		z.tail = len(b) - i - 1
	} else {
		z.tail += len(b)
	}
	from := len(z.cur) // the bytes not yet looked at for a cut
	z.cur = append(z.cur, b...)
	if !z.aside {
		if len(z.cur) <= z.min {
			return
		}
		z.aside, from = true, 0
		z.cur = append(make([]byte, 0, max(z.chunk, len(z.cur))), z.cur...)
	}
	// Cut after the first separator at or past the chunk size.
	for len(z.cur) >= z.chunk {
		i := max(from, z.chunk-1)
		for i < len(z.cur) && !isCutByte(z.cur[i]) {
			i++
		}
		if i == len(z.cur) {
			return
		}
		rest := z.cur[i+1:]
		z.chunks = append(z.chunks, z.cur[:i+1:i+1])
		z.cur = append(make([]byte, 0, max(z.chunk, len(rest))), rest...)
		from = 0
	}
}

// isCutByte says whether a chunk may end with c: a separator of path data
// and number lists.
func isCutByte(c byte) bool { return c == ' ' || c == ',' || c == '\n' || c == '\t' }

// endValue ends a value that may be kept aside: a long one is replaced by
// its key.
func (z *bigAttrReader) endValue() {
	if !z.aside {
		z.emit(z.cur)
		z.cur, z.want = z.cur[:0], false
		return
	}
	if len(z.cur) > 0 {
		z.chunks = append(z.chunks, z.cur)
	}
	a := z.attrs
	a.n++
	key := a.prefix + strconv.Itoa(a.n)
	a.values[key] = z.chunks
	z.emit([]byte(key))
	delta := z.vlen - len(key)
	if z.nl > 0 {
		z.emit(bytes.Repeat([]byte{'\n'}, z.nl))
		delta = z.tail
	}
	a.marks = append(a.marks, bigAttrMark{line: z.line, col: z.emitted - z.lineStart + 1, delta: delta})
	z.chunks, z.cur, z.aside, z.want = nil, nil, false, false
}

// release passes on what was taken of the value being read, and the rest
// of it, unchanged.
func (z *bigAttrReader) release() {
	if !z.want {
		return
	}
	for _, c := range z.chunks {
		z.emit(c)
	}
	z.emit(z.cur)
	if z.aside {
		z.cur = nil
	} else {
		z.cur = z.cur[:0]
	}
	z.chunks, z.aside, z.want = nil, false, false
}
