package perf

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"
)

// HeapSample is one heap reading of a soak run: T since the run began, and
// the live heap in MB.
type HeapSample struct {
	T      time.Duration `json:"t"`
	HeapMB float64       `json:"heap_mb"`
}

// HeapSlope returns the least-squares slope of heap against time, in MB per
// minute: about 0 for a program without leaks, positive when the heap grows.
// It needs at least two samples at different times.
func HeapSlope(samples []HeapSample) (float64, error) {
	if len(samples) < 2 {
		return 0, fmt.Errorf("heap slope: %d samples, need at least 2", len(samples))
	}
	var mt, mh float64
	for _, s := range samples {
		mt += s.T.Minutes()
		mh += s.HeapMB
	}
	n := float64(len(samples))
	mt, mh = mt/n, mh/n
	var sxy, sxx float64
	for _, s := range samples {
		dt := s.T.Minutes() - mt
		sxy += dt * (s.HeapMB - mh)
		sxx += dt * dt
	}
	if sxx == 0 {
		return 0, errors.New("heap slope: all samples at the same time")
	}
	return sxy / sxx, nil
}

// SoakOptions configure Soak; each zero field means its default.
type SoakOptions struct {
	// Duration of the run (default 10 min).
	Duration time.Duration
	// Every is the time between heap samples (default 1 s).
	Every time.Duration
	// Warmup is run time before the first sample, so caches and pools fill
	// first (default Duration/20).
	Warmup time.Duration
	// NoGC skips the runtime.GC() before each sample. By default each
	// sample follows a full collection, so it reads the live heap only.
	NoGC bool
}

// SoakResult is what a soak run measured.
type SoakResult struct {
	Iterations int          `json:"iterations"`
	Samples    []HeapSample `json:"samples"`
	// SlopeMBPerMin is HeapSlope of Samples.
	SlopeMBPerMin float64 `json:"slope_mb_per_min"`
	// FirstMB and LastMB are the first and last samples' heap.
	FirstMB float64 `json:"first_mb"`
	LastMB  float64 `json:"last_mb"`
}

// Soak calls step in a loop for Duration (e.g. one frame of looping
// playback of a 10,000-stroke drawing), sampling the live heap every Every
// after a warm-up, and returns the heap's slope: the "no heap growth" check.
// It stops early, with what it has, when ctx is cancelled or step fails.
func Soak(ctx context.Context, o SoakOptions, step func() error) (SoakResult, error) {
	if o.Duration <= 0 {
		o.Duration = 10 * time.Minute
	}
	if o.Every <= 0 {
		o.Every = time.Second
	}
	if o.Warmup <= 0 {
		o.Warmup = o.Duration / 20
	}
	var r SoakResult
	start := time.Now()
	next := start.Add(o.Warmup)
	var runErr error
	for {
		now := time.Now()
		if !now.Before(next) {
			if !o.NoGC {
				runtime.GC()
			}
			r.Samples = append(r.Samples, HeapSample{T: time.Since(start), HeapMB: ReadMemory().LiveHeapMB})
			next = next.Add(o.Every)
		}
		if now.Sub(start) >= o.Duration || ctx.Err() != nil {
			break
		}
		if err := step(); err != nil {
			runErr = fmt.Errorf("soak: iteration %d: %w", r.Iterations, err)
			break
		}
		r.Iterations++
	}
	if len(r.Samples) > 0 {
		r.FirstMB, r.LastMB = r.Samples[0].HeapMB, r.Samples[len(r.Samples)-1].HeapMB
	}
	slope, err := HeapSlope(r.Samples)
	r.SlopeMBPerMin = slope
	if runErr != nil {
		return r, runErr
	}
	return r, err
}
