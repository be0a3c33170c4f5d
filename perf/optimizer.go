package perf

import (
	"fmt"
	"strconv"
	"time"
)

// Knobs are the renderer's quality settings that the RenderOptimizer turns.
// They are abstract: the app maps them onto the canvas's quality options.
type Knobs struct {
	// AntiAlias draws strokes with anti-aliasing.
	AntiAlias bool `json:"antialias"`
	// Tolerance is the stroke simplification tolerance in pixels (0: none).
	Tolerance float64 `json:"tolerance_px"`
	// BatchVertices is the vertex count at which a batch is flushed (at most
	// MaxBatchVertices; 0: the canvas's own default, and the optimizer
	// leaves it alone).
	BatchVertices int `json:"batch_vertices"`
	// KeyframeSpacing is the least distance between keyframe snapshots in
	// the canvas's unit (points of the drawing); larger means fewer
	// snapshots to make. 0 is the canvas's own automatic spacing (as close
	// as its keyframe memory allows, at least canvas.MinKeyframeSpacing):
	// full quality, from which the optimizer degrades to the absolute
	// SparseKeyframeSpacings. A positive start is made 10× and 100× sparser
	// instead. The value maps unchanged onto canvas.Quality.KeyframeSpacing.
	KeyframeSpacing int `json:"keyframe_spacing"`
	// DeferBake spreads the baking of finished strokes over several frames
	// instead of doing it all in the frame that revealed them.
	DeferBake bool `json:"defer_bake"`
}

// MaxBatchVertices is the most vertices one batch may hold (16-bit indices).
const MaxBatchVertices = 65536

// DefaultKnobs returns the full-quality settings a run starts from:
// anti-aliasing on, no simplification, 16,384-vertex batches, the canvas's
// automatic keyframe spacing (0), baking done in the frame.
func DefaultKnobs() Knobs {
	return Knobs{AntiAlias: true, Tolerance: 0, BatchVertices: 16384, KeyframeSpacing: 0}
}

// SparseKeyframeSpacings are the keyframe spacings, in points, that the
// optimizer degrades to from the automatic spacing (0): 100,000 and then
// 1,000,000 points between snapshots, both sparser than the canvas's
// automatic spacing for drawings of up to a few million points (its
// minimum is 32,768 points), so each step means fewer snapshots to copy.
var SparseKeyframeSpacings = [...]int{100_000, 1_000_000}

// Knob names as changes report them.
const (
	KnobAntiAlias       = "antialias"
	KnobTolerance       = "tolerance"
	KnobBatchVertices   = "batch_vertices"
	KnobKeyframeSpacing = "keyframe_spacing"
	KnobDeferBake       = "defer_bake"
)

