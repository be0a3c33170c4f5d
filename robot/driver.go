package robot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"mbotdraw/robot/link"
	"mbotdraw/robot/mblock"
)

// DialFunc opens (or re-opens) the link to the robot: a serial port, a
// virtual mBot, another frame transport (never a bridge: see Plotter). The driver calls it at the start and
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
	// Ahead is, for a robot shared through a bridge, the drawings in line
	// before this one (State is then StateConnecting); 0 once it draws.
	Ahead int
	// Resets counts the times the robot restarted mid-run (its boot banner
	// arrived: a brown-out, or someone pressed its reset button), each
	// taken up from where it stopped, with the pen lifted first.
	Resets int
	// Err is why the link was lost (StateLostLink), why the driver stopped
	// (StateStopped), or, while drawing after a restart, what restarted
	// (an error matching ErrRobotReset).
	Err error
	// PenChange, while paused at a PenChange motion (a plan made by
	// colour), is the pen the user must put in before Resume; nil
	// otherwise.
	PenChange *Pen
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
	TrafficReset                            // the robot restarted (its boot banner came)
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
	case TrafficReset:
		return "reset"
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
	// Err is the cause of a TrafficLost or TrafficReset event.
	Err error
}

// SentFrame is a frame the driver wrote, with the robot time (since the run
// began) at which it issued the write.
type SentFrame struct {
	T     time.Duration
	Bytes []byte
}

// DriverOptions configures a Driver. The zero value waits 500 ms for each
// ack, runs in real time, keeps re-dialling a lost link for 30 s, and
// reports nothing.
type DriverOptions struct {
	// AckTimeout is how long, in real time, to wait for each ack (0: 500 ms,
	// mBlock's figure), on top of the firmware's own time for the frame
	// (mblock.ReplyTime: a tone is acked when it has played). A lost link is
	// noticed within PingInterval/K + AckTimeout, under a second at K ≥ 1.
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
	// OpenLoop sends the program's moves as compiled, each timed from when
	// its first frame went out, without correcting for frames that went out
	// late (see Driver). For comparison and diagnosis: the default, false,
	// closes the loop on the driver's own timing.
	OpenLoop bool
}

// Driver streams a Program to a robot: one frame in flight, each ack awaited
// (one frame at a time is all the firmware's 64-byte buffer takes).
//
// Timing. A move is a few speed changes (ramp up, cruise, ramp down, stop).
// Its frames are timed from when the previous one actually went out, never
// from when an ack came back: the round trip does not lengthen a move. The
// driver knows when it sent each frame, so from the motion model it knows
// the pose the robot really reached, late frames included, and it closes
// the loop on that: within a move, a speed change that went out late
// shortens or lengthens the cruise so that the move still covers its
// planned angle or distance; between moves, each turn and drive is aimed
// from the pose reached at the plan's next point (a drive that would pass
// beside its target gets a correcting turn first), a corner overshot with
// the pen down is backed up to before the next turn, and the pen goes down
// only at the planned spot. A late stop (a host stalled for 90 ms while the
// robot drives at 100 mm/s overshoots 9 mm) therefore costs a short spur,
// not a drawing shifted from there on. With a clock that does not drift
// from the plan (a virtual mBot on a shared link.PacedClock or
// link.ManualClock) nothing needs correcting and the frames are exactly the
// program's. DriverOptions.OpenLoop turns the corrections off.
//
// Pause and loss. It pauses between motions with the pen lifted. At a
// PenChange motion it pauses by itself (StatePaused, with
// Progress.PenChange naming the pen wanted) until Resume. When the
// link is lost it re-dials, stops the motors, lifts the pen, and goes on
// from where the model says the robot stopped: a move cut short is
// finished, not redone, so nothing is drawn twice and nothing is skipped.
// A robot that restarts mid-run (its boot banner arrives: a brown-out) is
// taken up the same way without re-dialling: its motors stopped and its
// servo let go, so the pen is lifted first. A banner before the first ack,
// within seconds of opening the link, is the board starting (opening a USB
// port restarts an mBot), not a restart: the frame in flight waits for it
// and goes again if it was lost.
//
// Create one with NewDriver and call Run once; Pause, Resume, Pose and
// Progress may be called from any goroutine.
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
	// pose is where the model puts the robot, from the times the frames
	// actually went out; live is the move under way (nil between moves).
	pose Pose
	live *moveTrack
	// due is the clock reading by which the driver must run again to keep
	// the timing of the move under way (dueSet; see Due).
	due    time.Duration
	dueSet bool

	clock Clock
	t0    time.Duration // clock reading when Run began
	conn  *conn
	// lostSince is when the current outage began (zero when connected and
	// healthy); reset when a motion completes.
	lostSince time.Time
	// The wheels' directions in the last move and the clock reading when
	// its stop went out: a wheel that reverses waits Rest after it.
	lastL, lastR int
	lastStop     time.Duration
	// rest is what is left of the current motion after an interruption,
	// with OpenLoop (nil: all of it).
	rest *Motion
	// penDone is one past the index of the last PenChange motion the user
	// confirmed (0: none): a link lost while waiting does not ask twice.
	penDone int
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
	d := &Driver{prog: prog, dial: dial, o: o, cal: prog.Calibration, resume: make(chan struct{}), pose: prog.Home}
	d.clock = o.Clock
	if d.clock == nil {
		d.clock = link.NewScaledClock(o.TimeScale)
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

// Pose returns where the motion model puts the robot now, from the times
// the frames actually went out: during a move it moves along it (for a view
// that draws the robot); between moves, and when paused or stopped, it is
// where the last move ended.
func (d *Driver) Pose() Pose {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live != nil {
		return d.live.poseAt(d.clock.Now())
	}
	return d.pose
}

func (d *Driver) curPose() Pose {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pose
}

// State returns the driver's state.
func (d *Driver) State() State { return d.Progress().State }

// Sent returns the frames written so far, with their robot times.
func (d *Driver) Sent() []SentFrame {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]SentFrame(nil), d.sent...)
}

