package robot

import (
	"context"
	"image/color"
	"reflect"
	"testing"
	"time"

	"mbotdraw/playback"
)

var (
	testRed   = color.RGBA{0xe5, 0x39, 0x35, 0xff}
	testBlue  = color.RGBA{0x1e, 0x88, 0xe5, 0xff}
	testGreen = color.RGBA{0x43, 0xa0, 0x47, 0xff}
)

// tricolour returns d with its strokes coloured red, blue, green, red, …
// (interleaved, so colour order and file order disagree).
func tricolour(d *playback.Drawing) *playback.Drawing {
	d = d.Clone()
	cs := []color.RGBA{testRed, testBlue, testGreen}
	for i := range d.Strokes {
		d.Strokes[i].Color = cs[i%3]
	}
	return d
}

func TestPenName(t *testing.T) {
	for _, c := range []struct {
		c    color.RGBA
		want string
	}{
		{color.RGBA{0, 0, 0, 255}, "black"},
		{color.RGBA{0x21, 0x21, 0x21, 255}, "black"},
		{testRed, "red"},
		{color.RGBA{0xff, 0, 0, 255}, "red"},
		{testBlue, "blue"},
		{color.RGBA{0, 0, 0xff, 255}, "blue"},
		{testGreen, "green"},
		{color.RGBA{0, 0x80, 0, 255}, "green"},
		{color.RGBA{0xfb, 0x8c, 0x00, 255}, "orange"},
		{color.RGBA{0x8e, 0x24, 0xaa, 255}, "purple"},
		{color.RGBA{0xfd, 0xd8, 0x35, 255}, "yellow"},
		{color.RGBA{0x6d, 0x4c, 0x41, 255}, "brown"},
		{color.RGBA{0xf0, 0x62, 0x92, 255}, "pink"},
		{color.RGBA{0x9e, 0x9e, 0x9e, 255}, "grey"},
		{color.RGBA{0xff, 0xff, 0xff, 255}, "white"},
	} {
		if got := PenName(c.c); got != c.want {
			t.Errorf("PenName(%v) = %q, want %q", c.c, got, c.want)
		}
	}
	if got := NewPen(testBlue).String(); got != "blue (#1e88e5)" {
		t.Errorf("pen string %q", got)
	}
}

func TestPlanByColourGroupsStrokes(t *testing.T) {
	base := playback.Generate(playback.GenOptions{Strokes: 60, Seed: 5, Width: 400, Height: 300})
	d := tricolour(base)
	// The first colour is the first stroke's, then first appearance.
	d.Strokes[0].Color, d.Strokes[1].Color, d.Strokes[2].Color = testBlue, testGreen, testRed
	wantPens := []color.RGBA{testBlue, testGreen, testRed}
	for _, o := range []PlanOptions{{ByColour: true}, {ByColour: true, TwoOpt: true}, {ByColour: true, KeepOrder: true}} {
		p, err := NewPlan(d, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Groups) != 3 {
			t.Fatalf("%+v: %d groups, want 3", o, len(p.Groups))
		}
		next := 0
		for g, gr := range p.Groups {
			if gr.Pen.Color != wantPens[g] {
				t.Errorf("%+v: group %d pen %v, want %v", o, g, gr.Pen.Color, wantPens[g])
			}
			if gr.Start != next || gr.End <= gr.Start {
				t.Fatalf("%+v: group %d paths [%d, %d), want to start at %d", o, g, gr.Start, gr.End, next)
			}
			next = gr.End
			for pi := gr.Start; pi < gr.End; pi++ {
				for _, si := range p.PathStrokes(pi) {
					if d.Strokes[si].Color != gr.Pen.Color {
						t.Fatalf("%+v: stroke %d (%v) drawn in group %d (%v)", o, si, d.Strokes[si].Color, g, gr.Pen.Color)
					}
				}
			}
		}
		if next != len(p.Paths) {
			t.Fatalf("%+v: groups cover %d of %d paths", o, next, len(p.Paths))
		}
		seen := make([]int, len(d.Strokes))
		for _, si := range p.Sources {
			seen[si]++
		}
		for si, n := range seen {
			if n != 1 {
				t.Fatalf("%+v: stroke %d drawn %d times", o, si, n)
			}
		}
		// Ink unchanged: the same drawing length as without colours
		// (joining only bridges gaps under the join tolerance).
		flat, err := NewPlan(base, PlanOptions{TwoOpt: o.TwoOpt, KeepOrder: o.KeepOrder})
		if err != nil {
			t.Fatal(err)
		}
		if !near(p.Stats.PenDown, flat.Stats.PenDown, 0.01*flat.Stats.PenDown) {
			t.Errorf("%+v: pen down %.1f mm, one pen %.1f mm", o, p.Stats.PenDown, flat.Stats.PenDown)
		}
		if p.Stats.Strokes != flat.Stats.Strokes || p.Stats.FilePenUp != flat.Stats.FilePenUp {
			t.Errorf("%+v: stats %+v, one pen %+v", o, p.Stats, flat.Stats)
		}
	}
}

