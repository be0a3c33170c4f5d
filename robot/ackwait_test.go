package robot

import (
	"testing"
	"time"
)

// A host stalled past a tick (a loaded laptop) does not count its stall
// against the robot: the ack's deadline moves back by the stall; ticks on
// time leave it where it was.
func TestAckWaitDiscountsHostStalls(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration // since the host last ran
		moved time.Duration // how far the deadline moves back
	}{
		{"tick on time", stallTick, 0},
		{"tick a little late", 2 * stallTick, 0},
		{"host stalled 600 ms", 600 * time.Millisecond, 600*time.Millisecond - stallTick},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newAckWait(time.Hour)
			defer w.stop()
			last, deadline := w.last, w.deadline
			if got := w.stalled(last.Add(tc.after)); got != (tc.moved > 0) {
				t.Errorf("stalled = %v, want %v", got, tc.moved > 0)
			}
			if got := w.deadline.Sub(deadline); got != tc.moved {
				t.Errorf("deadline moved by %v, want %v", got, tc.moved)
			}
		})
	}
}
