package app

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"math"

	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// Export limits and defaults.
const (
	exportMaxSide      = 16384
	exportGIFWidth     = 800 // default width of a GIF, in pixels
	exportGIFMaxFrames = 300
	exportGIFHoldCS    = 200 // the last frame stays 2 s
)

// runExport renders FILE's finished drawing to a PNG and/or its playback to
// an animated GIF.
func runExport(env *Env, args []string) error {
	fs := newFlags(env, "export")
	var outs outFlags
	pngOut, gifOut := outs.add(fs, "png", "write the finished drawing to `OUT.png` (--png alone: a name made from FILE's)"),
		outs.add(fs, "gif", "write the playback as an animated GIF to `OUT.gif` (--gif alone: a name made from FILE's)")
	size := fs.String("size", "", "image size `WxH` in pixels (default: the drawing's size times --scale for PNG; 800 pixels wide for GIF)")
	scale := fs.Float64("scale", 1, "PNG: pixels per drawing unit when --size is not given")
	fps := fs.Float64("fps", 15, "GIF: frames per second")
	speed := fs.Float64("speed", 1, "GIF: playback speed (raised when the GIF would exceed --max-frames)")
	maxFrames := fs.Int("max-frames", exportGIFMaxFrames, "GIF: most frames (the playback is sped up to fit)")
	lf := addLoadFlags(fs)
	pos, err := parseFlags(fs, outs.bind(fs, args))
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, -1, "FILE"); err != nil {
		return err
	}
	if !pngOut.set && !gifOut.set {
		return usagef("export: say --png, --gif or both (each may name its file: --png OUT.png)")
	}
	if err := outs.name(env, pos[0], pos[1:]); err != nil {
		return err
	}
	if !(*scale > 0) || math.IsInf(*scale, 0) {
		return usagef("--scale must be positive")
	}
	if !(*fps > 0) || *fps > 100 {
		return usagef("--fps must be above 0 and at most 100")
	}
	if !(*speed > 0) || math.IsInf(*speed, 0) {
		return usagef("--speed must be positive")
	}
	if *maxFrames < 2 || *maxFrames > 100000 {
		return usagef("--max-frames must be from 2 to 100000")
	}
	opts, err := lf.options()
	if err != nil {
		return err
	}
	var w, h int
	if *size != "" {
		if w, h, err = parseSize(*size, 16); err != nil {
			return usagef("--size %q: %v", *size, err)
		}
	}
	for _, out := range []string{pngOut.path, gifOut.path} {
		if err := checkOutputDir(out); err != nil {
			return err
		}
	}
	d, err := format.Load(pos[0], opts)
	if err != nil {
		return err
	}
	if pngOut.path != "" {
		pw, ph := w, h
		if pw == 0 {
			pw, ph = drawingSize(d, *scale, exportMaxSide)
		}
		img := canvas.RenderAt(d, playback.Mark{N: d.NumPoints()}, canvas.Options{Width: pw, Height: ph, NoPen: true})
		if err := writeFile(pngOut.path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %dx%d PNG of %s\n", pngOut.path, pw, ph, plural(len(d.Strokes), "stroke"))
	}
	if gifOut.path != "" {
		gw, gh := w, h
		if gw == 0 {
			gw, gh = gifSize(d, exportGIFWidth)
		}
		g, info, err := playbackGIF(env, d, gw, gh, *fps, *speed, *maxFrames)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if err := writeFile(gifOut.path, func(w io.Writer) error { return gif.EncodeAll(w, g) }); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %dx%d GIF, %s\n", gifOut.path, gw, gh, info)
	}
	return nil
}

// gifSize returns the size of a GIF of d width pixels wide (its height
// keeping the drawing's shape, at most width x 1.5, and each side at least
// 16).
func gifSize(d *playback.Drawing, width int) (int, int) {
	w, h := drawingSize(d, 1, exportMaxSide)
	gh := int(math.Round(float64(h) * float64(width) / float64(w)))
	if limit := width * 3 / 2; gh > limit {
		return max(16, width*limit/gh), limit
	}
	return width, max(16, gh)
}

