package mblock

import (
	"testing"
	"time"
)

// The wait a host allows for each reply follows the firmware: a tone is
// acked when it has played (stretched by the IR timer), an ultrasonic read
// may wait out pulseIn's timeout, an LED frame takes a few ms.
func TestReplyTime(t *testing.T) {
	tests := []struct {
		name     string
		frame    []byte
		min, max time.Duration
	}{
		{"drive", Drive(0, 100, 100), time.Millisecond, 2 * time.Millisecond},
		{"servo", Servo(0, 1, 1, 90), time.Millisecond, 2 * time.Millisecond},
		{"1 s tone at 500 Hz", Tone(0, 500, 1000), 1280 * time.Millisecond, 1300 * time.Millisecond},
		{"tone off", ToneOff(0), time.Millisecond, 2 * time.Millisecond},
		{"LEDs", BoardLED(0, 0, 10, 20, 30), 4 * time.Millisecond, 4 * time.Millisecond},
		{"ultrasonic, perhaps no echo", Ultrasonic(0, Port3), 1290 * time.Millisecond, 1290 * time.Millisecond},
		{"version", Version(0xfa), time.Millisecond, 2 * time.Millisecond},
		{"not a frame", []byte{1, 2, 3}, time.Millisecond, 2 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := ReplyTime(tc.frame); got < tc.min || got > tc.max {
			t.Errorf("%s: %v, want %v to %v", tc.name, got, tc.min, tc.max)
		}
	}
}
