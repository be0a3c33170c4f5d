package wire

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting of the values a decoder skips (unknown
// fields), so that a message of ten thousand '[' costs nothing.
const maxDepth = 32

// quoteMax is the most bytes of the input an error message quotes.
const quoteMax = 40

// decoder reads one message's JSON without reflection: the fields of
// Message, the moves and the points, skipping (but checking) unknown
// fields. It accepts exactly the JSON that encoding/json accepts, except
// that field names match exactly (not case-insensitively).
type decoder struct {
	b []byte
	i int
	// scratch holds strings with escapes.
	scratch []byte
}

// syntax reports a JSON syntax error at the current offset.
func (d *decoder) syntax(format string, a ...any) error {
	return &Error{Offset: int64(d.i), Msg: "invalid JSON: " + fmt.Sprintf(format, a...)}
}

// fail reports a problem with a value that starts at offset at.
func failAt(at int, format string, a ...any) error {
	return &Error{Offset: int64(at), Msg: fmt.Sprintf(format, a...)}
}

// quote returns s quoted for an error message, cut to quoteMax bytes.
func quote(s []byte) string {
	if len(s) <= quoteMax {
		return strconv.Quote(string(s))
	}
	cut := quoteMax
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(string(s[:cut])) + "…"
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *decoder) expect(c byte) error {
	if d.peek() != c {
		return d.unexpected(fmt.Sprintf("%q", c))
	}
	d.i++
	return nil
}

func (d *decoder) unexpected(want string) error {
	if d.i >= len(d.b) {
		return d.syntax("unexpected end of message, want %s", want)
	}
	return d.syntax("unexpected %s, want %s", quote(d.b[d.i:min(d.i+1, len(d.b))]), want)
}

// decode reads the message into m (whose Moves and Points it reuses).
func (d *decoder) decode(m *Message) error {
	if c := d.peek(); c != '{' {
		if c == 0 || !isValueStart(c) {
			return d.unexpected("a JSON object")
		}
		at := d.i
		if err := d.skip(0); err != nil {
			return err
		}
		if d.peek() != 0 {
			return d.unexpected("the end of the message")
		}
		return failAt(at, "a message must be a JSON object")
	}
	d.i++
	if d.peek() == '}' {
		d.i++
	} else {
		for {
			if d.peek() != '"' {
				return d.unexpected("a field name")
			}
			key, err := d.str()
			if err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			if err := d.field(m, key); err != nil {
				return err
			}
			if d.peek() == ',' {
				d.i++
				continue
			}
			if err := d.expect('}'); err != nil {
				return err
			}
			break
		}
	}
	if d.peek() != 0 {
		return d.unexpected("the end of the message")
	}
	return nil
}

func isValueStart(c byte) bool {
	return c == '{' || c == '[' || c == '"' || c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n'
}

// field reads the value of the field named key.
func (d *decoder) field(m *Message, key []byte) error {
	d.space()
	at := d.i
	if d.null() {
		return nil // as encoding/json: null leaves the field as it is
	}
	var lower [16]byte
	if len(key) <= len(lower) {
		// Field names match regardless of ASCII case, as in encoding/json.
		for i, c := range key {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		key = lower[:len(key)]
	}
	var err error
	switch string(key) {
	case "type":
		// No type is longer than quoteMax: of a longer one, only what its
		// error quotes is kept, so that a message cannot make the decoder
		// copy a long string it is about to refuse.
		m.Type, err = d.intern("type", quoteMax+1)
	case "seq":
		m.Seq, err = d.uint("seq")
	case "id":
		m.ID, err = d.uint("id")
	case "job":
		m.Job, err = d.uint("job")
	case "key":
		m.Key, err = d.string("key")
	case "message":
		m.Message, err = d.string("message")
	case "state":
		m.State, err = d.intern("state", 0)
	case "color":
		m.Color, err = d.string("color")
	case "total":
		m.Total, err = d.int("total")
	case "received":
		m.Received, err = d.int("received")
	case "done":
		m.Done, err = d.int("done")
	case "place":
		m.Place, err = d.int("place")
	case "queue":
		m.Queue, err = d.int("queue")
	case "strokes":
		m.Strokes, err = d.int("strokes")
	case "stroke":
		m.Stroke, err = d.int("stroke")
	case "percent":
		m.Percent, err = d.float("percent")
	case "left_ms":
		m.LeftMS, err = d.float("left_ms")
	case "t":
		m.T, err = d.float("t")
	case "duration":
		m.Duration, err = d.float("duration")
	case "speed":
		m.Speed, err = d.float("speed")
	case "width":
		m.Width, err = d.float("width")
	case "finished":
		m.Finished, err = d.bool("finished")
	case "playing":
		m.Playing, err = d.bool("playing")
	case "end":
		m.End, err = d.bool("end")
	case "robot":
		m.Robot, err = d.bool("robot")
	case "moves":
		m.Moves, err = d.moves(m.Moves[:0])
	case "points":
		m.Points, err = d.points(m.Points[:0])
	default:
		return d.skip(0)
	}
	if err != nil && at == d.i {
		// The value is of the wrong kind: check it is JSON at least, so
		// that a syntax error is reported as one.
		if serr := d.skip(0); serr != nil {
			return serr
		}
	}
	return err
}

func (d *decoder) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

func wrongKind(at int, key, want string) error {
	return failAt(at, "field %q: want %s", key, want)
}

// intern reads a string that is usually one of the protocol's words,
// allocating only for others; cut, if positive, is the most bytes kept of
// another.
func (d *decoder) intern(key string, cut int) (string, error) {
	at := d.i
	if d.peek() != '"' {
		return "", wrongKind(at, key, "a string")
	}
	s, err := d.str()
	if err != nil {
		return "", err
	}
	for _, w := range internable {
		if string(s) == w {
			return w, nil
		}
	}
	if cut > 0 && len(s) > cut {
		s = s[:cut]
	}
	return string(s), nil
}

var internable = [...]string{TypeMoves, TypeAck, TypePing, TypePong, TypeState, TypeProgress, TypeHello, TypeEnd,
	TypeWelcome, TypeQueue, TypeError, TypePad, TypePlayback, TypeCancel, TypePause, TypeResume, TypePlay, TypeSeek,
	TypeSpeed, TypeDrawing, StateIdle, StateDrawing, StateWaiting, StatePaused, StateLost, StateStopped,
	"done", "cancelled", "dropped"}

func (d *decoder) string(key string) (string, error) {
	at := d.i
	if d.peek() != '"' {
		return "", wrongKind(at, key, "a string")
	}
	s, err := d.str()
	return string(s), err
}

func (d *decoder) bool(key string) (bool, error) {
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, nil
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, nil
	}
	return false, wrongKind(d.i, key, "true or false")
}

// uint reads a whole number from 0 to 2⁶⁴−1 (as encoding/json does into a
// uint64: no fraction, no exponent).
func (d *decoder) uint(key string) (uint64, error) {
	at := d.i
	lit, frac, err := d.number()
	if err != nil {
		if lit == nil {
			return 0, wrongKind(at, key, "a whole number ≥ 0")
		}
		return 0, err
	}
	if frac || lit[0] == '-' {
		return 0, wrongKind(at, key, "a whole number ≥ 0, not "+quote(lit))
	}
	var v uint64
	for _, c := range lit {
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, wrongKind(at, key, "a whole number ≥ 0, not "+quote(lit))
		}
		v = v*10 + uint64(c-'0')
	}
	return v, nil
}

