package window

import (
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
)

// The window rests once nothing moves (the drawing has finished), wakes
// on a key that starts the playback, rests again when paused, and keeps
// running while a banner counts down or a key is held.
func TestRestsWhenNothingMoves(t *testing.T) {
	s := &script{events: map[int]Events{}}
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Speed: 1}, s)
	var switches []bool
	g.pacer.setMode = func(rest bool) { switches = append(switches, rest) }
	endTick, spaceAt, pauseAt, heldAt := 0, 0, 0, 0
	restedAt := map[string]int{}
	run(t, &job{g: g, maxTicks: 2000, afterUpdate: func(tick int) bool {
		switch {
		case endTick == 0 && g.doc.tl.Ended():
			endTick = tick
		case endTick > 0 && spaceAt == 0 && g.pacer.resting:
			restedAt["end"] = tick
			spaceAt = tick + 1
			s.events[spaceAt] = keys(ebiten.KeySpace) // play again from the start
		case spaceAt > 0 && pauseAt == 0 && tick == spaceAt+3:
			if g.pacer.resting {
				t.Errorf("tick %d: resting while the drawing plays", tick)
			}
			pauseAt = tick + 1
			s.events[pauseAt] = keys(ebiten.KeySpace)
		case pauseAt > 0 && heldAt == 0 && tick > pauseAt && g.pacer.resting:
			restedAt["pause"] = tick
			heldAt = tick + 1
			for k := heldAt; k < heldAt+30; k++ {
				s.events[k] = Events{Held: true}
			}
		case heldAt > 0 && tick > heldAt && tick < heldAt+30:
			if g.pacer.resting {
				t.Errorf("tick %d: resting while a key is held", tick)
			}
		case heldAt > 0 && tick >= heldAt+30 && g.pacer.resting:
			return true
		}
		return false
	}})
	if d := restedAt["end"] - endTick; d > idleAfter+2 {
		t.Errorf("rested %d ticks after the end, want at most %d", d, idleAfter+2)
	}
	if d := restedAt["pause"] - pauseAt; d > idleAfter+2 {
		t.Errorf("rested %d ticks after the pause, want at most %d", d, idleAfter+2)
	}
	want := []bool{true, false, true, false, true}
	if len(switches) != len(want) {
		t.Fatalf("frame mode switches %v, want %v (rest, run, rest, run, rest)", switches, want)
	}
	for i := range want {
		if switches[i] != want[i] {
			t.Fatalf("frame mode switches %v, want %v", switches, want)
		}
	}
}

// A banner that goes away by itself keeps the window ticking until it has
// gone; one that stays until dismissed does not.
func TestRestWaitsForBanners(t *testing.T) {
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Speed: 16}, &script{})
	g.doc.tl.SetTime(g.doc.tl.Duration())
	g.msgs.show(0, message{kind: msgInfo, title: "Hello", until: 30})
	g.msgs.show(0, message{kind: msgInfo, id: "stays", title: "Stays", until: -1})
	restedAt := 0
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		if g.pacer.resting {
			restedAt = tick
			return true
		}
		return false
	}})
	if restedAt <= 30 {
		t.Errorf("rested at tick %d while a banner was counting down to tick 30", restedAt)
	}
	if len(g.msgs.list) != 1 || g.msgs.list[0].id != "stays" {
		t.Errorf("banners at rest: %+v, want only the one that stays", g.msgs.list)
	}
}
