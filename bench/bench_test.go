package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"mbotdraw/perf"
	"mbotdraw/playback"
)

// The frame schedule the software and GPU runs share: the last frame shows
// the finished drawing, and a sampled run still measures the last frame.
func TestFrameSchedule(t *testing.T) {
	for _, tc := range []struct {
		frames, stride, first int
	}{{10, 1, 0}, {10, 3, 0}, {10, 4, 1}, {1, 5, 0}, {7, 0, 0}} {
		if got := FirstFrame(tc.frames, tc.stride); got != tc.first {
			t.Errorf("FirstFrame(%d, %d) = %d, want %d", tc.frames, tc.stride, got, tc.first)
		}
		if last := FrameTime(500, tc.frames-1, tc.frames); last != 500 {
			t.Errorf("frame %d of %d shows %v ms of 500", tc.frames-1, tc.frames, last)
		}
	}
	if got := FrameTime(500, 0, 10); got != 50 {
		t.Errorf("first of 10 frames shows %v ms of 500, want 50", got)
	}
}

// Both strategies play every frame and fill the report: results, the
// incremental run's invariants and health, and the table a user reads.
func TestRunFillsTheReport(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 40, Seed: 1, Width: 320, Height: 240})
	b, err := New(d, Options{Width: 320, Height: 240, Frames: 30, KeyframeDiskBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{Width: 320, Height: 240, Frames: 30, Invariants: map[string]bool{}}
	if err := b.Run(context.Background(), []string{"incremental", "naive"}, nil, rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Results[0].Strategy != "incremental" || rep.Results[1].Strategy != "naive" {
		t.Fatalf("results %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.FramesMeasured != 30 || r.FrameMS.Max <= 0 || r.Quality == nil {
			t.Errorf("%s: %d frames measured, max %v ms, quality %v", r.Strategy, r.FramesMeasured, r.FrameMS.Max, r.Quality)
		}
	}
	if _, ok := rep.Invariants["frame_p99_le_budget"]; !ok || rep.Health == nil || len(rep.Notes) == 0 {
		t.Errorf("invariants %v, health %v, notes %v", rep.Invariants, rep.Health != nil, rep.Notes)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "naive p99 / incremental p99") {
		t.Errorf("table:\n%s", text.String())
	}
}

// A GPU run hands the job to gpu, which plays it (here: pretends to), and
// reads its frames back.
func TestRunHandsTheGPUJobOver(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 20, Seed: 1, Width: 320, Height: 240})
	b, err := New(d, Options{Width: 320, Height: 240, Frames: 20, Profile: perf.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{Invariants: map[string]bool{}}
	err = b.Run(context.Background(), []string{"incremental"}, func(job *GPUJob) error {
		for i := FirstFrame(job.Frames, job.Stride["incremental"]); i < job.Frames; i++ {
			job.Record("incremental", i, time.Millisecond)
		}
		job.Drain("incremental", 2*time.Millisecond)
		return nil
	}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].FramesMeasured != 20 || rep.Results[0].DrainMS != 2 {
		t.Errorf("results %+v", rep.Results)
	}
}

// A short soak reports the heap's slope and, for a drawing this small, no
// growth.
func TestSoakShort(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 20, Seed: 1, Width: 160, Height: 120})
	b, err := New(d, Options{Width: 160, Height: 120, Frames: 10, KeyframeDiskBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.Soak(context.Background(), 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Frames == 0 || len(rep.Samples) < 2 {
		t.Errorf("%d frames, %d heap samples", rep.Frames, len(rep.Samples))
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "soak: 300ms of looping playback") {
		t.Errorf("summary:\n%s", text.String())
	}
	if (rep.Err() == nil) != rep.NoGrowth {
		t.Errorf("Err %v with NoGrowth %v", rep.Err(), rep.NoGrowth)
	}
}
