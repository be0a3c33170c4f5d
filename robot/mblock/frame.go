package mblock

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Frame header bytes.
const (
	Head0 byte = 0xff
	Head1 byte = 0x55
)

// MaxFrameLen is the longest host→robot frame the firmware accepts, in bytes
// (ff 55 LEN and at most 48 more).
const MaxFrameLen = 51

// Actions (frame offset 4).
const (
	ActionGet   byte = 0x01
	ActionRun   byte = 0x02
	ActionReset byte = 0x04
	ActionStart byte = 0x05
)

// Device IDs (frame offset 5) used by a drawing robot.
const (
	DevVersion      byte = 0x00 // GET → string
	DevUltrasonic   byte = 0x01 // GET [port] → float cm (capped at 400)
	DevLight        byte = 0x03 // GET [port] → float 0…1023
	DevJoystick     byte = 0x05 // RUN [m1 int16][m2 int16]: both drive motors
	DevRGBLED       byte = 0x08 // RUN [port][slot][index][r][g][b]
	DevMotor        byte = 0x0a // RUN [port][speed int16]: one DC motor
	DevServo        byte = 0x0b // RUN [port][slot][angle]
	DevLineFollower byte = 0x11 // GET [port] → float 0…3
	DevAnalog       byte = 0x1f // GET [channel] → float 0…1023
	DevTone         byte = 0x22 // RUN [hz int16][ms int16]: on-board buzzer
	DevButtonInner  byte = 0x23 // GET [07][state] → byte
	DevTimer        byte = 0x32 // RUN resets it; GET → float seconds
)

// Ports and slots on the mCore board.
const (
	Port1     byte = 0x01 // RJ25, D11/D12: free; a good home for the pen servo
	Port2     byte = 0x02 // RJ25, D9/D10: line follower in the stock build
	Port3     byte = 0x03 // RJ25, A2/A3: ultrasonic sensor in the stock build
	Port4     byte = 0x04 // RJ25, A0/A1: free
	PortLight byte = 0x06 // on-board light sensor
	PortBoard byte = 0x07 // on-board: button (A7) and the two RGB LEDs (D13, slot 2)
	PortM1    byte = 0x09 // left drive motor
	PortM2    byte = 0x0a // right drive motor

	Slot1 byte = 0x01
	Slot2 byte = 0x02
)

// MaxPWM is the largest motor speed magnitude; larger values are clamped.
const MaxPWM = 255

// Frame returns the frame ff 55 LEN idx action device data…. It does not
// check the length: a frame longer than MaxFrameLen is returned as asked, and
// the firmware would drop it (see Validate).
func Frame(idx, action, device byte, data ...byte) []byte {
	f := make([]byte, 0, 6+len(data))
	f = append(f, Head0, Head1, byte(3+len(data)), idx, action, device)
	return append(f, data...)
}

// Get returns a GET frame for device with the given argument bytes.
func Get(idx, device byte, args ...byte) []byte { return Frame(idx, ActionGet, device, args...) }

// Run returns a RUN frame for device with the given argument bytes.
func Run(idx, device byte, args ...byte) []byte { return Frame(idx, ActionRun, device, args...) }

// Reset returns the RESET frame ff 55 02 idx 04: the firmware stops both
// motors and the buzzer (servos and LEDs keep their state) and acks.
func Reset(idx byte) []byte { return []byte{Head0, Head1, 2, idx, ActionReset} }

// Start returns the START frame ff 55 02 idx 05, which only acks.
func Start(idx byte) []byte { return []byte{Head0, Head1, 2, idx, ActionStart} }

// Joystick returns the dual-motor frame (device 05) with raw PWM values for
// M1 (left) and M2 (right), each clamped to −255…+255. On a stock mBot forward
// is M1 negative and M2 positive; Drive applies that convention.
func Joystick(idx byte, m1, m2 int) []byte {
	a, b := le16(clampPWM(m1)), le16(clampPWM(m2))
	return Run(idx, DevJoystick, a[0], a[1], b[0], b[1])
}

// Drive returns the dual-motor frame for wheel speeds left and right in PWM
// units, positive meaning that wheel rolls forward, with the stock mBot's
// wiring (Wiring{}.Drive).
func Drive(idx byte, left, right int) []byte { return Wiring{}.Drive(idx, left, right) }

// Stop returns the dual-motor frame with both motors at 0.
func Stop(idx byte) []byte { return Joystick(idx, 0, 0) }

// Motor returns the single-motor frame (device 0a) for port (PortM1 or
// PortM2) at the raw PWM speed, clamped to −255…+255. The value is raw: on a
// stock mBot M1 runs forward with a negative speed.
func Motor(idx, port byte, speed int) []byte {
	s := le16(clampPWM(speed))
	return Run(idx, DevMotor, port, s[0], s[1])
}

// Servo returns the servo frame (device 0b): port (Port1…Port4), slot (Slot1
// drives pin s1, anything else s2) and angle in degrees, clamped to 0…180.
func Servo(idx, port, slot byte, angle int) []byte {
	return Run(idx, DevServo, port, slot, byte(max(0, min(180, angle))))
}

