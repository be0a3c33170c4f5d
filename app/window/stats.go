package window

import (
	"fmt"
	"io"
	"time"

	"mbotdraw/perf"
	"mbotdraw/robot"
)

// frameRing is how many recent frames the performance overlay graphs: the
// rolling window of the overlay's perf.FrameBudget.
const frameRing = 240

// perfSys is the window's side of the performance system: it times every
// frame, feeds the render optimizer (whose knobs it applies to the ink
// layer), the monitor (whose alerts the overlay shows), a frame budget (the
// overlay's graph and counts) and, with --trace or --trace-csv, the trace
// recorder.
//
// A frame is the window's own work: from the start of the first Update
// after a Draw to the end of the next Draw (normally one Update and one
// Draw). What happens between a Draw's end and the next Update — Ebiten
// handing the frame to the GPU (llvmpipe rasterizing it under Xvfb), the
// swap, and any wait for the next tick — is "present", timed and traced
// separately. The profiler's phases are "update", "draw" and, inside draw,
// "bake" (the ink layer brought up to the playback time).
type perfSys struct {
	prof perf.Profile
	prf  perf.Profiler
	rec  *perf.TraceRecorder
	opt  *perf.RenderOptimizer
	mon  *perf.Monitor
	// budget keeps the last frameRing frame times against the profile's
	// budget (the graph), and the whole run's histogram and over-budget
	// count. The optimizer's own budget clears its window at each change.
	budget *perf.FrameBudget

	frameStart time.Time // zero between a Draw and the next Update
	drawEnd    time.Time
	frame      int

	present perf.Histogram
	// showing keeps the last frameRing presents, for the overlay.
	showing *perf.FrameBudget
	// resting is true while the window rests (nothing moves): the wait
	// for the next event is not a frame's present.
	resting bool
	mem     perf.MemorySample
	changes []perf.Change
}

// newPerfSys sets up the performance system for a profile; trace says
// whether to record a trace.
func newPerfSys(profile string, trace bool, meta map[string]string) (*perfSys, error) {
	prof, err := perf.ProfileByName(profile)
	if err != nil {
		return nil, err
	}
	ps := &perfSys{prof: prof, opt: perf.NewRenderOptimizer(prof.RenderOptimizerOptions()), mon: perf.NewMonitor(prof.MonitorOptions()),
		budget: perf.NewFrameBudgetDuration(prof.Budget(), frameRing), showing: perf.NewFrameBudgetDuration(prof.Budget(), frameRing)}
	if trace {
		o := prof.TraceOptions()
		for k, v := range meta {
			o.Meta[k] = v
		}
		ps.rec = perf.NewTraceRecorder(o)
		ps.prf.SetTrace(ps.rec, perf.TidMain)
		ps.opt.SetTrace(ps.rec)
		ps.mon.SetTrace(ps.rec)
	}
	return ps, nil
}

// beginUpdate marks the start of an Update: the first after a Draw begins a
// frame and ends the previous frame's present.
func (ps *perfSys) beginUpdate(now time.Time) {
	if !ps.frameStart.IsZero() {
		return
	}
	ps.frameStart = now
	if !ps.drawEnd.IsZero() && !ps.resting {
		d := now.Sub(ps.drawEnd)
		ps.present.Record(d)
		ps.showing.Add(d)
		ps.rec.Slice(perf.TidMain, "present", ps.drawEnd, d)
	}
}

// endDraw closes a frame: it records its time everywhere and returns the
// optimizer's change, if it made one.
func (ps *perfSys) endDraw(now time.Time, strokes int) (perf.Change, bool) {
	start := ps.frameStart
	if start.IsZero() { // a Draw without an Update (Ebiten redraws when it must)
		start = now
	}
	d := now.Sub(start)
	ps.frameStart, ps.drawEnd = time.Time{}, now
	ps.budget.Add(d)
	if ps.frame%30 == 0 {
		ps.mem = ps.mon.SampleMemory()
	}
	if ps.frame%60 == 59 {
		ps.mon.Evaluate()
	}
	ps.mon.RecordFrame(d)
	ps.mon.RecordStrokes(strokes)
	ps.rec.Frame(perf.TraceFrame{Start: start, Dur: d, HeapMB: ps.mem.HeapMB, Strokes: strokes})
	c, ok := ps.opt.Observe(ps.frame, d)
	ps.frame++
	if ok {
		ps.changes = append(ps.changes, c)
		if len(ps.changes) > 8 {
			ps.changes = ps.changes[1:]
		}
	}
	return c, ok
}

// last returns up to n recent frame times, oldest first.
func (ps *perfSys) last(n int) []time.Duration {
	r := ps.budget.Recent(nil)
	return r[len(r)-min(n, len(r)):]
}

// robotTraffic puts the robot link's events into the monitor and the
// trace. It runs on the driver's goroutine; both are safe for that.
func (ps *perfSys) robotTraffic(t robot.Traffic) {
	switch t.Kind {
	case robot.TrafficAck:
		ps.mon.RecordRobotAck(t.RTT)
	case robot.TrafficLost:
		ps.mon.RecordRobotLinkLost(fmt.Sprint(t.Err))
	case robot.TrafficReconnect:
		ps.mon.RecordRobotReconnect()
	case robot.TrafficTimeout:
		ps.rec.Instant(perf.TidRobot, "ack timeout", "")
	case robot.TrafficReset:
		ps.mon.RecordRobotError(fmt.Errorf("the robot restarted (low batteries?): %v", t.Err))
		ps.rec.Instant(perf.TidRobot, "robot restarted", fmt.Sprint(t.Err))
	}
}

// summary is one line about the frames, for scripts (--frames).
func (ps *perfSys) summary() string {
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	h := ps.budget.Histogram()
	return fmt.Sprintf("window: %s; update+draw p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, %d over the %.1f ms budget; present (GPU and swap, separately) p50 %.2f ms, p99 %.2f ms",
		countOf(ps.frame, "frame"), ms(h.Quantile(0.5)), ms(h.Quantile(0.95)), ms(h.Quantile(0.99)), ms(h.Max()),
		ps.budget.OverBudget(), ms(ps.budget.Budget()), ms(ps.present.Quantile(0.5)), ms(ps.present.Quantile(0.99)))
}

// writeTrace writes the trace as Chrome trace JSON.
func (ps *perfSys) writeTrace(w io.Writer) error { return ps.rec.WriteJSON(w) }

// writeCSV writes one CSV row per frame.
func (ps *perfSys) writeCSV(w io.Writer) error { return ps.rec.WriteCSV(w) }
