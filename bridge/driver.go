package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
	"mbotdraw/robot/link"
)

// DriverRobot is a real (or virtual) mBot behind a robot link, driven by
// robot.Driver: each chunk of moves becomes a robot.Program timed by the
// calibration and streamed with one frame in flight. The link is opened
// once and kept between chunks and jobs (opening a USB port resets the
// board); it is re-dialled only when the driver finds it lost.
type DriverRobot struct {
	dial robot.DialFunc
	cal  robot.Calibration
	o    DriverRobotOptions

	mu      sync.Mutex
	link    io.ReadWriteCloser
	broken  bool
	pose    robot.Pose
	readMu  sync.Mutex // one reader of the link at a time
	pending []byte     // bytes a closed stream read that the next one gets
}

// DriverRobotOptions tune a DriverRobot. The zero value runs in real time.
type DriverRobotOptions struct {
	// TimeScale and Clock as robot.DriverOptions (for the virtual mBot).
	TimeScale float64
	Clock     robot.Clock
	// OnTraffic, if set, receives the link's traffic (for traces).
	OnTraffic func(robot.Traffic)
	// PauseTimeout bounds the wait for the move under way to finish when a
	// run is stopped (0: 5 s); past it the driver is cancelled mid-move (it
	// still stops the motors and lifts the pen).
	PauseTimeout time.Duration
}

// NewDriverRobot returns a robot reached through dial and timed by cal.
func NewDriverRobot(dial robot.DialFunc, cal robot.Calibration, o DriverRobotOptions) *DriverRobot {
	if o.PauseTimeout <= 0 {
		o.PauseTimeout = 5 * time.Second
	}
	return &DriverRobot{dial: dial, cal: cal, o: o}
}

// Connect opens the robot's link now, so that a missing or busy port is
// reported at start rather than at the first job.
func (r *DriverRobot) Connect(ctx context.Context) error {
	_, err := r.borrow(ctx, false)
	return err
}

// Run implements Robot.
func (r *DriverRobot) Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error {
	r.mu.Lock()
	start := r.pose
	r.mu.Unlock()
	prog, err := robot.NewProgram(Motions(moves), start, r.cal)
	if err != nil {
		return err
	}
	// The program adds rests before wheel reversals: map its motions back
	// to our moves.
	doneAt := make([]int, len(prog.Motions)+1)
	k := 0
	for i, m := range prog.Motions {
		doneAt[i] = k
		if m.Kind != robot.Wait {
			k++
		}
	}
	doneAt[len(prog.Motions)] = k
	if k != len(moves) {
		return fmt.Errorf("bridge: %d moves became %d motions", len(moves), k)
	}
	var last robot.Progress
	var lastMu sync.Mutex
	dials := 0
	d := robot.NewDriver(prog, func(ctx context.Context) (io.ReadWriteCloser, error) {
		dials++
		return r.borrow(ctx, dials > 1)
	}, robot.DriverOptions{TimeScale: r.o.TimeScale, Clock: r.o.Clock, OnTraffic: r.o.OnTraffic,
		OnProgress: func(p robot.Progress) {
			lastMu.Lock()
			last = p
			lastMu.Unlock()
			report(RobotEvent{Done: doneAt[min(p.MotionsDone, len(prog.Motions))], Lost: p.State == robot.StateLostLink})
		}})
	dctx, dcancel := context.WithCancel(context.Background())
	defer dcancel()
	errc := make(chan error, 1)
	go func() { errc <- d.Run(dctx) }()
	var runErr error
	select {
	case runErr = <-errc:
	case <-ctx.Done():
		// Finish the move under way and lift the pen, then stop.
		d.Pause()
		deadline := time.After(r.o.PauseTimeout)
		tick := time.NewTicker(5 * time.Millisecond)
	wait:
		for {
			select {
			case runErr = <-errc:
				break wait
			case <-deadline:
				break wait
			case <-tick.C:
				if d.State() == robot.StatePaused {
					break wait
				}
			}
		}
		tick.Stop()
		if runErr == nil {
			dcancel()
			<-errc
		}
		runErr = ctx.Err()
	}
	lastMu.Lock()
	r.mu.Lock()
	r.pose = last.Pose
	r.mu.Unlock()
	lastMu.Unlock()
	return runErr
}

