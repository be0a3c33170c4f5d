package window

import (
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/playback"
)

// Issue 11: readable from the back of the room at any size. At each common
// screen size the window is drawn with a banner and the help; every face
// (the smallest are the buttons' labels) is at least 2.2 % of the window's
// height, so 1920x1080 gets 24 px labels and more, not 16; the subtitle is
// not cut at 800x600 (a terse wording when the full one does not fit); no
// button label is cut.
func TestTextReadableAtAnySize(t *testing.T) {
	const minShare = 0.022
	for _, sz := range []struct {
		w, h    int
		gallery bool // a long path in a gallery, else the demo
	}{
		{800, 600, false}, {800, 600, true}, {1024, 768, true}, {1280, 720, false}, {1280, 800, false},
		{1366, 768, false}, {1920, 1080, false}, {2560, 1440, false}, {3840, 2160, false},
	} {
		g := newTestGame(t, config.Window{}, &script{events: map[int]Events{2: keys(ebiten.KeyH)}})
		if sz.gallery {
			g = newTestGame(t, config.Window{File: "/home/teacher/Documents/Drawings/the-garden-we-drew-in-class.ndjson",
				Drawings: []*playback.Drawing{smallDrawing(), smallDrawing()}}, &script{events: map[int]Events{2: keys(ebiten.KeyH)}})
		}
		g.msgs.show(0, message{kind: msgError, title: "Can't open shopping.json", body: "shopping.json: not a drawing", until: -1})
		run(t, &job{g: g, w: sz.w, h: sz.h, afterUpdate: func(tick int) bool { return tick >= 5 }})
		f := g.fonts
		smallest := 1e9
		for _, face := range []fontFace{f.huge, f.big, f.bigBold, f.title, f.body, f.bodyBold, f.small, f.label} {
			smallest = min(smallest, face.Size)
		}
		share := smallest / float64(sz.h)
		t.Logf("%dx%d: smallest text %.0f px (%.1f %% of the height), labels %.0f, messages %.0f, clock %.0f; subtitle %q",
			sz.w, sz.h, smallest, 100*share, f.label.Size, f.body.Size, f.huge.Size, g.subtitleShown)
		if share < minShare {
			t.Errorf("%dx%d: the smallest text is %.0f px, %.1f %% of the height; want at least %.1f %%", sz.w, sz.h, smallest, 100*share, 100*minShare)
		}
		if g.subtitleShown == "" || strings.Contains(g.subtitleShown, "…") {
			t.Errorf("%dx%d: the subtitle reads %q: cut or missing", sz.w, sz.h, g.subtitleShown)
		}
		for i, b := range g.lay.Buttons {
			id := buttonID(i)
			if b.W == 0 {
				continue
			}
			label := buttonLabel(id, g)
			if got := fitText(label, f.label, b.W-6*g.lay.U); got != label {
				t.Errorf("%dx%d: button label %q is cut to %q", sz.w, sz.h, label, got)
			}
		}
	}
}
