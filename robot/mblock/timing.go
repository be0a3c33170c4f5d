package mblock

import "time"

// How long the firmware takes to answer, measured by running Makeblock's own
// firmware (mbot_firmware 06.01.107 and the factory program 06.01.009)
// cycle-accurately for the ATmega328P. Times run from the frame's last byte
// to the reply's first.
const (
	// RunTime bounds the ack of a RUN, RESET or START frame (0.8–1.9 ms),
	// and the answer to a GET that reads no sensor.
	RunTime = 1900 * time.Microsecond
	// LEDTime is the ack of an RGB LED frame (the WS2812 write).
	LEDTime = 4 * time.Millisecond
	// NoEchoTime is an ultrasonic GET with no echo: pulseIn waits out its
	// 1 s timeout, and the reply is 400 cm.
	NoEchoTime = 1290 * time.Millisecond
	// toneStretch is how much longer than asked a tone lasts: the IR
	// receiver's timer interrupts the buzzer's busy-wait (500 Hz for 1 s
	// takes about 1.28 s).
	toneStretch = 1.28
)

// ReplyTime returns the longest the firmware may take to answer frame: a
// tone is acked only after it has played (the firmware busy-waits), an
// ultrasonic read may wait for an echo that never comes, an LED frame takes
// a few ms, anything else under 2 ms. A host adds it to its own allowance
// for the link. A frame that is not a valid request gets RunTime.
func ReplyTime(frame []byte) time.Duration {
	r, err := ParseRequest(frame)
	if err != nil {
		return RunTime
	}
	return r.ReplyTime()
}

// ReplyTime returns the longest the firmware may take to answer r (see the
// function ReplyTime).
func (r Request) ReplyTime() time.Duration {
	switch {
	case r.Action == ActionRun && r.Device == DevTone:
		if hz, ms := r.Int16(0), r.Int16(2); hz > 0 && ms > 0 {
			return time.Duration(float64(ms)*toneStretch*float64(time.Millisecond)) + RunTime
		}
	case r.Action == ActionRun && r.Device == DevRGBLED:
		return LEDTime
	case r.Action == ActionGet && r.Device == DevUltrasonic:
		return NoEchoTime
	}
	return RunTime
}
