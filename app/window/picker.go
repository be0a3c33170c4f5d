package window

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/dialog"
	"mbotdraw/app/recentfiles"
	"mbotdraw/assets"
	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// Opening a drawing without dragging it: Ctrl+O or the Open button shows a
// card of big tiles, each a thumbnail of a drawing to tap: "Browse…" (the
// desktop's own file dialog, where there is one), the files opened lately,
// the other drawings in the folder of the last one, and the demo gallery
// (assets.Gallery: the garden and a few small drawings). The
// thumbnails are made in the background; a tile opens as soon as its
// drawing is read. Files opened from the card, the dialog or the command
// line are remembered (config.Window.Recent).

// Picker sizes, in design pixels.
const (
	pickTileW, pickTileH = 230, 214
	pickThumbW           = 210
	pickThumbH           = 150
	pickGap              = 18
	pickMaxTiles         = 12
	pickRecent           = 6
	// pickMaxBytes bounds a file read for a thumbnail.
	pickMaxBytes = 64 << 20
)

// drawingExts are the file endings the picker lists from a folder.
var drawingExts = []string{".json", ".ndjson", ".svg", ".inkml", ".svc", ".tldr", ".excalidraw"}

// tileKind says what a tile opens.
type tileKind int

const (
	tileBrowse tileKind = iota // the file dialog
	tileFile                   // a file
	tileDemo                   // a drawing of the embedded demo gallery
)

// pickTile is one tile of the picker.
type pickTile struct {
	kind  tileKind
	label string             // the name under the thumbnail
	where string             // "Recent", "In Drawings", "Demo"
	path  string             // tileFile's file
	demo  assets.DemoDrawing // tileDemo's drawing
	ready bool
	ds    []*playback.Drawing
	thumb *image.RGBA
	img   *ebiten.Image
	err   error
}

// picker is the card's state.
type picker struct {
	open  bool
	tiles []*pickTile
	gen   int // bumped at each showing: thumbnails of an older one are dropped
	hover int
}

// pickResult is a tile's drawing and thumbnail, read in the background.
type pickResult struct {
	gen, i int
	ds     []*playback.Drawing
	thumb  *image.RGBA
	err    error
}

// showPicker opens the card and starts reading its tiles' drawings.
func (g *Game) showPicker() {
	g.closePicker()
	g.showHelp = false
	p := &g.card
	p.open, p.gen, p.hover = true, p.gen+1, -1
	if dialog.Available() {
		p.tiles = append(p.tiles, &pickTile{kind: tileBrowse, label: "Browse…", where: "Other files", ready: true})
	}
	seen := map[string]bool{}
	gallery := assets.Gallery()
	add := func(path, where string) {
		if len(p.tiles) >= pickMaxTiles-len(gallery) || seen[path] {
			return
		}
		if st, err := os.Stat(path); err != nil || st.IsDir() || st.Size() > pickMaxBytes {
			return
		}
		seen[path] = true
		p.tiles = append(p.tiles, &pickTile{kind: tileFile, path: path, label: filepath.Base(path), where: where})
	}
	var recent []string
	if g.recent != nil {
		recent = g.recent.Files
	}
	for i, f := range recent {
		if i < pickRecent {
			add(f, "Recent")
		}
	}
	if dir := g.lastFolder(); dir != "" {
		for _, f := range drawingsIn(dir) {
			add(f, "In "+filepath.Base(dir))
		}
	}
	for _, d := range gallery {
		p.tiles = append(p.tiles, &pickTile{kind: tileDemo, label: d.Title, where: "Demo", demo: d})
	}
	gen, tiles, maxPoints := p.gen, append([]*pickTile(nil), p.tiles...), g.cfg.MaxPoints
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		for i, t := range tiles {
			if t.kind == tileBrowse {
				continue
			}
			r := readTile(t, maxPoints)
			r.gen, r.i = gen, i
			select {
			case g.picks <- r:
				g.pacer.wake()
			case <-g.saving.Done():
				return
			}
		}
	}()
}

// closePicker takes the card down.
func (g *Game) closePicker() {
	for _, t := range g.card.tiles {
		if t.img != nil {
			t.img.Deallocate()
		}
	}
	g.card.open, g.card.tiles = false, nil
}

// lastFolder is the folder of the drawing open, or of the last one opened.
func (g *Game) lastFolder() string {
	if g.file != "" {
		if abs, err := filepath.Abs(g.file); err == nil {
			return filepath.Dir(abs)
		}
	}
	if g.recent != nil && len(g.recent.Files) > 0 {
		return filepath.Dir(g.recent.Files[0])
	}
	return ""
}

// drawingsIn lists the files of dir that look like drawings, newest first.
func drawingsIn(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	type file struct {
		path string
		mod  int64
	}
	var fs []file
	for _, e := range entries {
		name := strings.ToLower(e.Name())
		ok := false
		for _, ext := range drawingExts {
			ok = ok || strings.HasSuffix(name, ext)
		}
		if !ok || e.IsDir() {
			continue
		}
		if info, err := e.Info(); err == nil {
			fs = append(fs, file{filepath.Join(dir, e.Name()), info.ModTime().UnixNano()})
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].mod > fs[j].mod })
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.path
	}
	return out
}

