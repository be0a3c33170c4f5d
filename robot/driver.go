package robot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"mbotdraw/robot/mblock"
)

// DialFunc opens (or re-opens) the link to the robot: a serial port, a
// WebSocket bridge, a virtual mBot. The driver calls it at the start and
// again after it loses the link. Closing the returned stream must unblock a
// pending Read. If it has a SetReadTimeout(time.Duration) error method (as
// every robot/link Link has), the driver uses it so that a half-received
// reply is given up after a quiet spell.
type DialFunc func(ctx context.Context) (io.ReadWriteCloser, error)

// State is what the driver is doing.
type State int

// Driver states.
const (
	StateIdle       State = iota // not started
	StateConnecting              // dialling the robot
	StateDrawing                 // streaming frames
	StatePaused                  // paused between motions, pen lifted
	StateLostLink                // the link is lost; re-dialling
	StateDone                    // the program has finished
	StateStopped                 // cancelled or failed; stopped with the pen lifted if the link allowed
)

func (s State) String() string {
	switch s {
	case StateIdle:
		return "idle"
	case StateConnecting:
		return "connecting"
	case StateDrawing:
		return "drawing"
	case StatePaused:
		return "paused"
	case StateLostLink:
		return "lost link"
	case StateDone:
		return "done"
	case StateStopped:
		return "stopped"
	}
	return fmt.Sprintf("state%d", int(s))
}

// Connected reports whether the state implies an open link.
func (s State) Connected() bool { return s == StateDrawing || s == StatePaused }

// Progress is a snapshot of the driver, sent on every motion completed and
// every change of state.
type Progress struct {
	State State
	// Motion is the index of the motion under way (Motions when all are
	// done); MotionsDone how many are complete.
	Motion, MotionsDone, Motions int
	// PathsDone of Paths plan paths and StrokesDone of Strokes drawing
	// strokes are complete (zero totals for a program without a plan).
	PathsDone, Paths     int
	StrokesDone, Strokes int
	// Percent is the share of the program's estimated robot time done, 0…100.
	Percent float64
	// Elapsed and Left are robot time done and still needed, from the
	// motion model; LeftWall is Left divided by the time scale: what a wall
	// clock will see.
	Elapsed, Left, LeftWall time.Duration
	// Pose is where the model puts the robot after the last motion done.
	Pose Pose
	// Reconnects counts the links re-established after a loss.
	Reconnects int
	// Err is why the link was lost (StateLostLink) or why the driver
	// stopped (StateStopped).
	Err error
}

// TrafficKind says what a Traffic event is.
type TrafficKind uint8

// Traffic kinds.
const (
	TrafficSend      TrafficKind = iota + 1 // a frame written
	TrafficAck                              // its ack received
	TrafficTimeout                          // no ack in time
	TrafficLost                             // the link failed
	TrafficReconnect                        // the link is back
)

func (k TrafficKind) String() string {
	switch k {
	case TrafficSend:
		return "send"
	case TrafficAck:
		return "ack"
	case TrafficTimeout:
		return "timeout"
	case TrafficLost:
		return "lost"
	case TrafficReconnect:
		return "reconnect"
	}
	return fmt.Sprintf("traffic%d", uint8(k))
}

// Traffic is one robot-link event, for the performance trace.
type Traffic struct {
	Kind TrafficKind
	// At is the wall-clock time of the event.
	At time.Time
	// Frame is the frame sent (TrafficSend) or acked (TrafficAck).
	Frame []byte
	// RTT is the round trip from the write to the ack (TrafficAck).
	RTT time.Duration
	// Err is the cause of a TrafficLost event.
	Err error
}

// SentFrame is a frame the driver wrote, with the robot time (since the run
// began) at which it wrote it.
type SentFrame struct {
	T     time.Duration
	Bytes []byte
}

