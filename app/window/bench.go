package window

// The GPU rendering benchmark: `mbotdraw bench --backend gpu`.
//
// Run calls runBench(cfg) instead of opening the player when cfg.Bench is
// set (package bench makes the job, and reads the frames back). runBench plays cfg.Drawing once per
// strategy in cfg.Bench.Strategies on a gpu.Layer of Bench.Width×Height,
// composing each frame (ink, live tail, pen) into an offscreen frame image
// that the window shows scaled down. Following ebiten-notes §2: vsync off,
// one Update per frame (SyncWithFPS), a few unmeasured warm-up frames, each
// frame timed by the wall clock from one Update to the next (so it includes
// Draw and the present), and a ReadPixels of the frame image at the end of
// each strategy to drain the GPU, reported through Bench.Drain.

import (
	"errors"
	"image"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/bench"
	"mbotdraw/canvas"
	"mbotdraw/canvas/gpu"
	"mbotdraw/playback"
)

// benchWarmup is how many unmeasured frames each strategy begins with.
const benchWarmup = 5

// runBench runs cfg.Bench in a window and returns when it is done.
func runBench(cfg config.Window) error {
	job := cfg.Bench
	if job == nil || cfg.Drawing == nil {
		return errors.New("bench: no job or no drawing")
	}
	if job.Frames < 1 || job.Width < 1 || job.Height < 1 {
		return errors.New("bench: frames and size must be positive")
	}
	tm, err := playback.NewTiming(cfg.Drawing, playback.Pacing{})
	if err != nil {
		return err
	}
	g := &benchGame{job: job, d: cfg.Drawing, tm: tm, strat: -1}
	sw, sh := job.Width, job.Height
	for sw > 960 || sh > 720 {
		sw, sh = sw/2, sh/2
	}
	g.sw, g.sh = max(sw, 1), max(sh, 1)
	ebiten.SetWindowSize(g.sw, g.sh)
	ebiten.SetWindowTitle("mbotdraw bench (gpu)")
	ebiten.SetVsyncEnabled(false)
	ebiten.SetTPS(ebiten.SyncWithFPS)
	err = ebiten.RunGameWithOptions(g, &ebiten.RunGameOptions{X11ClassName: "mbotdraw", X11InstanceName: "mbotdraw"})
	if g.layer != nil {
		g.layer.Dispose()
	}
	if errors.Is(err, ebiten.Termination) {
		err = nil
	}
	if err == nil {
		err = g.err
	}
	return err
}

type benchGame struct {
	job    *bench.GPUJob
	d      *playback.Drawing
	tm     *playback.Timing
	sw, sh int

	strat  int // index of the strategy running
	name   string
	layer  *gpu.Layer
	cursor *playback.Cursor
	frame  *ebiten.Image // the composed frame, Width×Height
	mark   playback.Mark

	next     int // next frame index to play
	stride   int
	warm     int       // warm-up frames left
	measured int       // index of the frame whose interval is running (-1: none)
	started  time.Time // when that frame's Update began
	err      error
}

// Update ends the running frame's interval, then starts the next frame:
// advance the cursor and bake into the layer. Between strategies it drains
// the GPU and sets up the next one.
func (g *benchGame) Update() error {
	now := time.Now()
	if g.layer != nil && g.measured >= 0 {
		g.job.Record(g.name, g.measured, now.Sub(g.started))
		g.measured = -1
	}
	if g.layer == nil || (g.warm == 0 && g.next >= g.job.Frames) {
		if g.layer != nil {
			g.drain()
		}
		if !g.nextStrategy() {
			return ebiten.Termination
		}
		now = time.Now()
	}
	if g.warm > 0 {
		g.warm--
		g.mark = playback.Mark{}
		g.layer.Update(g.mark)
		return nil
	}
	g.started = now
	g.measured = g.next
	g.mark = g.cursor.Advance(bench.FrameTime(g.tm.Duration(), g.next, g.job.Frames)).To
	g.layer.Update(g.mark)
	g.next += g.stride
	return nil
}

// drain reads the frame back, which waits for the GPU to finish it.
func (g *benchGame) drain() {
	start := time.Now()
	pix := make([]byte, 4*g.job.Width*g.job.Height)
	g.frame.ReadPixels(pix)
	if g.job.Drain != nil {
		g.job.Drain(g.name, time.Since(start))
	}
}

func (g *benchGame) nextStrategy() bool {
	if g.layer != nil {
		g.layer.Dispose()
		g.layer = nil
	}
	g.strat++
	if g.strat >= len(g.job.Strategies) {
		return false
	}
	g.name = g.job.Strategies[g.strat]
	g.layer = gpu.NewLayer(g.d, gpu.Options{Width: g.job.Width, Height: g.job.Height, Redraw: g.name == "naive",
		Quality: canvas.Quality{NoAntiAlias: g.job.NoAntiAlias}})
	if g.frame == nil {
		g.frame = ebiten.NewImageWithOptions(image.Rect(0, 0, g.job.Width, g.job.Height), &ebiten.NewImageOptions{Unmanaged: true})
	}
	g.cursor = playback.NewCursor(g.tm)
	g.stride = max(1, g.job.Stride[g.name])
	g.next = bench.FirstFrame(g.job.Frames, g.stride)
	g.warm = benchWarmup
	g.measured = -1
	return true
}

// Draw composes the frame (ink, tail, pen) and shows it scaled to the window.
func (g *benchGame) Draw(screen *ebiten.Image) {
	if g.layer == nil {
		return
	}
	g.layer.Draw(g.frame, g.mark, ebiten.GeoM{})
	op := &ebiten.DrawImageOptions{Filter: ebiten.FilterLinear}
	op.GeoM.Scale(float64(g.sw)/float64(g.job.Width), float64(g.sh)/float64(g.job.Height))
	screen.DrawImage(g.frame, op)
}

// Layout shows the frame at the window's size.
func (g *benchGame) Layout(int, int) (int, int) { return g.sw, g.sh }