// readTile reads a tile's drawings and renders its thumbnail.
func readTile(t *pickTile, maxPoints int) pickResult {
	var r pickResult
	name, data := t.demo.Name, t.demo.Data
	if t.kind == tileFile {
		f, err := os.Open(t.path)
		if err != nil {
			r.err = err
			return r
		}
		data, err = io.ReadAll(io.LimitReader(f, pickMaxBytes+1))
		f.Close()
		if err != nil {
			r.err = err
			return r
		}
		name = t.path
	}
	r.ds, r.err = format.Decode(name, data, format.Options{MaxPoints: maxPoints})
	if r.err == nil && (len(r.ds) == 0 || len(r.ds[0].Strokes) == 0) {
		r.ds, r.err = nil, fmt.Errorf("%s: holds no drawing", filepath.Base(name))
	}
	if r.err == nil {
		d := r.ds[0]
		r.thumb = canvas.RenderAt(d, playback.Mark{N: d.NumPoints()}, canvas.Options{Width: pickThumbW, Height: pickThumbH, NoPen: true})
	}
	return r
}

// receivePicks takes the tiles read since the last tick (a file that is
// not a drawing says so on its tile).
func (g *Game) receivePicks() {
	for {
		select {
		case r := <-g.picks:
			p := &g.card
			if !p.open || r.gen != p.gen || r.i >= len(p.tiles) {
				continue
			}
			t := p.tiles[r.i]
			t.ready, t.ds, t.thumb, t.err = true, r.ds, r.thumb, r.err
		default:
			return
		}
	}
}

// pickerClick handles a press while the card is up: a tile opens, a press
// beside the card closes it.
func (g *Game) pickerClick(x, y float64) {
	i := g.tileAt(x, y)
	if i < 0 {
		if !g.pickerCard().contains(x, y) {
			g.closePicker()
		}
		return
	}
	t := g.card.tiles[i]
	switch {
	case t.kind == tileBrowse:
		g.closePicker()
		g.browse()
	case !t.ready:
		g.msgs.show(g.tick, message{kind: msgInfo, id: "open", title: "Still reading " + t.label + "…"})
	case t.err != nil:
		g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + t.label, body: t.err.Error()})
	default:
		g.closePicker()
		file := t.path
		if t.kind == tileDemo {
			file = ""
		}
		if err := g.open(file, t.ds, 0); err != nil {
			g.msgs.show(g.tick, message{kind: msgError, id: "open", title: "Can't open " + t.label, body: err.Error()})
			return
		}
		g.doc.tl.Play()
		ebiten.SetWindowTitle(g.title())
		if file != "" {
			g.remember(file)
		}
		g.msgs.show(g.tick, message{kind: msgDone, id: "open", title: "Opened " + t.label})
	}
}

// browse runs the desktop's file dialog in the background; the file
// chosen is read like a dropped one.
func (g *Game) browse() {
	dir := g.lastFolder()
	g.loading++
	g.background.Add(1)
	go func() {
		defer g.background.Done()
		path, err := dialog.OpenFile(g.saving, dialog.Options{Title: "Open a drawing", Dir: dir, Patterns: filePatterns()})
		r := loadResult{name: filepath.Base(path), path: path, err: err}
		if err == nil && path == "" {
			r.name, r.err = "", context.Canceled
		}
		if r.err == nil {
			t := readTile(&pickTile{kind: tileFile, path: path}, g.cfg.MaxPoints)
			r.ds, r.err = t.ds, t.err
		}
		g.loaded(r)
	}()
}

// filePatterns are the dialog's file name patterns.
func filePatterns() []string {
	out := make([]string, len(drawingExts))
	for i, e := range drawingExts {
		out[i] = "*" + e
	}
	return out
}

// remember puts file first among the recent files and saves the list.
func (g *Game) remember(file string) {
	if g.recent == nil {
		return
	}
	g.recent.Add(file)
	if err := g.recent.Save(); err != nil {
		fmt.Fprintf(os.Stderr, "mbotdraw: cannot remember the recent files: %v\n", err)
	}
}

// loadRecent reads the recent files' list named by the configuration.
func loadRecent(path string) *recentfiles.List {
	if path == "" {
		return nil
	}
	l, err := recentfiles.Load(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mbotdraw: the recent files' list: %v (starting a new one)\n", err)
	}
	return l
}

// pickerGrid returns the card's columns and rows and its tile size, for
// the tiles there are.
func (g *Game) pickerGrid() (cols, rows int, tw, th, gap float64) {
	l, u := g.lay, g.lay.U
	tw, th, gap = math.Round(pickTileW*u), math.Round(pickTileH*u), math.Round(pickGap*u)
	maxW := l.W - 60*u
	cols = max(1, min(4, int((maxW-2*gap)/(tw+gap))))
	n := max(1, len(g.card.tiles))
	cols = min(cols, n)
	rows = (n + cols - 1) / cols
	maxRows := max(1, int((l.H-160*u)/(th+gap)))
	if rows > maxRows { // a short window: smaller tiles, never under a finger's width
		k := math.Max(0.55, (l.H-160*u)/float64(rows)/(th+gap))
		tw, th, gap = math.Round(tw*k), math.Round(th*k), math.Round(gap*k)
	}
	return cols, rows, tw, th, gap
}

