package format

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// affine is an SVG transform matrix [a b c d e f]:
//
//	x' = a*x + c*y + e
//	y' = b*x + d*y + f
type affine [6]float64

var identity = affine{1, 0, 0, 1, 0, 0}

// mul returns m·n: n applied first, then m.
func (m affine) mul(n affine) affine {
	return affine{
		m[0]*n[0] + m[2]*n[1],
		m[1]*n[0] + m[3]*n[1],
		m[0]*n[2] + m[2]*n[3],
		m[1]*n[2] + m[3]*n[3],
		m[0]*n[4] + m[2]*n[5] + m[4],
		m[1]*n[4] + m[3]*n[5] + m[5],
	}
}

func (m affine) apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// maxScale returns the largest factor by which m stretches a length.
func (m affine) maxScale() float64 {
	s := m[0]*m[0] + m[1]*m[1] + m[2]*m[2] + m[3]*m[3]
	det := m[0]*m[3] - m[1]*m[2]
	return math.Sqrt((s + math.Sqrt(math.Max(0, s*s-4*det*det))) / 2)
}

// meanScale returns the factor by which m scales a stroke width: the
// square root of the area scale.
func (m affine) meanScale() float64 {
	return math.Sqrt(math.Abs(m[0]*m[3] - m[1]*m[2]))
}

// parseTransform parses an SVG transform list: matrix, translate, scale,
// rotate (with an optional centre), skewX, skewY, separated by white space
// or commas.
func parseTransform(s string) (affine, error) {
	m := identity
	i := 0
	for {
		for i < len(s) && (isSVGSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return m, nil
		}
		j := i
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
			j++
		}
		name := s[i:j]
		for j < len(s) && isSVGSpace(s[j]) {
			j++
		}
		if name == "" || j >= len(s) || s[j] != '(' {
			return m, fmt.Errorf("malformed transform at byte %d: expected a function such as translate(…)", i)
		}
		k := strings.IndexByte(s[j:], ')')
		if k < 0 {
			return m, fmt.Errorf("malformed transform at byte %d: missing ')'", j)
		}
		args, err := parseNumberList(s[j+1 : j+k])
		if err != nil {
			return m, fmt.Errorf("transform %s: %v", name, err)
		}
		i = j + k + 1
		bad := func() (affine, error) {
			return m, fmt.Errorf("transform %s takes %s numbers, not %d", name, map[string]string{
				"matrix": "6", "translate": "1 or 2", "scale": "1 or 2", "rotate": "1 or 3", "skewX": "1", "skewY": "1"}[name], len(args))
		}
		var t affine
		switch name {
		case "matrix":
			if len(args) != 6 {
				return bad()
			}
			copy(t[:], args)
		case "translate":
			switch len(args) {
			case 1:
				t = affine{1, 0, 0, 1, args[0], 0}
			case 2:
				t = affine{1, 0, 0, 1, args[0], args[1]}
			default:
				return bad()
			}
		case "scale":
			switch len(args) {
			case 1:
				t = affine{args[0], 0, 0, args[0], 0, 0}
			case 2:
				t = affine{args[0], 0, 0, args[1], 0, 0}
			default:
				return bad()
			}
		case "rotate":
			if len(args) != 1 && len(args) != 3 {
				return bad()
			}
			a := args[0] * math.Pi / 180
			sin, cos := math.Sincos(a)
			t = affine{cos, sin, -sin, cos, 0, 0}
			if len(args) == 3 {
				cx, cy := args[1], args[2]
				t = affine{1, 0, 0, 1, cx, cy}.mul(t).mul(affine{1, 0, 0, 1, -cx, -cy})
			}
		case "skewX":
			if len(args) != 1 {
				return bad()
			}
			t = affine{1, 0, math.Tan(args[0] * math.Pi / 180), 1, 0, 0}
		case "skewY":
			if len(args) != 1 {
				return bad()
			}
			t = affine{1, math.Tan(args[0] * math.Pi / 180), 0, 1, 0, 0}
		default:
			return m, fmt.Errorf("unknown transform %q", name)
		}
		m = m.mul(t)
	}
}

func isSVGSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// parseNumberList parses numbers separated by white space and/or commas.
func parseNumberList(s string) ([]float64, error) {
	var out []float64
	if _, err := scanNumberList(s, 0, func(v float64) { out = append(out, v) }); err != nil {
		return nil, err
	}
	return out, nil
}

// scanNumberChunks is scanNumberList over chunks, each cut after a
// separator, so that no number spans two.
func scanNumberChunks(chunks [][]byte, f func(float64)) (int, error) {
	count, base := 0, 0
	for _, c := range chunks {
		if len(c) == 0 {
			continue
		}
		n, err := scanNumberList(unsafe.String(&c[0], len(c)), base, f)
		count += n
		if err != nil {
			return count, err
		}
		base += len(c)
	}
	return count, nil
}

// scanNumberList reads numbers separated by white space and/or commas,
// calling f (when not nil) with each, and returns how many there are.
// Errors give the byte offset plus base.
func scanNumberList(s string, base int, f func(float64)) (int, error) {
	i, count := 0, 0
	for {
		for i < len(s) && (isSVGSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return count, nil
		}
		v, n, err := scanSVGNumber(s[i:])
		if err != nil {
			return count, fmt.Errorf("at byte %d: %v", base+i, err)
		}
		if f != nil {
			f(v)
		}
		count++
		i += n
	}
}

var errNoNumber = errors.New("expected a number")

// scanSVGNumber reads one number at the start of s (SVG grammar: sign,
// digits, fraction, exponent; "1.5.5" is 1.5 then .5) and returns it with
// the bytes it used.
func scanSVGNumber(s string) (float64, int, error) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		if len(s) == 0 {
			return 0, 0, fmt.Errorf("%w, found the end", errNoNumber)
		}
		return 0, 0, fmt.Errorf("%w, found %q", errNoNumber, s[0])
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !math.IsInf(v, 0) {
			return v, i, nil // underflow to 0 is harmless
		}
		return 0, 0, fmt.Errorf("number %s is out of range", clip([]byte(s[:i])))
	}
	return v, i, nil
}

// parseLength parses an SVG length with an optional unit and returns it in
// user units (CSS pixels: 96 per inch). ref is what 100% is.
func parseLength(s string, ref float64) (float64, bool) {
	s = strings.TrimSpace(s)
	v, n, err := scanSVGNumber(s)
	if err != nil {
		return 0, false
	}
	unit := strings.TrimSpace(s[n:])
	var k float64
	switch strings.ToLower(unit) {
	case "", "px":
		k = 1
	case "pt":
		k = 96.0 / 72
	case "pc":
		k = 16
	case "mm":
		k = 96 / 25.4
	case "cm":
		k = 96 / 2.54
	case "q":
		k = 96 / 101.6
	case "in":
		k = 96
	case "em":
		k = 16
	case "ex":
		k = 8
	case "%":
		k = ref / 100
	default:
		return 0, false
	}
	v *= k
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// paint is an SVG fill or stroke.
type paint struct {
	kind uint8 // paintNone, paintColor, paintCurrent
	c    color.RGBA
}

const (
	paintNone uint8 = iota
	paintColor
	paintCurrent
)

// parsePaint parses a fill or stroke value; ok is false for a value to
// ignore (the property then inherits, as CSS does with invalid values).
func parsePaint(v string) (paint, bool) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "none", "transparent":
		return paint{kind: paintNone}, true
	case "currentcolor":
		return paint{kind: paintCurrent}, true
	case "", "inherit":
		return paint{}, false
	}
	if strings.HasPrefix(v, "url(") {
		// A gradient or pattern: use the fallback colour, else black, so the
		// shape is still drawn.
		if k := strings.IndexByte(v, ')'); k >= 0 {
			if p, ok := parsePaint(v[k+1:]); ok {
				return p, true
			}
		}
		return paint{kind: paintColor, c: black}, true
	}
	c, ok := parseCSSColor(v)
	if !ok {
		return paint{}, false
	}
	return paint{kind: paintColor, c: c}, true
}

