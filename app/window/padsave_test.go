package window

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/app/config"
	"mbotdraw/app/folder"
	"mbotdraw/playback/format"
)

// TestPageSaveSavesOnTheComputer: the tablet page's Save saves the pad's
// drawing on the computer too, in the window's save folder: the picture
// and the drawing file. The page and the window say where; a Save with
// nothing drawn, or nothing new, says so and writes nothing.
func TestPageSaveSavesOnTheComputer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class")
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Listen: "127.0.0.1:0", OutDir: dir}, &script{})
	pg := openPage(t, g)
	answer := func(n int) (string, bool) {
		pg.mu.Lock()
		defer pg.mu.Unlock()
		if len(pg.answers) < n {
			return "", false
		}
		return pg.answers[n-1], true
	}
	step := 0
	run(t, &job{g: g, maxTicks: 3000, afterUpdate: func(tick int) bool {
		switch step {
		case 0:
			if _, ok := pg.lastDrawing(); ok {
				pg.send(map[string]any{"type": "save"}) // nothing drawn yet
				step++
			}
		case 1:
			if a, ok := answer(1); ok {
				if !strings.HasPrefix(a, "Nothing to save on the computer yet") {
					t.Errorf("Save before drawing: the page was told %q", a)
				}
				pg.pad(0, "#1c2430", true, false, [3]float64{100, 100, 0}, [3]float64{200, 150, 16}, [3]float64{300, 100, 33})
				step++
			}
		case 2:
			if d := g.doc.d; d.Name == "Live drawing" && d.NumPoints() == 3 {
				pg.send(map[string]any{"type": "save"})
				step++
			}
		case 3:
			if _, ok := answer(2); ok && len(g.saves) == 0 && g.lastSaveDir != "" {
				pg.send(map[string]any{"type": "save"}) // nothing new
				step++
			}
		case 4:
			_, ok := answer(3)
			return ok
		}
		return false
	}})
	if step != 4 {
		t.Fatalf("stopped at step %d", step)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var pic, file string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, ".png"):
			pic = f
		case strings.HasSuffix(f, ".mbd.json"):
			file = f
		}
	}
	if len(files) != 2 || pic == "" || file == "" || !strings.HasPrefix(filepath.Base(pic), "Tablet-") {
		t.Fatalf("the save folder holds %v; want the tablet's picture and drawing file", files)
	}
	if fi, err := os.Stat(pic); err != nil || fi.Size() < 100 {
		t.Errorf("picture %s: %v", pic, err)
	}
	if d, err := format.Load(file, format.Options{}); err != nil || len(d.Strokes) != 1 || d.NumPoints() != 3 {
		t.Errorf("drawing file %s: %v", file, err)
	}
	a2, _ := answer(2)
	if want := "Saved to " + folder.Display(pic); !strings.HasPrefix(a2, want) {
		t.Errorf("the page was told %q, want %q…", a2, want)
	}
	if a3, _ := answer(3); !strings.HasPrefix(a3, "Already saved on the computer") {
		t.Errorf("a second Save with nothing new: the page was told %q", a3)
	}
	var shown bool
	for _, m := range g.msgs.list {
		shown = shown || strings.Contains(m.title, "Saved to") && strings.Contains(m.title, filepath.Base(pic))
	}
	if !shown {
		t.Errorf("the window's messages %+v do not say where the tablet's drawing went", g.msgs.list)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}
