package robot

import "time"

// stallTick is how often an ackWait checks that the host is running: a
// tick that comes more than stallTick late means the host was stalled.
const stallTick = 20 * time.Millisecond

// ackWait is the wait for one ack, counted in time the host ran. A host
// that stalls (a laptop under load, a long pause of the runtime) cannot
// read an answer that came meanwhile; its stall is not the robot's
// silence, so the deadline moves back by the stall. A robot that does not
// answer is still told within the wait, as the host sees it.
type ackWait struct {
	timer    *time.Timer
	tick     *time.Ticker
	deadline time.Time
	last     time.Time // when the host last ran, as far as the ticks tell
}

// newAckWait starts a wait of d.
func newAckWait(d time.Duration) *ackWait {
	now := time.Now()
	return &ackWait{timer: time.NewTimer(d), tick: time.NewTicker(stallTick), deadline: now.Add(d), last: now}
}

// reset starts the wait again, for d from now.
func (w *ackWait) reset(d time.Duration) {
	w.last = time.Now()
	w.deadline = w.last.Add(d)
	w.timer.Reset(d)
}

// stalled notes that the host runs at now (a tick came, or the timer) and
// reports whether it had stalled since it last ran: then the deadline has
// moved back by the stall.
func (w *ackWait) stalled(now time.Time) bool {
	gap := now.Sub(w.last) - stallTick
	w.last = now
	if gap <= stallTick {
		return false
	}
	w.deadline = w.deadline.Add(gap)
	w.timer.Reset(time.Until(w.deadline))
	return true
}

// stop releases the timer and the ticker.
func (w *ackWait) stop() {
	w.timer.Stop()
	w.tick.Stop()
}
