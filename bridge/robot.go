package bridge

import (
	"context"
	"math"
	"sync"
	"time"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
)

// Robot is the one robot a Server drives.
type Robot interface {
	// Run makes the moves in order. It calls report after each move is
	// complete, and when the robot's link is lost or back. When ctx is
	// cancelled it stops after the current move, lifts the pen and returns
	// ctx's error. Any other error means the robot failed; the pen's state
	// is then unknown.
	Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error
	// Stop lifts the pen and stops the motors.
	Stop(ctx context.Context) error
}

// RobotEvent is what a Robot reports while it runs.
type RobotEvent struct {
	// Done is how many of the moves passed to Run are complete.
	Done int
	// Lost is true while the link to the robot is lost and being redialled.
	Lost bool
}

// Estimator is a Robot that knows how long a move takes, for the time left
// in progress reports.
type Estimator interface {
	Estimate(m wire.Move) time.Duration
}

// Recorder is a Robot that moves nothing: it waits each move's time from its
// calibration, divided by TimeScale, and records the moves it made. The
// load test uses it with TimeScale 0 (instant); tests use it to check what
// was drawn.
type Recorder struct {
	// Calibration times the moves (zero: robot.DefaultCalibration).
	Calibration robot.Calibration
	// TimeScale divides every wait; 0 makes every move instant.
	TimeScale float64

	mu    sync.Mutex
	made  []wire.Move
	pen   bool
	stops int
}

// Run implements Robot.
func (r *Recorder) Run(ctx context.Context, moves []wire.Move, report func(RobotEvent)) error {
	for i, m := range moves {
		if err := ctx.Err(); err != nil {
			r.lift()
			return err
		}
		if r.TimeScale > 0 {
			t := time.NewTimer(time.Duration(float64(r.Estimate(m)) / r.TimeScale))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				// The move is cut short: it is not recorded as made.
				r.lift()
				return ctx.Err()
			}
		}
		r.mu.Lock()
		r.made = append(r.made, m)
		switch m.Kind {
		case wire.PenUp:
			r.pen = false
		case wire.PenDown:
			r.pen = true
		}
		r.mu.Unlock()
		report(RobotEvent{Done: i + 1})
	}
	return nil
}

func (r *Recorder) lift() {
	r.mu.Lock()
	if r.pen {
		r.made = append(r.made, wire.Move{Kind: wire.PenUp})
		r.pen = false
	}
	r.mu.Unlock()
}

// Stop implements Robot: it lifts the pen.
func (r *Recorder) Stop(context.Context) error {
	r.lift()
	r.mu.Lock()
	r.stops++
	r.mu.Unlock()
	return nil
}

// Estimate implements Estimator with the calibration's speeds (without the
// ramps and rests the real driver adds).
func (r *Recorder) Estimate(m wire.Move) time.Duration {
	c := r.Calibration
	d := robot.DefaultCalibration()
	speed, rate, settle := c.Speed, c.TurnRate, c.Settle
	if speed <= 0 {
		speed = d.Speed
	}
	if rate <= 0 {
		rate = d.TurnRate
	}
	if settle <= 0 {
		settle = d.Settle
	}
	sec := 0.0
	switch m.Kind {
	case wire.PenUp, wire.PenDown:
		sec = settle / 1000
	case wire.Turn:
		sec = math.Abs(float64(m.Value)) / rate
	case wire.Drive:
		sec = math.Abs(float64(m.Value)) / speed
	}
	return time.Duration(sec * float64(time.Second))
}

// Made returns a copy of the moves made so far, with the pen lifts that
// cancellations and Stop added.
func (r *Recorder) Made() []wire.Move {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wire.Move(nil), r.made...)
}

// PenDown reports whether the pen is down now.
func (r *Recorder) PenDown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pen
}

// Stops counts the calls to Stop.
func (r *Recorder) Stops() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stops
}

// Moves turns a robot program's motions into wire moves: pen lifts and
// drops, turns and drives. Waits are left out: the bridge's driver adds the
// rests its own calibration needs. Pen changes (a plan made by colour) are
// left out too: the wire has no such move, and a bridge's robot draws the
// whole job with the pen it has.
func Moves(motions []robot.Motion) []wire.Move {
	out := make([]wire.Move, 0, len(motions))
	for _, m := range motions {
		switch m.Kind {
		case robot.PenUp:
			out = append(out, wire.Move{Kind: wire.PenUp})
		case robot.PenDown:
			out = append(out, wire.Move{Kind: wire.PenDown})
		case robot.Turn:
			out = append(out, wire.Move{Kind: wire.Turn, Value: float32(m.Angle)})
		case robot.Drive:
			out = append(out, wire.Move{Kind: wire.Drive, Value: float32(m.Distance)})
		}
	}
	return out
}

// Motions turns wire moves into robot motions (kind, angle, distance only),
// as robot.NewProgram takes them.
func Motions(moves []wire.Move) []robot.Motion {
	out := make([]robot.Motion, 0, len(moves))
	for _, m := range moves {
		switch m.Kind {
		case wire.PenUp:
			out = append(out, robot.Motion{Kind: robot.PenUp})
		case wire.PenDown:
			out = append(out, robot.Motion{Kind: robot.PenDown})
		case wire.Turn:
			out = append(out, robot.Motion{Kind: robot.Turn, Angle: float64(m.Value)})
		case wire.Drive:
			out = append(out, robot.Motion{Kind: robot.Drive, Distance: float64(m.Value)})
		}
	}
	return out
}