// Stop implements Robot: it lifts the pen (the driver stops the motors at
// the end of every move and of every cancelled run).
func (r *DriverRobot) Stop(ctx context.Context) error {
	r.mu.Lock()
	start, never := r.pose, r.link == nil && !r.broken
	r.mu.Unlock()
	if never {
		return nil // the bridge has not touched the robot
	}
	prog, err := robot.NewProgram([]robot.Motion{{Kind: robot.PenUp}}, start, r.cal)
	if err != nil {
		return err
	}
	o := robot.DriverOptions{TimeScale: r.o.TimeScale, Clock: r.o.Clock, Reconnect: -1}
	d := robot.NewDriver(prog, func(ctx context.Context) (io.ReadWriteCloser, error) { return r.borrow(ctx, false) }, o)
	return d.Run(ctx)
}

// Estimate implements Estimator: the move's time from the calibration, with
// its ramps.
func (r *DriverRobot) Estimate(m wire.Move) time.Duration {
	return estimate(r.cal, m)
}

func estimate(c robot.Calibration, m wire.Move) time.Duration {
	d := robot.DefaultCalibration()
	if c.Speed <= 0 {
		c.Speed = d.Speed
	}
	if c.TurnRate <= 0 {
		c.TurnRate = d.TurnRate
	}
	ms := 0.0
	switch m.Kind {
	case wire.PenUp, wire.PenDown:
		ms = c.Settle
	case wire.Turn:
		ms = 1000*math.Abs(float64(m.Value))/c.TurnRate + c.Ramp
	case wire.Drive:
		ms = 1000*math.Abs(float64(m.Value))/c.Speed + c.Ramp
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// Close closes the robot's link.
func (r *DriverRobot) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.link == nil {
		return nil
	}
	err := r.link.Close()
	r.link = nil
	return err
}

// borrow returns a stream over the kept link, dialling it first if there is
// none, it broke, or fresh is set (the driver lost it and redials).
func (r *DriverRobot) borrow(ctx context.Context, fresh bool) (io.ReadWriteCloser, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.link != nil && (fresh || r.broken) {
		r.link.Close()
		r.link = nil
	}
	if r.link == nil {
		l, err := r.dial(ctx)
		if err != nil {
			return nil, err
		}
		r.link, r.broken = l, false
		r.readMu.Lock()
		r.pending = nil
		r.readMu.Unlock()
	}
	return &borrowed{r: r, l: r.link}, nil
}

// borrowed is one driver's view of the kept link: closing it stops its
// reads (within pollRead) and leaves the link open for the next driver.
type borrowed struct {
	r       *DriverRobot
	l       io.ReadWriteCloser
	mu      sync.Mutex
	closed  bool
	timeout time.Duration
}

const pollRead = 20 * time.Millisecond

type readTimeouter interface{ SetReadTimeout(time.Duration) error }

func (b *borrowed) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

func (b *borrowed) Read(p []byte) (int, error) {
	rt, canPoll := b.l.(readTimeouter)
	b.mu.Lock()
	timeout := b.timeout
	b.mu.Unlock()
	start := time.Now()
	for {
		if b.isClosed() {
			return 0, link.ErrClosed
		}
		b.r.readMu.Lock()
		if len(b.r.pending) > 0 {
			n := copy(p, b.r.pending)
			b.r.pending = b.r.pending[n:]
			b.r.readMu.Unlock()
			return n, nil
		}
		if canPoll {
			_ = rt.SetReadTimeout(pollRead)
		}
		n, err := b.l.Read(p)
		if n > 0 && b.isClosed() {
			// Read after our driver let go: keep it for the next one.
			b.r.pending = append(b.r.pending, p[:n]...)
			b.r.readMu.Unlock()
			return 0, link.ErrClosed
		}
		b.r.readMu.Unlock()
		if n > 0 || err == nil {
			return n, err
		}
		if canPoll && errors.Is(err, os.ErrDeadlineExceeded) {
			if timeout > 0 && time.Since(start) >= timeout {
				return 0, link.ErrTimeout
			}
			continue
		}
		b.r.mu.Lock()
		if b.r.link == b.l {
			b.r.broken = true
		}
		b.r.mu.Unlock()
		return 0, err
	}
}

func (b *borrowed) Write(p []byte) (int, error) {
	if b.isClosed() {
		return 0, link.ErrClosed
	}
	return b.l.Write(p)
}

// SetReadTimeout makes Read give up after d without data (0: never).
func (b *borrowed) SetReadTimeout(d time.Duration) error {
	b.mu.Lock()
	b.timeout = d
	b.mu.Unlock()
	return nil
}

// Close lets go of the link; without read timeouts on the link, it must
// close it to unblock a pending Read, and the next driver redials.
func (b *borrowed) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	if _, ok := b.l.(readTimeouter); !ok {
		b.r.mu.Lock()
		if b.r.link == b.l {
			b.r.link = nil
		}
		b.r.mu.Unlock()
		return b.l.Close()
	}
	return nil
}