// Tone returns the buzzer frame (device 22): hz and ms, each clamped to
// 0…32767. The firmware blocks (and acks late) for the tone's duration; hz 0
// silences the buzzer.
func Tone(idx byte, hz, ms int) []byte {
	h, d := le16(clamp16(hz)), le16(clamp16(ms))
	return Run(idx, DevTone, h[0], h[1], d[0], d[1])
}

// ToneOff returns mBlock's buzzer-off frame ff 55 05 idx 02 22 00 00.
func ToneOff(idx byte) []byte { return Run(idx, DevTone, 0, 0) }

// LED returns the RGB LED frame (device 08). index 0 sets every LED on the
// port, 1…n one of them.
func LED(idx, port, slot, index, r, g, b byte) []byte {
	return Run(idx, DevRGBLED, port, slot, index, r, g, b)
}

// BoardLED returns the frame for the mCore's two on-board RGB LEDs (port 07,
// slot 02); index 0 sets both.
func BoardLED(idx, index, r, g, b byte) []byte { return LED(idx, PortBoard, Slot2, index, r, g, b) }

// Ultrasonic returns the GET frame for the ultrasonic sensor on port (Port3
// in the stock build). The reply is a float in cm, 400.0 when there is no echo.
func Ultrasonic(idx, port byte) []byte { return Get(idx, DevUltrasonic, port) }

// LineFollower returns the GET frame for the line follower on port (Port2 in
// the stock build). The reply is a float: 2·left + right, 1 meaning white.
func LineFollower(idx, port byte) []byte { return Get(idx, DevLineFollower, port) }

// Light returns the GET frame for a light sensor (PortLight: on board).
func Light(idx, port byte) []byte { return Get(idx, DevLight, port) }

// Analog returns the GET frame for analog channel ch (7 = A7, the button).
func Analog(idx, ch byte) []byte { return Get(idx, DevAnalog, ch) }

// BoardButton returns the GET frame for the on-board button; the byte reply
// is 1 while it is pressed.
func BoardButton(idx byte) []byte { return Get(idx, DevButtonInner, PortBoard, 0) }

// Version returns the version query ff 55 03 idx 01 00; the reply is a
// string such as "06.01.107" (06 = mCore).
func Version(idx byte) []byte { return Get(idx, DevVersion) }

// Wiring says how the drive motors are connected. The zero value is the stock
// mBot: the motors are mounted mirror-image, so the left wheel (M1) rolls
// forward on a negative PWM and the right wheel (M2) on a positive one.
// InvertLeft or InvertRight flips one side, for a motor wired the other way
// round.
type Wiring struct {
	InvertLeft, InvertRight bool
}

// Raw converts wheel speeds (positive = forward) to raw M1/M2 values.
func (w Wiring) Raw(left, right int) (m1, m2 int) {
	m1, m2 = -left, right
	if w.InvertLeft {
		m1 = -m1
	}
	if w.InvertRight {
		m2 = -m2
	}
	return m1, m2
}

// Wheels converts raw M1/M2 values to wheel speeds (positive = forward); it
// is the inverse of Raw.
func (w Wiring) Wheels(m1, m2 int) (left, right int) {
	left, right = -m1, m2
	if w.InvertLeft {
		left = -left
	}
	if w.InvertRight {
		right = -right
	}
	return left, right
}

// Drive returns the dual-motor frame for wheel speeds left and right (PWM,
// positive = forward) with this wiring.
func (w Wiring) Drive(idx byte, left, right int) []byte {
	m1, m2 := w.Raw(clampPWM(left), clampPWM(right))
	return Joystick(idx, m1, m2)
}

// Validate reports whether frame is a host→robot frame the firmware would
// accept: the ff 55 header, LEN matching the length, LEN between 2 and 48.
func Validate(frame []byte) error {
	_, err := ParseRequest(frame)
	return err
}

// Indexer hands out request indices (IDX) for GET frames, cycling through
// 1…254 and skipping 0x0a, 0x0d and 0x80, which would make a reply look like
// an ack, an empty reply or a button event. The zero value starts at 1.
type Indexer struct {
	next byte
}

// Next returns the next index.
func (x *Indexer) Next() byte {
	for {
		x.next++
		if x.next == 0 || x.next == 0xff {
			x.next = 1
		}
		if !ReservedIndex(x.next) {
			return x.next
		}
	}
}

// ReservedIndex reports whether idx should not be used for a request: 0x0a,
// 0x0d and 0x80 (the button event's index).
func ReservedIndex(idx byte) bool { return idx == 0x0a || idx == 0x0d || idx == 0x80 }

func clampPWM(v int) int { return max(-MaxPWM, min(MaxPWM, v)) }

func clamp16(v int) int { return max(0, min(math.MaxInt16, v)) }

func le16(v int) [2]byte {
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], uint16(int16(v)))
	return b
}

// Hex formats a frame as lower-case hex bytes without separators, as the
// frames log of `plot --log` writes it ("ff5507000205…").
func Hex(frame []byte) string { return fmt.Sprintf("%x", frame) }
