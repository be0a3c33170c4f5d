package window

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"mbotdraw/robot"
)

// wireLog is what went over a run's link, kept on the driver's goroutine
// and read by the page (mbotdraw.game.robot, in the browser): the frames
// sent, a checksum of their bytes, and when the first ack came.
type wireLog struct {
	start    time.Time     // when R started the run
	sent     atomic.Int64  // frames the driver wrote
	sum      atomic.Uint64 // FNV-1a of their bytes, in order
	firstAck atomic.Int64  // ns from start to the first ack; 0 before

	mu     sync.Mutex
	losses []string // why the link was lost or a frame timed out, oldest first
}

// FNV-1a, 64 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newWireLog() *wireLog {
	w := &wireLog{start: time.Now()}
	w.sum.Store(fnvOffset)
	return w
}

// traffic notes one of the driver's link events, then hands it on to next.
func (w *wireLog) traffic(next func(robot.Traffic)) func(robot.Traffic) {
	return func(t robot.Traffic) {
		switch t.Kind {
		case robot.TrafficSend:
			h := w.sum.Load()
			for _, b := range t.Frame {
				h = (h ^ uint64(b)) * fnvPrime
			}
			w.sum.Store(h)
			w.sent.Add(1)
		case robot.TrafficLost, robot.TrafficTimeout:
			w.mu.Lock()
			if len(w.losses) < 20 {
				w.losses = append(w.losses, fmt.Sprintf("%v after %v: %v", t.Kind, time.Since(w.start).Round(time.Millisecond), t.Err))
			}
			w.mu.Unlock()
		case robot.TrafficAck:
			if w.firstAck.Load() == 0 {
				w.firstAck.Store(int64(max(time.Since(w.start), 1)))
			}
		}
		if next != nil {
			next(t)
		}
	}
}