// Change is one step the RenderOptimizer took. Its JSON is the bench
// report's optimizer.changes entry:
// {"frame":12,"knob":"antialias","from":"on","to":"off","reason":"p95 17.1ms > budget 16.7ms"}.
type Change struct {
	Frame  int    `json:"frame"`
	Knob   string `json:"knob"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// String formats the change for logs, e.g.
// "frame 12: antialias on → off (p95 17.1ms > budget 16.7ms)".
func (c Change) String() string {
	return fmt.Sprintf("frame %d: %s %s → %s (%s)", c.Frame, c.Knob, c.From, c.To, c.Reason)
}

// RenderOptimizerOptions configure a RenderOptimizer. The zero value is the
// documented default of each field; Profile.RenderOptimizerOptions fills
// them from a profile.
type RenderOptimizerOptions struct {
	// TargetFPS sets the frame budget (default 60 fps: 16.67 ms).
	TargetFPS float64
	// Budget, when positive, is the frame budget itself and overrides
	// TargetFPS (bench --budget-ms).
	Budget time.Duration
	// Window is the number of recent frames whose p95 is judged (default
	// 120: 2 s at 60 fps; a shorter window makes the p95 of a noisy load
	// jump over the budget on a chance cluster of slow frames).
	Window int
	// DegradeAbove: a frame counts as overloaded when the rolling p95 is
	// above this fraction of the budget (default 1.0).
	DegradeAbove float64
	// RestoreBelow: a frame counts as comfortable when the rolling p95 is
	// below this fraction of the budget (default 0.6).
	RestoreBelow float64
	// SustainFrames consecutive overloaded frames trigger one degrade step
	// (default 30).
	SustainFrames int
	// RestoreFrames consecutive comfortable frames trigger one restore step
	// (default 120). A restore that is undone soon after doubles the wait
	// for that step (up to 32x: one retry a minute at 60 fps), so a load on
	// the edge cannot make the optimizer flap.
	RestoreFrames int
	// Cooldown is the least number of frames between two changes (default 60).
	Cooldown int
	// Start is where the knobs begin and the best they are restored to; the
	// zero Knobs means DefaultKnobs().
	Start Knobs
	// OnChange, if set, is called with every change as it is made.
	OnChange func(Change)
}

func (o RenderOptimizerOptions) withDefaults() RenderOptimizerOptions {
	if o.Window <= 0 {
		o.Window = 120
	}
	if o.DegradeAbove <= 0 {
		o.DegradeAbove = 1.0
	}
	if o.RestoreBelow <= 0 {
		o.RestoreBelow = 0.6
	}
	o.RestoreBelow = min(o.RestoreBelow, o.DegradeAbove)
	if o.SustainFrames <= 0 {
		o.SustainFrames = 30
	}
	if o.RestoreFrames <= 0 {
		o.RestoreFrames = 120
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 60
	}
	if o.Start == (Knobs{}) {
		o.Start = DefaultKnobs()
	}
	return o
}

// RenderOptimizer is a closed loop with hysteresis over the renderer's
// Knobs. Feed it every frame's time (Observe). When the rolling p95 stays
// above DegradeAbove×budget for SustainFrames frames it degrades one step, in
// this order: anti-aliasing off; simplification tolerance up (0.25, 0.5, 1
// px); batches larger (×2 up to 65,536 vertices: fewer draw calls);
// keyframes sparser (from automatic to SparseKeyframeSpacings, or ×10 and
// ×100 from an explicit spacing: fewer full-frame snapshots to copy); baking
// deferred. When the p95 stays below RestoreBelow×budget for
// RestoreFrames frames it restores one step, in reverse order. Between the
// two thresholds it holds. After each change it waits Cooldown frames and
// judges the new setting only by frames made with it. Every change is
// recorded with its reason.
//
// A RenderOptimizer belongs to the frame loop; it is not safe for
// concurrent use.
type RenderOptimizer struct {
	opts   RenderOptimizerOptions
	budget *FrameBudget
	ladder []Knobs
	level  int
	hold   []int // per level: restore wait multiplier (1, 2, 4, ... 32)
	// restoredAt[l] is the frame at which level l was last left by a restore
	restoredAt []int

	over, under int
	lastChange  int
	changed     bool
	minSamples  int
	changes     []Change
	trace       *TraceRecorder
}

// NewRenderOptimizer returns an optimizer at its Start knobs.
func NewRenderOptimizer(o RenderOptimizerOptions) *RenderOptimizer {
	o = o.withDefaults()
	var fb *FrameBudget
	if o.Budget > 0 {
		fb = NewFrameBudgetDuration(o.Budget, o.Window)
	} else {
		fb = NewFrameBudget(o.TargetFPS, o.Window)
	}
	ladder := KnobLadder(o.Start)
	ro := &RenderOptimizer{
		opts: o, budget: fb, ladder: ladder,
		hold: make([]int, len(ladder)), restoredAt: make([]int, len(ladder)),
		minSamples: min(o.Window, o.SustainFrames),
	}
	for i := range ro.hold {
		ro.hold[i] = 1
		ro.restoredAt[i] = -1 << 31
	}
	return ro
}

// KnobLadder returns the sequence of settings the optimizer steps through
// from start: element 0 is start, each next one degrades one knob by one step.
func KnobLadder(start Knobs) []Knobs {
	l := []Knobs{start}
	k := start
	push := func() { l = append(l, k) }
	if k.AntiAlias {
		k.AntiAlias = false
		push()
	}
	for _, t := range []float64{0.25, 0.5, 1} {
		if t > k.Tolerance {
			k.Tolerance = t
			push()
		}
	}
	if k.BatchVertices > 0 {
		for k.BatchVertices < MaxBatchVertices {
			k.BatchVertices = min(MaxBatchVertices, 2*k.BatchVertices)
			push()
		}
	}
	if k.KeyframeSpacing > 0 {
		for range 2 {
			k.KeyframeSpacing *= 10
			push()
		}
	} else {
		for _, sp := range SparseKeyframeSpacings {
			k.KeyframeSpacing = sp
			push()
		}
	}
	if !k.DeferBake {
		k.DeferBake = true
		push()
	}
	return l
}

// Observe records the time of frame number frame and, when the loop decides
// to act, changes the knobs by one step and returns the change.
func (o *RenderOptimizer) Observe(frame int, d time.Duration) (Change, bool) {
	o.budget.Add(d)
	if o.budget.Len() < o.minSamples {
		return Change{}, false
	}
	b := o.budget.Budget()
	p95 := o.budget.RollingP95()
	switch {
	case float64(p95) > o.opts.DegradeAbove*float64(b):
		o.over++
		o.under = 0
	case float64(p95) < o.opts.RestoreBelow*float64(b):
		o.under++
		o.over = 0
	default:
		o.over, o.under = 0, 0
	}
	if o.changed && frame-o.lastChange < o.opts.Cooldown {
		return Change{}, false
	}
	switch {
	case o.over >= o.opts.SustainFrames && o.level < len(o.ladder)-1:
		var reason string
		if o.opts.DegradeAbove == 1 {
			reason = fmt.Sprintf("p95 %s > budget %s", fmtMS(p95), fmtMS(b))
		} else {
			reason = fmt.Sprintf("p95 %s > %.0f%% of budget %s", fmtMS(p95), 100*o.opts.DegradeAbove, fmtMS(b))
		}
		next := o.level + 1
		// Degrading back to a level soon after restoring from it: the
		// restore was premature, so wait longer before trying it again.
		if frame-o.restoredAt[next] < 2*(o.opts.RestoreFrames*o.hold[next]+o.opts.Cooldown+o.opts.Window) {
			o.hold[next] = min(32, 2*o.hold[next])
		}
		return o.step(frame, next, reason), true
	case o.under >= o.opts.RestoreFrames*o.hold[o.level] && o.level > 0:
		reason := fmt.Sprintf("p95 %s < %.0f%% of budget %s", fmtMS(p95), 100*o.opts.RestoreBelow, fmtMS(b))
		o.restoredAt[o.level] = frame
		return o.step(frame, o.level-1, reason), true
	}
	return Change{}, false
}

func (o *RenderOptimizer) step(frame, to int, reason string) Change {
	from := o.ladder[o.level]
	o.level = to
	c := diffKnobs(from, o.ladder[to])
	c.Frame, c.Reason = frame, reason
	o.changes = append(o.changes, c)
	o.lastChange, o.changed = frame, true
	o.over, o.under = 0, 0
	o.budget.ClearWindow()
	if o.trace != nil {
		o.trace.Instant(TidMain, "optimizer: "+c.Knob+" "+c.From+"→"+c.To, c.Reason)
	}
	if o.opts.OnChange != nil {
		o.opts.OnChange(c)
	}
	return c
}

// diffKnobs names the one knob that differs between two adjacent ladder
// settings and its values before and after.
func diffKnobs(a, b Knobs) Change {
	onOff := func(v bool) string {
		if v {
			return "on"
		}
		return "off"
	}
	switch {
	case a.AntiAlias != b.AntiAlias:
		return Change{Knob: KnobAntiAlias, From: onOff(a.AntiAlias), To: onOff(b.AntiAlias)}
	case a.Tolerance != b.Tolerance:
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) + "px" }
		return Change{Knob: KnobTolerance, From: f(a.Tolerance), To: f(b.Tolerance)}
	case a.BatchVertices != b.BatchVertices:
		return Change{Knob: KnobBatchVertices, From: strconv.Itoa(a.BatchVertices), To: strconv.Itoa(b.BatchVertices)}
	case a.KeyframeSpacing != b.KeyframeSpacing:
		f := func(v int) string {
			if v <= 0 {
				return "auto"
			}
			return strconv.Itoa(v)
		}
		return Change{Knob: KnobKeyframeSpacing, From: f(a.KeyframeSpacing), To: f(b.KeyframeSpacing)}
	default:
		return Change{Knob: KnobDeferBake, From: onOff(a.DeferBake), To: onOff(b.DeferBake)}
	}
}

// Knobs returns the current settings.
func (o *RenderOptimizer) Knobs() Knobs { return o.ladder[o.level] }

// Level returns how many steps the knobs are degraded from Start (0: none),
// and Levels the number of steps there are.
func (o *RenderOptimizer) Level() int { return o.level }

// Levels returns the number of degrade steps available from Start.
func (o *RenderOptimizer) Levels() int { return len(o.ladder) - 1 }

// Changes returns every change made so far, oldest first.
func (o *RenderOptimizer) Changes() []Change { return append([]Change(nil), o.changes...) }

// Budget returns the frame budget the optimizer judges against, with its
// rolling window and whole-run counts (for overlays and reports).
func (o *RenderOptimizer) Budget() *FrameBudget { return o.budget }

// SetTrace attaches a trace recorder: every change also becomes an instant
// event on the main thread. A nil recorder detaches.
func (o *RenderOptimizer) SetTrace(r *TraceRecorder) { o.trace = r }
