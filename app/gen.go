package app

import (
	"fmt"
	"strconv"
	"strings"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// maxGenStrokes bounds gen: a million strokes is about 30 million points,
// a gigabyte of JSON.
const maxGenStrokes = 1_000_000

// runGen writes a deterministic synthetic drawing (playback.Generate): the
// same flags give the same file, byte for byte.
func runGen(env *Env, args []string) error {
	fs := newFlags(env, "gen")
	strokes := fs.Int("strokes", 1000, "number of strokes")
	seed := seedFlag(fs)
	size := fs.String("size", "1920x1080", "canvas size WIDTHxHEIGHT, in drawing units")
	points := fs.Int("points", 30, "mean number of points a stroke has")
	duration := fs.Float64("duration", 0, "if above 0, stretch the times so the drawing lasts this many seconds (0: a natural pen speed)")
	out := fs.String("o", "", "output file: .json or .mbd.json (mbotdraw JSON) or .svg (required)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	if *out == "" {
		return usagef("gen: -o OUT is required")
	}
	if err := checkOutputFormat(*out); err != nil {
		return err
	}
	if *strokes < 1 || *strokes > maxGenStrokes {
		return usagef("--strokes %d: want 1 to %d", *strokes, maxGenStrokes)
	}
	if *points < 2 || *points > 10000 {
		return usagef("--points %d: want 2 to 10000", *points)
	}
	if !(*duration >= 0) || *duration > 1e6 {
		return usagef("--duration %g: want seconds, 0 to 1000000", *duration)
	}
	w, h, err := parseDrawingSize(*size)
	if err != nil {
		return usagef("--size %q: %v", *size, err)
	}
	d := playback.Generate(playback.GenOptions{Strokes: *strokes, Seed: *seed, Width: w, Height: h,
		PointsPerStroke: *points, Duration: *duration * 1000})
	if err := format.Save(*out, d); err != nil {
		return err
	}
	st := d.Stats()
	fmt.Fprintf(env.Stdout, "wrote %s: %s, %s, %gx%g, %s\n", *out, plural(st.Strokes, "stroke"), plural(st.Points, "point"), w, h, seconds(st.Duration))
	return nil
}

// parseDrawingSize reads "WxH" in drawing units, each side from 1 to
// 1,000,000.
func parseDrawingSize(s string) (w, h float64, err error) {
	a, b, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if ok {
		w, err = strconv.ParseFloat(a, 64)
		if err == nil {
			h, err = strconv.ParseFloat(b, 64)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("want WIDTHxHEIGHT, like 1920x1080")
	}
	if !(w >= 1 && h >= 1 && w <= 1e6 && h <= 1e6) {
		return 0, 0, fmt.Errorf("each side must be from 1 to 1000000")
	}
	return w, h, nil
}