// drawingSize returns the drawing's size in pixels at scale, its longer side
// brought down to at most limit (and each side at least 16).
func drawingSize(d *playback.Drawing, scale float64, limit int) (int, int) {
	dw, dh := d.Width, d.Height
	if !(dw > 0 && dh > 0) || math.IsInf(dw, 0) || math.IsInf(dh, 0) {
		b := d.Bounds()
		dw, dh = b.Dx()*1.04+2, b.Dy()*1.04+2
		if b.Empty() {
			dw, dh = 800, 600
		}
	}
	dw, dh = dw*scale, dh*scale
	if m := math.Max(dw, dh); m > float64(limit) {
		dw, dh = dw*float64(limit)/m, dh*float64(limit)/m
	}
	return max(16, int(math.Round(dw))), max(16, int(math.Round(dh)))
}

// playbackGIF renders the playback at fps (each frame advancing 1000/fps ms
// times speed, sped up so that there are at most maxFrames) as an animated
// GIF: one palette made from the drawing's colours, and after the first
// frame only the rectangle that changed.
func playbackGIF(env *Env, d *playback.Drawing, w, h int, fps, speed float64, maxFrames int) (*gif.GIF, string, error) {
	tm, err := playback.NewTiming(d, playback.Pacing{})
	if err != nil {
		return nil, "", err
	}
	dur := tm.Duration()
	step := 1000 / fps * speed
	// Counted in floating point: a tiny --speed makes more frames than an
	// int holds.
	n := maxFrames
	if f := math.Ceil(dur/step) + 1; f <= float64(maxFrames) {
		n = int(f)
	} else {
		step = dur / float64(n-1)
		speed = step * fps / 1000
	}
	delay := int(math.Round(100 / fps))
	pal := gifPalette(d)
	lut := newPaletteLUT(pal)
	r := canvas.NewRenderer(d, canvas.Options{Width: w, Height: h})
	defer r.Close()
	c := playback.NewCursor(tm)
	prev := image.NewRGBA(image.Rect(0, 0, w, h))
	g := &gif.GIF{LoopCount: 0}
	for i := 0; i < n; i++ {
		if i%16 == 0 && env.Ctx.Err() != nil {
			return nil, "", env.Ctx.Err()
		}
		t := math.Min(dur, float64(i)*step)
		if i == n-1 {
			t = dur
		}
		img := r.Render(c.Advance(t).To)
		rect := img.Rect
		if i > 0 {
			rect = changed(prev, img)
		}
		if rect.Empty() {
			g.Delay[len(g.Delay)-1] += delay // nothing moved: hold the last frame longer
			continue
		}
		g.Image = append(g.Image, lut.paletted(img, rect))
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
		copy(prev.Pix, img.Pix)
	}
	g.Delay[len(g.Delay)-1] += exportGIFHoldCS
	return g, fmt.Sprintf("%s at %g fps, playback at %.3gx", plural(len(g.Image), "frame"), fps, speed), nil
}

// changed returns the smallest rectangle holding every pixel where a and b
// differ.
func changed(a, b *image.RGBA) image.Rectangle {
	var r image.Rectangle
	w := b.Rect.Dx()
	for y := 0; y < b.Rect.Dy(); y++ {
		ra, rb := a.Pix[y*a.Stride:y*a.Stride+4*w], b.Pix[y*b.Stride:y*b.Stride+4*w]
		if string(ra) == string(rb) {
			continue
		}
		x0 := 0
		for x0 < w && string(ra[4*x0:4*x0+4]) == string(rb[4*x0:4*x0+4]) {
			x0++
		}
		x1 := w
		for x1 > x0 && string(ra[4*x1-4:4*x1]) == string(rb[4*x1-4:4*x1]) {
			x1--
		}
		r = r.Union(image.Rect(x0, y, x1, y+1))
	}
	return r
}

