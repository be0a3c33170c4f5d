package wire

// The JSON lexer under the decoder: numbers, strings with their escapes,
// and the values it skips.

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// skipDigits returns the index of the first byte at or after i in b that
// is not an ASCII digit.
func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// number reads a JSON number literal. It returns nil and an error when no
// number starts here; frac reports a fraction or an exponent.
func (d *decoder) number() (lit []byte, frac bool, err error) {
	start := d.i
	b := d.b
	i := d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		if i == start {
			return nil, false, d.unexpected("a number")
		}
		d.i = i
		return b[start:i], false, d.unexpected("a digit")
	}
	if i < len(b) && b[i] == '.' {
		frac = true
		i++
		j := i
		i = skipDigits(b, i)
		if i == j {
			d.i = i
			return b[start:i], true, d.unexpected("a digit after '.'")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		frac = true
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		i = skipDigits(b, i)
		if i == j {
			d.i = i
			return b[start:i], true, d.unexpected("a digit in the exponent")
		}
	}
	d.i = i
	return b[start:i], frac, nil
}

// parseFloat parses a checked JSON number literal, correctly rounded: short
// literals exactly in float64 arithmetic (Clinger's fast path), others with
// strconv. It reports false for a value beyond float64's range.
func parseFloat(lit []byte) (float64, bool) {
	neg := lit[0] == '-'
	i := 0
	if neg {
		i = 1
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		if mant != 0 || lit[i] != '0' {
			digits++
		}
		mant = mant*10 + uint64(lit[i]-'0')
		if digits > 15 {
			return slowFloat(lit)
		}
	}
	if i < len(lit) && lit[i] == '.' {
		for i++; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			if mant != 0 || lit[i] != '0' {
				digits++
			}
			mant = mant*10 + uint64(lit[i]-'0')
			exp--
			if digits > 15 {
				return slowFloat(lit)
			}
		}
	}
	if i < len(lit) {
		return slowFloat(lit) // an exponent
	}
	if exp < -22 {
		return slowFloat(lit)
	}
	v := float64(mant)
	if exp < 0 {
		v /= pow10[-exp]
	}
	if neg {
		v = -v
	}
	return v, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func slowFloat(lit []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(lit), 64)
	return v, err == nil
}

// str reads a JSON string at d.i (which is '"') and returns its contents:
// a slice of the message when it has no escapes, else of d.scratch. Either is
// valid until the next call.
func (d *decoder) str() ([]byte, error) {
	d.i++ // '"'
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return nil, d.syntax("control character %#x in a string", c)
		}
		d.i++
	}
	return nil, d.syntax("unexpected end of message in a string")
}

// escaped finishes a string that has escapes, from start.
func (d *decoder) escaped(start int) ([]byte, error) {
	d.scratch = append(d.scratch[:0], d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.scratch, nil
		case c < 0x20:
			return nil, d.syntax("control character %#x in a string", c)
		case c != '\\':
			d.scratch = append(d.scratch, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			break
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			d.scratch = append(d.scratch, e)
		case 'b':
			d.scratch = append(d.scratch, '\b')
		case 'f':
			d.scratch = append(d.scratch, '\f')
		case 'n':
			d.scratch = append(d.scratch, '\n')
		case 'r':
			d.scratch = append(d.scratch, '\r')
		case 't':
			d.scratch = append(d.scratch, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return nil, d.syntax(`bad \u escape in a string`)
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if v, ok := d.hex4(); ok {
						r2 = v
					} else {
						d.i = save
					}
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
				} else {
					r = utf8.RuneError
					if r2 >= 0 {
						d.i -= 6 // not a pair: the second escape stands alone
					}
				}
			}
			d.scratch = utf8.AppendRune(d.scratch, r)
		default:
			d.i--
			return nil, d.syntax(`bad escape \%c in a string`, e)
		}
	}
	return nil, d.syntax("unexpected end of message in a string")
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.b)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
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
	d.i += 4
	return r, true
}

// skip reads and checks any JSON value.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.syntax("values nested more than %d deep", maxDepth)
	}
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, _, err := d.number()
		return err
	case c == 't' && len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
	case c == 'f' && len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
	case c == 'n' && d.null():
	case c == '[':
		d.i++
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			if d.peek() == ',' {
				d.i++
				continue
			}
			return d.expect(']')
		}
	case c == '{':
		d.i++
		if d.peek() == '}' {
			d.i++
			return nil
		}
		for {
			if d.peek() != '"' {
				return d.unexpected("a field name")
			}
			if _, err := d.str(); err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			if d.peek() == ',' {
				d.i++
				continue
			}
			return d.expect('}')
		}
	default:
		return d.unexpected("a value")
	}
	return nil
}
