package robot

// Recovery: a lost link is re-dialled, a robot that restarted is taken up
// where it stopped, a pause or a pen change lifts the pen, and a run that
// ends leaves the robot stopped with its pen lifted.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mbotdraw/robot/mblock"
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

// noteReset reports a robot that restarted.
func (d *Driver) noteReset(le *lostError) {
	d.traffic(Traffic{Kind: TrafficReset, At: time.Now(), Err: le.cause})
	d.update(func(p *Progress) { p.Resets++; p.Err = le.cause })
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
