package link

import (
	"math"
	"time"

	"mbotdraw/robot/mblock"
)

// BootProfile is how a virtual mBot's board starts after a reset (opening a
// USB port resets a real mBot: DTR) and how long its firmware takes to
// answer. The figures of BootMBlock and BootFactory were measured by running
// Makeblock's own firmware (Makeblock-Libraries,
// examples/Firmware_For_mBlock) cycle-accurately for the ATmega328P:
//
//   - the bootloader waits about 1 s after a reset; bytes sent then are lost;
//   - mbot_firmware 06.01.107 (the firmware mBlock flashes) calls
//     Serial.begin 300 ms into setup(), then sleeps, beeps and starts the
//     gyro; its banner "Version: 06.01.107\r\n" ends about 1.34 s after the
//     sketch starts, and only then does its main loop read what arrived
//     meanwhile (the UART keeps 64 bytes);
//   - the factory program a new mBot ships with (06.01.009) plays a start-up
//     tune first and calls Serial.begin only after about 2.1 s: the UART
//     drops every byte before that; its banner ends about 2.13 s after the
//     sketch starts;
//   - a RUN frame is acked 0.8–1.9 ms after its last byte, an RGB LED frame
//     after about 4 ms; a tone is acked only when it ends, stretched by the
//     IR timer (500 Hz for 1 s: about 1.28 s); an ultrasonic read with no echo
//     blocks about 1.29 s (pulseIn's 1 s timeout) and answers 400 cm.
//
// Durations are robot time: a virtual mBot whose clock runs K times faster
// boots K times faster in real time.
type BootProfile struct {
	// Name says which board this is, for test names and messages.
	Name string
	// Version is the firmware version the banner and a version GET report.
	Version string
	// Bootloader is how long the bootloader waits after a reset before the
	// sketch starts; bytes that arrive meanwhile are lost.
	Bootloader time.Duration
	// SerialBegin is when, after the sketch starts, the UART is switched
	// on; bytes that arrive before are lost.
	SerialBegin time.Duration
	// Ready is when, after the sketch starts, the banner has been sent and
	// the main loop begins; bytes that arrive between SerialBegin and Ready
	// wait in the UART's 64-byte buffer.
	Ready time.Duration
	// Latency makes replies take as long as the firmware's do (see above);
	// false answers at once.
	Latency bool
}

// The boot profiles of the virtual mBot.
var (
	// BootMBlock is mbot_firmware 06.01.107 (mBlock's "update firmware")
	// behind a 1 s bootloader: ready 2.34 s after the port opens. It is the
	// virtual mBot's default.
	BootMBlock = BootProfile{Name: "mBlock firmware 06.01.107", Version: "06.01.107",
		Bootloader: time.Second, SerialBegin: 300 * time.Millisecond, Ready: 1340 * time.Millisecond, Latency: true}
	// BootFactory is the factory program 06.01.009 that a new mBot ships
	// with, behind a 1 s bootloader: ready 3.13 s after the port opens.
	BootFactory = BootProfile{Name: "factory program 06.01.009", Version: "06.01.009",
		Bootloader: time.Second, SerialBegin: 2100 * time.Millisecond, Ready: 2130 * time.Millisecond, Latency: true}
	// BootInstant is an idealised board that is ready the moment it is
	// reset and answers at once: for tests of everything but the boot.
	BootInstant = BootProfile{Name: "instant", Version: DefaultVersion}
)

// uartBuffer is the Arduino core's receive buffer, in bytes.
const uartBuffer = 64

// ReadyAfter returns how long after a reset the board listens: the
// bootloader's wait plus the sketch's set-up.
func (b BootProfile) ReadyAfter() time.Duration { return b.Bootloader + b.Ready }

// phase says what the board does with a byte that arrives elapsed (robot
// time) after its reset.
func (b BootProfile) phase(elapsed time.Duration) rxPhase {
	switch {
	case elapsed < b.Bootloader+b.SerialBegin:
		return rxLost
	case elapsed < b.Bootloader+b.Ready:
		return rxBuffered
	}
	return rxReady
}

type rxPhase int

const (
	rxLost     rxPhase = iota // in the bootloader, or the UART is off
	rxBuffered                // the UART is on; the main loop has not begun
	rxReady                   // the main loop reads it
)

// replyDelay returns how long (robot time) the firmware takes to answer
// request r, with the ultrasonic sensor reading distance cm.
func (b BootProfile) replyDelay(r mblock.Request, distance float64) time.Duration {
	if !b.Latency {
		return 0
	}
	if r.Action == mblock.ActionGet && r.Device == mblock.DevUltrasonic && distance < 400 {
		return time.Duration(distance*58)*time.Microsecond + time.Millisecond // the echo's flight
	}
	return r.ReplyTime()
}

// realTime returns how long robot time d takes in real time on clock c: d/K
// for a clock with a Scale, 0 for a ManualClock (it moves only when the host
// sleeps, so the board is ready as soon as the host looks), d otherwise.
func realTime(c Clock, d time.Duration) time.Duration {
	switch c := c.(type) {
	case *ManualClock:
		return 0
	case interface{ Scale() float64 }:
		return time.Duration(float64(d) / c.Scale())
	}
	return d
}

// robotTime is the inverse of realTime: how much robot time passes on c in
// real time d (for a ManualClock, forever).
func robotTime(c Clock, d time.Duration) time.Duration {
	switch c := c.(type) {
	case *ManualClock:
		return math.MaxInt64
	case interface{ Scale() float64 }:
		return time.Duration(math.Min(float64(d)*c.Scale(), math.MaxInt64/2))
	}
	return d
}

// hostOpened restarts the board of connection gen, as opening a USB port
// does (DTR). Opening a port changes its settings more than once (raw mode,
// then the speed) before the host sends anything: a change with no byte
// received since the last restart belongs to the same open.
func (v *Virtual) hostOpened(gen int) {
	v.loop.Lock()
	defer v.loop.Unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if gen == v.gen && v.heard {
		v.resetLocked()
	}
}

// resetLocked restarts the board now: the motors stop, a frame half read is
// gone, and the board boots by its profile; when it is ready, started
// prints the banner and reads what waited in the UART. Call it with loop and mu
// held.
func (v *Virtual) resetLocked() {
	v.advance(v.clock.Now())
	v.left, v.right = 0, 0
	v.dec = mblock.RequestDecoder{}
	v.rx, v.booted, v.heard = nil, false, false
	v.resetAt = time.Now()
	v.boots++
	boots, gen := v.boots, v.gen
	time.AfterFunc(realTime(v.clock, v.boot.ReadyAfter()), func() { v.started(boots, gen) })
}

// started ends boot number boots on connection gen: the banner goes out,
// and the main loop reads the bytes that waited.
func (v *Virtual) started(boots, gen int) {
	v.loop.Lock()
	defer v.loop.Unlock()
	v.mu.Lock()
	if boots != v.boots || gen != v.gen {
		v.mu.Unlock()
		return
	}
	v.booted = true
	rx, out := v.rx, v.out
	v.rx = nil
	v.mu.Unlock()
	if out == nil {
		return
	}
	if !v.opts.NoBanner {
		v.wmu.Lock()
		_, err := out.Write(v.banner())
		v.wmu.Unlock()
		if err != nil {
			return
		}
	}
	v.run(out, rx, gen)
}
