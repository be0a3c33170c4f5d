package wire

import (
	"fmt"
	"math"
	"strconv"

	"mbotdraw/jsonstring"
)

// Message types. Client to bridge on /robot: Hello, Moves, End, Cancel,
// Pause, Resume, Ping, Pong. Bridge to client: Ack, Pong, Ping, Error,
// Welcome, Queue, State, Progress. Companion page to window on /live: Pad,
// Undo, Clear, Play, Pause, Seek, Speed, Ping, Pong; window to page:
// Playback, Drawing, Error, Ping, Pong.
const (
	TypeHello    = "hello"
	TypeMoves    = "moves"
	TypeEnd      = "end"
	TypeCancel   = "cancel"
	TypePause    = "pause"
	TypeResume   = "resume"
	TypePing     = "ping"
	TypePong     = "pong"
	TypeAck      = "ack"
	TypeError    = "error"
	TypeWelcome  = "welcome"
	TypeQueue    = "queue"
	TypeState    = "state"
	TypeProgress = "progress"
	TypePad      = "pad"
	TypeUndo     = "undo"  // page: take back pad stroke Stroke
	TypeClear    = "clear" // page: start a new drawing (Robot: for the robot too)
	TypeSave     = "save"  // page: save the pad's drawing on the window's computer
	TypeSaved    = "saved" // to a page: where its Save went, or why not (Message)
	TypePlay     = "play"
	TypeSeek     = "seek"
	TypeSpeed    = "speed"
	TypePlayback = "playback"
	TypeDrawing  = "drawing"
)

// Limits on one message's contents.
const (
	// MaxMovesPerMessage bounds the moves of one "moves" message.
	MaxMovesPerMessage = 4096
	// MaxPadPoints bounds the points of one "pad" message.
	MaxPadPoints = 4096
	// MinSpeed and MaxSpeed bound the playback speed a page may ask for.
	MinSpeed, MaxSpeed float64 = 0.25, 16
)

// Robot states, as "state" messages report them.
const (
	StateIdle    = "idle"    // nothing to draw
	StateDrawing = "drawing" // a job is being drawn
	StateWaiting = "waiting" // the job's client has sent no more moves yet
	StatePaused  = "paused"  // the job's owner paused it; the pen is up
	StateLost    = "lost"    // the robot's link is lost; reconnecting
	StateStopped = "stopped" // the bridge is shutting down; the pen is up
)

// Message is any message of the protocol: the union of every type's fields.
// Which fields a type uses is listed beside each; the others stay zero.
type Message struct {
	Type string `json:"type"`
	// Seq numbers moves, end, ack and error (the message the error is
	// about); in welcome, it is the job's last applied seq.
	Seq uint64 `json:"seq"`
	// ID numbers ping and pong.
	ID uint64 `json:"id"`
	// Key is hello's secret job key: 16 to 128 letters, digits, '-' or '_'.
	Key string `json:"key"`
	// Moves are the moves of a moves message.
	Moves []Move `json:"moves"`
	// Message is an error's text.
	Message string `json:"message"`
	// Job is the public job number (welcome, queue, state, progress).
	Job uint64 `json:"job"`
	// Total is the number of moves the job will have, when known (hello,
	// welcome, progress).
	Total int `json:"total"`
	// Received and Done count the job's moves received and drawn (welcome,
	// progress).
	Received int `json:"received"`
	Done     int `json:"done"`
	// Place is the job's place in the queue: 0 drawing now, 1 next, …
	// (welcome, queue).
	Place int `json:"place"`
	// State is the robot's state (state, progress): one of the State constants.
	State string `json:"state"`
	// Queue is the number of jobs waiting behind the one drawing (state).
	Queue int `json:"queue"`
	// Strokes counts the pen-down runs completed (progress), or the
	// drawing's strokes (playback).
	Strokes int `json:"strokes"`
	// Percent is the part of the job's time drawn, 0–100 (progress).
	Percent float64 `json:"percent"`
	// LeftMS is the estimated time left, in milliseconds (progress).
	LeftMS float64 `json:"left_ms"`
	// Finished marks the job's last progress message.
	Finished bool `json:"finished"`
	// T is a playback time in milliseconds (seek, playback).
	T float64 `json:"t"`
	// Duration is the drawing's length in milliseconds (playback).
	Duration float64 `json:"duration"`
	// Playing says whether the playback clock runs (playback).
	Playing bool `json:"playing"`
	// Speed is the playback speed factor (speed, playback).
	Speed float64 `json:"speed"`
	// Stroke numbers a pad stroke on its page (pad, undo); for playback,
	// the strokes revealed so far.
	Stroke int `json:"stroke"`
	// Color ("#rrggbb") and Width (drawing units) are a pad stroke's pen.
	Color string  `json:"color"`
	Width float64 `json:"width"`
	// Points are a pad stroke's new points: x, y in the pad's drawing units,
	// t in milliseconds since the pad's first stroke began.
	Points [][3]float64 `json:"points"`
	// End marks a pad stroke's last message (the pointer was lifted).
	End bool `json:"end"`
	// Robot asks, on a pad stroke, that it be drawn by the robot too; on
	// clear, that the robot start a new drawing too.
	Robot bool `json:"robot"`
}

