package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

// infoReport is what info prints; with --json, as this JSON object.
type infoReport struct {
	File   string `json:"file"`
	Format string `json:"format"`
	// Drawings is how many drawings the file holds (Quick, Draw! ndjson may
	// hold many; the report is about the chosen one).
	Drawings   int         `json:"drawings"`
	Index      *int        `json:"index,omitempty"`
	KeyID      string      `json:"key_id,omitempty"`
	Gallery    bool        `json:"gallery,omitempty"`
	Name       string      `json:"name"`
	Width      float64     `json:"width"`
	Height     float64     `json:"height"`
	Strokes    int         `json:"strokes"`
	Points     int         `json:"points"`
	Bounds     *infoBounds `json:"bounds"` // null for a drawing with no points
	DurationMS float64     `json:"duration_ms"`
	// Timed is true when the times come from the file, false when they were
	// given from a pen speed.
	Timed     bool    `json:"timed"`
	InkLength float64 `json:"ink_length"`
}

type infoBounds struct {
	MinX float64 `json:"min_x"`
	MinY float64 `json:"min_y"`
	MaxX float64 `json:"max_x"`
	MaxY float64 `json:"max_y"`
}

// runInfo prints a drawing's counts, bounds and duration.
func runInfo(env *Env, args []string) error {
	fs := newFlags(env, "info")
	lf := addLoadFlags(fs)
	asJSON := fs.Bool("json", false, "print a JSON object instead of text")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, 1, "FILE (info FILE)"); err != nil {
		return err
	}
	o, err := lf.options()
	if err != nil {
		return err
	}
	path := pos[0]
	r := infoReport{File: path, Format: sniffFile(path).String(), Drawings: 1, Gallery: o.Gallery}
	// One pass over a Quick, Draw! file: the drawing asked for, and the
	// count of all (which need not fit in memory together); the other
	// many-drawing formats (tldraw pages, Excalidraw library items) are
	// counted by decoding them all.
	d, n, err := format.LoadCounted(path, o)
	if err != nil {
		return err
	}
	if r.Drawings = n; n > 1 || r.Format == format.QuickDraw.String() {
		switch {
		case o.KeyID != "":
			r.KeyID = o.KeyID
		case !o.Gallery:
			r.Index = &o.Index
		}
	}
	st := d.Stats()
	r.Name, r.Width, r.Height = d.Name, d.Width, d.Height
	r.Strokes, r.Points, r.DurationMS, r.Timed, r.InkLength = st.Strokes, st.Points, st.Duration, d.Timed, st.InkLength
	if !st.Bounds.Empty() {
		b := st.Bounds
		r.Bounds = &infoBounds{b.MinX, b.MinY, b.MaxX, b.MaxY}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printInfo(env.Stdout, r, o)
	return nil
}

// sniffFile tells a file's format from its first bytes.
func sniffFile(path string) format.Format {
	f, err := os.Open(path)
	if err != nil {
		return format.ByExtension(path)
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return format.Sniff(path, head[:n])
}

func printInfo(w io.Writer, r infoReport, o format.Options) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file:\t%s\n", r.File)
	switch {
	case r.Drawings > 1 && r.Gallery:
		fmt.Fprintf(tw, "format:\t%s, %d drawings laid out as a gallery\n", r.Format, r.Drawings)
	case r.Drawings > 1 && r.KeyID != "":
		fmt.Fprintf(tw, "format:\t%s, the drawing with key_id %s of %d\n", r.Format, r.KeyID, r.Drawings)
	case r.Drawings > 1:
		fmt.Fprintf(tw, "format:\t%s, drawing %d of %d (--index %d)\n", r.Format, o.Index+1, r.Drawings, o.Index)
	default:
		fmt.Fprintf(tw, "format:\t%s\n", r.Format)
	}
	if r.Name != "" {
		fmt.Fprintf(tw, "name:\t%s\n", r.Name)
	}
	fmt.Fprintf(tw, "canvas:\t%g x %g\n", r.Width, r.Height)
	fmt.Fprintf(tw, "strokes:\t%d\n", r.Strokes)
	fmt.Fprintf(tw, "points:\t%d\n", r.Points)
	if b := r.Bounds; b != nil {
		fmt.Fprintf(tw, "bounds:\t%.6g,%.6g to %.6g,%.6g (%.6g x %.6g)\n", b.MinX, b.MinY, b.MaxX, b.MaxY, b.MaxX-b.MinX, b.MaxY-b.MinY)
	} else {
		fmt.Fprintf(tw, "bounds:\tnone (no points)\n")
	}
	timing := "recorded in the file"
	if !r.Timed {
		speed := o.PenSpeed
		if speed == 0 {
			speed = playback.DefaultPenSpeed
		}
		timing = fmt.Sprintf("untimed: times from a pen speed of %g units/s", speed)
	}
	fmt.Fprintf(tw, "duration:\t%s (%s)\n", seconds(r.DurationMS), timing)
	fmt.Fprintf(tw, "ink:\t%.6g units\n", r.InkLength)
	tw.Flush()
}
