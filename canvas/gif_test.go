package canvas

import (
	"context"
	"errors"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// With the zero options (the window's G key) a GIF is GIFWidth pixels wide,
// its height from the drawing's shape, holds its last frame, and says what
// it holds.
func TestPlaybackGIFDefaults(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 5, Width: 300, Height: 200})
	g, info, err := PlaybackGIF(context.Background(), d, GIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w, h := g.Image[0].Rect.Dx(), g.Image[0].Rect.Dy(); w != GIFWidth || h != GIFWidth*200/300 {
		t.Errorf("first frame %dx%d, want %dx%d", w, h, GIFWidth, GIFWidth*200/300)
	}
	if n := len(g.Image); n < 2 || n > GIFMaxFrames {
		t.Errorf("%d frames, want 2 to %d", n, GIFMaxFrames)
	}
	if g.Delay[len(g.Delay)-1] < GIFHoldCS {
		t.Errorf("last frame stays %d cs, want at least %d", g.Delay[len(g.Delay)-1], GIFHoldCS)
	}
	if !strings.Contains(info, "frames at 15 fps, playback at 1x") {
		t.Errorf("description %q", info)
	}
}

// A cancelled export stops with the context's error.
func TestPlaybackGIFCancelled(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 5, Width: 300, Height: 200})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := PlaybackGIF(ctx, d, GIFOptions{Width: 64, Height: 48}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