// DriverOptions configures a Driver. The zero value waits 500 ms for each
// ack, runs in real time, keeps re-dialling a lost link for 30 s, and
// reports nothing.
type DriverOptions struct {
	// AckTimeout is how long, in real time, to wait for each ack (0: 500 ms,
	// mBlock's figure). A lost link is noticed within PingInterval/K +
	// AckTimeout, under a second at K ≥ 1.
	AckTimeout time.Duration
	// TimeScale K divides every wait by K, for simulated robots (0: 1). It is
	// ignored when Clock is set, except to compute Progress.LeftWall.
	TimeScale float64
	// Clock, if set, tells and waits robot time instead of real time scaled
	// by TimeScale (a virtual mBot sharing it is driven exactly).
	Clock Clock
	// Reconnect is how long, in real time, to keep re-dialling after the
	// link is lost before giving up (0: 30 s; negative: give up at once).
	Reconnect time.Duration
	// RedialEvery is the pause between two dial attempts (0: 250 ms).
	RedialEvery time.Duration
	// OnProgress, if set, receives a snapshot after every motion and every
	// change of state. It runs on the driver's goroutine: keep it short.
	OnProgress func(Progress)
	// OnTraffic, if set, receives every send, ack, timeout, loss and
	// reconnect (for the performance trace). Same goroutine rule.
	OnTraffic func(Traffic)
	// OnSent, if set, receives every frame written, as it is written.
	OnSent func(SentFrame)
}

// Driver streams a Program to a robot: one frame in flight, each ack awaited
// (one frame at a time is all the firmware's 64-byte buffer takes), each
// frame sent at its robot time. It pauses between motions with the pen
// lifted, and when the link is lost it re-dials, lifts the pen, and goes on
// from where the model says the robot stopped: a move cut short is finished,
// not redone, so nothing is drawn twice and nothing is skipped.
//
// Create one with NewDriver and call Run once; Pause, Resume and Progress
// may be called from any goroutine.
type Driver struct {
	prog *Program
	dial DialFunc
	o    DriverOptions
	cal  Calibration

	mu       sync.Mutex
	progress Progress
	pause    bool
	resume   chan struct{} // closed and replaced on Resume
	sent     []SentFrame

	live liveMotion // the motion under way, for Pose

	clock Clock
	t0    time.Duration // clock reading when Run began
	conn  *conn
	// next is the robot time at which the next motion is due.
	next time.Duration
	// lostSince is when the current outage began (zero when connected and
	// healthy); reset when a motion completes.
	lostSince time.Time
}

// NewDriver returns a driver for prog over the links dial opens.
func NewDriver(prog *Program, dial DialFunc, o DriverOptions) *Driver {
	if o.AckTimeout <= 0 {
		o.AckTimeout = 500 * time.Millisecond
	}
	if !(o.TimeScale > 0) {
		o.TimeScale = 1
	}
	if o.Reconnect == 0 {
		o.Reconnect = 30 * time.Second
	}
	if o.RedialEvery <= 0 {
		o.RedialEvery = 250 * time.Millisecond
	}
	d := &Driver{prog: prog, dial: dial, o: o, cal: prog.Calibration, resume: make(chan struct{})}
	d.clock = o.Clock
	if d.clock == nil {
		d.clock = newScaledClock(o.TimeScale)
	}
	d.progress = Progress{State: StateIdle, Motions: len(prog.Motions), Left: prog.Duration,
		LeftWall: scaleDown(prog.Duration, o.TimeScale), Pose: prog.Home}
	if prog.Plan != nil {
		d.progress.Paths = len(prog.Plan.Paths)
		d.progress.Strokes = len(prog.Plan.Sources)
	}
	return d
}

func scaleDown(d time.Duration, k float64) time.Duration { return time.Duration(float64(d) / k) }

// Progress returns the latest snapshot.
func (d *Driver) Progress() Progress {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.progress
}

// liveMotion is the motion under way: what is left of it, the pose before
// it, and the clock reading at which it began.
type liveMotion struct {
	m      Motion
	before Pose
	start  time.Duration
	on     bool
}