// parseCSSColor parses #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba() and
// the common colour names, into a straight-alpha colour.
func parseCSSColor(v string) (color.RGBA, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		return parseHex(v)
	}
	lv := strings.ToLower(v)
	if strings.HasPrefix(lv, "rgb(") || strings.HasPrefix(lv, "rgba(") {
		k := strings.IndexByte(lv, '(')
		if !strings.HasSuffix(lv, ")") {
			return color.RGBA{}, false
		}
		f := strings.FieldsFunc(lv[k+1:len(lv)-1], func(r rune) bool { return r == ',' || r == ' ' || r == '/' || r == '\t' })
		if len(f) != 3 && len(f) != 4 {
			return color.RGBA{}, false
		}
		var ch [4]float64
		ch[3] = 1
		for i, s := range f {
			pct := strings.HasSuffix(s, "%")
			x, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
			if err != nil || math.IsNaN(x) {
				return color.RGBA{}, false
			}
			switch {
			case pct:
				x /= 100
				if i < 3 {
					x *= 255
				}
			case i == 3:
			}
			if i < 3 {
				ch[i] = math.Max(0, math.Min(255, x))
			} else {
				ch[i] = math.Max(0, math.Min(1, x))
			}
		}
		return color.RGBA{uint8(ch[0] + 0.5), uint8(ch[1] + 0.5), uint8(ch[2] + 0.5), uint8(ch[3]*255 + 0.5)}, true
	}
	if c, ok := namedColors[lv]; ok {
		return color.RGBA{uint8(c >> 16), uint8(c >> 8), uint8(c), 255}, true
	}
	return color.RGBA{}, false
}

// namedColors holds the CSS colour names line art uses most.
var namedColors = map[string]uint32{
	"black": 0x000000, "white": 0xffffff, "red": 0xff0000, "green": 0x008000, "blue": 0x0000ff,
	"yellow": 0xffff00, "cyan": 0x00ffff, "aqua": 0x00ffff, "magenta": 0xff00ff, "fuchsia": 0xff00ff,
	"gray": 0x808080, "grey": 0x808080, "silver": 0xc0c0c0, "maroon": 0x800000, "olive": 0x808000,
	"lime": 0x00ff00, "teal": 0x008080, "navy": 0x000080, "purple": 0x800080, "orange": 0xffa500,
	"brown": 0xa52a2a, "pink": 0xffc0cb, "gold": 0xffd700, "darkgray": 0xa9a9a9, "darkgrey": 0xa9a9a9,
	"lightgray": 0xd3d3d3, "lightgrey": 0xd3d3d3, "dimgray": 0x696969, "dimgrey": 0x696969,
	"darkred": 0x8b0000, "darkgreen": 0x006400, "darkblue": 0x00008b, "lightblue": 0xadd8e6,
	"skyblue": 0x87ceeb, "steelblue": 0x4682b4, "royalblue": 0x4169e1, "indigo": 0x4b0082,
	"violet": 0xee82ee, "crimson": 0xdc143c, "coral": 0xff7f50, "tomato": 0xff6347,
	"salmon": 0xfa8072, "khaki": 0xf0e68c, "beige": 0xf5f5dc, "tan": 0xd2b48c, "chocolate": 0xd2691e,
	"forestgreen": 0x228b22, "seagreen": 0x2e8b57, "limegreen": 0x32cd32, "darkorange": 0xff8c00,
	"orangered": 0xff4500, "slategray": 0x708090, "slategrey": 0x708090, "turquoise": 0x40e0d0,
	"midnightblue": 0x191970, "darkviolet": 0x9400d3, "hotpink": 0xff69b4, "ivory": 0xfffff0,
	"whitesmoke": 0xf5f5f5, "gainsboro": 0xdcdcdc,
}

// parseOpacity parses a number or a percentage, clamped to 0..1.
func parseOpacity(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	pct := strings.HasSuffix(v, "%")
	x, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil || math.IsNaN(x) {
		return 0, false
	}
	if pct {
		x /= 100
	}
	return math.Max(0, math.Min(1, x)), true
}

// styleDecls splits a style attribute into property/value pairs.
func styleDecls(s string, f func(prop, val string)) {
	for _, d := range strings.Split(s, ";") {
		k := strings.IndexByte(d, ':')
		if k < 0 {
			continue
		}
		prop := strings.ToLower(strings.TrimSpace(d[:k]))
		val := strings.TrimSpace(d[k+1:])
		val = strings.TrimSpace(strings.TrimSuffix(val, "!important"))
		if prop != "" {
			f(prop, val)
		}
	}
}
