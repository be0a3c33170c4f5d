package window

import "mbotdraw/robot"

// One clock while the robot draws. While the robot's view is shown, the
// header's clock, the timeline and the stroke counter follow the robot
// (its time done and total in wall time, its share done, the strokes it has
// finished), and the Play button is the robot's one Pause control (Space
// too); the robot button then stops it. The playback's own controls (seek,
// a stroke back or on, restart, the scrubber) go back to the playback.

// clockReading is what the header and the timeline show: times in
// milliseconds.
type clockReading struct {
	t, dur          float64
	fraction        float64 // 0…1, the timeline's played part
	stroke, strokes int     // "Stroke n of N"
	robot           bool    // the robot's clock, not the playback's
}

// robotShown reports whether the view shows the robot drawing the drawing
// on screen (not a stroke from the companion's pad).
func (g *Game) robotShown() bool {
	r := g.robot
	return g.robotView && r != nil && !r.pad && r.d == g.doc.d
}

// clock returns the header's and the timeline's reading: the robot's
// while its view is shown, else the playback's.
func (g *Game) clock() clockReading {
	dc := g.doc
	if !g.robotShown() {
		return clockReading{t: dc.tl.Time(), dur: dc.tl.Duration(), fraction: dc.tl.Fraction(),
			stroke: dc.currentStroke(), strokes: len(dc.d.Strokes)}
	}
	r := g.robot
	p := r.last
	dur := float64(r.prog.Duration) / 1e6 / r.scale
	left := float64(r.leftWall()) / 1e6
	if p.State == robot.StateDone {
		left = 0
	}
	t := min(max(dur-left, 0), dur)
	f := 0.0
	if dur > 0 {
		f = t / dur
	}
	strokes := p.Strokes
	if strokes == 0 {
		strokes = len(dc.d.Strokes)
	}
	return clockReading{t: t, dur: dur, fraction: f, stroke: p.StrokesDone, strokes: strokes, robot: true}
}

// robotPausable reports whether the Play button is the robot's Pause
// control now: the robot's view is shown and the robot is under way.
func (g *Game) robotPausable() bool {
	return g.robotShown() && g.robot.running()
}

// playShown reports whether the Play button shows Pause (something plays
// that it would pause).
func (g *Game) playShown() bool {
	if g.robotPausable() {
		return g.robot.state() != robot.StatePaused
	}
	return g.doc.tl.Playing()
}