// Each colour group is ordered on its own from where the group before it
// ended: a group of a few strokes gets the exact shortest order.
func TestPlanByColourOrdersEachGroup(t *testing.T) {
	// Two red strokes far apart with a blue one between: by colour the
	// reds come first (one after the other), then the blue.
	d := drawingOf(100, 100,
		[]float32{0, 0, 10, 0},
		[]float32{50, 50, 60, 50},
		[]float32{100, 100, 90, 100})
	d.Strokes[0].Color, d.Strokes[1].Color, d.Strokes[2].Color = testRed, testBlue, testRed
	p, err := NewPlan(d, PlanOptions{ByColour: true, Home: &Pose{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sources; !reflect.DeepEqual(got, []int{0, 2, 1}) {
		t.Fatalf("order %v, want [0 2 1]", got)
	}
	if len(p.Groups) != 2 || p.Groups[0].Pen.Name != "red" || p.Groups[1].Pen.Name != "blue" {
		t.Fatalf("groups %+v", p.Groups)
	}
	// The blue stroke is entered at the end nearest where the reds ended.
	if !p.Reversed[2] {
		t.Errorf("blue stroke not reversed: it starts far from where the reds end")
	}
}

// ByColour off, colours make no difference: the plan of a three-colour
// drawing is the plan of the same drawing in one colour, and the compiled
// program has no pen change.
func TestPlanByColourOffIgnoresColours(t *testing.T) {
	base := playback.Generate(playback.GenOptions{Strokes: 80, Seed: 11, Width: 400, Height: 300})
	for i := range base.Strokes {
		base.Strokes[i].Color = black
	}
	d := tricolour(base)
	for _, o := range []PlanOptions{{}, {TwoOpt: true}, {KeepOrder: true}} {
		a, err := NewPlan(d, o)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewPlan(base, o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) || a.Groups != nil {
			t.Fatalf("%+v: colours changed the plan", o)
		}
		prog, err := Compile(a, DefaultCalibration(), CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range prog.Motions {
			if m.Kind == PenChange {
				t.Fatalf("%+v: a pen change without ByColour", o)
			}
		}
	}
	// One colour by colour: the same paths as without.
	a, _ := NewPlan(base, PlanOptions{TwoOpt: true})
	b, _ := NewPlan(base, PlanOptions{TwoOpt: true, ByColour: true})
	if !reflect.DeepEqual(a.Paths, b.Paths) || !reflect.DeepEqual(a.XY, b.XY) || len(b.Groups) != 1 {
		t.Errorf("one colour by colour: %d paths, %d groups; without: %d paths", len(b.Paths), len(b.Groups), len(a.Paths))
	}
}

func TestCompileByColourPutsPenChanges(t *testing.T) {
	d := tricolour(playback.Generate(playback.GenOptions{Strokes: 30, Seed: 2, Width: 300, Height: 300}))
	one := compileDrawing(t, d, PlanOptions{}, DefaultCalibration())
	prog := compileDrawing(t, d, PlanOptions{ByColour: true}, DefaultCalibration())
	plan := prog.Plan
	var changes []int
	for i, m := range prog.Motions {
		if m.Kind != PenChange {
			continue
		}
		changes = append(changes, i)
		if prev := prog.Motions[i-1]; prev.Kind != PenUp {
			t.Errorf("pen change %d after a %v, want after a pen lift", i, prev.Kind)
		}
		if m.Duration != 0 || m.Ink || len(prog.FramesOf(i)) != 0 {
			t.Errorf("pen change %d: duration %v, ink %v, %d frames", i, m.Duration, m.Ink, len(prog.FramesOf(i)))
		}
		g := len(changes)
		if m.Pen != plan.Groups[g].Pen || prog.Motions[i+1].Path != plan.Groups[g].Start {
			t.Errorf("pen change %d: %v before path %d, want %v before path %d", i, m.Pen, prog.Motions[i+1].Path, plan.Groups[g].Pen, plan.Groups[g].Start)
		}
	}
	if len(changes) != 2 {
		t.Fatalf("%d pen changes, want 2", len(changes))
	}
	// The estimate is the robot's moves only: about the one-pen program's
	// (the order differs a little).
	if r := float64(prog.Duration) / float64(one.Duration); r < 0.8 || r > 1.6 {
		t.Errorf("by colour %v, one pen %v", prog.Duration, one.Duration)
	}
}

// The driver stops at each pen change, pen lifted and wheels still, naming
// the pen, and goes on at Resume; the robot draws the plan and receives
// exactly the program's frames.
func TestDriverPausesForPenChanges(t *testing.T) {
	d := tricolour(testDrawing())
	r := newRig(t, d)
	r.prog = compileDrawing(t, d, PlanOptions{ByColour: true}, DefaultCalibration())
	var drv *Driver
	asked := make(chan Progress, 8)
	drv = r.driver(DriverOptions{OnProgress: func(p Progress) {
		if p.State == StatePaused {
			asked <- p
		}
	}})
	done := make(chan error, 1)
	go func() { done <- drv.Run(context.Background()) }()
	groups := r.prog.Plan.Groups
	for g := 1; g < len(groups); g++ {
		select {
		case p := <-asked:
			if p.PenChange == nil || *p.PenChange != groups[g].Pen {
				t.Fatalf("pause %d: pen change %v, want %v", g, p.PenChange, groups[g].Pen)
			}
			if m := r.prog.Motions[p.Motion]; m.Kind != PenChange {
				t.Fatalf("pause %d at motion %d, a %v", g, p.Motion, m.Kind)
			}
			if p.PathsDone != groups[g].Start {
				t.Errorf("pause %d: %d paths done, want %d", g, p.PathsDone, groups[g].Start)
			}
			if r.v.PenDown() {
				t.Error("pen down at a pen change")
			}
			if l, rr := r.v.Wheels(); l != 0 || rr != 0 {
				t.Errorf("wheels turning at a pen change: %g, %g", l, rr)
			}
			// It stays paused until told.
			time.Sleep(20 * time.Millisecond)
			if st := drv.State(); st != StatePaused {
				t.Fatalf("state %v before Resume", st)
			}
			drv.Resume()
		case err := <-done:
			t.Fatalf("finished after %d of %d pen changes: %v", g-1, len(groups)-1, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("no pen change %d", g)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := drv.Progress(); p.State != StateDone || p.PenChange != nil {
		t.Errorf("end: %+v", p)
	}
	select {
	case p := <-asked:
		t.Errorf("an extra pause: %+v", p)
	default:
	}
	checkTrace(t, r.prog.Plan, r.v.Trace(), 0.05)
	if got, want := len(drv.Sent()), len(r.prog.Frames); got != want {
		t.Errorf("sent %d frames, program has %d", got, want)
	}
}

// A light and a dark green take the same green pen: one pen change fewer for
// the teacher, who has one green marker.
func TestPlanByColourSharesAPenPerColourName(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 12, Seed: 3, Width: 400, Height: 300})
	light, dark := color.RGBA{0x7c, 0xb3, 0x42, 0xff}, color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	for i := range d.Strokes {
		d.Strokes[i].Color = []color.RGBA{light, testRed, dark}[i%3]
	}
	p, err := NewPlan(d, PlanOptions{ByColour: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Groups) != 2 || p.Groups[0].Pen.Name != "green" || p.Groups[1].Pen.Name != "red" {
		t.Fatalf("groups %+v; want a green pen (both greens), then a red one", p.Groups)
	}
	if n := p.Groups[0].End - p.Groups[0].Start; n < 1 {
		t.Fatalf("the green group has %d paths", n)
	}
}
