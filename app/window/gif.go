package window

import (
	"context"
	"image/gif"
	"io"
	"time"

	"mbotdraw/app/folder"
	"mbotdraw/atomicfile"
	"mbotdraw/canvas"
	"mbotdraw/playback"
)

// saved is a file written in the background (a screenshot, a GIF).
type saved struct {
	id         string // the message id: "shot" or "gif"
	what       string // "picture", "GIF"
	path, info string
	dir        string // the save folder
	err        error
}

// exportGIF saves the playback of the drawing shown as an animated GIF in
// the output folder, in the background (the window keeps playing), as
// `mbotdraw export --gif` makes it by default (canvas.PlaybackGIF).
func (g *Game) exportGIF() {
	if g.gifBusy {
		g.msgs.show(g.tick, message{kind: msgInfo, id: "gif", title: "Still saving the last GIF…", until: -1})
		return
	}
	dir, err := g.saveFolder()
	if err != nil {
		g.saveFailed("gif", "GIF", err.Error())
		return
	}
	path := outputPath(dir, g.doc.name, ".gif", time.Now())
	g.gifBusy = true
	g.msgs.show(g.tick, message{kind: msgInfo, id: "gif", title: "Saving the playback as a GIF…", body: folder.Display(path), until: -1})
	d, width := g.doc.d, g.cfg.GIFWidth
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		info, err := saveGIF(g.saving, d, path, width)
		g.saves <- saved{id: "gif", what: "GIF", path: path, dir: dir, info: info, err: err}
		g.pacer.wake()
	}()
}

// saveGIF writes d's playback to path as an animated GIF, whole or not at
// all, width pixels wide (0: canvas.GIFWidth), and returns
// canvas.PlaybackGIF's description of it.
func saveGIF(ctx context.Context, d *playback.Drawing, path string, width int) (string, error) {
	var o canvas.GIFOptions
	if width > 0 {
		o.Width, o.Height = canvas.GIFSize(d, width)
	}
	g, info, err := canvas.PlaybackGIF(ctx, d, o)
	if err != nil {
		return "", err
	}
	return info, atomicfile.Write(path, func(w io.Writer) error { return gif.EncodeAll(w, g) })
}

// receiveSaves reports the files written in the background.
func (g *Game) receiveSaves() {
	for {
		select {
		case r := <-g.saves:
			if r.id == "gif" {
				g.gifBusy = false
			}
			g.reportSaved(r)
		default:
			return
		}
	}
}
