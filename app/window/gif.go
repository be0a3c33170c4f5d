package window

import (
	"context"
	"image/gif"
	"io"
	"time"

	"mbotdraw/atomicfile"
	"mbotdraw/canvas"
	"mbotdraw/playback"
)

// saved is a file written in the background (a screenshot, a GIF).
type saved struct {
	id         string // the message id: "shot" or "gif"
	what       string // "screenshot", "GIF"
	path, info string
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
	path := outputPath(g.cfg.OutDir, g.doc.name, ".gif", time.Now())
	g.gifBusy = true
	g.msgs.show(g.tick, message{kind: msgInfo, id: "gif", title: "Saving the playback as a GIF…", body: path, until: -1})
	d := g.doc.d
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		info, err := saveGIF(g.saving, d, path)
		g.saves <- saved{id: "gif", what: "GIF", path: path, info: info, err: err}
		g.pacer.wake()
	}()
}

// saveGIF writes d's playback to path as an animated GIF, whole or not at
// all, and returns canvas.PlaybackGIF's description of it.
func saveGIF(ctx context.Context, d *playback.Drawing, path string) (string, error) {
	g, info, err := canvas.PlaybackGIF(ctx, d, canvas.GIFOptions{})
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
			if r.err != nil {
				g.msgs.show(g.tick, message{kind: msgError, id: r.id, title: "Can't save the " + r.what, body: r.err.Error()})
				continue
			}
			body := r.path
			if r.info != "" {
				body += " · " + r.info
			}
			g.msgs.show(g.tick, message{kind: msgDone, id: r.id, title: r.what + " saved", body: body})
		default:
			return
		}
	}
}
