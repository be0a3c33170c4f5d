package window

import (
	"fmt"
	"time"

	"mbotdraw/robot"
)

// Ctrl+Q, the close button, Ctrl+C and SIGTERM (config.Window.Done) all end
// the window the same way: files being written are finished (each is
// written whole or not at all), the companion page closes, and a robot that
// is drawing stops cleanly: it finishes the move under way, lifts its pen
// and stops its wheels, and the terminal says how far it got.

// Waits at exit, in wall time.
const (
	// quitPauseWait bounds the wait for the robot to finish its move.
	quitPauseWait = 5 * time.Second
	// quitStopWait bounds the wait for the driver to stop the wheels and
	// lift the pen once cancelled.
	quitStopWait = 3 * time.Second
)

// stopRobotAtExit stops a robot that is still drawing: pause (the move
// under way ends, the pen goes up), then stop (the wheels stop, the pen is
// lifted again). It returns the line for the terminal ("" when no robot was
// running).
func (g *Game) stopRobotAtExit() string {
	if g.pick != nil {
		g.pick.close() // a probed robot's port, waiting for R
	}
	r := g.robot
	if r == nil || !r.running() {
		return ""
	}
	r.drv.Pause()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(quitPauseWait)
wait:
	for r.drv.Progress().State != robot.StatePaused {
		select {
		case <-r.ended:
			break wait
		case <-deadline:
			break wait
		case <-tick.C:
		}
	}
	r.stop()
	select {
	case <-r.ended:
	case <-time.After(quitStopWait):
		return fmt.Sprintf("mbotdraw: the robot (%s) did not answer when asked to stop: switch it off", r.conn.String())
	}
	p := r.drv.Progress()
	if p.State == robot.StateDone {
		return "mbotdraw: the robot had just finished the drawing"
	}
	if r.sim != nil {
		left, right := r.sim.Wheels()
		if r.sim.PenDown() || left != 0 || right != 0 {
			return fmt.Sprintf("mbotdraw: the virtual mBot did not stop (pen down %v, wheels %.0f and %.0f)", r.sim.PenDown(), left, right)
		}
	}
	unit := "strokes"
	if p.Strokes == 1 {
		unit = "stroke"
	}
	return fmt.Sprintf("mbotdraw: stopped the robot (%s) with its pen lifted: %d of %d %s drawn", r.conn.String(), p.StrokesDone, p.Strokes, unit)
}
