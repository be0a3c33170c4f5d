// # Parts
//
//   - Histogram: latency histogram, fixed memory, mergeable (histogram.go).
//   - Profiler: named spans, `defer p.Start("draw").Stop()`, Measure,
//     per-name histograms; under 100 ns a span; feeds a TraceRecorder.
//   - FrameBudget: the budget of one frame from a target fps (default 60:
//     16.67 ms), Fits, a rolling window with exact p95, over-budget counts.
//   - RenderOptimizer: a closed loop with hysteresis over Knobs
//     (anti-aliasing, simplification tolerance, batch size, keyframe
//     spacing, bake deferral) that records every Change with its reason.
//   - MemoryOptimizer: a budget in MB, accounting of the big buffers,
//     BytePool and RGBAPool, the runtime's soft memory limit; QuantizedXY
//     stores points in 1/16-pixel fixed point at about 2.3 bytes a point.
//   - Monitor: frame, memory (runtime/metrics), WebSocket and robot-link
//     figures; the invariants (WebSocket p99 < 50 ms, memory < 100 MB,
//     60 fps, smooth playback with 1,000+ strokes); Alerts in a bounded,
//     deduplicated AlertLog; a Report that says healthy or not and why.
//   - Suites: named benchmark suites with limits, run by RunSuites, which
//     prints a table and Go benchmark lines for benchstat.
//   - Profile: default, aggressive, conservative (ProfileByName).
//   - TraceRecorder: Chrome trace event JSON for Perfetto, and CSV; a ring
//     of the last 10,000 frames and 80,000 other events.
//   - Soak and HeapSlope: the no-heap-growth check of long runs, in MB/min.
//
// Units: durations are time.Duration; reports and traces show milliseconds
// (trace timestamps microseconds, as the format wants); memory is MB of
// 2^20 bytes; coordinates are pixels.
//
// # Wiring (one frame loop)
//
//	prof, _ := perf.ProfileByName(name)
//	rec := perf.NewTraceRecorder(prof.TraceOptions())
//	var p perf.Profiler
//	p.SetTrace(rec, perf.TidMain)
//	opt := perf.NewRenderOptimizer(prof.RenderOptimizerOptions())
//	opt.SetTrace(rec)
//	mon := perf.NewMonitor(prof.MonitorOptions())
//	mon.SetTrace(rec)
//	for frame := 0; ; frame++ {
//		start := time.Now()
//		p.Measure("draw", draw)
//		d := time.Since(start)
//		opt.Observe(frame, d) // then apply opt.Knobs() to the canvas
//		mon.RecordFrame(d)
//		rec.Frame(perf.TraceFrame{Start: start, Dur: d, HeapMB: perf.HeapMB(), Strokes: n})
//	}
//	rec.WriteJSON(w)
package perf
