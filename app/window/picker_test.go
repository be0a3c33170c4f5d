package window

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/app/recentfiles"
)

const pickerDrawing = `{"format":"mbotdraw","version":1,"width":400,"height":300,
 "strokes":[{"color":"#1e88e5","width":6,"points":[[50,50,0],[350,250,300]]}]}`

// ctrlKey returns Events pressing Ctrl and k.
func ctrlKey(k ebiten.Key) Events { return Events{Keys: []KeyPress{{Key: k, Ctrl: true}}} }

// TestOpenCard: Ctrl+O shows big tiles for the recent files, the other
// drawings of the folder and the demo, each with a thumbnail; a tap opens
// one, which becomes the most recent file. Browse… runs the desktop's
// file dialog (a stand-in zenity here) and opens the file chosen.
func TestOpenCard(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"a.mbd.json": pickerDrawing, "b.mbd.json": pickerDrawing, "c.mbd.json": pickerDrawing,
		"shopping.json": `{"name":"shopping"}`}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := filepath.Join(dir, "a.mbd.json"), filepath.Join(dir, "b.mbd.json"), filepath.Join(dir, "c.mbd.json")
	recent := filepath.Join(t.TempDir(), "recent.json")
	l := &recentfiles.List{Path: recent}
	l.Add(b)
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir() // a zenity that chooses c
	if err := os.WriteFile(filepath.Join(bin, "zenity"), []byte("#!/bin/sh\nprintf '%s\\n' '"+c+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	g := newTestGame(t, config.Window{File: a, Drawing: smallDrawing(), Recent: recent}, &script{events: map[int]Events{3: ctrlKey(ebiten.KeyO)}})
	step := 0
	tileOf := func(label string) int {
		for i, tl := range g.card.tiles {
			if tl.label == label {
				return i
			}
		}
		return -1
	}
	tap := func(i int) {
		x, y := g.tileRect(i).centre()
		g.pointerDown(PointerEvent{ID: 1, X: x, Y: y})
	}
	shotPath, shot := os.Getenv("MBOTDRAW_PICKER_SCREENSHOT"), false
	run(t, &job{g: g, maxTicks: 1200, afterDraw: func(tick int, screen *ebiten.Image) {
		if shotPath != "" && !shot && step == 0 && g.card.open && g.card.tiles[len(g.card.tiles)-1].ready {
			shot = writePNG(shotPath, grab(screen)) == nil
		}
	}, afterUpdate: func(tick int) bool {
		switch step {
		case 0: // every tile read
			if !g.card.open {
				return false
			}
			for _, tl := range g.card.tiles {
				if !tl.ready {
					return false
				}
			}
			var got []string
			for _, tl := range g.card.tiles {
				got = append(got, tl.where+": "+tl.label)
				if r := g.tileRect(tileOf(tl.label)); r.W < 150 || r.H < 150 {
					t.Errorf("tile %q is %vx%v pixels, too small for a child's finger", tl.label, r.W, r.H)
				}
			}
			want := []string{"Other files: Browse…", "Recent: b.mbd.json", "Recent: a.mbd.json", "Demo: Garden",
				"Demo: Bicycle", "Demo: Fish", "Demo: Sheep", "Demo: Hello my friend"}
			for _, w := range want {
				if !strings.Contains(strings.Join(got, " | "), w) {
					t.Errorf("tiles %q lack %q", got, w)
				}
			}
			// The demo gallery: each tile a real drawing with its thumbnail.
			for _, tl := range g.card.tiles {
				if tl.kind == tileDemo && (tl.err != nil || tl.thumb == nil || len(tl.ds) == 0 || tl.ds[0].Name != tl.label || len(tl.ds[0].Strokes) == 0) {
					t.Errorf("demo tile %q: %v, want its drawing and a thumbnail", tl.label, tl.err)
				}
			}
			if i := tileOf("c.mbd.json"); i < 0 || g.card.tiles[i].thumb == nil {
				t.Errorf("tiles %q: want c.mbd.json from the folder, with a thumbnail", got)
			}
			if i := tileOf("shopping.json"); i >= 0 && g.card.tiles[i].err == nil {
				t.Error("shopping.json has a tile that opens")
			}
			if shotPath == "" || shot {
				tap(tileOf("b.mbd.json"))
				step++
			}
		case 1:
			if g.card.open || g.file != b {
				t.Fatalf("after tapping b: card open %v, file %q", g.card.open, g.file)
			}
			g.do(actOpen)
			step++
		case 2:
			if g.card.open && len(g.card.tiles) > 0 {
				tap(0) // Browse…
				step++
			}
		case 3:
			return g.file == c
		}
		return false
	}})
	if g.file != c {
		t.Fatalf("Browse… opened %q, want %s", g.file, c)
	}
	back, err := recentfiles.Load(recent)
	if err != nil || len(back.Files) < 3 || back.Files[0] != c || back.Files[1] != b || back.Files[2] != a {
		t.Errorf("recent files %v (%v), want c, b, a first", back.Files, err)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}
