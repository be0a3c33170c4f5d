package wire

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// MoveKind says what a Move does.
type MoveKind uint8

// The kinds of move. The zero MoveKind is invalid.
const (
	PenUp MoveKind = iota + 1
	PenDown
	Turn
	Drive
)

func (k MoveKind) String() string {
	switch k {
	case PenUp:
		return "pen up"
	case PenDown:
		return "pen down"
	case Turn:
		return "turn"
	case Drive:
		return "drive"
	}
	return fmt.Sprintf("MoveKind(%d)", uint8(k))
}

// Limits on one move's value, so a typo cannot send the robot off the table.
const (
	// MaxTurn is the largest turn in one move, in degrees (ten full turns).
	MaxTurn = 3600
	// MaxDrive is the longest straight drive in one move, in millimetres.
	MaxDrive = 10000
)

// Move is one robot motion. It takes 8 bytes, so a bridge can hold millions
// of queued moves.
type Move struct {
	Kind MoveKind
	// Value is the turn in degrees (positive clockwise seen from above) or the
	// drive in millimetres (negative backwards); zero for pen moves.
	Value float32
}

// Validate reports whether the move is one the robot can make.
func (m Move) Validate() error {
	switch m.Kind {
	case PenUp, PenDown:
		return nil
	case Turn, Drive:
		v := float64(m.Value)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s of %v is not a number", m.Kind, v)
		}
		if m.Kind == Turn && math.Abs(v) > MaxTurn {
			return fmt.Errorf("turn of %g° is beyond ±%d°", v, MaxTurn)
		}
		if m.Kind == Drive && math.Abs(v) > MaxDrive {
			return fmt.Errorf("drive of %g mm is beyond ±%d mm", v, MaxDrive)
		}
		return nil
	}
	return errors.New("move has no kind")
}

// AppendJSON appends the move's JSON object: {"pen":"up"}, {"pen":"down"},
// {"turn":DEG} or {"drive":MM}.
func (m Move) AppendJSON(b []byte) []byte {
	switch m.Kind {
	case PenUp:
		return append(b, `{"pen":"up"}`...)
	case PenDown:
		return append(b, `{"pen":"down"}`...)
	case Turn:
		b = append(b, `{"turn":`...)
	case Drive:
		b = append(b, `{"drive":`...)
	default:
		return append(b, `{}`...)
	}
	b = strconv.AppendFloat(b, float64(m.Value), 'g', -1, 32)
	return append(b, '}')
}

// MarshalJSON encodes the move as AppendJSON does.
func (m Move) MarshalJSON() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m.AppendJSON(nil), nil
}

// UnmarshalJSON decodes one move object. It accepts exactly one of the keys
// "pen" ("up" or "down"), "turn" and "drive", with whitespace anywhere JSON
// allows it, and rejects anything else.
func (m *Move) UnmarshalJSON(data []byte) error {
	p := parser{b: data}
	p.space()
	if !p.eat('{') {
		return errors.New("move is not an object")
	}
	p.space()
	key, ok := p.str()
	if !ok {
		return errors.New(`move needs one key: "pen", "turn" or "drive"`)
	}
	p.space()
	if !p.eat(':') {
		return errors.New("move: missing ':'")
	}
	p.space()
	switch string(key) {
	case "pen":
		v, ok := p.str()
		switch {
		case !ok:
			return errors.New(`move: "pen" must be "up" or "down"`)
		case string(v) == "up":
			*m = Move{Kind: PenUp}
		case string(v) == "down":
			*m = Move{Kind: PenDown}
		default:
			return fmt.Errorf(`move: "pen" must be "up" or "down", not %q`, v)
		}
	case "turn", "drive":
		v, ok := p.num()
		if !ok {
			return fmt.Errorf("move: %q must be a number", key)
		}
		k := Turn
		if string(key) == "drive" {
			k = Drive
		}
		*m = Move{Kind: k, Value: float32(v)}
	default:
		return fmt.Errorf(`move: unknown key %q (want "pen", "turn" or "drive")`, key)
	}
	p.space()
	if !p.eat('}') {
		return errors.New("move must have exactly one key")
	}
	p.space()
	if p.i != len(p.b) {
		return errors.New("move: trailing data")
	}
	return m.Validate()
}

// parser reads the few JSON tokens a move is made of. encoding/json has
// already checked that the whole value is valid JSON.
type parser struct {
	b []byte
	i int
}

func (p *parser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes (move keys and values have none).
func (p *parser) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	j := bytes.IndexByte(p.b[p.i:], '"')
	if j < 0 {
		return nil, false
	}
	s := p.b[p.i : p.i+j]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	p.i += j + 1
	return s, true
}

func (p *parser) num() (float64, bool) {
	j := p.i
	for j < len(p.b) && bytes.IndexByte([]byte("+-0123456789.eE"), p.b[j]) >= 0 {
		j++
	}
	v, err := strconv.ParseFloat(string(p.b[p.i:j]), 64)
	if err != nil || j == p.i {
		return 0, false
	}
	p.i = j
	return v, true
}