// gifPalette makes a 256-colour palette for a drawing: the paper, the pen
// marker's colours, every stroke colour (the first 48), each stroke colour
// a quarter, half and three quarters of the way from the paper (for
// anti-aliased edges), and a colour cube in what room is left.
func gifPalette(d *playback.Drawing) color.Palette {
	bg := d.Background
	if bg.A == 0 {
		bg = color.RGBA{255, 255, 255, 255}
	}
	seen := map[color.RGBA]bool{}
	var pal color.Palette
	add := func(c color.RGBA) {
		c.A = 255
		if !seen[c] && len(pal) < 256 {
			seen[c] = true
			pal = append(pal, c)
		}
	}
	add(bg)
	add(color.RGBA{0x30, 0x30, 0x30, 0xff})
	add(color.RGBA{0xff, 0xff, 0xff, 0xff})
	var inks []color.RGBA
	for _, s := range d.Strokes {
		c := flatten(s.Color, bg)
		if !seen[c] && len(inks) < 48 {
			inks = append(inks, c)
			add(c)
		}
	}
	for _, k := range []int{2, 1, 3} {
		for _, c := range inks {
			add(mix(c, bg, k))
		}
	}
	for r := 0; r < 6; r++ {
		for g := 0; g < 6; g++ {
			for b := 0; b < 6; b++ {
				add(color.RGBA{uint8(r * 51), uint8(g * 51), uint8(b * 51), 255})
			}
		}
	}
	return pal
}

// flatten returns premultiplied c over opaque bg.
func flatten(c, bg color.RGBA) color.RGBA {
	a := 255 - int(c.A)
	f := func(s, d uint8) uint8 { return uint8(int(s) + (int(d)*a+127)/255) }
	return color.RGBA{f(c.R, bg.R), f(c.G, bg.G), f(c.B, bg.B), 255}
}

// mix returns k quarters of the way from c to bg.
func mix(c, bg color.RGBA, k int) color.RGBA {
	f := func(a, b uint8) uint8 { return uint8((int(a)*(4-k) + int(b)*k + 2) / 4) }
	return color.RGBA{f(c.R, bg.R), f(c.G, bg.G), f(c.B, bg.B), 255}
}

// paletteLUT maps colours to palette indices through a 32×32×32 table of
// nearest entries.
type paletteLUT struct {
	pal   color.Palette
	table [1 << 15]uint8
	exact map[uint32]uint8
}

func newPaletteLUT(pal color.Palette) *paletteLUT {
	l := &paletteLUT{pal: pal, exact: map[uint32]uint8{}}
	for i, c := range pal {
		r, g, b, _ := c.RGBA()
		l.exact[r>>8<<16|g>>8<<8|b>>8] = uint8(i)
	}
	for i := range l.table {
		r, g, b := (i>>10)<<3|4, (i>>5&31)<<3|4, (i&31)<<3|4
		l.table[i] = uint8(pal.Index(color.RGBA{uint8(r), uint8(g), uint8(b), 255}))
	}
	return l
}

// paletted converts rectangle r of img (opaque) to the palette.
func (l *paletteLUT) paletted(img *image.RGBA, r image.Rectangle) *image.Paletted {
	p := image.NewPaletted(r, l.pal)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := img.Pix[img.PixOffset(r.Min.X, y):]
		dst := p.Pix[p.PixOffset(r.Min.X, y):]
		for x := 0; x < r.Dx(); x++ {
			cr, cg, cb := uint32(src[4*x]), uint32(src[4*x+1]), uint32(src[4*x+2])
			if i, ok := l.exact[cr<<16|cg<<8|cb]; ok {
				dst[x] = i
				continue
			}
			dst[x] = l.table[cr>>3<<10|cg>>3<<5|cb>>3]
		}
	}
	return p
}
