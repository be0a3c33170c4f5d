package window

import (
	"time"
)

// saved is a file written in the background (a screenshot, a GIF).
type saved struct {
	id         string // the message id: "shot" or "gif"
	what       string // "screenshot", "GIF"
	path, info string
	err        error
}

// exportGIF saves the playback of the drawing shown as an animated GIF in
// the output folder, in the background (the window keeps playing), with the
// same renderer and settings as `mbotdraw export --gif`.
func (g *Game) exportGIF() {
	if g.cfg.ExportGIF == nil {
		g.msgs.show(g.tick, message{kind: msgError, id: "gif", title: "GIF export is not available here"})
		return
	}
	if g.gifBusy {
		g.msgs.show(g.tick, message{kind: msgInfo, id: "gif", title: "Still saving the last GIF…", until: -1})
		return
	}
	path := outputPath(g.cfg.OutDir, g.doc.name, ".gif", time.Now())
	g.gifBusy = true
	g.msgs.show(g.tick, message{kind: msgInfo, id: "gif", title: "Saving the playback as a GIF…", body: path, until: -1})
	d, export := g.doc.d, g.cfg.ExportGIF
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		info, err := export(g.saving, d, path)
		g.saves <- saved{id: "gif", what: "GIF", path: path, info: info, err: err}
		g.pacer.wake()
	}()
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
