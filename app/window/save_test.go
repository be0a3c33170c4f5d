package window

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
)

// TestSavesSayWhereAndOpenTheFolder: S saves into the save folder, made
// when missing; the message names the file and says how to open the
// folder; O and a click on the message open it.
func TestSavesSayWhereAndOpenTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "class", "saves") // not there yet
	var opened []string
	g := newTestGame(t, config.Window{OutDir: dir}, &script{events: map[int]Events{3: keys(ebiten.KeyS)}})
	g.openFolder = func(d string) error { opened = append(opened, d); return nil }
	step := 0
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		switch step {
		case 0:
			if m, ok := g.msgs.last(msgDone); ok && m.id == "shot" {
				g.do(actOpenFolder)
				step++
			}
		case 1: // a click on the saved message opens the folder too
			g.reportSaved(saved{id: "shot", what: "picture", path: filepath.Join(dir, "x.png"), dir: dir})
			r := g.messagesRect()
			g.pointerDown(PointerEvent{ID: 1, X: r.X + r.W/2, Y: r.Y + 4})
			return true
		}
		return false
	}})
	files, _ := filepath.Glob(filepath.Join(dir, "Garden-*.png"))
	if len(files) != 1 {
		t.Fatalf("S saved %v in %s, want one Garden-*.png", files, dir)
	}
	if len(opened) != 2 || opened[0] != dir || opened[1] != dir {
		t.Errorf("opened %v, want the save folder by O, then by a click", opened)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestSaveFailsInPlainWords: a save folder that cannot be made says
// which and why, and stays until dismissed.
func TestSaveFailsInPlainWords(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "usb")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	g := newTestGame(t, config.Window{OutDir: filepath.Join(blocker, "class")}, &script{events: map[int]Events{2: keys(ebiten.KeyS)}})
	run(t, &job{g: g, afterUpdate: func(tick int) bool { return tick >= 4 }})
	m, ok := g.msgs.last(msgError)
	if !ok || !strings.Contains(m.body, "cannot write to "+filepath.Join(blocker, "class")+": a file of that name is in the way") {
		t.Fatalf("message %+v, want the folder and the reason", m)
	}
	if m.until >= 0 {
		t.Error("the failed save's message goes away by itself")
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}
