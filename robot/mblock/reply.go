package mblock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Kind says what a robot→host reply is.
type Kind uint8

const (
	// Ack is ff 55 0d 0a, the answer to RUN, RESET and START. It carries no
	// index: acks match requests only by order.
	Ack Kind = iota + 1
	// Value is the answer to a GET: ff 55 IDX TYPE payload 0d 0a.
	Value
	// Empty is a GET answer with nothing to report: ff 55 IDX 0d 0a.
	Empty
	// Button is the firmware's unsolicited on-board button event
	// ff 55 80 01 SS 0d 0a, sent on every press and release.
	Button
	// Banner is the boot line "Version: 06.01.107\r\n" the board prints
	// after a reset (opening the USB port resets it).
	Banner
)

func (k Kind) String() string {
	switch k {
	case Ack:
		return "ack"
	case Value:
		return "value"
	case Empty:
		return "empty"
	case Button:
		return "button"
	case Banner:
		return "banner"
	}
	return fmt.Sprintf("kind%d", uint8(k))
}

// ValueType is the TYPE byte of a GET reply.
type ValueType uint8

// Reply value types.
const (
	TypeByte   ValueType = 1 // 1 byte
	TypeFloat  ValueType = 2 // float32 LE
	TypeShort  ValueType = 3 // int16 LE (the firmware writes 2 more garbage bytes)
	TypeString ValueType = 4 // length byte + ASCII
	TypeDouble ValueType = 5 // AVR double = float32 LE (the firmware writes 4 more padding bytes)
	TypeInt32  ValueType = 6 // int32 LE (never sent by the mCore firmware)
)

// ButtonIndex is the IDX of the firmware's button events.
const ButtonIndex byte = 0x80

// maxBanner bounds the boot banner line, in bytes with its CR LF.
const maxBanner = 64

// maxSlack is how far past a payload's expected end the parser looks for the
// 0d 0a terminator before it gives the frame up as garbage.
const maxSlack = 8

var bannerPrefix = []byte("Version:")

// Reply is one robot→host message.
type Reply struct {
	Kind Kind
	// Index is the request's IDX for Value and Empty replies, ButtonIndex for
	// Button; 0 for Ack and Banner.
	Index byte
	// Type is the value's TYPE byte (Value only).
	Type ValueType
	// Number is the value of a numeric Value (byte, float, short, double,
	// int32), and 1 (pressed) or 0 (released) for Button.
	Number float64
	// Text is the value of a TypeString Value ("06.01.107"), and the whole
	// line without CR LF for a Banner ("Version: 06.01.107").
	Text string
	// Pressed is the button state of a Button event.
	Pressed bool
}

func (r Reply) String() string {
	switch r.Kind {
	case Ack:
		return "ack"
	case Empty:
		return fmt.Sprintf("empty idx=%d", r.Index)
	case Button:
		if r.Pressed {
			return "button pressed"
		}
		return "button released"
	case Banner:
		return fmt.Sprintf("banner %q", r.Text)
	case Value:
		if r.Type == TypeString {
			return fmt.Sprintf("value idx=%d %q", r.Index, r.Text)
		}
		return fmt.Sprintf("value idx=%d %g", r.Index, r.Number)
	}
	return r.Kind.String()
}

// Parser turns the robot's byte stream into replies, however reads split or
// merge them. It finds ff 55; reads IDX and TYPE; takes the payload length
// the type implies and then skips forward to 0d 0a, which absorbs the
// firmware's over-long short (4 bytes) and double (8 bytes) payloads and never
// cuts a float whose bytes contain 0d 0a. It recognizes the boot banner. Any
// other byte is garbage: skipped and counted, and the parser resynchronizes at
// the next ff 55. A frame that cannot be completed within a bounded number of
// bytes is given up as garbage too, so a corrupt stream never stalls it for
// more than a few hundred bytes; Flush gives up at once (call it when the line
// has gone quiet). The zero value is ready to use.
type Parser struct {
	buf     []byte
	garbage int64
}

// Feed parses p and appends the replies it completes to the returned slice.
// Bytes that end in an incomplete reply are kept for the next call.
func (p *Parser) Feed(data []byte) []Reply {
	return p.AppendFeed(nil, data)
}

// AppendFeed is Feed appending to out.
func (p *Parser) AppendFeed(out []Reply, data []byte) []Reply {
	p.buf = append(p.buf, data...)
	return p.parse(out, false)
}