// pickerCard is the card's box on screen.
func (g *Game) pickerCard() rect {
	l, u := g.lay, g.lay.U
	cols, rows, tw, th, gap := g.pickerGrid()
	w := float64(cols)*(tw+gap) + gap + 40*u
	h := float64(rows)*(th+gap) + gap + 110*u
	return rect{math.Round((l.W - w) / 2), math.Round(math.Max(10*u, (l.H-h)/2)), w, h}
}

// tileRect is tile i's box on screen.
func (g *Game) tileRect(i int) rect {
	cols, _, tw, th, gap := g.pickerGrid()
	c := g.pickerCard()
	u := g.lay.U
	x := c.X + 20*u + gap + float64(i%cols)*(tw+gap)
	y := c.Y + 80*u + float64(i/cols)*(th+gap)
	return rect{x, y, tw, th}
}

// tileAt returns the tile under (x, y), or -1.
func (g *Game) tileAt(x, y float64) int {
	for i := range g.card.tiles {
		if g.tileRect(i).contains(x, y) {
			return i
		}
	}
	return -1
}

// drawPicker draws the card over a dimmed window.
func (g *Game) drawPicker(screen *ebiten.Image) {
	l, u, f := g.lay, g.lay.U, g.fonts
	fillRect(screen, 0, 0, l.W, l.H, colDim)
	c := g.pickerCard()
	card := g.spr.get(fmt.Sprint("picker", c.W, c.H, u), c.W, c.H, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, c.W, c.H, 22*u, colCard)
		drawText(dst, "Open a drawing", f.title, 36*u, 42*u, alignStart, colCardText)
		drawText(dst, "Tap one · Esc closes", f.small, c.W-36*u, 42*u, alignEnd, colCardMuted)
	})
	drawAt(screen, card, c.X, c.Y)
	for i, t := range g.card.tiles {
		g.drawTile(screen, t, g.tileRect(i), i == g.card.hover)
	}
}

// drawTile draws one tile: the thumbnail (or what stands for it), the name
// and where it comes from.
func (g *Game) drawTile(screen *ebiten.Image, t *pickTile, r rect, hover bool) {
	u, f := g.lay.U, g.fonts
	bg := colChip
	if hover {
		bg = lighten(bg, 0.15)
	}
	box := g.spr.get(fmt.Sprint("tile", r.W, r.H, bg), r.W, r.H, func(dst *ebiten.Image, p *painter) {
		p.fillRoundRect(dst, 0, 0, r.W, r.H, 16*u, bg)
	})
	drawAt(screen, box, r.X, r.Y)
	labelH := f.label.Size*2 + 18*u
	th := r.H - labelH - 10*u
	tw := math.Min(r.W-16*u, th*pickThumbW/pickThumbH)
	tx, ty := r.X+(r.W-tw)/2, r.Y+8*u
	switch {
	case t.thumb != nil:
		if t.img == nil {
			t.img = ebiten.NewImageFromImage(t.thumb)
		}
		op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
		op.GeoM.Scale(tw/float64(t.thumb.Bounds().Dx()), th/float64(t.thumb.Bounds().Dy()))
		op.GeoM.Translate(math.Round(tx), math.Round(ty))
		screen.DrawImage(t.img, op)
	case t.kind == tileBrowse:
		fillRect(screen, tx, ty, tw, th, colButton)
		drawText(screen, "…", f.huge, tx+tw/2, ty+th/2, alignCenter, colBarText)
	default:
		fillRect(screen, tx, ty, tw, th, colButton)
		what := "reading…"
		if t.err != nil {
			what = "not a drawing"
		}
		drawText(screen, what, f.small, tx+tw/2, ty+th/2, alignCenter, colBarDim)
	}
	cx := r.X + r.W/2
	drawText(screen, fitText(t.label, f.label, r.W-12*u), f.label, cx, r.Y+r.H-labelH+f.label.Size/2+4*u, alignCenter, colBarText)
	drawText(screen, fitText(t.where, f.small, r.W-12*u), f.small, cx, r.Y+r.H-f.small.Size/2-8*u, alignCenter, colBarDim)
}

// drawFolderIcon draws an open folder: the Open button's icon.
func drawFolderIcon(p *painter, dst *ebiten.Image, cx, cy, s float64, c color.Color) {
	h := s / 2
	p.fillRoundRect(dst, cx-h*0.95, cy-h*0.75, s*0.42, s*0.3, s*0.06, c)
	p.fillRoundRect(dst, cx-h*0.95, cy-h*0.55, s*0.95, s*0.7, s*0.08, c)
}

// countOf counts things in words: "1 stroke", "2 strokes".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
