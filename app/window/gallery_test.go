package window

import (
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/playback"
)

// Issue 11: the gallery says "Drawing n of N" as it steps, and stops at the
// last drawing (saying so) instead of wrapping round to the first.
func TestGalleryStopsAtTheLast(t *testing.T) {
	ds := []*playback.Drawing{smallDrawing(), smallDrawing(), smallDrawing()}
	ev := map[int]Events{3: keys(ebiten.KeyN), 5: keys(ebiten.KeyN), 7: keys(ebiten.KeyN)}
	g := newTestGame(t, config.Window{File: "cats.ndjson", Drawings: ds}, &script{events: ev})
	said := map[int]string{}
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		if m, ok := g.msgs.last(msgInfo); ok {
			said[tick] = m.title
		}
		return tick >= 8
	}})
	for tick, want := range map[int]string{3: "Drawing 2 of 3", 5: "Drawing 3 of 3", 7: "Drawing 3 of 3 is the last one"} {
		if said[tick] != want {
			t.Errorf("tick %d: the window says %q, want %q", tick, said[tick], want)
		}
	}
	if g.docIdx != 2 {
		t.Errorf("after N three times from the first of three: drawing %d, want the last, 2", g.docIdx)
	}
	if !g.galleryEnd(btnNextDrawing) || g.galleryEnd(btnPrevDrawing) {
		t.Error("at the last drawing the Next button is not greyed, or Previous is")
	}
}

// Issue 11: the playback waits behind the help screen, and plays on when
// the help closes; a paused playback stays paused.
func TestHelpPausesPlayback(t *testing.T) {
	ev := map[int]Events{3: keys(ebiten.KeyH), 10: keys(ebiten.KeyEscape), 12: keys(ebiten.KeySpace), 14: keys(ebiten.KeyH), 20: keys(ebiten.KeyH)}
	g := newTestGame(t, config.Window{}, &script{events: ev})
	var atHelp float64
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		tl := g.doc.tl
		switch tick {
		case 3:
			atHelp = tl.Time()
			if tl.Playing() {
				t.Error("the playback plays on behind the help")
			}
		case 9:
			if tl.Time() != atHelp {
				t.Errorf("behind the help the clock moved from %.0f to %.0f ms", atHelp, tl.Time())
			}
		case 10:
			if !tl.Playing() {
				t.Error("closing the help did not play on")
			}
		case 20:
			if tl.Playing() {
				t.Error("a playback paused before the help plays after it")
			}
			return true
		}
		return false
	}})
}
