package config

import "time"

// Bench is the GPU rendering benchmark that `mbotdraw bench --backend gpu`
// hands to the window program in Window.Bench. The window plays
// Window.Drawing once per strategy, offscreen at Width×Height, as fast as it
// can (vsync off, one update per frame), and reports every measured frame's
// wall time to Record; it drains the GPU (reads the pixels back) at the end
// of each strategy.
type Bench struct {
	// Strategies to run, in order: "incremental" (the product's ink layer)
	// and "naive" (every revealed stroke redrawn each frame).
	Strategies []string
	// Frames is how many frames each strategy plays: frame i shows the
	// drawing at playback time Duration·(i+1)/Frames.
	Frames int
	// Stride measures only every Stride-th frame of a strategy (the others
	// are skipped, not drawn); 0 or 1 measures all. The naive strategy
	// uses it when it is too slow to draw every frame.
	Stride map[string]int
	// Width and Height of the canvas in pixels.
	Width, Height int
	// NoAntiAlias draws strokes without anti-aliasing.
	NoAntiAlias bool
	// Record receives each measured frame: the strategy, the frame's index
	// and its wall time from one update to the next. Drain is the time of
	// the final read-back that waits for the GPU, reported once per strategy.
	Record func(strategy string, frame int, d time.Duration)
	Drain  func(strategy string, d time.Duration)
}