// Flush declares the stream quiet: an incomplete reply at the head of the
// buffer is garbage. It resynchronizes and returns the replies that the
// buffered bytes still complete; a reply that is merely short of bytes at the
// end is dropped (counted as garbage).
func (p *Parser) Flush() []Reply {
	return p.parse(nil, true)
}

// Garbage returns how many bytes the parser has skipped as garbage.
func (p *Parser) Garbage() int64 { return p.garbage }

// Buffered returns how many bytes wait for the rest of a reply.
func (p *Parser) Buffered() int { return len(p.buf) }

// Reset forgets buffered bytes (the garbage count stays).
func (p *Parser) Reset() { p.buf = p.buf[:0] }

type status uint8

const (
	ok status = iota
	need
	bad
)

func (p *Parser) parse(out []Reply, final bool) []Reply {
	b := p.buf
	i := 0
	for i < len(b) {
		var r Reply
		var n int
		var st status
		switch b[i] {
		case Head0:
			r, n, st = parseFrame(b[i:], final)
		case 'V':
			r, n, st = parseBanner(b[i:], final)
		default:
			// Skip to the next byte that could start something.
			j := i + 1
			for j < len(b) && b[j] != Head0 && b[j] != 'V' {
				j++
			}
			p.garbage += int64(j - i)
			i = j
			continue
		}
		switch st {
		case ok:
			out = append(out, r)
			i += n
			continue
		case bad:
			p.garbage++
			i++
			continue
		}
		// need: wait for more bytes.
		break
	}
	if final && i < len(b) {
		p.garbage += int64(len(b) - i)
		i = len(b)
	}
	// Keep the unparsed tail at the front of the buffer.
	rest := copy(b, b[i:])
	p.buf = b[:rest]
	return out
}

// parseBanner parses "Version: …\r\n" at the head of b.
func parseBanner(b []byte, final bool) (Reply, int, status) {
	k := min(len(b), len(bannerPrefix))
	if !bytes.Equal(b[:k], bannerPrefix[:k]) {
		return Reply{}, 0, bad
	}
	for j := k; j < len(b) && j < maxBanner; j++ {
		c := b[j]
		if c == '\r' {
			if j+1 >= len(b) {
				break
			}
			if b[j+1] != '\n' || j < len(bannerPrefix) {
				return Reply{}, 0, bad
			}
			return Reply{Kind: Banner, Text: string(b[:j])}, j + 2, ok
		}
		if c < 0x20 || c > 0x7e {
			return Reply{}, 0, bad
		}
	}
	if final || len(b) >= maxBanner {
		return Reply{}, 0, bad
	}
	return Reply{}, 0, need
}

// payloadLen returns the payload length hosts expect for type t and the
// extra bytes the firmware actually writes.
func payloadLen(t ValueType, b []byte) (n, extra int, st status) {
	switch t {
	case TypeByte:
		return 1, 0, ok
	case TypeFloat, TypeInt32:
		return 4, 0, ok
	case TypeShort:
		return 2, 2, ok
	case TypeDouble:
		return 4, 4, ok
	case TypeString:
		if len(b) < 5 {
			return 0, 0, need
		}
		return 1 + int(b[4]), 0, ok
	}
	return 0, 0, bad
}

func isEnd(b []byte, at int) bool { return at+1 < len(b) && b[at] == 0x0d && b[at+1] == 0x0a }