// int reads a whole number that fits an int.
func (d *decoder) int(key string) (int, error) {
	at := d.i
	lit, frac, err := d.number()
	if err != nil {
		if lit == nil {
			return 0, wrongKind(at, key, "a whole number")
		}
		return 0, err
	}
	if frac {
		return 0, wrongKind(at, key, "a whole number, not "+quote(lit))
	}
	v, perr := strconv.ParseInt(string(lit), 10, 0)
	if perr != nil {
		return 0, wrongKind(at, key, "a whole number, not "+quote(lit))
	}
	return int(v), nil
}

func (d *decoder) float(key string) (float64, error) {
	at := d.i
	lit, _, err := d.number()
	if err != nil {
		if lit == nil {
			return 0, wrongKind(at, key, "a number")
		}
		return 0, err
	}
	v, ok := parseFloat(lit)
	if !ok {
		return 0, wrongKind(at, key, "a number, not "+quote(lit))
	}
	return v, nil
}

// openArray reads the '[' that opens field's array, and its ']' when it is
// empty; want says what the field holds, for the error when it is not an
// array.
func (d *decoder) openArray(field, want string) (empty bool, err error) {
	at := d.i
	if d.peek() != '[' {
		return false, wrongKind(at, field, want)
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return true, nil
	}
	return false, nil
}

