package robot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
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
// servo let go, so the pen is lifted first.
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

// moveTrack is a turn or a drive as the robot runs it: the speed levels
// (fractions of the move's rate) the driver sent and the clock readings at
// which they went out.
type moveTrack struct {
	kind   MotionKind
	sign   float64 // +1 or -1: the move's direction
	before Pose
	rate   float64 // mm/s or °/s at level 1
	at     []time.Duration
	level  []float64
}

// covered returns the magnitude (mm or degrees) run by clock reading t.
func (m *moveTrack) covered(t time.Duration) float64 {
	c := 0.0
	for j, a := range m.at {
		if t <= a {
			break
		}
		end := t
		if j+1 < len(m.at) && m.at[j+1] < t {
			end = m.at[j+1]
		}
		c += m.level[j] * m.rate * (end - a).Seconds()
	}
	return c
}

// poseAt returns where the move has taken the robot by clock reading t.
func (m *moveTrack) poseAt(t time.Duration) Pose {
	return moved(m.before, m.kind, m.sign*m.covered(t))
}

// moved returns pose p after a turn by c degrees or a drive by c mm, as
// the program's builder computes it.
func moved(p Pose, kind MotionKind, c float64) Pose {
	if kind == Turn {
		p.Heading = normDeg(p.Heading + c)
		return p
	}
	h := p.Heading * math.Pi / 180
	p.X += c * math.Cos(h)
	p.Y += c * math.Sin(h)
	return p
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

// Closed-loop tolerances.
const (
	// aimTol (mm): a pen-down spot, or a corner overshot with the pen down,
	// farther than this from the plan is driven back to first.
	aimTol = 0.3
	// latTol (mm): a drive that would end farther than this beside its
	// target turns towards it first.
	latTol = 0.1
	// nearTarget (mm): a turn whose next target is closer than this keeps
	// its planned heading (a bearing over so short a way is noise).
	nearTarget = 1.0
	// sameMove: a re-aimed angle (degrees) or distance (mm) this close to
	// the planned one is the planned one, so that a run whose timing held
	// sends exactly the program's frames.
	sameMove = 1e-6
	// onSchedule: a move that covered its magnitude (mm or degrees) to
	// within this ran as timed; the difference is the profile's rounding
	// of its times to the nanosecond.
	onSchedule = 1e-5
)

// lostError marks a lost link, or a robot that restarted (reset), inside
// the driver.
type lostError struct {
	cause error
	at    time.Duration // clock reading at which the robot is taken to have stopped
	reset bool          // the robot restarted; the link is fine
}

func (e *lostError) Error() string { return e.cause.Error() }
func (e *lostError) Unwrap() error { return e.cause }

// ErrNoAck marks a frame the robot did not acknowledge in time.
var ErrNoAck = errors.New("the robot stopped answering")

// bootGrace is how long after opening a link a boot banner is taken for the
// board starting, when no frame has been acked yet: the slowest real boot
// (3.13 s) with room to spare.
const bootGrace = 5 * time.Second

// ErrRobotReset marks a robot that restarted mid-run: its boot banner came
// (a brown-out: the batteries sagged under the motors, or its reset button).
var ErrRobotReset = errors.New("the robot restarted")

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

// aimTurn returns turn motion i's angle aimed from the robot's pose: at the
// end of the drive that follows it, or at the planned heading when no drive
// follows or its end is too near to aim at.
func (d *Driver) aimTurn(i int, m Motion) float64 {
	p := d.curPose()
	want := d.prog.Motions[i].Pose.Heading
	for j := i + 1; j < len(d.prog.Motions); j++ {
		n := d.prog.Motions[j]
		if n.Kind == Wait {
			continue
		}
		if n.Kind == Drive {
			dx, dy := n.Pose.X-p.X, n.Pose.Y-p.Y
			if math.Hypot(dx, dy) >= nearTarget {
				want = math.Atan2(dy, dx) * 180 / math.Pi
				if n.Distance < 0 {
					want += 180
				}
			}
		}
		break
	}
	a := m.Angle + normDeg(want-normDeg(p.Heading+m.Angle))
	if math.Abs(a-m.Angle) < sameMove {
		return m.Angle
	}
	return a
}

// aimDrive runs drive motion i towards its planned end from the robot's
// pose: a correcting turn first when it would pass more than latTol beside
// it, then the distance along the heading.
func (d *Driver) aimDrive(ctx context.Context, i int, m Motion) error {
	t := d.prog.Motions[i].Pose
	p := d.curPose()
	along, side := project(p, t.X, t.Y)
	if math.Abs(side) > latTol {
		want := math.Atan2(t.Y-p.Y, t.X-p.X) * 180 / math.Pi
		if along < 0 {
			want += 180
		}
		if turn := normDeg(want - p.Heading); math.Abs(turn) >= minTurn {
			if err := d.runMove(ctx, Motion{Kind: Turn, Angle: turn, Ink: m.Ink}); err != nil {
				return err
			}
			p = d.curPose()
			along, _ = project(p, t.X, t.Y)
		}
	}
	if math.Abs(along-m.Distance) < sameMove {
		along = m.Distance
	}
	if math.Abs(along) < minDrive {
		return nil
	}
	m.Distance = along
	return d.runMove(ctx, m)
}

// project returns how far (x, y) lies ahead of pose p along its heading,
// and how far to its side.
func project(p Pose, x, y float64) (along, side float64) {
	h := p.Heading * math.Pi / 180
	dx, dy := x-p.X, y-p.Y
	return dx*math.Cos(h) + dy*math.Sin(h), -dx*math.Sin(h) + dy*math.Cos(h)
}

// backUp drives straight back (or on) to the point of target nearest the
// heading line when the robot is more than aimTol from it: a corner
// overshot with the pen down is retraced, not left as a detour.
func (d *Driver) backUp(ctx context.Context, target Pose) error {
	p := d.curPose()
	if math.Hypot(target.X-p.X, target.Y-p.Y) <= aimTol {
		return nil
	}
	along, _ := project(p, target.X, target.Y)
	if math.Abs(along) < minDrive {
		return nil
	}
	return d.runMove(ctx, Motion{Kind: Drive, Distance: along, Ink: true})
}

// approach drives (pen up) to target's spot when the robot is more than
// aimTol from it, turning at most 90° and driving backwards when that is
// nearer.
func (d *Driver) approach(ctx context.Context, target Pose) error {
	p := d.curPose()
	dist := math.Hypot(target.X-p.X, target.Y-p.Y)
	if dist <= aimTol {
		return nil
	}
	want := math.Atan2(target.Y-p.Y, target.X-p.X) * 180 / math.Pi
	turn := normDeg(want - p.Heading)
	if math.Abs(turn) > 90 {
		turn = normDeg(turn - 180)
	}
	if math.Abs(turn) >= minTurn {
		if err := d.runMove(ctx, Motion{Kind: Turn, Angle: turn}); err != nil {
			return err
		}
	}
	along, _ := project(d.curPose(), target.X, target.Y)
	if math.Abs(along) < minDrive {
		return nil
	}
	return d.runMove(ctx, Motion{Kind: Drive, Distance: along})
}

// runMove runs a turn or a drive: its speed changes, each timed from when
// the one before it actually went out, with keep-alive frames in long
// stretches; a wheel that reverses first rests. Unless OpenLoop, a speed
// change that went out late re-times the rest of the move so that it still
// covers its magnitude. The robot's pose is updated from the actual send
// times, also when the move is cut short.
func (d *Driver) runMove(ctx context.Context, m Motion) error {
	mag, rate, pwm := d.cal.moveParams(m)
	steps, _ := profile(mag, rate, pwm, ms(d.cal.Ramp))
	if len(steps) == 0 {
		return nil
	}
	l, r := wheelSigns(m)
	if l*d.lastL < 0 || r*d.lastR < 0 {
		if err := d.sleepUntil(ctx, d.lastStop+ms(d.cal.Rest)); err != nil {
			return err
		}
	}
	sign := 1.0
	if m.Angle < 0 || m.Distance < 0 {
		sign = -1
	}
	tr := &moveTrack{kind: m.Kind, sign: sign, before: d.curPose(), rate: rate}
	d.mu.Lock()
	d.live = tr
	d.mu.Unlock()
	done := func(at time.Duration) {
		p := tr.poseAt(at)
		if math.Abs(tr.covered(at)-mag) < onSchedule {
			// Ran as timed: the move is the planned one to the last bit,
			// and so is the pose (the profile's nanosecond rounding must not
			// add up over a drawing).
			p = moved(tr.before, tr.kind, tr.sign*mag)
		}
		d.mu.Lock()
		d.pose = p
		d.live = nil
		d.mu.Unlock()
	}
	fail := func(err error) error {
		at := d.clock.Now()
		var le *lostError
		if errors.As(err, &le) {
			at = le.at
		}
		done(at)
		if d.o.OpenLoop {
			rest := m
			left := math.Max(0, mag-tr.covered(at))
			if m.Kind == Turn {
				rest.Angle = sign * left
			} else {
				rest.Distance = sign * left
			}
			d.rest = &rest
		}
		return err
	}
	dur := make([]time.Duration, len(steps)-1) // each stretch's length
	for k := range dur {
		dur[k] = steps[k+1].at - steps[k].at
	}
	wiring := d.cal.Wiring()
	var at time.Duration // when the current stretch's frame went out
	for k, s := range steps {
		if k > 0 {
			for t := PingInterval; t < dur[k-1]-PingInterval/4; t += PingInterval {
				if err := d.sleepUntil(ctx, at+t); err != nil {
					return fail(err)
				}
				if _, err := d.send(ctx, mblock.Start(0)); err != nil {
					return fail(err)
				}
			}
			if err := d.sleepUntil(ctx, at+dur[k-1]); err != nil {
				return fail(err)
			}
		}
		v := int(math.Round(s.level * float64(pwm)))
		sent, err := d.send(ctx, wiring.Drive(0, l*v, r*v))
		if err != nil {
			return fail(err)
		}
		at = sent
		d.mu.Lock()
		tr.at = append(tr.at, sent)
		tr.level = append(tr.level, s.level)
		d.mu.Unlock()
		if !d.o.OpenLoop && k+1 < len(steps) {
			retime(tr, steps, dur, k, mag, at)
		}
	}
	d.lastL, d.lastR, d.lastStop = l, r, at
	done(at)
	return nil
}

// retime adjusts the stretches from k on, after stretch k's frame went out
// at clock reading at, so that the move covers mag: the fastest stretch
// left (the cruise, or the current one) takes up the difference.
func retime(tr *moveTrack, steps []step, dur []time.Duration, k int, mag float64, at time.Duration) {
	need := mag - tr.covered(at)
	planned := 0.0
	best := k
	for j := k; j < len(dur); j++ {
		planned += steps[j].level * tr.rate * dur[j].Seconds()
		if steps[j].level > steps[best].level {
			best = j
		}
	}
	lv := steps[best].level
	if lv <= 0 {
		return
	}
	dt := time.Duration((need - planned) / (lv * tr.rate) * float64(time.Second))
	if dt > -time.Microsecond && dt < time.Microsecond {
		return // on time
	}
	dur[best] = max(0, dur[best]+dt)
}

// recover runs after a reconnect or a restart, before what is left of
// motion i: stop the motors (the robot may still be running), lift the pen
// (after a restart its servo let go), and lower it again when motion i
// draws. The pen's settle time is also the rest a wheel needs before it may
// reverse.
func (d *Driver) recover(ctx context.Context, i int) error {
	sent, err := d.send(ctx, mblock.Stop(0))
	if err != nil {
		return err
	}
	d.lastStop = sent
	if err := d.runPen(ctx, false, max(ms(d.cal.Settle), ms(d.cal.Rest))); err != nil {
		return err
	}
	if k := d.prog.Motions[i].Kind; k != PenUp && k != PenDown && d.penBefore(i) {
		return d.runPen(ctx, true, ms(d.cal.Settle))
	}
	return nil
}

// maybePause pauses before motion i if asked: lift the pen (when down),
// wait for Resume, and lower the pen again when motion i draws. A robot
// that restarts while paused gets its pen lifted again.
func (d *Driver) maybePause(ctx context.Context, i int) error {
	d.mu.Lock()
	paused, resume := d.pause, d.resume
	d.mu.Unlock()
	if !paused {
		return nil
	}
	pen := d.penBefore(i)
	if pen {
		if err := d.runPen(ctx, false, ms(d.cal.Settle)); err != nil {
			return err
		}
	}
	d.update(func(p *Progress) { p.State = StatePaused })
	lost := func() error {
		// Noticed while paused; the caller reconnects when resumed.
		select {
		case <-resume:
		case <-ctx.Done():
			return ctx.Err()
		}
		d.update(func(p *Progress) { p.State, p.PenChange = StateDrawing, nil })
		if d.prog.Motions[i].Kind == PenChange {
			d.penDone = i + 1 // resumed: the pen is in
		}
		return d.conn.check()
	}
	for resumed := false; !resumed; {
		select {
		case <-resume:
			resumed = true
		case <-ctx.Done():
			return ctx.Err()
		case <-d.conn.lost:
			return lost()
		case <-d.conn.wake().Done():
			for err := d.conn.takeReset(); err != nil; {
				d.noteReset(err.(*lostError))
				if err = d.runPen(ctx, false, 0); err != nil {
					var le *lostError
					if !errors.As(err, &le) || !le.reset {
						return lost()
					}
				}
			}
		}
	}
	d.update(func(p *Progress) { p.State, p.PenChange = StateDrawing, nil })
	if pen && d.prog.Motions[i].Kind != PenUp {
		return d.runPen(ctx, true, ms(d.cal.Settle))
	}
	return nil
}

// penChange pauses at PenChange motion i (the pen already lifted) until
// Resume, reporting the pen wanted. A pen change already confirmed (the
// link was lost after it) passes.
func (d *Driver) penChange(ctx context.Context, i int, pen Pen) error {
	if d.penDone > i {
		return nil
	}
	d.mu.Lock()
	d.pause = true
	d.progress.PenChange = &pen
	d.mu.Unlock()
	if err := d.maybePause(ctx, i); err != nil {
		return err
	}
	d.penDone = i + 1
	return nil
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

// send writes one frame, waits for its ack, and returns the clock reading
// at which it issued the write: when the robot got it, as near as the host
// can tell (a reading after the write could fall after the ack came back,
// when the host is slow to run again; the round trip is no part of the
// robot's move).
func (d *Driver) send(ctx context.Context, frame []byte) (time.Duration, error) {
	c := d.conn
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.takeReset(); err != nil {
		return 0, err
	}
	// Drain stray replies (button events, values nobody asked for) so that
	// the next ack is this frame's.
	for drained := false; !drained; {
		select {
		case <-c.replies:
		default:
			drained = true
		}
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
	// The firmware acks a tone only when it has played, and an ultrasonic
	// read with no echo takes 1.3 s: the wait is the link's allowance plus
	// the firmware's own time for this frame.
	plain := d.o.AckTimeout + mblock.ReplyTime(frame)
	wait := plain
	if c.unready && !c.acked.Load() {
		// Opened without waiting for the board, which may still be
		// starting: give it until the slowest boot is over.
		wait = max(wait, bootGrace-time.Since(c.opened))
	}
	timer := time.NewTimer(d.o.AckTimeout)
	defer timer.Stop()
	select {
	case <-c.boot:
	default:
	}
	if err := c.write(ctx, frame, timer.C); err != nil {
		return 0, c.fail(err, now)
	}
	timer.Reset(wait)
	rebooted := false // the board printed its boot banner while this frame was in flight
	for {
		select {
		case r := <-c.replies:
			if r.Kind != mblock.Ack {
				continue // a button event, a value nobody asked for
			}
			c.acked.Store(true)
			d.traffic(Traffic{Kind: TrafficAck, At: time.Now(), Frame: frame, RTT: time.Since(wall)})
			return now, nil
		case <-c.lost:
			return 0, c.check()
		case <-c.boot:
			// The board was still starting: the frame may have waited in
			// its UART (then its ack comes now) or been lost (then it goes
			// again when the wait runs out).
			rebooted = true
			timer.Reset(plain)
		case <-c.wake().Done():
			// The robot restarted: this frame is lost with its state.
			if err := c.takeReset(); err != nil {
				return 0, err
			}
		case <-timer.C:
			if rebooted {
				rebooted = false
				if err := c.write(ctx, frame, nil); err != nil {
					return 0, c.fail(err, now)
				}
				timer.Reset(plain)
				continue
			}
			d.traffic(Traffic{Kind: TrafficTimeout, At: time.Now(), Frame: frame})
			return 0, c.fail(fmt.Errorf("%w: no reply within %v (is it switched on? are its batteries flat?)", ErrNoAck, wait), now)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// write writes frame, giving up when expire fires first (a link that no
// longer takes bytes) or ctx ends.
func (c *conn) write(ctx context.Context, frame []byte, expire <-chan time.Time) error {
	written := make(chan error, 1)
	go func() {
		_, err := c.rw.Write(frame)
		written <- err
	}()
	select {
	case err := <-written:
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	case <-expire:
		return errors.New("the link stopped taking data")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Driver) traffic(t Traffic) {
	if d.o.OnTraffic != nil {
		d.o.OnTraffic(t)
	}
}

// noteReset reports a robot that restarted.
func (d *Driver) noteReset(le *lostError) {
	d.traffic(Traffic{Kind: TrafficReset, At: time.Now(), Err: le.cause})
	d.update(func(p *Progress) { p.Resets++; p.Err = le.cause })
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
			return fmt.Errorf("lost the robot (%v), and it did not come back within %v: %w", le.cause, d.o.Reconnect, last)
		}
		return fmt.Errorf("lost the robot, and it did not come back within %v: %w", max(0, d.o.Reconnect), le.cause)
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
	for d.conn.takeReset() != nil {
		// A restart changes nothing here: stop and lift all the same.
	}
	ctx := context.Background()
	if _, err := d.send(ctx, mblock.Stop(0)); err != nil {
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

	// opened is when the link was opened; acked is set by the first ack.
	// A boot banner before the first ack, within bootGrace of opening, is
	// the board starting (opening a USB port restarts it), not a
	// restart mid-run: it is sent on boot.
	opened time.Time
	acked  atomic.Bool
	boot   chan struct{}
	// unready marks a link opened without waiting for the board (a serial
	// port opened with a negative BootWait): its first ack may take until
	// the board has started.
	unready bool

	// Boot banners read (the robot restarted), not yet taken up: the
	// clock reading and the banner's text of each; wakeCtx is cancelled
	// while any is pending.
	rmu     sync.Mutex
	resets  []lostError
	wakeCtx context.Context
	wakeFn  context.CancelFunc
}

func (d *Driver) newConn(rw io.ReadWriteCloser) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{rw: rw, replies: make(chan mblock.Reply, 16), lost: make(chan struct{}), ctx: ctx, cancel: cancel, clock: d.clock,
		opened: time.Now(), boot: make(chan struct{}, 1)}
	if b, ok := rw.(link.Boarder); ok && b.Board() == (link.Board{}) {
		c.unready = true
	}
	c.wakeCtx, c.wakeFn = context.WithCancel(context.Background())
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
		if rep.Kind == mblock.Banner {
			if !c.acked.Load() && time.Since(c.opened) < bootGrace {
				select {
				case c.boot <- struct{}{}:
				default:
				}
				continue
			}
			c.noteBanner(rep.Text, c.clock.Now())
			continue
		}
		select {
		case c.replies <- rep:
		case <-c.ctx.Done():
			return
		}
	}
}

// noteBanner records a boot banner read at clock reading at.
func (c *conn) noteBanner(text string, at time.Duration) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	cause := fmt.Errorf("%w mid-run (%s: a power dip? fresh batteries help); going on from where it stopped", ErrRobotReset, text)
	c.resets = append(c.resets, lostError{cause: cause, at: at, reset: true})
	c.wakeFn()
}

// wake returns a context that is done while a restart is pending.
func (c *conn) wake() context.Context {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return c.wakeCtx
}

// takeReset returns the oldest pending restart as a *lostError (reset set),
// or nil.
func (c *conn) takeReset() error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(c.resets) == 0 {
		return nil
	}
	le := c.resets[0]
	c.resets = c.resets[1:]
	if len(c.resets) == 0 {
		c.wakeCtx, c.wakeFn = context.WithCancel(context.Background())
	}
	return &le
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
