package bench

import (
	"math"
	"time"

	"mbotdraw/perf"
	"mbotdraw/playback"
)

// GPUJob is the GPU rendering benchmark that `mbotdraw bench --backend gpu`
// hands to the window program (config.Window.Bench). The window plays the
// drawing once per strategy, offscreen at Width×Height, as fast as it
// can (vsync off, one update per frame), and reports every measured frame's
// wall time to Record; it drains the GPU (reads the pixels back) at the end
// of each strategy.
type GPUJob struct {
	// Strategies to run, in order: "incremental" (the product's ink layer)
	// and "naive" (every revealed stroke redrawn each frame).
	Strategies []string
	// Frames is how many frames each strategy plays: frame i shows the
	// drawing at playback time FrameTime(Duration, i, Frames).
	Frames int
	// Stride measures only every Stride-th frame of a strategy (the others
	// are skipped, not drawn, and the first is FirstFrame); 0 or 1
	// measures all. The naive strategy
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

// runGPU hands the benchmark to the window program through gpu.
func (b *Bench) runGPU(strategies []string, rep *Report, gpu func(*GPUJob) error) error {
	timers := map[string]*perf.FrameTimer{}
	busy := map[string]time.Duration{}
	drain := map[string]time.Duration{}
	for _, s := range strategies {
		timers[s] = perf.NewFrameTimer(b.budget)
	}
	cursor := playback.NewCursor(b.tm)
	job := &GPUJob{
		Strategies: strategies, Frames: b.frames, Width: b.w, Height: b.h,
		NoAntiAlias: !b.prof.GPUAntiAlias,
		Stride:      map[string]int{"naive": b.gpuNaiveStride()},
		Record: func(s string, i int, d time.Duration) {
			if ft := timers[s]; ft != nil {
				ft.Record(d)
				busy[s] += d
			}
			if s == "incremental" {
				// The frame ended just now; the optimizer does not drive the
				// GPU job (it runs at the profile's starting quality).
				b.observe(i, d, time.Now().Add(-d), cursor.MarkAt(b.frameTime(i)), i == b.frames-1)
			}
		},
		Drain: func(s string, d time.Duration) { drain[s] = d },
	}
	b.freshMemory()
	if err := gpu(job); err != nil {
		return err
	}
	rss := peakRSSMB()
	for _, s := range strategies {
		ft := timers[s]
		res := Result{Strategy: s, FrameMS: ft.Histogram().Summary(), FramesMeasured: ft.Frames(),
			OverBudget: ft.OverBudget(), PeakRSSMB: rss, HeapMB: heapMB(), DrainMS: Milliseconds(drain[s])}
		if busy[s] > 0 {
			res.FPS = math.Round(float64(ft.Frames())/busy[s].Seconds()*10) / 10
		}
		if st := job.Stride[s]; st > 1 {
			res.Sampled, res.SampleStride = true, st
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Notes = append(rep.Notes, "gpu: peak_rss_mb is the window process's high-water mark over all strategies; frame_ms is the wall time from one update to the next, vsync off",
		"gpu: the monitor watches the incremental frames; the render optimizer does not drive the GPU job, which runs at the profile's starting quality")
	return nil
}

// gpuNaiveStride bounds the naive GPU run: it redraws every revealed point
// each frame, so about 200 frames of the whole drawing are drawn at most.
func (b *Bench) gpuNaiveStride() int {
	const pointFrames = 200
	n := max(1, b.d.NumPoints())
	work := float64(b.frames) * float64(n) / 2
	limit := float64(pointFrames) * float64(n)
	if work <= limit {
		return 1
	}
	return int(math.Ceil(work / limit))
}
