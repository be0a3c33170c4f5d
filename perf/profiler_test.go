package perf

import (
	"slices"
	"sync"
	"testing"
	"time"
)

func TestProfilerStartStopMeasureRecord(t *testing.T) {
	var p Profiler
	d := p.Measure("sleep", func() { time.Sleep(2 * time.Millisecond) })
	if d < 2*time.Millisecond {
		t.Errorf("Measure returned %v for a 2ms sleep", d)
	}
	func() {
		defer p.Start("scoped").Stop()
	}()
	s := p.Start("manual")
	got := s.Stop()
	p.Record("external", 5*time.Millisecond)
	if names := p.Names(); !slices.Equal(names, []string{"external", "manual", "scoped", "sleep"}) {
		t.Errorf("Names = %v", names)
	}
	if h := p.Histogram("manual"); h.Count() != 1 || h.Max() != got {
		t.Errorf("manual span: count %d max %v, Stop returned %v", h.Count(), h.Max(), got)
	}
	if h := p.Histogram("external"); h.Max() != 5*time.Millisecond {
		t.Errorf("recorded external max %v, want 5ms", h.Max())
	}
	if h := p.Histogram("absent"); h.Count() != 0 {
		t.Error("histogram of an unknown name is not empty")
	}
}

// The profiler's percentiles agree with the exact percentiles of what was
// recorded (nearest rank), to within the histogram's 1/64.
func TestProfilerPercentilesMatchExact(t *testing.T) {
	var p Profiler
	var all []time.Duration
	x := uint64(12345)
	for range 10000 {
		x = x*6364136223846793005 + 1442695040888963407
		d := time.Duration(100_000 + x>>40%20_000_000) // 0.1 ms .. 20 ms
		p.Record("draw", d)
		all = append(all, d)
	}
	slices.Sort(all)
	st := p.Stats()
	if len(st) != 1 || st[0].Name != "draw" || st[0].Count != 10000 {
		t.Fatalf("Stats = %+v", st)
	}
	for _, c := range []struct {
		q   float64
		got float64
	}{{0.50, st[0].P50}, {0.95, st[0].P95}, {0.99, st[0].P99}, {1, st[0].Max}} {
		want := float64(exactQuantile(slices.Clone(all), c.q)) / 1e6
		if rel := (c.got - want) / want; rel > 1.0/64 || rel < -1.0/64 {
			t.Errorf("p%v = %.3fms, exact %.3fms", c.q*100, c.got, want)
		}
	}
}

func TestProfilerMergeAndReset(t *testing.T) {
	var a, b Profiler
	for i := 1; i <= 100; i++ {
		a.Record("x", time.Duration(i)*time.Microsecond)
		b.Record("x", time.Duration(i+100)*time.Microsecond)
		b.Record("y", time.Millisecond)
	}
	a.Merge(&b)
	if h := a.Histogram("x"); h.Count() != 200 || h.Max() != 200*time.Microsecond || h.Min() != time.Microsecond {
		t.Errorf("merged x: count %d min %v max %v", h.Count(), h.Min(), h.Max())
	}
	if h := a.Histogram("y"); h.Count() != 100 {
		t.Errorf("merged y count %d", h.Count())
	}
	if h := b.Histogram("x"); h.Count() != 100 {
		t.Error("Merge changed its argument")
	}
	a.Reset()
	if len(a.Names()) != 0 {
		t.Errorf("after Reset: %v", a.Names())
	}
}

func TestProfilerNilAndZeroSpan(t *testing.T) {
	var p *Profiler
	if d := p.Start("x").Stop(); d != 0 {
		t.Errorf("nil profiler span = %v", d)
	}
	p.Record("x", time.Second) // must not panic
	if d := (Span{}).Stop(); d != 0 {
		t.Errorf("zero span = %v", d)
	}
}

func TestProfilerConcurrent(t *testing.T) {
	var p Profiler
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				p.Start([]string{"a", "b"}[g%2]).Stop()
			}
		}()
	}
	wg.Wait()
	ha, hb := p.Histogram("a"), p.Histogram("b")
	if a, b := ha.Count(), hb.Count(); a != 4000 || b != 4000 {
		t.Errorf("counts a=%d b=%d, want 4000 each", a, b)
	}
}

func TestProfilerSpanDoesNotAllocate(t *testing.T) {
	var p Profiler
	p.Start("draw").Stop()
	allocs := testing.AllocsPerRun(1000, func() {
		defer p.Start("draw").Stop()
	})
	if allocs != 0 {
		t.Errorf("a span allocates %v times", allocs)
	}
}

func TestProfilerFeedsTrace(t *testing.T) {
	var p Profiler
	r := NewTraceRecorder(TraceOptions{})
	p.SetTrace(r, TidMain)
	p.Measure("bake", func() {})
	p.SetTrace(nil, 0)
	p.Measure("after", func() {})
	ev := r.snapshot().events
	if len(ev) != 1 || ev[0].name != "bake" || ev[0].ph != 'X' || ev[0].tid != TidMain {
		t.Errorf("trace events = %+v, want one X bake on tid 1", ev)
	}
}

// BenchmarkProfilerSpan measures one scoped span: Start, Stop, histogram
// record. The product's bound is 100 ns a span.
func BenchmarkProfilerSpan(b *testing.B) {
	var p Profiler
	b.ReportAllocs()
	for b.Loop() {
		p.Start("draw").Stop()
	}
}

// BenchmarkProfilerSpanParallel is the same with every CPU recording spans
// of its own name.
func BenchmarkProfilerSpanParallel(b *testing.B) {
	var p Profiler
	var mu sync.Mutex
	n := 0
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		name := string(rune('a' + n))
		n++
		mu.Unlock()
		for pb.Next() {
			p.Start(name).Stop()
		}
	})
}

// BenchmarkProfilerSpanTraced is a span that also becomes a trace event.
func BenchmarkProfilerSpanTraced(b *testing.B) {
	var p Profiler
	p.SetTrace(NewTraceRecorder(TraceOptions{Frames: 1000}), TidMain)
	b.ReportAllocs()
	for b.Loop() {
		p.Start("draw").Stop()
	}
}
