package mblock

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Request is a decoded host→robot frame.
type Request struct {
	Index  byte // IDX, echoed by GET replies only
	Action byte // ActionGet, ActionRun, ActionReset, ActionStart
	Device byte // DevJoystick, DevServo, …
	// Data holds the bytes after DEVICE (frame offset 6 on).
	Data []byte
	// Raw is the whole frame as RequestDecoder received it (ff 55, LEN and
	// the LEN bytes after it), before any of the firmware's fixed-offset
	// reading; nil for a Request built or parsed otherwise.
	Raw []byte
}

// Arg returns data byte i (frame offset 6+i), or 0 when the frame is shorter.
func (r Request) Arg(i int) byte {
	if i < 0 || i >= len(r.Data) {
		return 0
	}
	return r.Data[i]
}

// Int16 returns the little-endian int16 at data offset i (frame offset 6+i),
// with missing bytes read as 0.
func (r Request) Int16(i int) int16 {
	return int16(uint16(r.Arg(i)) | uint16(r.Arg(i+1))<<8)
}

// Encode returns the frame for r.
func (r Request) Encode() []byte {
	if r.Action == ActionReset || r.Action == ActionStart {
		if r.Device == 0 && len(r.Data) == 0 {
			return []byte{Head0, Head1, 2, r.Index, r.Action}
		}
	}
	return Frame(r.Index, r.Action, r.Device, r.Data...)
}

// String describes the request for logs, e.g. "run joystick m1=-100 m2=100"
// or "get ultrasonic port=3 idx=5".
func (r Request) String() string {
	var b strings.Builder
	switch r.Action {
	case ActionGet:
		b.WriteString("get ")
	case ActionRun:
		b.WriteString("run ")
	case ActionReset:
		return fmt.Sprintf("reset idx=%d", r.Index)
	case ActionStart:
		return fmt.Sprintf("start idx=%d", r.Index)
	default:
		fmt.Fprintf(&b, "action%#02x ", r.Action)
	}
	switch r.Device {
	case DevJoystick:
		if r.Action == ActionRun {
			fmt.Fprintf(&b, "joystick m1=%d m2=%d", r.Int16(0), r.Int16(2))
		} else {
			fmt.Fprintf(&b, "joystick port=%d axis=%d", r.Arg(0), r.Arg(1))
		}
	case DevMotor:
		fmt.Fprintf(&b, "motor port=%d speed=%d", r.Arg(0), r.Int16(1))
	case DevServo:
		fmt.Fprintf(&b, "servo port=%d slot=%d angle=%d", r.Arg(0), r.Arg(1), r.Arg(2))
	case DevTone:
		fmt.Fprintf(&b, "tone hz=%d ms=%d", r.Int16(0), r.Int16(2))
	case DevRGBLED:
		fmt.Fprintf(&b, "led port=%d slot=%d index=%d rgb=%d,%d,%d", r.Arg(0), r.Arg(1), r.Arg(2), r.Arg(3), r.Arg(4), r.Arg(5))
	case DevVersion:
		b.WriteString("version")
	case DevUltrasonic:
		fmt.Fprintf(&b, "ultrasonic port=%d", r.Arg(0))
	case DevLineFollower:
		fmt.Fprintf(&b, "linefollower port=%d", r.Arg(0))
	case DevLight:
		fmt.Fprintf(&b, "light port=%d", r.Arg(0))
	default:
		fmt.Fprintf(&b, "device%#02x % x", r.Device, r.Data)
	}
	if r.Action == ActionGet {
		fmt.Fprintf(&b, " idx=%d", r.Index)
	}
	return b.String()
}

// Describe decodes frame and describes it (see Request.String); a frame that
// does not parse is described by its error.
func Describe(frame []byte) string {
	r, err := ParseRequest(frame)
	if err != nil {
		return err.Error()
	}
	return r.String()
}

// ParseRequest decodes one whole host→robot frame: the ff 55 header, LEN
// equal to len(frame)−3, and LEN between 2 and 48 (the firmware drops longer
// frames). Data aliases frame.
func ParseRequest(frame []byte) (Request, error) {
	switch {
	case len(frame) < 5:
		return Request{}, fmt.Errorf("mblock frame % x: %d bytes, want at least 5", frame, len(frame))
	case frame[0] != Head0 || frame[1] != Head1:
		return Request{}, fmt.Errorf("mblock frame % x: byte 0: header %02x %02x, want ff 55", frame, frame[0], frame[1])
	case int(frame[2]) != len(frame)-3:
		return Request{}, fmt.Errorf("mblock frame % x: byte 2: LEN %d, but %d bytes follow it", frame, frame[2], len(frame)-3)
	case frame[2] < 2 || frame[2] > MaxFrameLen-3:
		return Request{}, fmt.Errorf("mblock frame % x: byte 2: LEN %d outside 2…%d", frame, frame[2], MaxFrameLen-3)
	}
	r := Request{Index: frame[3], Action: frame[4]}
	if len(frame) > 5 {
		r.Device = frame[5]
	}
	if len(frame) > 6 {
		r.Data = frame[6:]
	}
	return r, nil
}

// RequestDecoder decodes host→robot frames from a byte stream exactly as the
// mCore firmware's main loop does: ff 55 starts a frame only while it is
// idle, LEN bytes follow, a frame longer than 51 bytes is dropped, a lost
// byte makes it swallow the start of the next frame, and bytes outside a
// frame are ignored. The zero value is ready to use.
type RequestDecoder struct {
	buf     [52]byte
	index   int
	dataLen byte
	prevc   byte
	started bool
}

// Feed decodes p and returns the frames it completes, in order. The Data and
// Raw of each request are fresh copies.
func (d *RequestDecoder) Feed(p []byte) []Request {
	var out []Request
	for _, c := range p {
		if r, ok := d.FeedByte(c); ok {
			out = append(out, r)
		}
	}
	return out
}

// FeedByte decodes one byte, returning a request when it completes one.
func (d *RequestDecoder) FeedByte(c byte) (Request, bool) {
	if c == Head1 && !d.started {
		if d.prevc == Head0 {
			d.index = 1
			d.started = true
		}
	} else {
		d.prevc = c
		if d.started {
			if d.index == 2 {
				d.dataLen = c
			} else if d.index > 2 {
				d.dataLen--
			}
			d.buf[d.index] = c
		}
	}
	d.index++
	if d.index > 51 {
		d.index = 0
		d.started = false
	}
	if d.started && d.dataLen == 0 && d.index > 3 {
		d.started = false
		n := d.index
		d.index = 0
		// The firmware reads IDX, ACTION and DEVICE from fixed offsets; a
		// shorter frame (RESET, START) leaves stale bytes there, which this
		// decoder reports as 0.
		r := Request{Index: d.buf[3]}
		if n > 4 {
			r.Action = d.buf[4]
		}
		if n > 5 {
			r.Device = d.buf[5]
		}
		if n > 6 {
			r.Data = append([]byte(nil), d.buf[6:n]...)
		}
		r.Raw = append([]byte{Head0, Head1}, d.buf[2:n]...)
		return r, true
	}
	return Request{}, false
}

// Float32 returns the little-endian float32 at data offset i, with missing
// bytes read as 0.
func (r Request) Float32(i int) float32 {
	var b [4]byte
	for k := range b {
		b[k] = r.Arg(i + k)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
}
