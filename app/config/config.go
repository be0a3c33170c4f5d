// Package config holds the settings that the command layer (package app) hands
// to the window program (package app/window). It exists so that the window can
// receive parsed options without importing app, and app can name the window's
// entry point without importing Ebiten.
package config

import (
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
	// Width and Height of the window in device-independent pixels (0: 1280x800).
	Width, Height int
	// Listen, if set, is the address of the live companion web page.
	Listen string
	// Token guards the companion page when it listens beyond loopback.
	Token string
}
