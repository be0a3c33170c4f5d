package window

import (
	"runtime"
	"time"
)

// Frames wait for the robot, in the browser. There the robot's driver
// shares the page's one thread with the window: Go's wasm port has no
// threads and no preemption, so while a frame runs (30 to 300 ms on
// SwiftShader, as on a Chromebook's software GL) the driver's timers
// cannot fire. A stop that goes out late lets the robot run on (at a time
// scale K, K times as far: a 100 ms late stop at K = 4 is 20 mm at half
// speed), and the driver's closed loop then backs up over the overshoot
// with the pen down and re-aims, each correction a move of its own that is
// as late: that, not a fault in the corrections, is what turned 678 mm of
// planned ink into 1.5 to 3.5 m.
//
// So in the browser, while the wheels turn or a frame awaits its ack
// (robot.Driver.Due reports a deadline), a frame does not begin: its first
// Update sleeps, which gives the thread to the driver, until the move has
// ended (a frame that held the thread for the ack timeout, as one can on a
// loaded machine, would lose the link). The screen is redrawn
// between moves, when a late frame only makes the drawing take a little
// longer. Waiting for the whole move, rather than starting a frame when the
// next deadline seems far enough, is deliberate: a frame's cost varies
// tenfold from one frame to the next, so no estimate of it is safe. Timing
// the writes from JavaScript would not help: JavaScript's timers wait for
// the same thread.
//
// The desktop has real threads and preemption, and a virtual mBot on a
// shared clock (sim) and a bridge's robot (timed on the bridge's computer)
// report no deadline: for them nothing waits.

// holdForRobot is whether frames wait for the robot: only where the driver
// shares the window's thread.
var holdForRobot = runtime.GOARCH == "wasm"

const (
	// holdMax is the longest one frame waits (a move lasts a few seconds
	// at most; a driver that kept reporting deadlines must not freeze the
	// screen for longer).
	holdMax = 10 * time.Second
	// holdPoll is how long a waiting frame sleeps while one of the move's
	// frames awaits its ack.
	holdPoll = time.Millisecond
)

// robotHold makes a frame wait while the robot's wheels turn.
type robotHold struct {
	// drew is set by Draw: the next Update begins a frame. Ebiten runs
	// several updates before a draw when frames are slow; only the first
	// of them waits.
	drew bool
	// now and sleep are time.Now and time.Sleep, but in tests.
	now   func() time.Time
	sleep func(time.Duration)
	// held counts the frames that waited, and waited the time they spent
	// waiting (for the page's tests).
	held   int
	waited time.Duration
}

// wait sleeps while due (robot.Driver.Due) reports a deadline, until
// holdMax; it returns at once when due is nil or reports none, and in any
// update but a frame's first.
func (h *robotHold) wait(due func() (time.Duration, bool)) {
	if !h.drew {
		return
	}
	h.drew = false
	now, sleep := h.now, h.sleep
	if now == nil {
		now, sleep = time.Now, time.Sleep
	}
	start := now()
	held := false
	for due != nil {
		w, ok := due()
		if !ok || now().Sub(start) >= holdMax {
			break
		}
		held = true
		sleep(max(w, 0) + holdPoll)
	}
	if held {
		h.held++
		h.waited += now().Sub(start)
	}
}

// robotDue returns the deadline of the robot under way, for robotHold, or
// nil when no robot this window drives is under way.
func (g *Game) robotDue() func() (time.Duration, bool) {
	r := g.robot
	if r == nil || !r.running() {
		return nil
	}
	d, ok := r.drv.(interface{ Due() (time.Duration, bool) })
	if !ok {
		return nil // a bridge's robot keeps its own time
	}
	return d.Due
}
