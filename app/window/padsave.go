package window

import (
	"path/filepath"
	"strings"
	"time"

	"mbotdraw/app/folder"
	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// Saving from the tablet page: its Save picture and Save drawing buttons
// also ask (bridge.PadSave, at most once every bridge.SaveEvery, and only
// when the drawing changed) that the pad's drawing be saved on this
// computer, in the window's save folder (--save-dir, else
// Pictures/mbotdraw): the picture ("Tablet-2026-12-02-1030.png", the
// drawing whole, as S saves one) and the drawing file beside it
// ("Tablet-2026-12-02-1030.mbd.json"). The window and the page both say
// where it went, or why it could not.

// padSaveName is the name a tablet's saves begin with.
const padSaveName = "Tablet"

// savePad saves the live drawing for a page, in the background, and sends
// the page the answer with reply.
func (g *Game) savePad(reply func(string)) {
	d := g.live.pad.Drawing()
	if d == nil || len(d.Strokes) == 0 {
		reply("Nothing to save on the computer yet: draw something first.")
		return
	}
	dir, err := g.saveFolder()
	if err != nil {
		g.saveFailed("pad", "tablet's drawing", err.Error())
		reply("Can't save on the computer: " + err.Error())
		return
	}
	d = d.Clone() // the live drawing grows while the picture is made
	pic := outputPath(dir, padSaveName, ".png", time.Now())
	file := strings.TrimSuffix(pic, ".png") + ".mbd.json"
	w, h := pictureSize(d)
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		img := canvas.RenderAt(d, playback.Mark{N: d.NumPoints()}, canvas.Options{Width: w, Height: h, NoPen: true})
		err := writePNG(pic, img)
		if err == nil {
			err = format.Save(file, d)
		}
		if err != nil {
			reply("Can't save on the computer: " + folder.Explain(dir, err))
		} else {
			reply("Saved to " + folder.Display(pic) + " on the computer, with the drawing file " + filepath.Base(file))
		}
		g.saves <- saved{id: "pad", what: "tablet's drawing", path: pic, dir: dir, err: err,
			info: "From the tablet, with the drawing file " + filepath.Base(file)}
		g.pacer.wake()
	}()
}
