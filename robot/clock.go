package robot

import (
	"context"
	"time"
)

// Clock tells and waits robot time. A simulated robot's clock may run K
// times faster than real time (a time scale), or move only when the host
// sleeps (the virtual mBot's link.ManualClock): a host and a virtual robot
// that share one such clock agree exactly on when each frame arrives.
// link.ScaledClock, link.PacedClock and link.ManualClock satisfy it.
type Clock interface {
	// Now returns the robot time since the clock began.
	Now() time.Duration
	// Sleep waits d of robot time, or until ctx is done (returning its
	// error).
	Sleep(ctx context.Context, d time.Duration) error
}

// scaledClock is real time multiplied by k.
type scaledClock struct {
	start time.Time
	k     float64
}

func newScaledClock(k float64) *scaledClock {
	if !(k > 0) {
		k = 1
	}
	return &scaledClock{start: time.Now(), k: k}
}

func (c *scaledClock) Now() time.Duration {
	return time.Duration(float64(time.Since(c.start)) * c.k)
}

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(float64(d) / c.k))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
