// Package config holds the settings that the command layer (package app) hands
// to the window program (package app/window). It exists so that the window can
// receive parsed options without importing app, and app can name the window's
// entry point without importing Ebiten.
package config

import (
	"mbotdraw/bench"
	"mbotdraw/playback"
)

// Window is what `mbotdraw play` asks of the window. The zero value opens the
// embedded demo drawing at 1x speed in a 1280x800 window.
type Window struct {
	// File is the path of the drawing shown, for titles and messages; empty
	// for the embedded demo.
	File string
	// Drawing is the loaded drawing. Drawings holds every drawing of a
	// gallery file (Quick, Draw! ndjson with many drawings); Drawing is then
	// Drawings[0].
	Drawing  *playback.Drawing
	Drawings []*playback.Drawing
	// Robot is the --robot value: "", "sim", "serial:PORT" or a ws:// URL.
	Robot string
	// Pens (--pens) sends drawings to the robot colour by colour: it stops
	// before each new colour for the user to change the pen (R goes on).
	// A bridge's robot (ws://) draws with one pen all the same.
	Pens bool
	// MaxPoints (--max-points) is the most points a drawing opened in the
	// window may have (format.Options.MaxPoints; 0: the default).
	MaxPoints int
	// KeepOrder (--keep-order) draws the strokes in the drawing's own order
	// (handwriting, kanji, children's drawings), not reordered to save
	// travel.
	KeepOrder bool
	// Speed is the starting playback speed (0 means 1x).
	Speed float64
	// Profile names the optimization profile (default, aggressive, conservative).
	Profile string
	// Trace, if set, is where the Chrome trace JSON is written at exit.
	Trace string
	// TraceCSV, if set, is where one CSV row per frame is written at exit.
	TraceCSV string
	// Frames, if positive, quits after that many frames.
	Frames int
	// Screenshot, if set, is where a PNG of the last frame is written at quit.
	Screenshot string
	// OutDir (--save-dir) is the folder where the window saves pictures (S)
	// and GIFs (G), created if missing; empty means the user's Pictures
	// folder's mbotdraw folder (package folder).
	OutDir string
	// Recent is the file that lists the drawings opened lately (the Open
	// card shows them); "" keeps no list.
	Recent string
	// GIFWidth (--gif-width) is the width of the GIFs G saves, in pixels
	// (0: canvas.GIFWidth, 800).
	GIFWidth int
	// Width and Height of the window in device-independent pixels (0: 1280x800).
	Width, Height int
	// Listen, if set, is the address of the live companion web page.
	Listen string
	// Token guards the companion page when it listens beyond loopback.
	Token string
	// Verbose (--verbose) prints on stderr what the window does behind the
	// scenes: when it rests because nothing moves, and when it wakes.
	Verbose bool
	// Done, if set, is closed when the program is asked to stop (Ctrl+C,
	// SIGTERM): the window then stops the robot and quits, as Ctrl+Q does.
	Done <-chan struct{}
	// Unopened, if set, is a file named on the command line that could not
	// be opened, and OpenError why: the window opens on the demo with the
	// message, as for a dropped file that cannot be read.
	Unopened  string
	OpenError error
	// Bench, if set, runs the GPU rendering benchmark (mbotdraw bench
	// --backend gpu) on Drawing instead of opening the player.
	Bench *bench.GPUJob
}
