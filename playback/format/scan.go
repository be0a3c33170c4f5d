package format

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// scanner is a hand-rolled JSON tokenizer over a byte slice: no reflection
// and no per-value allocations, so a million points load in a fraction of a
// second. Its errors are *synError values that carry the byte offset.
type scanner struct {
	data []byte
	pos  int
	end  int // scan data[:end]; one line of an ndjson file
}

// synError is an error at a byte offset of the input.
type synError struct {
	off int
	err error
}

func (e *synError) Error() string { return e.err.Error() }

func (s *scanner) errf(off int, format string, a ...any) error {
	return &synError{off: off, err: fmt.Errorf(format, a...)}
}

// maxDepth bounds the nesting of JSON values that are skipped.
const maxDepth = 512

func (s *scanner) ws() {
	for s.pos < s.end {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < s.end {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) describe(off int) string {
	if off >= s.end {
		return "end of input"
	}
	c := s.data[off]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// expect consumes byte c after white space.
func (s *scanner) expect(c byte, what string) error {
	s.ws()
	if s.pos < s.end && s.data[s.pos] == c {
		s.pos++
		return nil
	}
	return s.errf(s.pos, "expected %s, found %s", what, s.describe(s.pos))
}

// begin consumes the byte c that begins what (an array or an object),
// after white space.
func (s *scanner) begin(c byte, what string) error {
	s.ws()
	if s.pos < s.end && s.data[s.pos] == c {
		s.pos++
		return nil
	}
	return s.errf(s.pos, "expected '%c' to begin %s, found %s", c, what, s.describe(s.pos))
}

// more reports, inside an array or object, whether another element follows:
// it consumes a ',' (true) or the closing byte (false).
func (s *scanner) more(closing byte, what string) (bool, error) {
	s.ws()
	if s.pos < s.end {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			return true, nil
		case closing:
			s.pos++
			return false, nil
		}
	}
	return false, s.errf(s.pos, "expected ',' or '%c' in %s, found %s", closing, what, s.describe(s.pos))
}

// numberToken returns the bytes of the number that starts at pos.
func (s *scanner) numberToken() ([]byte, int, error) {
	s.ws()
	start := s.pos
	i := start
	for i < s.end {
		c := s.data[i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			i++
			continue
		}
		break
	}
	if i == start {
		return nil, start, s.errf(start, "expected a number, found %s", s.describe(start))
	}
	s.pos = i
	return s.data[start:i], start, nil
}

var errRange = errors.New("out of range")

// number parses a JSON number as a float of bitSize bits (32 or 64).
func (s *scanner) number(bitSize int) (float64, int, error) {
	s.ws()
	if v, next, ok := fastNumber(s.data, s.pos, s.end, bitSize == 32); ok {
		off := s.pos
		s.pos = next
		return v, off, nil
	}
	tok, off, err := s.numberToken()
	if err != nil {
		return 0, off, err
	}
	v, err := parseFloat(tok, bitSize)
	if err != nil {
		if errors.Is(err, errRange) {
			return 0, off, s.errf(off, "number %s is out of range", clip(tok))
		}
		return 0, off, s.errf(off, "malformed number %q", clip(tok))
	}
	return v, off, nil
}

var pow10f64 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastNumber parses the plain number at data[i:end] in one pass ("-123.25",
// "1.0641689e+07"): a mantissa below 2^53 and a power of ten within ±22
// make one exact float64 multiplication or division, which rounds
// correctly. For float32 (bits32) the float64 result is rounded again,
// which is exact unless the float64 lies on a float32 rounding boundary;
// those, and every other number, report ok false for strconv to handle.
func fastNumber(data []byte, i, end int, bits32 bool) (v float64, next int, ok bool) {
	neg := false
	if i < end && data[i] == '-' {
		neg = true
		i++
	}
	var mant uint64
	nd, exp := 0, 0
	start := i
	for ; i < end; i++ {
		c := data[i] - '0'
		if c > 9 {
			break
		}
		if mant != 0 || c != 0 {
			nd++
		}
		mant = mant*10 + uint64(c)
	}
	if i == start || nd > 15 {
		return 0, 0, false
	}
	if i < end && data[i] == '.' {
		i++
		fs := i
		for ; i < end; i++ {
			c := data[i] - '0'
			if c > 9 {
				break
			}
			if mant != 0 || c != 0 {
				nd++
			}
			mant = mant*10 + uint64(c)
			exp--
		}
		if i == fs || nd > 15 {
			return 0, 0, false
		}
	}
	if i < end && (data[i] == 'e' || data[i] == 'E') {
		i++
		eneg := false
		if i < end && (data[i] == '+' || data[i] == '-') {
			eneg = data[i] == '-'
			i++
		}
		es, e := i, 0
		for ; i < end && i-es < 4; i++ {
			c := data[i] - '0'
			if c > 9 {
				break
			}
			e = e*10 + int(c)
		}
		if i == es {
			return 0, 0, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i < end {
		switch data[i] {
		case '.', 'e', 'E', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return 0, 0, false
		}
	}
	f := float64(mant)
	switch {
	case mant == 0 || exp == 0:
	case exp > 0 && exp <= 22:
		f *= pow10f64[exp]
	case exp < 0 && exp >= -22:
		f /= pow10f64[-exp]
	default:
		return 0, 0, false
	}
	if bits32 {
		if mant >= 1<<24 || exp != 0 {
			// 29 bits of the float64 mantissa are rounded away; a value
			// at (or beside) a float32 halfway point might round wrongly.
			if low := math.Float64bits(f) & (1<<29 - 1); low >= 1<<28-1 && low <= 1<<28+1 {
				return 0, 0, false
			}
		}
		if f > math.MaxFloat32 || (f != 0 && f < 0x1p-126) {
			return 0, 0, false // overflow or subnormal: strconv says
		}
		f = float64(float32(f))
	}
	if neg {
		f = -f
	}
	return f, i, true
}

// parseFloat parses a decimal number with strconv, without allocating.
func parseFloat(tok []byte, bitSize int) (float64, error) {
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(tok), len(tok)), bitSize)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errRange
		}
		return 0, err
	}
	return v, nil
}

// clip shortens a token for an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

// str parses a JSON string and returns its value.
func (s *scanner) str() (string, int, error) {
	s.ws()
	off := s.pos
	if s.pos >= s.end || s.data[s.pos] != '"' {
		return "", off, s.errf(off, "expected a string, found %s", s.describe(off))
	}
	i := s.pos + 1
	// Fast path: no escapes.
	for i < s.end {
		c := s.data[i]
		if c == '"' {
			v := string(s.data[s.pos+1 : i])
			if !utf8.ValidString(v) {
				return "", off, s.errf(off, "string is not valid UTF-8")
			}
			s.pos = i + 1
			return v, off, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	buf := make([]byte, 0, i-s.pos+16)
	buf = append(buf, s.data[s.pos+1:i]...)
	for i < s.end {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(buf) {
				return "", off, s.errf(off, "string is not valid UTF-8")
			}
			return string(buf), off, nil
		case c < 0x20:
			return "", off, s.errf(i, "control character in string")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= s.end {
			break
		}
		e := s.data[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := s.hex4(i)
			if !ok {
				return "", off, s.errf(i-2, "bad \\u escape in string")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := s.hex4(i + 2); ok && i+1 < s.end && s.data[i] == '\\' && s.data[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", off, s.errf(i-2, "bad escape \\%c in string", e)
		}
	}
	return "", off, s.errf(off, "unterminated string")
}

func (s *scanner) hex4(i int) (rune, bool) {
	if i+4 > s.end {
		return 0, false
	}
	var r rune
	for _, c := range s.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// literal consumes true, false or null.
func (s *scanner) literal() (string, error) {
	s.ws()
	for _, w := range []string{"true", "false", "null"} {
		if s.end-s.pos >= len(w) && string(s.data[s.pos:s.pos+len(w)]) == w {
			s.pos += len(w)
			return w, nil
		}
	}
	return "", s.errf(s.pos, "expected a value, found %s", s.describe(s.pos))
}

// skip consumes any JSON value, nested at most maxDepth deep.
func (s *scanner) skip() error {
	var closers [maxDepth]byte
	depth := 0
	for {
		c := s.peek()
		off := s.pos
		switch {
		case c == '{' || c == '[':
			s.pos++
			if s.peek() == c+2 { // '{'+2 == '}', '['+2 == ']': empty
				s.pos++
				break
			}
			if depth == maxDepth {
				return s.errf(off, "values nested deeper than %d", maxDepth)
			}
			closers[depth] = c + 2
			depth++
			if c == '{' {
				if err := s.key(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if _, _, err := s.str(); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if _, _, err := s.number(64); err != nil {
				return err
			}
		default:
			if _, err := s.literal(); err != nil {
				return err
			}
		}
		// After a value: close containers, or go on to the next element.
	closing:
		for depth > 0 {
			s.ws()
			switch {
			case s.pos >= s.end:
				return s.errf(s.pos, "unexpected end of input")
			case s.data[s.pos] == closers[depth-1]:
				s.pos++
				depth--
			case s.data[s.pos] == ',':
				s.pos++
				if closers[depth-1] == '}' {
					if err := s.key(); err != nil {
						return err
					}
				}
				break closing
			default:
				return s.errf(s.pos, "expected ',' or '%c', found %s", closers[depth-1], s.describe(s.pos))
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// keyStr parses an object key: like str, but a key without escapes is
// returned without a copy, sharing the input's memory.
func (s *scanner) keyStr() (string, int, error) {
	s.ws()
	if s.pos < s.end && s.data[s.pos] == '"' {
		for i := s.pos + 1; i < s.end; i++ {
			c := s.data[i]
			if c == '\\' || c < 0x20 {
				break
			}
			if c == '"' {
				b := s.data[s.pos+1 : i]
				if !utf8.Valid(b) {
					break // str says why
				}
				off := s.pos
				s.pos = i + 1
				return unsafe.String(unsafe.SliceData(b), len(b)), off, nil
			}
		}
	}
	return s.str()
}

// key consumes an object key and its ':'.
func (s *scanner) key() error {
	if _, _, err := s.str(); err != nil {
		return err
	}
	return s.expect(':', "':' after key")
}

// object calls member for each key of the object that starts at pos; member
// must consume the value. The key may share memory with the input (no
// allocation for each key of a million strokes): member must not keep it
// beyond the call.
func (s *scanner) object(what string, member func(key string, keyOff int) error) error {
	if err := s.begin('{', what); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		k, off, err := s.keyStr()
		if err != nil {
			return err
		}
		if err := s.expect(':', "':' after key"); err != nil {
			return err
		}
		if err := member(k, off); err != nil {
			return err
		}
		more, err := s.more('}', what)
		if err != nil || !more {
			return err
		}
	}
}

// parseHexColor parses "#rgb", "#rgba", "#rrggbb" or "#rrggbbaa" (straight
// alpha) into a premultiplied color.RGBA.
func parseHexColor(v string) (color.RGBA, bool) {
	c, ok := parseHex(v)
	if !ok {
		return c, false
	}
	return premultiply(c.R, c.G, c.B, c.A), true
}

// parseHex parses a hex colour into a straight-alpha color.RGBA.
func parseHex(v string) (color.RGBA, bool) {
	if len(v) < 4 || v[0] != '#' {
		return color.RGBA{}, false
	}
	h := v[1:]
	var c [4]uint8
	c[3] = 255
	hexv := func(b byte) (uint8, bool) {
		switch {
		case b >= '0' && b <= '9':
			return b - '0', true
		case b >= 'a' && b <= 'f':
			return b - 'a' + 10, true
		case b >= 'A' && b <= 'F':
			return b - 'A' + 10, true
		}
		return 0, false
	}
	switch len(h) {
	case 3, 4:
		for i := 0; i < len(h); i++ {
			x, ok := hexv(h[i])
			if !ok {
				return color.RGBA{}, false
			}
			c[i] = x * 17
		}
	case 6, 8:
		for i := 0; i < len(h); i += 2 {
			a, ok1 := hexv(h[i])
			b, ok2 := hexv(h[i+1])
			if !ok1 || !ok2 {
				return color.RGBA{}, false
			}
			c[i/2] = a<<4 | b
		}
	default:
		return color.RGBA{}, false
	}
	return color.RGBA{c[0], c[1], c[2], c[3]}, true
}

func premultiply(r, g, b, a uint8) color.RGBA {
	if a == 255 {
		return color.RGBA{r, g, b, a}
	}
	m := func(v uint8) uint8 { return uint8((uint32(v)*uint32(a) + 127) / 255) }
	return color.RGBA{m(r), m(g), m(b), a}
}

// hexColor formats a premultiplied colour as straight "#rrggbb" or
// "#rrggbbaa".
func hexColor(c color.RGBA) string {
	const digits = "0123456789abcdef"
	r, g, b := unpremultiply(c)
	buf := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i, v := range []uint8{r, g, b} {
		buf[1+2*i], buf[2+2*i] = digits[v>>4], digits[v&15]
	}
	if c.A != 255 {
		buf = append(buf, digits[c.A>>4], digits[c.A&15])
	}
	return string(buf)
}

func unpremultiply(c color.RGBA) (r, g, b uint8) {
	if c.A == 255 {
		return c.R, c.G, c.B
	}
	if c.A == 0 {
		return 0, 0, 0
	}
	d := func(v uint8) uint8 {
		x := (uint32(v)*255 + uint32(c.A)/2) / uint32(c.A)
		return uint8(min(x, 255))
	}
	return d(c.R), d(c.G), d(c.B)
}

// finite32 reports whether v survives conversion to float32 as a finite
// value.
func finite32(v float64) bool {
	return !math.IsNaN(v) && math.Abs(v) <= math.MaxFloat32
}