// Error is a message that could not be decoded or is not valid.
type Error struct {
	// Offset is the byte offset in the message where the problem is, or -1.
	Offset int64
	Msg    string
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg)
	}
	return e.Msg
}

func invalid(format string, a ...any) error {
	return &Error{Offset: -1, Msg: fmt.Sprintf(format, a...)}
}

// Decode parses and validates one message. A message with a type this
// package does not know is an error, as are missing or nonsensical fields;
// unknown fields are ignored. The error says where and what is wrong.
func Decode(data []byte) (Message, error) {
	var m Message
	err := DecodeInto(&m, data)
	return m, err
}

// DecodeInto is Decode into m, reusing the capacity of m's Moves and Points
// (a reader decoding message after message allocates almost nothing). Every
// other field of m is reset. It reads the JSON with a hand-written decoder,
// without reflection; errors quote at most a short prefix of the input.
func DecodeInto(m *Message, data []byte) error {
	*m = Message{Moves: m.Moves[:0], Points: m.Points[:0]}
	d := decoder{b: data}
	if err := d.decode(m); err != nil {
		*m = Message{Moves: m.Moves[:0], Points: m.Points[:0]}
		return err
	}
	return m.Validate()
}

// Validate checks the fields the message's type needs.
func (m *Message) Validate() error {
	switch m.Type {
	case "":
		return invalid(`message has no "type"`)
	case TypeMoves:
		if m.Seq == 0 {
			return invalid(`moves: "seq" must be a positive integer`)
		}
		if len(m.Moves) == 0 {
			return invalid("moves: no moves")
		}
		if len(m.Moves) > MaxMovesPerMessage {
			return invalid("moves: %d moves in one message (at most %d)", len(m.Moves), MaxMovesPerMessage)
		}
		for i, mv := range m.Moves {
			if err := mv.Validate(); err != nil {
				return invalid("moves[%d]: %v", i, err)
			}
		}
	case TypeEnd, TypeAck:
		if m.Seq == 0 {
			return invalid(`%s: "seq" must be a positive integer`, m.Type)
		}
	case TypeHello:
		if err := checkKey(m.Key); err != nil {
			return err
		}
		if m.Total < 0 {
			return invalid("hello: negative total")
		}
	case TypeSeek:
		if !finite(m.T) || m.T < 0 {
			return invalid(`seek: "t" must be a time in milliseconds, at least 0`)
		}
	case TypeSpeed:
		if !finite(m.Speed) || m.Speed < MinSpeed || m.Speed > MaxSpeed {
			return invalid(`speed: "speed" must be between %g and %g`, MinSpeed, MaxSpeed)
		}
	case TypePad:
		if m.Stroke < 0 {
			return invalid("pad: negative stroke number")
		}
		if len(m.Points) > MaxPadPoints {
			return invalid("pad: %d points in one message (at most %d)", len(m.Points), MaxPadPoints)
		}
		if !finite(m.Width) || m.Width < 0 || m.Width > 1000 {
			return invalid(`pad: "width" must be between 0 and 1000`)
		}
		if m.Color != "" && !isColor(m.Color) {
			return invalid(`pad: "color" must look like "#1e88e5", not %s`, quote([]byte(m.Color)))
		}
		for i, p := range m.Points {
			if !finite(p[0]) || !finite(p[1]) || !finite(p[2]) || math.Abs(p[0]) > 1e6 || math.Abs(p[1]) > 1e6 || p[2] < 0 {
				return invalid("pad: points[%d] is not a point [x, y, t ≥ 0]", i)
			}
		}
	case TypeUndo:
		if m.Stroke < 0 {
			return invalid("undo: negative stroke number")
		}
	case TypeClear, TypeSave, TypeSaved, TypeCancel, TypePause, TypeResume, TypePing, TypePong, TypePlay,
		TypeError, TypeWelcome, TypeQueue, TypeState, TypeProgress, TypePlayback:
	default:
		return invalid("unknown message type %s", quote([]byte(m.Type)))
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func checkKey(k string) error {
	if len(k) < 16 || len(k) > 128 {
		return invalid(`hello: "key" must be 16 to 128 characters`)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalid(`hello: "key" may hold only letters, digits, '-' and '_'`)
		}
	}
	return nil
}

func isColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// AppendJSON appends the message's JSON encoding: its type and the fields
// that type uses (always present, even when zero).
func (m *Message) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, m.Type)
	u := func(name string, v uint64) {
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = strconv.AppendUint(b, v, 10)
	}
	i := func(name string, v int) { u(name, uint64(max(v, 0))) }
	f := func(name string, v float64) {
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		if !finite(v) {
			v = 0
		}
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	s := func(name, v string) {
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendString(b, v)
	}
	t := func(name string, v bool) {
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = strconv.AppendBool(b, v)
	}
	switch m.Type {
	case TypeMoves:
		u("seq", m.Seq)
		b = append(b, `,"moves":[`...)
		for k, mv := range m.Moves {
			if k > 0 {
				b = append(b, ',')
			}
			b = mv.AppendJSON(b)
		}
		b = append(b, ']')
	case TypeEnd, TypeAck:
		u("seq", m.Seq)
	case TypePing, TypePong:
		u("id", m.ID)
	case TypeHello:
		s("key", m.Key)
		i("total", m.Total)
	case TypeSaved:
		s("message", m.Message)
	case TypeError:
		s("message", m.Message)
		if m.Seq != 0 {
			u("seq", m.Seq)
		}
	case TypeWelcome:
		u("job", m.Job)
		u("seq", m.Seq)
		i("total", m.Total)
		i("received", m.Received)
		i("done", m.Done)
		i("place", m.Place)
	case TypeQueue:
		u("job", m.Job)
		i("place", m.Place)
	case TypeState:
		s("state", m.State)
		u("job", m.Job)
		i("queue", m.Queue)
	case TypeProgress:
		u("job", m.Job)
		s("state", m.State)
		i("done", m.Done)
		i("total", m.Total)
		i("strokes", m.Strokes)
		f("percent", m.Percent)
		f("left_ms", m.LeftMS)
		t("finished", m.Finished)
	case TypeSeek:
		f("t", m.T)
	case TypeSpeed:
		f("speed", m.Speed)
	case TypePlayback:
		f("t", m.T)
		f("duration", m.Duration)
		t("playing", m.Playing)
		f("speed", m.Speed)
		i("stroke", m.Stroke)
		i("strokes", m.Strokes)
	case TypeUndo:
		i("stroke", m.Stroke)
	case TypeClear:
		t("robot", m.Robot)
	case TypePad:
		i("stroke", m.Stroke)
		s("color", m.Color)
		f("width", m.Width)
		t("end", m.End)
		t("robot", m.Robot)
		b = appendPoints(append(b, `,"points":`...), m.Points)
	}
	return append(b, '}')
}

// appendPoints appends points as a JSON array of [x,y,t] arrays; a value
// that is not finite is written as 0.
func appendPoints(b []byte, points [][3]float64) []byte {
	b = append(b, '[')
	for k, p := range points {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range p {
			if j > 0 {
				b = append(b, ',')
			}
			if !finite(v) {
				v = 0
			}
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// Encode returns the message's JSON encoding (see AppendJSON).
func (m Message) Encode() []byte { return m.AppendJSON(make([]byte, 0, 64)) }

// appendString appends s as a JSON string (package jsonstring).
func appendString(b []byte, s string) []byte { return jsonstring.Append(b, s) }