// Pose returns where the motion model puts the robot now: between progress
// events it moves along the motion under way (for a view that draws the
// robot). Between motions, and when paused or stopped, it is the pose of the
// last progress event.
func (d *Driver) Pose() Pose {
	d.mu.Lock()
	live, pose := d.live, d.progress.Pose
	d.mu.Unlock()
	if !live.on {
		return pose
	}
	_, at, _ := d.cal.Partial(live.m, live.before, d.clock.Now()-live.start)
	return at
}

// State returns the driver's state.
func (d *Driver) State() State { return d.Progress().State }

// Sent returns the frames written so far, with their robot times.
func (d *Driver) Sent() []SentFrame {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]SentFrame(nil), d.sent...)
}

// Pause asks the driver to stop after the motion under way and lift the
// pen. It returns at once; the state becomes StatePaused when the robot has
// stopped.
func (d *Driver) Pause() {
	d.mu.Lock()
	d.pause = true
	d.mu.Unlock()
}

// Resume continues a paused drawing (lowering the pen first if it was
// drawing), or cancels a pause not yet reached.
func (d *Driver) Resume() {
	d.mu.Lock()
	if d.pause {
		d.pause = false
		close(d.resume)
		d.resume = make(chan struct{})
	}
	d.mu.Unlock()
}

// maxLag is how far behind its schedule, in robot time, the driver lets a
// motion start before it starts the schedule again from now.
const maxLag = 250 * time.Millisecond

// lostError marks a lost link inside the driver.
type lostError struct {
	cause error
	at    time.Duration // clock reading at which the robot is taken to have stopped
}

func (e *lostError) Error() string { return e.cause.Error() }
func (e *lostError) Unwrap() error { return e.cause }

// ErrNoAck marks a frame the robot did not acknowledge in time.
var ErrNoAck = errors.New("no ack from the robot")

// Run streams the program and returns when it is done (nil), when ctx is
// cancelled (ctx's error), or when the link could not be (re-)established
// in time. In every case it leaves the robot stopped with the pen lifted if
// the link still allows it.
func (d *Driver) Run(ctx context.Context) (err error) {
	d.t0 = d.clock.Now()
	defer func() {
		if err != nil {
			d.stopRobot()
			d.update(func(p *Progress) { p.State, p.Err = StateStopped, err })
		}
		if d.conn != nil {
			d.conn.close()
			d.conn = nil
		}
	}()
	if len(d.prog.Motions) == 0 {
		d.update(func(p *Progress) { p.State = StateDone })
		return nil
	}
	d.update(func(p *Progress) { p.State = StateConnecting })
	if err := d.connect(ctx); err != nil {
		return err
	}
	d.update(func(p *Progress) { p.State = StateDrawing })

	motions := d.prog.Motions
	i := 0
	cur := motions[0]     // what is left of motion i
	before := d.prog.Home // the pose before cur
	recovering := false   // after a reconnect: stop, lift the pen, restore it
	recovered := true     // the schedule must restart from now
	d.next = d.clock.Now()
	advance := func() {
		d.complete(i)
		i++
		if i < len(motions) {
			cur, before = motions[i], motions[i-1].Pose
		}
	}
	// lost handles a lost link: re-dial, or give up with the error.
	lost := func(err error) error {
		var le *lostError
		if !errors.As(err, &le) {
			return err
		}
		if err := d.reconnect(ctx, le); err != nil {
			return err
		}
		recovering = true
		return nil
	}
	for i < len(motions) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if recovering {
			if err := d.recover(ctx, i, cur); err != nil {
				if err := lost(err); err != nil {
					return err
				}
				continue
			}
			recovering, recovered = false, true
			if cur.Kind == PenUp {
				advance() // the recovery lifted the pen already
				continue
			}
		}
		// Motions follow each other on the planned schedule, not from when
		// the last wait happened to wake up: a late wake-up then delays the
		// first frame of a move as much as the others, so that no move runs
		// longer than planned. After a pause, a reconnect or a long stall,
		// the schedule starts again from now.
		start := d.next
		if now := d.clock.Now(); recovered || now-start > maxLag || now < start {
			start = now
		}
		recovered = false
		d.mu.Lock()
		d.live = liveMotion{m: cur, before: before, start: start, on: true}
		d.mu.Unlock()
		err := d.runMotion(ctx, cur, start)
		d.mu.Lock()
		d.live.on = false
		d.mu.Unlock()
		if err != nil {
			var le *lostError
			if !errors.As(err, &le) {
				return err
			}
			// Where did the robot stop? The model knows, from when.
			rest, at, left := d.cal.Partial(cur, before, le.at-start)
			d.update(func(p *Progress) { p.Pose = at })
			if err := lost(err); err != nil {
				return err
			}
			if left {
				cur, before = rest, at
			} else {
				advance()
			}
			continue
		}
		d.next = start + cur.Duration
		advance()
		if i < len(motions) {
			paused, err := d.maybePause(ctx, i)
			if err != nil {
				if err := lost(err); err != nil {
					return err
				}
			}
			recovered = recovered || paused
		}
	}
	d.update(func(p *Progress) { p.State = StateDone })
	return nil
}

