package window

import (
	"testing"
	"time"
)

// A frame in the browser waits while the robot's wheels turn (the driver
// reports a deadline), only the first update of a frame waits, and no
// wait outlasts holdMax.
func TestRobotHold(t *testing.T) {
	var clock time.Time
	h := &robotHold{now: func() time.Time { return clock }, sleep: func(d time.Duration) { clock = clock.Add(d) }}
	const tick = 30 * time.Millisecond
	moveEnd := 700 * time.Millisecond
	start := clock
	// A move: a speed change every 30 ms, each frame acked 2 ms after it
	// went out, until the move ends.
	due := func() (time.Duration, bool) {
		el := clock.Sub(start)
		if el >= moveEnd {
			return 0, false
		}
		if el%tick < 2*time.Millisecond {
			return 0, true // awaiting the ack
		}
		return tick - el%tick, true
	}
	tests := []struct {
		name     string
		due      func() (time.Duration, bool)
		drew     bool
		from, to time.Duration // how long the wait lasts
	}{
		{"no robot", nil, true, 0, 0},
		{"wheels turn", due, true, moveEnd, moveEnd + tick},
		{"second update of a frame", due, false, 0, 0},
		{"wheels still", func() (time.Duration, bool) { return 0, false }, true, 0, 0},
		{"a driver that never ends", func() (time.Duration, bool) { return time.Millisecond, true }, true, holdMax, holdMax + 10*time.Millisecond},
	}
	for _, tc := range tests {
		h.drew = tc.drew
		start = clock
		h.wait(tc.due)
		if got := clock.Sub(start); got < tc.from || got > tc.to {
			t.Errorf("%s: the frame waited %v; want %v…%v", tc.name, got, tc.from, tc.to)
		}
	}
	if h.held != 2 {
		t.Errorf("%d frames waited; want 2", h.held)
	}
}
