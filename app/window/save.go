package window

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"mbotdraw/app/folder"
	"mbotdraw/canvas"
	"mbotdraw/playback"
)

// Saving from the window: S saves the drawing as far as it is drawn (the
// paper, not the buttons) as a PNG, G the playback as a GIF, both in the
// save folder (--save-dir, else the user's Pictures/mbotdraw, created when
// missing) under the drawing's name and the time ("Garden-2026-12-02-1030.png").
// The message names the file as people find it ("Saved to
// Pictures/mbotdraw/…"); O or a click on it opens the folder. A save that
// fails says which folder and why in plain words, and stays until
// dismissed.

// pictureLongSide is the longer side of a picture saved with S, in pixels.
const pictureLongSide = 1600

// saveFolder returns the folder saves go to, creating it.
func (g *Game) saveFolder() (string, error) {
	return folder.Saves(g.cfg.OutDir)
}

// savePicture renders the drawing shown, as far as it is drawn, into a new
// PNG in the save folder, in the background.
func (g *Game) savePicture() {
	dir, err := g.saveFolder()
	if err != nil {
		g.saveFailed("shot", "picture", err.Error())
		return
	}
	d := g.doc.d
	if g.live != nil && d == g.live.pad.Drawing() {
		d = d.Clone() // the live drawing grows while the picture is made
	}
	mark := g.doc.mark
	w, h := pictureSize(d)
	p := outputPath(dir, g.doc.name, ".png", time.Now())
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		img := canvas.RenderAt(d, mark, canvas.Options{Width: w, Height: h, NoPen: true})
		g.saves <- saved{id: "shot", what: "picture", path: p, dir: dir, err: writePNG(p, img)}
		g.pacer.wake()
	}()
}

// pictureSize is the size of a saved picture: the drawing's page with its
// longer side pictureLongSide pixels.
func pictureSize(d *playback.Drawing) (int, int) {
	dw, dh := d.Width, d.Height
	if !(dw > 0 && dh > 0) || math.IsInf(dw, 0) || math.IsInf(dh, 0) {
		dw, dh = 4, 3
	}
	k := pictureLongSide / math.Max(dw, dh)
	return max(16, int(math.Round(dw*k))), max(16, int(math.Round(dh*k)))
}

// saveFailed shows that a save failed, until dismissed.
func (g *Game) saveFailed(id, what, why string) {
	g.msgs.show(g.tick, message{kind: msgError, id: id, until: -1, title: "Can't save the " + what, body: why})
}

// saved reports a file written in the background.
func (g *Game) reportSaved(r saved) {
	if r.err != nil {
		g.saveFailed(r.id, r.what, folder.Explain(r.dir, r.err))
		return
	}
	g.lastSaveDir = r.dir
	body := "O opens the folder"
	if r.info != "" {
		body = r.info + " · " + body
	}
	g.msgs.show(g.tick, message{kind: msgDone, id: r.id, title: "Saved to " + folder.Display(r.path), body: body, folder: r.dir})
}

// openSaveFolder shows the folder of the last save (or the save folder)
// in the file manager.
func (g *Game) openSaveFolder() {
	dir := g.lastSaveDir
	if dir == "" {
		var err error
		if dir, err = g.saveFolder(); err != nil {
			g.msgs.show(g.tick, message{kind: msgError, id: "folder", title: "Can't open the save folder", body: err.Error()})
			return
		}
	}
	open := g.openFolder
	if open == nil {
		open = folder.Open
	}
	if err := open(dir); err != nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "folder", title: "Can't open the save folder", body: err.Error()})
		return
	}
	g.msgs.show(g.tick, message{kind: msgInfo, id: "folder", title: "Opening " + folder.Display(dir)})
}

// clickMessages handles a click on the messages: a saved file's message
// opens its folder; every message goes.
func (g *Game) clickMessages() {
	opens := false
	for _, m := range g.msgs.list {
		opens = opens || m.folder != ""
	}
	g.msgs.dismiss()
	if opens {
		g.openSaveFolder()
	}
}

// outputPath returns a new file name in dir for a save from the window:
// <drawing>-<date>-<hour><minute>.<ext> ("Garden-2026-12-02-1030.png"),
// with -2, -3, … when the name is taken.
func outputPath(dir, drawing, ext string, now time.Time) string {
	base := strings.TrimSuffix(filepath.Base(drawing), filepath.Ext(drawing))
	base = strings.TrimSuffix(base, ".mbd")
	var b strings.Builder
	for _, r := range base {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '.':
			b.WriteByte('-')
		}
	}
	name := b.String()
	if name == "" {
		name = "drawing"
	}
	name += "-" + now.Format("2006-01-02-1504")
	p := filepath.Join(dir, name+ext)
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); os.IsNotExist(err) {
			return p
		}
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", name, i, ext))
	}
}