// penBefore reports whether the program has the pen down when motion i
// begins.
func (d *Driver) penBefore(i int) bool {
	if i <= 0 || i > len(d.prog.Motions) {
		return false
	}
	m := d.prog.Motions[i-1]
	return m.Kind == PenDown || (m.Ink && m.Kind != PenUp)
}

// recover runs after a reconnect, before what is left of motion i: stop the
// motors (the robot may still be running), lift the pen, and lower it again
// when motion i draws. The pen's settle time is also the rest a wheel needs
// before it may reverse.
func (d *Driver) recover(ctx context.Context, i int, cur Motion) error {
	if err := d.send(ctx, mblock.Stop(0)); err != nil {
		return err
	}
	settle := max(ms(d.cal.Settle), ms(d.cal.Rest))
	if err := d.runMotion(ctx, Motion{Kind: PenUp, Duration: settle}, d.clock.Now()); err != nil {
		return err
	}
	if cur.Kind != PenUp && cur.Kind != PenDown && d.penBefore(i) {
		return d.runMotion(ctx, Motion{Kind: PenDown, Duration: ms(d.cal.Settle)}, d.clock.Now())
	}
	return nil
}

// maybePause pauses before motion i if asked: lift the pen (when down),
// wait for Resume, and lower the pen again when motion i draws.
func (d *Driver) maybePause(ctx context.Context, i int) (paused bool, err error) {
	d.mu.Lock()
	paused, resume := d.pause, d.resume
	d.mu.Unlock()
	if !paused {
		return false, nil
	}
	pen := d.penBefore(i)
	if pen {
		if err := d.runMotion(ctx, Motion{Kind: PenUp, Duration: ms(d.cal.Settle)}, d.clock.Now()); err != nil {
			return true, err
		}
	}
	d.update(func(p *Progress) { p.State = StatePaused })
	select {
	case <-resume:
	case <-ctx.Done():
		return true, ctx.Err()
	case <-d.conn.lost:
		// Noticed while paused; the caller reconnects when resumed.
		select {
		case <-resume:
		case <-ctx.Done():
			return true, ctx.Err()
		}
		d.update(func(p *Progress) { p.State = StateDrawing })
		return true, d.conn.check()
	}
	d.update(func(p *Progress) { p.State = StateDrawing })
	if pen && d.prog.Motions[i].Kind != PenUp {
		return true, d.runMotion(ctx, Motion{Kind: PenDown, Duration: ms(d.cal.Settle)}, d.clock.Now())
	}
	return true, nil
}

