package window

import (
	"math"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/robot"
)

// Issue 11: one clock while the robot draws. In the robot's view the
// header's clock, the timeline and the stroke counter follow the robot, not
// the playback (which goes on behind); the Play button is the one Pause
// control (the robot button stops it); the "pausing" banner goes once the
// robot has paused, and the paused robot's clock stands still. A playback
// control (Left) goes back to the playback's clock.
func TestOneClockWhileTheRobotDraws(t *testing.T) {
	l := layoutScreen(1280, 800, false)
	click := func(b buttonID) (Events, Events) {
		x, y := l.Buttons[b].centre()
		return pointer(PointerDown, x, y), pointer(PointerUp, x, y)
	}
	ev := map[int]Events{3: keys(ebiten.KeyR)}
	g := newTestGame(t, config.Window{Drawing: smallDrawing()}, &script{events: ev})
	g.robotScale = 4 // slow enough that the scripted clicks land while it draws, on a loaded machine
	step := 0
	var pausedClock clockReading
	pausedAt := 0
	run(t, &job{g: g, maxTicks: 3000, afterUpdate: func(tick int) bool {
		if tick < 4 {
			return false
		}
		r, c := g.robot, g.clock()
		st := r.state()
		switch {
		case step == 0 && st == robot.StateDrawing && r.last.PathsDone >= 1:
			wantDur := float64(r.prog.Duration) / 1e6 / g.robotScale
			if !c.robot || math.Abs(c.dur-wantDur) > 1 || c.t > c.dur || c.stroke != r.last.StrokesDone || c.strokes != len(g.doc.d.Strokes) {
				t.Errorf("robot drawing: the header reads %+v, want the robot's clock (duration %.0f ms, %d of %d strokes)", c, wantDur, r.last.StrokesDone, len(g.doc.d.Strokes))
			}
			if math.Abs(c.fraction-c.t/c.dur) > 1e-9 {
				t.Errorf("the timeline is at %.3f, the robot's clock at %.3f", c.fraction, c.t/c.dur)
			}
			if got := buttonLabel(btnPlay, g); got != "Pause" {
				t.Errorf("Play button %q while the robot draws, want Pause", got)
			}
			if got := buttonLabel(btnRobot, g); got != "Stop" {
				t.Errorf("robot button %q while the robot draws, want Stop", got)
			}
			ev[tick+1], ev[tick+2] = click(btnPlay)
			step = 1
		case step == 1 && st == robot.StatePaused:
			for _, m := range g.msgs.list {
				if strings.Contains(m.title, "pausing") {
					t.Errorf("the banner %q is still up once the robot has paused", m.title)
				}
			}
			if got := buttonLabel(btnPlay, g); got != "Resume" {
				t.Errorf("Play button %q while the robot is paused, want Resume", got)
			}
			pausedClock, pausedAt = c, tick
			step = 2
		case step == 2 && tick == pausedAt+20:
			if c.t != pausedClock.t {
				t.Errorf("the paused robot's clock moved from %.0f to %.0f ms", pausedClock.t, c.t)
			}
			ev[tick+1], ev[tick+2] = click(btnPlay) // resume
			step = 3
		case step == 3 && st == robot.StateDrawing:
			ev[tick+1], ev[tick+2] = click(btnRobot) // stop
			step = 4
		case step == 4 && st == robot.StateStopped:
			ev[tick+1] = keys(ebiten.KeyArrowLeft)
			step = 5
		case step == 5 && tick > pausedAt+60 && !g.robotView:
			if c.robot || c.dur != g.doc.tl.Duration() {
				t.Errorf("after Left the header reads %+v, want the playback's clock", c)
			}
			return true
		}
		return false
	}})
	if step != 5 {
		t.Errorf("stopped at step %d", step)
	}
	g.finish()
}
