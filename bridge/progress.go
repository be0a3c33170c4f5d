package bridge

import (
	"errors"
	"fmt"

	"mbotdraw/bridge/wire"
	"mbotdraw/robot"
)

// JobProgress returns the reading of a bridge's reports on a job of prog's
// moves (Moves(prog.Motions), sent as one job through a Client) as prog's own
// progress, the way robot.Driver reports a robot it drives itself: the
// motions done (a move acknowledged completes the motion it came from; the
// program's waits and pen changes are not sent), the pose, paths and strokes they reach, and
// the time elapsed, left (LeftWall too: a bridge's robot moves in real time)
// and percent, all from prog's motion model. Before the first move the pose
// is prog.Home.
//
// The state: StateDone once the bridge reports the job done, StateStopped
// (with an error naming how) once it ends otherwise, StateConnecting while
// the job waits its turn behind others, StatePaused and StateLostLink while
// the bridge's robot is paused or lost, and StateDrawing the rest of the
// time. The function it returns is safe for concurrent use.
func JobProgress(prog *robot.Program) func(JobReport) robot.Progress {
	// motionOf[k] is the index of the motion that move k came from.
	motionOf := make([]int, 0, len(prog.Motions))
	for i, m := range prog.Motions {
		if m.Kind != robot.Wait && m.Kind != robot.PenChange { // not sent (see Moves)
			motionOf = append(motionOf, i)
		}
	}
	return func(p JobReport) robot.Progress {
		done := 0 // motions done
		if p.Done > 0 && p.Done <= len(motionOf) {
			done = motionOf[p.Done-1] + 1
		}
		rp := robot.Progress{Motion: done, MotionsDone: done, Motions: len(prog.Motions), Reconnects: p.Reconnects, Pose: prog.Home}
		if prog.Plan != nil {
			rp.Paths, rp.Strokes = len(prog.Plan.Paths), len(prog.Plan.Sources)
		}
		if done > 0 {
			m := prog.Motions[done-1]
			rp.Pose, rp.PathsDone, rp.Elapsed = m.Pose, m.PathsDone, m.End()
			if prog.Plan != nil && m.PathsDone > 0 {
				rp.StrokesDone = prog.Plan.Paths[m.PathsDone-1].SrcEnd
			}
		}
		rp.Left = max(0, prog.Duration-rp.Elapsed)
		rp.LeftWall = rp.Left
		if prog.Duration > 0 {
			rp.Percent = 100 * float64(rp.Elapsed) / float64(prog.Duration)
		}
		switch {
		case p.Finished && p.State == "done":
			rp.State = robot.StateDone
		case p.Finished:
			rp.State, rp.Err = robot.StateStopped, fmt.Errorf("the bridge %s the job", p.State)
		case p.Place > 0:
			rp.State, rp.Ahead = robot.StateConnecting, p.Place // waiting its turn behind other jobs
		case p.State == wire.StatePaused:
			rp.State = robot.StatePaused
		case p.State == wire.StateLost:
			rp.State, rp.Err = robot.StateLostLink, errors.New("the bridge lost its robot")
		default:
			rp.State = robot.StateDrawing
		}
		return rp
	}
}
