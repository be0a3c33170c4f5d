package link

import (
	"context"
	"sync"
	"time"
)

// Clock tells robot time: the time the robot lives in, which runs K times
// faster than real time for a simulated robot with time scale K. The virtual
// mBot reads its Clock when each frame arrives and integrates the motors'
// motion over the robot time between frames.
type Clock interface {
	// Now returns the robot time since the clock began.
	Now() time.Duration
}

// Sleeper is a Clock that can also wait: a host that waits on the same clock
// the virtual mBot reads drives it exactly.
type Sleeper interface {
	Clock
	// Sleep waits d of robot time, or until ctx is done (returning its
	// error).
	Sleep(ctx context.Context, d time.Duration) error
}

// ScaledClock is real (monotonic) time multiplied by a scale K: robot time
// = real time × K. With K > 1 a simulated robot need not be waited for, but
// real scheduling jitter is multiplied by K too: a frame that arrives 0.2 ms
// late moves the virtual robot as if it came 0.2·K ms late.
type ScaledClock struct {
	start time.Time
	k     float64
}

// NewScaledClock returns a clock that starts now and runs k times faster
// than real time; k ≤ 0 means 1.
func NewScaledClock(k float64) *ScaledClock {
	if k <= 0 {
		k = 1
	}
	return &ScaledClock{start: time.Now(), k: k}
}

// Scale returns K.
func (c *ScaledClock) Scale() float64 { return c.k }

// Now returns the robot time since the clock started.
func (c *ScaledClock) Now() time.Duration {
	return time.Duration(float64(time.Since(c.start)) * c.k)
}

// Sleep waits d/K of real time.
func (c *ScaledClock) Sleep(ctx context.Context, d time.Duration) error {
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

// ManualClock is a clock that moves only when told: Sleep and Advance add to
// it at once. A host driver and a virtual mBot that share one ManualClock
// are exact and as fast as the link allows: with one frame in flight, each
// frame reaches the robot before the host's next Sleep, so the robot sees
// every frame at the very robot time the host meant. The zero value starts
// at 0 and is ready to use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Duration
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (a negative d is ignored).
func (c *ManualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now += d
	c.mu.Unlock()
}

// Sleep advances the clock by d and returns at once (ctx's error if it is
// done).
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// PacedClock is a ManualClock that also keeps pace with real time: Sleep(d)
// waits d/K of real time and then moves the clock forward by exactly d.
// While a Sleep is in progress Now moves smoothly towards its end (so a live
// view of the robot moves), never past it. A host driver and a virtual mBot
// that share one PacedClock in one process run at K times real speed yet are
// as exact as with a ManualClock: with one frame in flight, frames arrive
// only between the host's sleeps, at the very robot time the host meant.
// Only one goroutine may Sleep at a time.
type PacedClock struct {
	k float64

	mu       sync.Mutex
	base     time.Duration // robot time when the current sleep began
	sleeping bool
	began    time.Time     // real time the current sleep began
	length   time.Duration // robot length of the current sleep
}

// NewPacedClock returns a paced clock at 0 running k times faster than
// real time; k ≤ 0 means 1.
func NewPacedClock(k float64) *PacedClock {
	if k <= 0 {
		k = 1
	}
	return &PacedClock{k: k}
}

// Scale returns K.
func (c *PacedClock) Scale() float64 { return c.k }

// Now returns the robot time.
func (c *PacedClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.sleeping {
		return c.base
	}
	return c.base + min(c.length, time.Duration(float64(time.Since(c.began))*c.k))
}

// Sleep waits d/K of real time, then advances the clock by d. When ctx ends
// first, the clock advances by the robot time that passed and Sleep returns
// ctx's error.
func (c *PacedClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	c.sleeping, c.began, c.length = true, time.Now(), d
	c.mu.Unlock()
	t := time.NewTimer(time.Duration(float64(d) / c.k))
	defer t.Stop()
	var err error
	select {
	case <-t.C:
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.mu.Lock()
	if err != nil {
		d = min(d, time.Duration(float64(time.Since(c.began))*c.k))
	}
	c.base += d
	c.sleeping = false
	c.mu.Unlock()
	return err
}