// runMotion sends m's frames at their times from start and waits out its
// duration.
func (d *Driver) runMotion(ctx context.Context, m Motion, start time.Duration) error {
	for _, f := range d.cal.frames(m) {
		if err := d.sleepUntil(ctx, start+f.at); err != nil {
			return err
		}
		if err := d.send(ctx, f.bytes); err != nil {
			return err
		}
	}
	return d.sleepUntil(ctx, start+m.Duration)
}

// sleepUntil waits until the clock reads t, waking early on a lost link.
func (d *Driver) sleepUntil(ctx context.Context, t time.Duration) error {
	wait := t - d.clock.Now()
	if wait <= 0 {
		return d.conn.check()
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(d.conn.ctx, cancel)
	defer stop()
	err := d.clock.Sleep(sctx, wait)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil || d.conn.check() != nil {
		return d.conn.check()
	}
	return nil
}

// send writes one frame and waits for its ack.
func (d *Driver) send(ctx context.Context, frame []byte) error {
	c := d.conn
	if err := c.check(); err != nil {
		return err
	}
	// Drain stray replies (button events, a late banner) so that the next
	// ack is this frame's.
	for {
		select {
		case <-c.replies:
			continue
		default:
		}
		break
	}
	now := d.clock.Now()
	sf := SentFrame{T: now - d.t0, Bytes: frame}
	d.mu.Lock()
	d.sent = append(d.sent, sf)
	d.mu.Unlock()
	if d.o.OnSent != nil {
		d.o.OnSent(sf)
	}
	wall := time.Now()
	d.traffic(Traffic{Kind: TrafficSend, At: wall, Frame: frame})
	timer := time.NewTimer(d.o.AckTimeout)
	defer timer.Stop()
	written := make(chan error, 1)
	go func() {
		_, err := c.rw.Write(frame)
		written <- err
	}()
	select {
	case err := <-written:
		if err != nil {
			return c.fail(fmt.Errorf("write: %w", err), now)
		}
	case <-timer.C:
		return c.fail(fmt.Errorf("write of % x did not finish in %v", frame, d.o.AckTimeout), now)
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		select {
		case r := <-c.replies:
			if r.Kind != mblock.Ack {
				continue // a button event, a value nobody asked for, a banner
			}
			d.traffic(Traffic{Kind: TrafficAck, At: time.Now(), Frame: frame, RTT: time.Since(wall)})
			return nil
		case <-c.lost:
			return c.check()
		case <-timer.C:
			d.traffic(Traffic{Kind: TrafficTimeout, At: time.Now(), Frame: frame})
			return c.fail(fmt.Errorf("%w within %v of sending % x", ErrNoAck, d.o.AckTimeout, frame), now)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (d *Driver) traffic(t Traffic) {
	if d.o.OnTraffic != nil {
		d.o.OnTraffic(t)
	}
}

// complete records motion i as done.
func (d *Driver) complete(i int) {
	m := d.prog.Motions[i]
	d.lostSince = time.Time{}
	d.update(func(p *Progress) {
		p.Motion, p.MotionsDone = i+1, i+1
		p.Pose = m.Pose
		p.PathsDone = m.PathsDone
		if d.prog.Plan != nil && m.PathsDone > 0 {
			p.StrokesDone = d.prog.Plan.Paths[m.PathsDone-1].SrcEnd
		}
		p.Elapsed = m.End()
		p.Left = d.prog.Duration - m.End()
		p.LeftWall = scaleDown(p.Left, d.o.TimeScale)
		if d.prog.Duration > 0 {
			p.Percent = 100 * float64(m.End()) / float64(d.prog.Duration)
		}
	})
}

func (d *Driver) update(f func(p *Progress)) {
	d.mu.Lock()
	f(&d.progress)
	p := d.progress
	d.mu.Unlock()
	if d.o.OnProgress != nil {
		d.o.OnProgress(p)
	}
}

// connect dials the robot for the first time.
func (d *Driver) connect(ctx context.Context) error {
	rw, err := d.dial(ctx)
	if err != nil {
		return err
	}
	d.conn = d.newConn(rw)
	return nil
}

// reconnect closes the lost link and re-dials until it works or the
// reconnect window (counted from the start of the outage) has passed.
func (d *Driver) reconnect(ctx context.Context, le *lostError) error {
	if d.conn != nil {
		d.conn.close()
	}
	if d.lostSince.IsZero() {
		d.lostSince = time.Now()
	}
	d.traffic(Traffic{Kind: TrafficLost, At: time.Now(), Err: le.cause})
	d.update(func(p *Progress) { p.State, p.Err = StateLostLink, le.cause })
	giveUp := func(last error) error {
		if last != nil && last != le.cause {
			return fmt.Errorf("robot link lost (%v) and not back within %v: %w", le.cause, d.o.Reconnect, last)
		}
		return fmt.Errorf("robot link lost and not back within %v: %w", max(0, d.o.Reconnect), le.cause)
	}
	if d.o.Reconnect < 0 {
		return giveUp(nil)
	}
	deadline := d.lostSince.Add(d.o.Reconnect)
	var last error
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return giveUp(last)
		}
		dctx, cancel := context.WithDeadline(ctx, deadline)
		rw, err := d.dial(dctx)
		cancel()
		if err == nil {
			d.conn = d.newConn(rw)
			d.traffic(Traffic{Kind: TrafficReconnect, At: time.Now()})
			d.update(func(p *Progress) { p.State, p.Err = StateDrawing, nil; p.Reconnects++ })
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		last = err
		t := time.NewTimer(min(d.o.RedialEvery, time.Until(deadline)+time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// stopRobot stops the motors and lifts the pen, if the link still answers:
// the clean stop after a cancel or a failure.
func (d *Driver) stopRobot() {
	if d.conn == nil || d.conn.check() != nil {
		return
	}
	ctx := context.Background()
	if d.send(ctx, mblock.Stop(0)) != nil {
		return
	}
	d.send(ctx, mblock.Servo(0, byte(d.cal.ServoPort), byte(d.cal.ServoSlot), d.cal.PenUp))
}

// conn is one open link and its reader.
type conn struct {
	rw      io.ReadWriteCloser
	replies chan mblock.Reply
	lost    chan struct{} // closed when the link fails
	ctx     context.Context
	cancel  context.CancelFunc
	clock   Clock

	once sync.Once
	err  *lostError
}

func (d *Driver) newConn(rw io.ReadWriteCloser) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{rw: rw, replies: make(chan mblock.Reply, 16), lost: make(chan struct{}), ctx: ctx, cancel: cancel, clock: d.clock}
	if t, ok := rw.(interface{ SetReadTimeout(time.Duration) error }); ok {
		t.SetReadTimeout(200 * time.Millisecond)
	}
	go c.read()
	return c
}

func (c *conn) read() {
	r := mblock.NewReader(c.rw)
	for {
		rep, err := r.Next()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if c.ctx.Err() != nil {
					return
				}
				continue // quiet line; the parser has flushed
			}
			c.fail(fmt.Errorf("read: %w", err), c.clock.Now())
			return
		}
		select {
		case c.replies <- rep:
		case <-c.ctx.Done():
			return
		}
	}
}

// fail marks the link lost (the first cause wins) and returns the error.
func (c *conn) fail(cause error, at time.Duration) error {
	c.once.Do(func() {
		c.err = &lostError{cause: cause, at: at}
		close(c.lost)
		c.cancel()
	})
	return c.err
}

// check returns the loss error, or nil while the link is healthy.
func (c *conn) check() error {
	select {
	case <-c.lost:
		return c.err
	default:
		return nil
	}
}

func (c *conn) close() {
	c.fail(errors.New("closed"), c.clock.Now())
	c.rw.Close()
}
