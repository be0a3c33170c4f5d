package canvas

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"math"

	"mbotdraw/playback"
)

// The animated GIF of a drawing's playback: what `mbotdraw export --gif`
// writes and the window's G key saves.

// GIF defaults and limits.
const (
	// MaxImageSide is the longest side, in pixels, of an exported image.
	MaxImageSide = 16384
	// GIFWidth is a GIF's default width, in pixels.
	GIFWidth = 800
	// GIFFPS is a GIF's default frame rate.
	GIFFPS = 15
	// GIFMaxFrames is a GIF's default most frames.
	GIFMaxFrames = 300
	// GIFHoldCS is how long the last frame stays, in hundredths of a second.
	GIFHoldCS = 200
)

// GIFOptions tune PlaybackGIF. The zero value makes a GIF GIFWidth pixels
// wide (GIFSize), at GIFFPS frames per second, at 1x, of at most
// GIFMaxFrames frames.
type GIFOptions struct {
	// Width and Height in pixels (0: GIFSize(d, GIFWidth)).
	Width, Height int
	// FPS is the frame rate (0: GIFFPS).
	FPS float64
	// Speed is the playback speed (0: 1), raised when the GIF would have
	// more than MaxFrames frames.
	Speed float64
	// MaxFrames is the most frames (0: GIFMaxFrames; at least 2).
	MaxFrames int
}

// PlaybackGIF renders d's playback as an animated GIF: a frame every
// 1000/FPS ms of playback times Speed (sped up so that there are at most
// MaxFrames), one palette made from the drawing's colours, and after the
// first frame only the rectangle that changed; the last frame stays
// GIFHoldCS. It also returns a short description ("N frames at F fps,
// playback at Sx"). It stops with ctx's error when ctx is done.
func PlaybackGIF(ctx context.Context, d *playback.Drawing, o GIFOptions) (*gif.GIF, string, error) {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = GIFSize(d, GIFWidth)
	}
	fps, speed := o.FPS, o.Speed
	if !(fps > 0) {
		fps = GIFFPS
	}
	if !(speed > 0) {
		speed = 1
	}
	maxFrames := o.MaxFrames
	if maxFrames == 0 {
		maxFrames = GIFMaxFrames
	}
	maxFrames = max(maxFrames, 2)
	w, h := o.Width, o.Height
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
	r := NewRenderer(d, Options{Width: w, Height: h})
	defer r.Close()
	c := playback.NewCursor(tm)
	prev := image.NewRGBA(image.Rect(0, 0, w, h))
	g := &gif.GIF{LoopCount: 0}
	for i := 0; i < n; i++ {
		if i%16 == 0 && ctx.Err() != nil {
			return nil, "", ctx.Err()
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
	g.Delay[len(g.Delay)-1] += GIFHoldCS
	frames := fmt.Sprintf("%d frames", len(g.Image))
	if len(g.Image) == 1 {
		frames = "1 frame"
	}
	return g, fmt.Sprintf("%s at %g fps, playback at %.3gx", frames, fps, speed), nil
}

// GIFSize returns the size of a GIF of d width pixels wide (its height
// keeping the drawing's shape, at most width x 1.5, and each side at least
// 16).
func GIFSize(d *playback.Drawing, width int) (int, int) {
	w, h := DrawingSize(d, 1, MaxImageSide)
	gh := int(math.Round(float64(h) * float64(width) / float64(w)))
	if limit := width * 3 / 2; gh > limit {
		return max(16, width*limit/gh), limit
	}
	return width, max(16, gh)
}

// DrawingSize returns the drawing's size in pixels at scale (pixels per
// drawing unit), its longer side brought down to at most limit (and each
// side at least 16). A drawing without a page size gets its strokes'
// bounds with a margin, or 800x600 when it has none.
func DrawingSize(d *playback.Drawing, scale float64, limit int) (int, int) {
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
