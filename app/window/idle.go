package window

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/robot"
)

// The window draws only when something changes. While anything moves (the
// playback plays, the robot draws, a banner counts down, a stroke arrives
// from the companion page, a key or a pointer is held, the window quits)
// Ebiten runs its usual 60 updates a second. Once nothing has moved for
// idleAfter ticks the window rests: Ebiten's FPSModeVsyncOffMinimum runs
// no update and draws no frame until an input event (a key, the mouse, a
// finger, a resize, the close button) or a ScheduleFrame from one of the
// window's goroutines (a file decoded, a screenshot or GIF written, a robot
// run ended, a page's stroke or command, Ctrl+C). A paused or finished
// window then costs almost nothing. A robot that waits (paused, or for a
// pen) is looked at once every restHeartbeat.

const (
	// idleAfter is how many ticks in a row nothing moves before the window
	// rests (1/6 s): long enough for the last frame to show everything.
	idleAfter = 10
	// restHeartbeat is how often a resting window with a robot still
	// running wakes to read its progress.
	restHeartbeat = time.Second
)

// pacer switches the window between running (60 updates a second) and
// resting (a frame only when something happens).
type pacer struct {
	quiet   int // ticks in a row in which nothing moved
	resting bool
	// setMode switches Ebiten's frame mode; nil in tests, whose host loop
	// keeps running whatever the game does.
	setMode func(rest bool)
	// schedule asks Ebiten for a frame; nil in tests. Safe from any
	// goroutine.
	schedule func()
	// heartbeat is true while a resting window must still wake every
	// restHeartbeat.
	heartbeat atomic.Bool
	// verbose prints each switch on stderr (play --verbose).
	verbose bool
}

// ebitenPacer returns the pacer of a real window.
//
// Ebiten 2.8 marks the FPS modes and ScheduleFrame deprecated in favour of
// SetScreenClearedEveryFrame(false), which still runs 60 updates and
// presents 60 frames a second; only the minimum mode stops the loop while
// nothing happens.
func ebitenPacer(verbose bool) *pacer {
	return &pacer{verbose: verbose, setMode: setFPSMode, schedule: scheduleFrame}
}

func setFPSMode(rest bool) {
	mode := ebiten.FPSModeVsyncOn //lint:ignore SA1019 see ebitenPacer
	if rest {
		mode = ebiten.FPSModeVsyncOffMinimum //lint:ignore SA1019 see ebitenPacer
	}
	//lint:ignore SA1019 see ebitenPacer
	ebiten.SetFPSMode(mode)
}

func scheduleFrame() {
	//lint:ignore SA1019 see ebitenPacer
	ebiten.ScheduleFrame()
}

// wake asks for a frame now: a goroutine has news for the window. Safe
// from any goroutine, and cheap while the window runs.
func (p *pacer) wake() {
	if p != nil && p.schedule != nil {
		p.schedule()
	}
}

// tick records whether anything moved this tick, and rests or runs.
func (p *pacer) tick(moving bool) {
	if moving {
		p.quiet = 0
		if p.resting {
			p.switchTo(false)
		}
		return
	}
	p.quiet++
	if !p.resting && p.quiet >= idleAfter {
		p.switchTo(true)
	}
}

func (p *pacer) switchTo(rest bool) {
	p.resting = rest
	if p.setMode != nil {
		p.setMode(rest)
	}
	if p.verbose {
		if rest {
			fmt.Fprintln(os.Stderr, "window: idle: nothing moves, so nothing is redrawn until something changes")
		} else {
			fmt.Fprintln(os.Stderr, "window: busy: redrawing 60 times a second")
		}
	}
}

// runHeartbeat wakes a resting window every restHeartbeat while asked to,
// until done is closed.
func (p *pacer) runHeartbeat(done <-chan struct{}) {
	t := time.NewTicker(restHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if p.heartbeat.Load() {
				p.wake()
			}
		case <-done:
			return
		}
	}
}

// moving reports whether anything on screen changes by itself, so that
// the window must keep drawing 60 frames a second.
func (g *Game) moving() bool {
	dc := g.doc
	switch {
	case dc.tl.Playing(), g.scrubbing, g.pressed >= 0, g.held:
		return true
	case g.quitting, g.cfg.Frames > 0: // --frames counts ticks
		return true
	case dc.ink != nil && dc.ink.Shown(dc.mark) != dc.mark: // baking lags behind
		return true
	case g.msgs.counting():
		return true
	case g.live != nil && (g.live.pad.StrokeOpen() || g.live.pad.ForRobot() > 0):
		return true
	}
	return g.robotMoving()
}

// robotMoving reports whether the robot is under way (connecting,
// drawing, reconnecting); a robot that waits, paused or for a pen, does
// not move, and is looked at on the heartbeat.
func (g *Game) robotMoving() bool {
	r := g.robot
	if r == nil || !r.running() {
		return false
	}
	return r.state() != robot.StatePaused
}

// pace ends an Update: it tells the pacer whether anything moves.
func (g *Game) pace() {
	g.pacer.heartbeat.Store(g.robot != nil && g.robot.running())
	g.pacer.tick(g.moving())
	g.perf.resting = g.pacer.resting
}
