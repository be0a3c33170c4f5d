package perf

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestKnobLadderOrder(t *testing.T) {
	l := KnobLadder(DefaultKnobs())
	var knobs []string
	for i := 1; i < len(l); i++ {
		knobs = append(knobs, diffKnobs(l[i-1], l[i]).Knob)
	}
	want := "antialias tolerance tolerance tolerance batch_vertices batch_vertices keyframe_spacing keyframe_spacing defer_bake"
	if got := strings.Join(knobs, " "); got != want {
		t.Errorf("ladder order:\n got %s\nwant %s", got, want)
	}
	last := l[len(l)-1]
	if last.AntiAlias || last.Tolerance != 1 || last.BatchVertices != MaxBatchVertices || last.KeyframeSpacing != 1_000_000 || !last.DeferBake {
		t.Errorf("most degraded = %+v", last)
	}
	// Full quality keeps the canvas's automatic keyframe spacing (0); the
	// keyframe steps go to explicit, sparser spacings, reported as such.
	if l[0].KeyframeSpacing != 0 || l[6].KeyframeSpacing != 0 || l[7].KeyframeSpacing != 100_000 {
		t.Errorf("keyframe spacings along the ladder: %d, %d, %d", l[0].KeyframeSpacing, l[6].KeyframeSpacing, l[7].KeyframeSpacing)
	}
	if c := diffKnobs(l[6], l[7]); c.From != "auto" || c.To != "100000" {
		t.Errorf("keyframe step reads %s → %s, want auto → 100000", c.From, c.To)
	}
	// An explicit start spacing is made 10× and 100× sparser.
	l = KnobLadder(Knobs{AntiAlias: true, KeyframeSpacing: 5000})
	if got := l[len(l)-2].KeyframeSpacing; got != 500_000 {
		t.Errorf("from spacing 5000 the sparsest step is %d, want 500000", got)
	}
	// Knobs already off or unset (batch size: the canvas's own) are skipped.
	l = KnobLadder(Knobs{AntiAlias: false, Tolerance: 0.5, DeferBake: false})
	if len(l) != 5 || l[1].Tolerance != 1 || l[2].KeyframeSpacing != 100_000 || l[3].KeyframeSpacing != 1_000_000 || !l[4].DeferBake {
		t.Errorf("ladder from a degraded start = %+v", l)
	}
}

// run feeds the optimizer frames from load(frame, knobs) and returns the
// changes made in frames [from, to).
func run(o *RenderOptimizer, from, to int, load func(i int, k Knobs) time.Duration) []Change {
	var out []Change
	for i := from; i < to; i++ {
		if c, ok := o.Observe(i, load(i, o.Knobs())); ok {
			out = append(out, c)
		}
	}
	return out
}

// A noisy signal that stays inside the budget (p95 below it, with a few
// spikes over) changes nothing, however long it runs.
func TestOptimizerNoFlappingInBudget(t *testing.T) {
	for seed := range uint64(8) {
		o := NewRenderOptimizer(RenderOptimizerOptions{})
		r := rand.New(rand.NewPCG(seed, 7))
		changes := run(o, 0, 20000, func(int, Knobs) time.Duration {
			if r.IntN(100) < 1 { // 1% spikes well over budget
				return time.Duration(20+r.IntN(30)) * time.Millisecond
			}
			return time.Duration(4_000_000 + r.IntN(11_000_000)) // 4..15 ms
		})
		if len(changes) != 0 {
			t.Errorf("seed %d: %d changes on an in-budget signal, first %v", seed, len(changes), changes[0])
		}
		if o.Level() != 0 || o.Knobs() != DefaultKnobs() {
			t.Errorf("seed %d: knobs moved: %+v", seed, o.Knobs())
		}
	}
}

