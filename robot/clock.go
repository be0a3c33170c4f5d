package robot

import (
	"context"
	"time"
)

// Clock tells and waits robot time. A simulated robot's clock may run K
// times faster than real time (a time scale), or move only when the host
// sleeps (the virtual mBot's link.ManualClock): a host and a virtual robot
// that share one such clock agree exactly on when each frame arrives.
// link.ScaledClock, link.PacedClock and link.ManualClock satisfy it (it is
// link.Sleeper by another name); a Driver without one runs on a
// link.ScaledClock at its TimeScale.
type Clock interface {
	// Now returns the robot time since the clock began.
	Now() time.Duration
	// Sleep waits d of robot time, or until ctx is done (returning its
	// error).
	Sleep(ctx context.Context, d time.Duration) error
}
