package perf

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestHeapSlope(t *testing.T) {
	// 20 MB + 1.5 MB a minute, sampled every 10 s for 10 minutes.
	var s []HeapSample
	for i := range 61 {
		tt := time.Duration(i) * 10 * time.Second
		s = append(s, HeapSample{T: tt, HeapMB: 20 + 1.5*tt.Minutes()})
	}
	if got, err := HeapSlope(s); err != nil || math.Abs(got-1.5) > 1e-9 {
		t.Errorf("slope %v, %v; want 1.5 MB/min", got, err)
	}
	// A sawtooth around a flat line has slope ~0.
	for i := range s {
		s[i].HeapMB = 20 + float64(i%2)*4
	}
	if got, _ := HeapSlope(s); math.Abs(got) > 0.05 {
		t.Errorf("flat sawtooth slope %v", got)
	}
	if _, err := HeapSlope(s[:1]); err == nil {
		t.Error("one sample gave a slope")
	}
	if _, err := HeapSlope([]HeapSample{{T: time.Second, HeapMB: 1}, {T: time.Second, HeapMB: 2}}); err == nil {
		t.Error("samples at one time gave a slope")
	}
}

var soakLeak [][]byte

// Soak sees a leak as a clearly positive slope, and steady work as none.
func TestSoakDetectsLeak(t *testing.T) {
	o := SoakOptions{Duration: 300 * time.Millisecond, Every: 20 * time.Millisecond}
	steady, err := Soak(context.Background(), o, func() error {
		b := make([]byte, 256<<10)
		b[0] = 1
		time.Sleep(2 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	leaky, err := Soak(context.Background(), o, func() error {
		soakLeak = append(soakLeak, make([]byte, 256<<10))
		time.Sleep(2 * time.Millisecond)
		return nil
	})
	soakLeak = nil
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("steady: %d samples, %.2f MB/min; leaky: %d samples, %.2f MB/min (%.1f → %.1f MB)",
		len(steady.Samples), steady.SlopeMBPerMin, len(leaky.Samples), leaky.SlopeMBPerMin, leaky.FirstMB, leaky.LastMB)
	if len(steady.Samples) < 3 || len(leaky.Samples) < 3 || steady.Iterations == 0 {
		t.Fatalf("%d and %d samples, %d iterations", len(steady.Samples), len(leaky.Samples), steady.Iterations)
	}
	// The leak keeps 256 KiB an iteration, some MB in 0.3 s: hundreds of MB
	// a minute, where the steady run's live heap stays put.
	if leaky.LastMB-leaky.FirstMB < 1 || leaky.SlopeMBPerMin < 50 || leaky.SlopeMBPerMin < 10*math.Abs(steady.SlopeMBPerMin) {
		t.Errorf("leak not told apart: steady %.2f MB/min, leaky %.2f MB/min", steady.SlopeMBPerMin, leaky.SlopeMBPerMin)
	}
	_, err = Soak(context.Background(), o, func() error { return errors.New("frame failed") })
	if err == nil || err.Error() != "soak: iteration 0: frame failed" {
		t.Errorf("failing step: %v", err)
	}
}