// Due reports how long, in real time, until the driver must run again to
// keep the timing of the move under way: until its next speed change (or
// keep-alive frame); or 0 while a frame awaits its ack (a host that held
// the thread for AckTimeout would lose the link). ok is false while no
// frame awaits its ack and no move is under way (the wheels are still: a
// late frame then only makes the drawing take longer), and always with a Clock
// of the driver's own (DriverOptions.Clock: a virtual mBot sharing it sees
// every frame at the robot time meant, however late the host runs).
//
// A host that shares one thread with the driver (the browser's page, where
// the driver's timers cannot fire while the page draws a frame) asks it
// before work that holds the thread, and waits while it reports a
// deadline; see the window's robotHold.
func (d *Driver) Due() (wait time.Duration, ok bool) {
	if d.o.Clock != nil {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.dueSet {
		return 0, false
	}
	return max(0, scaleDown(d.due-d.clock.Now(), d.o.TimeScale)), true
}

// markDue records, while a move is under way or always, that the driver
// must run again by clock reading t (see Due); the function it returns
// clears it.
func (d *Driver) markDue(t time.Duration, always bool) func() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live == nil && !always {
		return func() {}
	}
	d.due, d.dueSet = t, true
	return func() {
		d.mu.Lock()
		d.dueSet = false
		d.mu.Unlock()
	}
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
			d.conn.release()
			d.conn = nil
		}
	}()
	motions := d.prog.Motions
	if len(motions) == 0 {
		d.update(func(p *Progress) { p.State = StateDone })
		return nil
	}
	d.update(func(p *Progress) { p.State = StateConnecting })
	if err := d.connect(ctx); err != nil {
		return err
	}
	d.update(func(p *Progress) { p.State = StateDrawing })

	recovering := false // stop, lift the pen and restore it before going on
	// handle takes a lost link (re-dial) or a robot that restarted; any
	// other error ends the run.
	handle := func(err error) error {
		var le *lostError
		if !errors.As(err, &le) {
			return err
		}
		if le.reset {
			d.noteReset(le)
		} else if err := d.reconnect(ctx, le); err != nil {
			return err
		}
		recovering = true
		return nil
	}
	for i := 0; i < len(motions); {
		if err := ctx.Err(); err != nil {
			return err
		}
		if recovering {
			if err := d.recover(ctx, i); err != nil {
				if err := handle(err); err != nil {
					return err
				}
				continue
			}
			recovering = false
			if motions[i].Kind == PenUp {
				d.rest = nil
				d.complete(i) // the recovery lifted the pen already
				i++
				continue
			}
		}
		if err := d.runStep(ctx, i); err != nil {
			if err := handle(err); err != nil {
				return err
			}
			continue
		}
		d.rest = nil
		d.complete(i)
		i++
		if i < len(motions) {
			if err := d.maybePause(ctx, i); err != nil {
				if err := handle(err); err != nil {
					return err
				}
			}
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

// runStep runs motion i (what is left of it after an interruption),
// aimed from where the robot really is unless OpenLoop.
func (d *Driver) runStep(ctx context.Context, i int) error {
	m := d.prog.Motions[i]
	if d.rest != nil {
		m = *d.rest
	}
	closed := !d.o.OpenLoop
	switch m.Kind {
	case PenUp:
		return d.runPen(ctx, false, ms(d.cal.Settle))
	case PenDown:
		if closed {
			if err := d.approach(ctx, d.prog.PoseBefore(i)); err != nil {
				return err
			}
		}
		return d.runPen(ctx, true, ms(d.cal.Settle))
	case Wait:
		return d.sleepUntil(ctx, d.clock.Now()+m.Duration)
	case PenChange:
		return d.penChange(ctx, i, m.Pen)
	case Turn:
		if closed {
			if m.Ink {
				if err := d.backUp(ctx, d.prog.PoseBefore(i)); err != nil {
					return err
				}
			}
			m.Angle = d.aimTurn(i, m)
		}
		return d.runMove(ctx, m)
	case Drive:
		if closed {
			return d.aimDrive(ctx, i, m)
		}
		return d.runMove(ctx, m)
	}
	return nil
}

// runPen moves the pen servo and waits settle from when the frame went out.
func (d *Driver) runPen(ctx context.Context, down bool, settle time.Duration) error {
	angle := d.cal.PenUp
	if down {
		angle = d.cal.PenDown
	}
	sent, err := d.send(ctx, mblock.Servo(0, byte(d.cal.ServoPort), byte(d.cal.ServoSlot), angle))
	if err != nil {
		return err
	}
	return d.sleepUntil(ctx, sent+settle)
}

// sleepUntil waits until the clock reads t, waking early on a lost link or
// a robot that restarted.
func (d *Driver) sleepUntil(ctx context.Context, t time.Duration) error {
	c := d.conn
	if err := c.check(); err != nil {
		return err
	}
	if err := c.takeReset(); err != nil {
		return err
	}
	wait := t - d.clock.Now()
	if wait <= 0 {
		return nil
	}
	defer d.markDue(t, false)()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(c.ctx, cancel)()
	defer context.AfterFunc(c.wake(), cancel)()
	d.clock.Sleep(sctx, wait)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	return c.takeReset()
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
		p.Pose = d.pose
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
