package app

import (
	"fmt"
	"image/gif"
	"image/png"
	"io"
	"math"

	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/playback/format"
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
	fps := fs.Float64("fps", canvas.GIFFPS, "GIF: frames per second")
	speed := fs.Float64("speed", 1, "GIF: playback speed (raised when the GIF would exceed --max-frames)")
	maxFrames := fs.Int("max-frames", canvas.GIFMaxFrames, "GIF: most frames (the playback is sped up to fit)")
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
			pw, ph = canvas.DrawingSize(d, *scale, canvas.MaxImageSide)
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
			gw, gh = canvas.GIFSize(d, canvas.GIFWidth)
		}
		g, info, err := canvas.PlaybackGIF(env.Ctx, d, canvas.GIFOptions{Width: gw, Height: gh, FPS: *fps, Speed: *speed, MaxFrames: *maxFrames})
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