// A sustained overload degrades one knob at a time, in order, each change
// at least a cool-down apart and with its reason; a noisy load between the
// thresholds then holds; a light load restores in reverse order to the start.
func TestOptimizerDegradesThenRestores(t *testing.T) {
	o := NewRenderOptimizer(RenderOptimizerOptions{})
	r := rand.New(rand.NewPCG(1, 1))
	noisy := func(lo, hi int) func(int, Knobs) time.Duration {
		return func(int, Knobs) time.Duration { return time.Duration(lo + r.IntN(hi-lo)) }
	}

	// 1. Overload: 22..30 ms frames whatever the knobs.
	down := run(o, 0, 3000, noisy(22_000_000, 30_000_000))
	if len(down) != o.Levels() || o.Level() != o.Levels() {
		t.Fatalf("overload made %d changes (level %d of %d)", len(down), o.Level(), o.Levels())
	}
	ladder := KnobLadder(DefaultKnobs())
	for i, c := range down {
		want := diffKnobs(ladder[i], ladder[i+1])
		if c.Knob != want.Knob || c.From != want.From || c.To != want.To {
			t.Errorf("degrade %d = %s %s→%s, want %s %s→%s", i, c.Knob, c.From, c.To, want.Knob, want.From, want.To)
		}
		if !strings.HasPrefix(c.Reason, "p95 ") || !strings.HasSuffix(c.Reason, " > budget 16.7ms") {
			t.Errorf("degrade reason %q", c.Reason)
		}
		if i > 0 && c.Frame-down[i-1].Frame < 60 {
			t.Errorf("changes at frames %d and %d: closer than the 60-frame cool-down", down[i-1].Frame, c.Frame)
		}
	}
	if down[0].Frame < 30 {
		t.Errorf("first degrade at frame %d: before 30 sustained frames", down[0].Frame)
	}

	// 2. Between 60% and 100% of the budget: hold.
	if hold := run(o, 3000, 8000, noisy(11_000_000, 16_000_000)); len(hold) != 0 {
		t.Errorf("%d changes inside the hysteresis band: %v", len(hold), hold)
	}

	// 3. Light load: restore step by step, in reverse order, back to the start.
	up := run(o, 8000, 12000, noisy(2_000_000, 6_000_000))
	if len(up) != o.Levels() || o.Level() != 0 || o.Knobs() != DefaultKnobs() {
		t.Fatalf("restore made %d changes, level %d, knobs %+v", len(up), o.Level(), o.Knobs())
	}
	for i, c := range up {
		d := down[len(down)-1-i]
		if c.Knob != d.Knob || c.From != d.To || c.To != d.From {
			t.Errorf("restore %d = %s %s→%s, want the reverse of %s %s→%s", i, c.Knob, c.From, c.To, d.Knob, d.From, d.To)
		}
		if !strings.Contains(c.Reason, "< 60% of budget 16.7ms") {
			t.Errorf("restore reason %q", c.Reason)
		}
		if i > 0 && c.Frame-up[i-1].Frame < 120 {
			t.Errorf("restores at frames %d and %d: closer than 120 comfortable frames", up[i-1].Frame, c.Frame)
		}
	}
	if n := len(o.Changes()); n != len(down)+len(up) {
		t.Errorf("Changes() has %d, want %d", n, len(down)+len(up))
	}
}

// A load on the edge — over budget at full quality, comfortably under with
// anti-aliasing off — would flap forever with plain thresholds; the
// optimizer backs off its restores so changes become rare.
func TestOptimizerBacksOffWhenRestoreFails(t *testing.T) {
	o := NewRenderOptimizer(RenderOptimizerOptions{})
	r := rand.New(rand.NewPCG(3, 3))
	load := func(_ int, k Knobs) time.Duration {
		base := 18_000_000
		if !k.AntiAlias {
			base = 8_000_000
		}
		return time.Duration(base + r.IntN(1_000_000))
	}
	first := run(o, 0, 20000, load)
	late := run(o, 20000, 40000, load)
	if len(first) == 0 {
		t.Fatal("never degraded an over-budget load")
	}
	// Without back-off a cycle takes about 210 frames: ~95 changes per
	// 20,000 frames. With it, a restore is tried at most every ~3,800 frames.
	if len(late) > 12 {
		t.Errorf("%d changes in 20,000 frames on an edge load: flapping", len(late))
	}
	for _, c := range append(first, late...) {
		if c.Knob != KnobAntiAlias {
			t.Errorf("changed %s, but anti-aliasing alone settles the load", c.Knob)
		}
	}
}

func TestOptimizerForcedBudgetAndOptions(t *testing.T) {
	var seen []Change
	o := NewRenderOptimizer(RenderOptimizerOptions{Budget: 100 * time.Microsecond, OnChange: func(c Change) { seen = append(seen, c) }})
	if o.Budget().Budget() != 100*time.Microsecond {
		t.Fatalf("budget %v", o.Budget().Budget())
	}
	ch := run(o, 0, 200, func(int, Knobs) time.Duration { return time.Millisecond })
	if len(ch) == 0 || len(seen) != len(ch) || ch[0].Reason != "p95 1.0ms > budget 0.1ms" {
		t.Fatalf("forced budget: changes %v, callback saw %d", ch, len(seen))
	}
	b, err := json.Marshal(ch[0])
	if err != nil || string(b) != `{"frame":58,"knob":"antialias","from":"on","to":"off","reason":"p95 1.0ms \u003e budget 0.1ms"}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	// A profile's thresholds reach the optimizer.
	p, _ := ProfileByName("aggressive")
	o = NewRenderOptimizer(p.RenderOptimizerOptions())
	ch = run(o, 0, 100, func(int, Knobs) time.Duration { return 16 * time.Millisecond }) // 96% of budget
	if len(ch) == 0 || !strings.Contains(ch[0].Reason, "> 90% of budget") {
		t.Errorf("aggressive profile at 96%% of budget: %v", ch)
	}
	p, _ = ProfileByName("conservative")
	if k := NewRenderOptimizer(p.RenderOptimizerOptions()).Knobs(); k.AntiAlias {
		t.Error("conservative profile starts with anti-aliasing on")
	}
}

func TestOptimizerTraceInstant(t *testing.T) {
	rec := NewTraceRecorder(TraceOptions{})
	o := NewRenderOptimizer(RenderOptimizerOptions{Budget: time.Millisecond})
	o.SetTrace(rec)
	run(o, 0, 100, func(int, Knobs) time.Duration { return 2 * time.Millisecond })
	ev := rec.snapshot().events
	if len(ev) != 1 || ev[0].ph != 'i' || ev[0].name != "optimizer: antialias on→off" || ev[0].detail != "p95 2.0ms > budget 1.0ms" {
		t.Errorf("trace events %+v", ev)
	}
}