// parseFrame parses a reply at the head of b, which starts with ff.
func parseFrame(b []byte, final bool) (Reply, int, status) {
	if len(b) < 2 {
		if final {
			return Reply{}, 0, bad
		}
		return Reply{}, 0, need
	}
	if b[1] != Head1 {
		return Reply{}, 0, bad
	}
	if len(b) < 4 {
		if final {
			return Reply{}, 0, bad
		}
		return Reply{}, 0, need
	}
	if b[2] == 0x0d && b[3] == 0x0a {
		return Reply{Kind: Ack}, 4, ok
	}
	idx, t := b[2], ValueType(b[3])
	if t == 0x0d {
		if len(b) < 5 {
			if final {
				return Reply{}, 0, bad
			}
			return Reply{}, 0, need
		}
		if b[4] == 0x0a {
			return Reply{Kind: Empty, Index: idx}, 5, ok
		}
		return Reply{}, 0, bad
	}
	plen, extra, st := payloadLen(t, b)
	if st != ok {
		if st == need && final {
			st = bad
		}
		return Reply{}, 0, st
	}
	end := 4 + plen
	// The firmware's own length first (it absorbs garbage that happens to
	// read 0d 0a), then the first terminator at or after the payload.
	pref := end + extra
	n := -1
	if extra > 0 {
		if len(b) < pref+2 && !final {
			return Reply{}, 0, need
		}
		if isEnd(b, pref) {
			n = pref + 2
		}
	}
	for at := end; n < 0 && at <= end+maxSlack; at++ {
		if at+1 >= len(b) {
			if final {
				return Reply{}, 0, bad
			}
			return Reply{}, 0, need
		}
		if isEnd(b, at) {
			n = at + 2
		}
	}
	if n < 0 {
		return Reply{}, 0, bad
	}
	r := Reply{Kind: Value, Index: idx, Type: t}
	pl := b[4:end]
	switch t {
	case TypeByte:
		r.Number = float64(pl[0])
		if idx == ButtonIndex {
			r.Kind, r.Pressed, r.Type = Button, pl[0] != 0, 0
		}
	case TypeFloat, TypeDouble:
		r.Number = float64(math.Float32frombits(binary.LittleEndian.Uint32(pl)))
	case TypeShort:
		r.Number = float64(int16(binary.LittleEndian.Uint16(pl)))
	case TypeInt32:
		r.Number = float64(int32(binary.LittleEndian.Uint32(pl)))
	case TypeString:
		r.Text = string(pl[1:])
	}
	return r, n, ok
}

// Reader reads replies from an io.Reader (a serial port, a pipe).
type Reader struct {
	r       io.Reader
	p       Parser
	pending []Reply
	buf     []byte
	err     error // a read error held back until the pending replies are out
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, buf: make([]byte, 256)} }

// Next returns the next reply. It returns the underlying reader's errors as
// they come. A read that times out (an error matching os.ErrDeadlineExceeded,
// or one with a Timeout() method that says true) means the line went quiet:
// Next first flushes the parser (a partial reply is garbage) and returns what
// that completes, and otherwise the timeout error. The Reader stays usable
// after a timeout.
func (r *Reader) Next() (Reply, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			err := r.err
			r.err = nil
			return Reply{}, err
		}
		n, err := r.r.Read(r.buf)
		if n > 0 {
			r.pending = r.p.AppendFeed(r.pending, r.buf[:n])
		}
		if err != nil {
			if isTimeout(err) {
				r.pending = append(r.pending, r.p.Flush()...)
				if len(r.pending) == 0 {
					return Reply{}, err
				}
				break
			}
			r.err = err
		}
	}
	rep := r.pending[0]
	r.pending = r.pending[1:]
	return rep, nil
}

// Garbage returns how many bytes the reader has skipped as garbage.
func (r *Reader) Garbage() int64 { return r.p.Garbage() }

// Buffered returns how many replies are parsed but not yet returned.
func (r *Reader) Buffered() int { return len(r.pending) }

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// Encode returns the bytes the firmware sends for r: the ack, an empty or a
// button reply, a banner line with CR LF, or a value with its TYPE (a short
// is padded to 4 bytes and a double to 8, as the firmware does). It is the
// robot's side, used by the virtual mBot and by tests.
func (r Reply) Encode() []byte {
	switch r.Kind {
	case Ack:
		return []byte{Head0, Head1, 0x0d, 0x0a}
	case Empty:
		return []byte{Head0, Head1, r.Index, 0x0d, 0x0a}
	case Button:
		s := byte(0)
		if r.Pressed {
			s = 1
		}
		return []byte{Head0, Head1, ButtonIndex, byte(TypeByte), s, 0x0d, 0x0a}
	case Banner:
		return append([]byte(r.Text), '\r', '\n')
	}
	b := []byte{Head0, Head1, r.Index, byte(r.Type)}
	switch r.Type {
	case TypeByte:
		b = append(b, byte(r.Number))
	case TypeFloat:
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(r.Number)))
	case TypeShort:
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(r.Number)))
		b = append(b, 0, 0)
	case TypeDouble:
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(r.Number)))
		b = append(b, 0, 0, 0, 0)
	case TypeInt32:
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(r.Number)))
	case TypeString:
		t := r.Text
		if len(t) > 255 {
			t = t[:255]
		}
		b = append(b, byte(len(t)))
		b = append(b, t...)
	}
	return append(b, 0x0d, 0x0a)
}
