package app

import (
	"flag"
	"fmt"

	"mbotdraw/playback/format"
)

// loadFlags are the flags of the commands that read one drawing from a file.
type loadFlags struct {
	fs        *flag.FlagSet
	index     *int
	key       *string
	gallery   *bool
	tolerance *float64
	penSpeed  *float64
	maxPoints *int
}

func addLoadFlags(fs *flag.FlagSet) *loadFlags {
	return &loadFlags{
		fs:        fs,
		index:     fs.Int("index", 0, "which drawing of a Quick, Draw! ndjson file, counting from 0"),
		key:       fs.String("key", "", "choose the Quick, Draw! drawing by its key_id"),
		gallery:   fs.Bool("gallery", false, "lay every drawing of an ndjson file out in a grid, as one drawing"),
		tolerance: fs.Float64("tolerance", 0, "SVG curve flattening tolerance in drawing units (0: 0.25)"),
		penSpeed:  fs.Float64("pen-speed", 0, "pen speed that times untimed input, in drawing units per second (0: 400)"),
		maxPoints: addMaxPointsFlag(fs),
	}
}

// addMaxPointsFlag declares --max-points, the size limit of the drawings
// that a command loads (format.Options.MaxPoints).
func addMaxPointsFlag(fs *flag.FlagSet) *int {
	return fs.Int("max-points", 0, fmt.Sprintf("load drawings of up to `N` points, from files of up to %d bytes a point (0: %d points)",
		format.BytesPerPoint, format.DefaultMaxPoints))
}

// checkMaxPoints checks the value of --max-points.
func checkMaxPoints(n int) error {
	if n < 0 {
		return usagef("--max-points %d: want 0 (the default, %d) or more", n, format.DefaultMaxPoints)
	}
	return nil
}

// options checks the flags (after parsing) and returns the load options.
func (l *loadFlags) options() (format.Options, error) {
	set := map[string]bool{}
	l.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *l.index < 0:
		return format.Options{}, usagef("--index %d: want 0 or more", *l.index)
	case set["index"] && set["key"]:
		return format.Options{}, usagef("--index and --key both choose a drawing: give one")
	case *l.gallery && (set["index"] || set["key"]):
		return format.Options{}, usagef("--gallery takes every drawing: it goes with neither --index nor --key")
	case !(*l.tolerance >= 0) || *l.tolerance > 1e6:
		return format.Options{}, usagef("--tolerance %g: want a positive number of drawing units", *l.tolerance)
	case !(*l.penSpeed >= 0) || *l.penSpeed > 1e9:
		return format.Options{}, usagef("--pen-speed %g: want a positive number of units per second", *l.penSpeed)
	}
	if err := checkMaxPoints(*l.maxPoints); err != nil {
		return format.Options{}, err
	}
	return format.Options{Index: *l.index, KeyID: *l.key, Gallery: *l.gallery, Tolerance: *l.tolerance, PenSpeed: *l.penSpeed,
		MaxPoints: *l.maxPoints}, nil
}

// checkOutputFormat fails, as bad usage, when an output file's extension
// names no format that format.Save writes.
func checkOutputFormat(path string) error {
	if f := format.ByExtension(path); f != format.JSON && f != format.SVG {
		return usagef("%s: the output must end in .json (or .mbd.json) for mbotdraw JSON, or .svg", path)
	}
	return nil
}

// runConvert reads a drawing in any format this program reads (by content)
// and writes it in the format of OUT's extension. OUT appears only when the
// whole conversion succeeds; on an error an existing OUT is left as it was.
func runConvert(env *Env, args []string) error {
	fs := newFlags(env, "convert")
	lf := addLoadFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, 2, "IN and OUT (convert IN OUT)"); err != nil {
		return err
	}
	in, out := pos[0], pos[1]
	if err := checkOutputFormat(out); err != nil {
		return err
	}
	o, err := lf.options()
	if err != nil {
		return err
	}
	d, err := format.Load(in, o)
	if err != nil {
		return err
	}
	if err := format.Save(out, d); err != nil {
		return err
	}
	st := d.Stats()
	fmt.Fprintf(env.Stdout, "wrote %s: %s, %s, %s\n", out, plural(st.Strokes, "stroke"), plural(st.Points, "point"), seconds(st.Duration))
	return nil
}

// seconds formats a duration in milliseconds for people.
func seconds(ms float64) string {
	return fmt.Sprintf("%.2f s", ms/1000)
}
