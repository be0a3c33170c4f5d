package window

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/playback"
)

// A file named on the command line that cannot be read opens the window on
// the demo with the message, which stays until dismissed; the window keeps
// running.
func TestUnopenedFileOpensTheWindowWithTheMessage(t *testing.T) {
	cfg := config.Window{Unopened: "/tmp/shopping.json", OpenError: errors.New("/tmp/shopping.json: not a drawing")}
	g := newTestGame(t, cfg, &script{})
	run(t, &job{g: g, maxTicks: 20 * 60, afterUpdate: func(tick int) bool { return tick >= errorTicks+60 }})
	m, ok := g.msgs.last(msgError)
	if !ok || m.title != "Can't open shopping.json" || !strings.Contains(m.body, "not a drawing") {
		t.Errorf("after %d ticks the banner is %+v (shown: %v), want Can't open shopping.json … not a drawing", errorTicks+60, m, ok)
	}
	if g.file != "" || len(g.doc.d.Strokes) < 20 {
		t.Errorf("the window shows %q with %d strokes, want the demo", g.file, len(g.doc.d.Strokes))
	}
}

// A drawing with no strokes says so, and R, S and G explain instead of
// sending the robot or saving; the same keys on a drawing with strokes do
// their work (so the test can tell).
func TestEmptyDrawingDisablesRobotAndSaving(t *testing.T) {
	for _, tc := range []struct {
		name  string
		d     *playback.Drawing
		empty bool
	}{
		{"no strokes", playback.NewDrawing(400, 300), true},
		{"four strokes", smallDrawing(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := &script{events: map[int]Events{3: keys(ebiten.KeyR), 5: keys(ebiten.KeyS), 7: keys(ebiten.KeyG)}}
			g := newTestGame(t, config.Window{Drawing: tc.d, OutDir: dir}, s)
			var titles []string
			run(t, &job{g: g, afterUpdate: func(tick int) bool {
				for _, m := range g.msgs.list {
					titles = append(titles, m.title)
				}
				return tick >= 20 && !g.gifBusy
			}})
			g.finish()
			files, _ := os.ReadDir(dir)
			gifs, _ := filepath.Glob(filepath.Join(dir, "*.gif"))
			said := strings.Join(titles, " | ")
			if tc.empty {
				if g.robot != nil || len(gifs) > 0 || len(files) > 0 {
					t.Errorf("an empty drawing: robot started %v, %d GIFs, %d files saved; want none", g.robot != nil, len(gifs), len(files))
				}
				for _, want := range []string{"This drawing has no strokes", "Nothing to send to the robot", "Nothing to save as a picture", "Nothing to save as a GIF"} {
					if !strings.Contains(said, want) {
						t.Errorf("the window never said %q; it said %s", want, said)
					}
				}
				return
			}
			if g.robot == nil || len(gifs) != 1 || len(files) != 2 {
				t.Errorf("a drawing with strokes: robot started %v, %d GIFs, %d files saved; want a robot, 1 GIF, 2 files", g.robot != nil, len(gifs), len(files))
			}
			if strings.Contains(said, "no strokes") {
				t.Errorf("a drawing with strokes is called empty: %s", said)
			}
		})
	}
}