// moves reads an array of moves into out.
func (d *decoder) moves(out []Move) ([]Move, error) {
	if empty, err := d.openArray("moves", "an array of moves"); empty || err != nil {
		return out, err
	}
	for k := 0; ; k++ {
		if len(out) >= MaxMovesPerMessage {
			return out, failAt(d.i, "moves: more than %d moves in one message", MaxMovesPerMessage)
		}
		mv, err := d.move()
		if err != nil {
			if e, ok := err.(*Error); ok && e.Msg[:min(len(e.Msg), 12)] != "invalid JSON" {
				e.Msg = fmt.Sprintf("moves[%d]: %s", k, e.Msg)
			}
			return out, err
		}
		out = append(out, mv)
		if d.peek() == ',' {
			d.i++
			continue
		}
		return out, d.expect(']')
	}
}

// move reads one move object: exactly one of "pen" ("up" or "down"),
// "turn" and "drive".
func (d *decoder) move() (Move, error) {
	at := d.i
	if d.peek() != '{' {
		if err := d.skip(1); err != nil {
			return Move{}, err
		}
		return Move{}, failAt(at, "move is not an object")
	}
	d.i++
	if d.peek() != '"' {
		if d.peek() == '}' {
			return Move{}, failAt(at, `move needs one key: "pen", "turn" or "drive"`)
		}
		return Move{}, d.unexpected("a field name")
	}
	key, err := d.str()
	if err != nil {
		return Move{}, err
	}
	if err := d.expect(':'); err != nil {
		return Move{}, err
	}
	d.space()
	vat := d.i
	var m Move
	switch string(key) {
	case "pen":
		if d.peek() != '"' {
			return Move{}, d.skipThen(failAt(vat, `move: "pen" must be "up" or "down"`))
		}
		v, err := d.str()
		switch {
		case err != nil:
			return Move{}, err
		case string(v) == "up":
			m = Move{Kind: PenUp}
		case string(v) == "down":
			m = Move{Kind: PenDown}
		default:
			return Move{}, failAt(vat, `move: "pen" must be "up" or "down", not %s`, quote(v))
		}
	case "turn", "drive":
		k := Turn
		if key[0] == 'd' {
			k = Drive
		}
		lit, _, err := d.number()
		if err != nil {
			if lit == nil {
				return Move{}, d.skipThen(failAt(vat, "move: %q must be a number", key))
			}
			return Move{}, err
		}
		v, ok := parseFloat(lit)
		if !ok {
			return Move{}, failAt(vat, "move: %s of %s is not a number the robot can make", k, quote(lit))
		}
		m = Move{Kind: k, Value: float32(v)}
	default:
		return Move{}, failAt(at, `move: unknown key %s (want "pen", "turn" or "drive")`, quote(key))
	}
	if d.peek() != '}' {
		if d.peek() == ',' {
			return Move{}, failAt(at, "move must have exactly one key")
		}
		return Move{}, d.unexpected("'}'")
	}
	d.i++
	if err := m.Validate(); err != nil {
		return Move{}, failAt(at, "%v", err)
	}
	return m, nil
}

// skipThen skips the value here and returns err, or the syntax error that
// the value holds.
func (d *decoder) skipThen(err error) error {
	if serr := d.skip(1); serr != nil {
		return serr
	}
	return err
}

// points reads an array of points [x, y] or [x, y, t] into out.
func (d *decoder) points(out [][3]float64) ([][3]float64, error) {
	if empty, err := d.openArray("points", "an array of points"); empty || err != nil {
		return out, err
	}
	for k := 0; ; k++ {
		if len(out) >= MaxPadPoints {
			return out, failAt(d.i, "pad: more than %d points in one message", MaxPadPoints)
		}
		pat := d.i
		if d.peek() != '[' {
			return out, d.skipThen(failAt(pat, "pad: points[%d] is not a point [x, y, t]", k))
		}
		d.i++
		var p [3]float64
		n := 0
		for d.peek() != ']' {
			if n > 0 {
				if err := d.expect(','); err != nil {
					return out, err
				}
			}
			d.space()
			lit, _, err := d.number()
			if err != nil {
				if lit == nil {
					return out, d.skipThen(failAt(pat, "pad: points[%d] is not a point [x, y, t]", k))
				}
				return out, err
			}
			v, ok := parseFloat(lit)
			if !ok || n >= 3 {
				return out, failAt(pat, "pad: points[%d] is not a point [x, y, t]", k)
			}
			p[n] = v
			n++
		}
		d.i++
		if n < 2 {
			return out, failAt(pat, "pad: points[%d] is not a point [x, y, t]", k)
		}
		out = append(out, p)
		if d.peek() == ',' {
			d.i++
			continue
		}
		return out, d.expect(']')
	}
}
