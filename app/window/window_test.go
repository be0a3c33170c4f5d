package window

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/canvas"
	"mbotdraw/playback"
	"mbotdraw/robot"
)

// The window's finished drawing must match the software renderer's within
// the tolerance canvas/gpu states for the GPU against the software path
// (layer_test.go): anti-aliased edges differ a little, so the bound is on the
// mean difference and on the share of pixels that differ much.
const (
	maxMeanDiff   = 3.0   // mean absolute difference per channel, 0..255
	maxFarPixels  = 0.005 // share of pixels with a channel off by more than farDifference
	farDifference = 64
	// A missing or misplaced stroke can hide in those whole-image figures;
	// no 16x16 block may differ by more than maxBlockDiff on average.
	block        = 16
	maxBlockDiff = 24.0
)

func newTestGame(t *testing.T, cfg config.Window, in Input) *Game {
	t.Helper()
	g, err := newGame(cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDemoPlaysToTheEnd opens the window on the demo, plays it at 16x to
// the end, and compares the paper on screen with the software renderer's
// image of the finished drawing.
func TestDemoPlaysToTheEnd(t *testing.T) {
	g := newTestGame(t, config.Window{Speed: 16}, &script{})
	var atTick10 float64
	var shot *image.RGBA
	endTick := 0
	run(t, &job{g: g,
		afterUpdate: func(tick int) bool {
			if tick == 10 {
				atTick10 = g.doc.tl.Time()
			}
			if endTick == 0 && g.doc.tl.Ended() {
				endTick = tick
			}
			return shot != nil
		},
		afterDraw: func(tick int, screen *ebiten.Image) {
			if endTick > 0 && tick > endTick {
				v := g.lay.View
				pr := g.doc.paper.Add(image.Pt(int(v.X), int(v.Y)))
				shot = grabRegion(screen, pr)
			}
		},
	})
	// 10 ticks at 60 Hz and 16x: 2.67 s of drawing time.
	if want := 10 * 1000.0 / 60 * 16; math.Abs(atTick10-want) > 1 {
		t.Errorf("after 10 ticks at 16x the clock reads %.1f ms, want %.1f", atTick10, want)
	}
	if g.doc.tl.Playing() {
		t.Error("still playing at the end")
	}
	if got, want := g.doc.currentStroke(), len(g.doc.d.Strokes); got != want {
		t.Errorf("stroke %d of %d at the end", got, want)
	}
	compareImages(t, "demo-end", shot, softwareEnd(g))
	// The comparison notices one missing stroke (the sun's last ray).
	d := g.doc.d
	short := softwareEndAt(g, playback.Mark{N: d.Strokes[len(d.Strokes)-1].Start})
	if _, _, bd := worstBlock(shot, short); bd <= maxBlockDiff {
		t.Errorf("a drawing missing its last stroke passes the comparison (worst block %.1f)", bd)
	}
}

// softwareEnd renders g's finished drawing with the software renderer at
// the size and fit of the window's paper.
func softwareEnd(g *Game) *image.RGBA {
	return softwareEndAt(g, playback.Mark{N: g.doc.d.NumPoints()})
}

func softwareEndAt(g *Game, m playback.Mark) *image.RGBA {
	f, pr := g.doc.fit, g.doc.paper
	return canvas.RenderAt(g.doc.d, m, canvas.Options{Width: pr.Dx(), Height: pr.Dy(),
		Fit: &canvas.Fit{Scale: f.Scale, OffX: f.OffX, OffY: f.OffY}, NoPen: true})
}

// compareImages fails when got and want differ beyond the tolerance, and
// writes both to the test's temporary folder.
func compareImages(t *testing.T, name string, got, want *image.RGBA) {
	t.Helper()
	if got.Rect.Size() != want.Rect.Size() {
		t.Fatalf("%s: got %v, want %v", name, got.Rect.Size(), want.Rect.Size())
	}
	if bx, by, bd := worstBlock(got, want); bd > maxBlockDiff {
		t.Errorf("%s: the 16x16 block at (%d,%d) differs by %.1f on average (at most %v): ink is missing or misplaced", name, bx, by, bd, maxBlockDiff)
	}
	far, worst, ink, sum := 0, 0, 0, 0
	for i := 0; i < len(got.Pix); i += 4 {
		px := 0
		for c := 0; c < 3; c++ {
			d := int(got.Pix[i+c]) - int(want.Pix[i+c])
			if d < 0 {
				d = -d
			}
			sum += d
			px = max(px, d)
		}
		worst = max(worst, px)
		if px > farDifference {
			far++
		}
		if want.Pix[i] < 200 || want.Pix[i+1] < 200 || want.Pix[i+2] < 200 {
			ink++
		}
	}
	n := len(got.Pix) / 4
	mean := float64(sum) / float64(3*n)
	_, _, bd := worstBlock(got, want)
	t.Logf("%s: mean difference %.2f, %d of %d pixels off by more than %d, worst %d, worst block %.1f", name, mean, far, n, farDifference, worst, bd)
	if ink < n/500 {
		t.Errorf("%s: only %d of %d pixels have ink; the drawing is missing", name, ink, n)
	}
	if d := os.Getenv("MBOTDRAW_TEST_OUT"); d != "" {
		savePNG(t, filepath.Join(d, name+"-got.png"), got)
		savePNG(t, filepath.Join(d, name+"-want.png"), want)
	}
	if mean > maxMeanDiff || float64(far) > maxFarPixels*float64(n) {
		dir := t.TempDir()
		if d := os.Getenv("MBOTDRAW_TEST_OUT"); d != "" {
			dir = d
		}
		savePNG(t, filepath.Join(dir, name+"-bad.png"), got)
		savePNG(t, filepath.Join(dir, name+"-want.png"), want)
		t.Errorf("%s: mean difference %.2f (at most %v), %d of %d pixels off by more than %d (at most %.1f%%); images in %s",
			name, mean, maxMeanDiff, far, n, farDifference, 100*maxFarPixels, dir)
	}
}

// worstBlock returns the 16x16 block whose mean channel difference is the
// largest, and that difference.
func worstBlock(got, want *image.RGBA) (x, y int, diff float64) {
	w, h := got.Rect.Dx(), got.Rect.Dy()
	for by := 0; by < h; by += block {
		for bx := 0; bx < w; bx += block {
			sum, n := 0, 0
			for yy := by; yy < min(by+block, h); yy++ {
				for xx := bx; xx < min(bx+block, w); xx++ {
					i := yy*got.Stride + 4*xx
					j := yy*want.Stride + 4*xx
					for c := 0; c < 3; c++ {
						d := int(got.Pix[i+c]) - int(want.Pix[j+c])
						sum += max(d, -d)
					}
					n += 3
				}
			}
			if d := float64(sum) / float64(n); d > diff {
				x, y, diff = bx, by, d
			}
		}
	}
	return x, y, diff
}

func savePNG(t *testing.T, path string, img image.Image) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKeys drives the keyboard and checks each key does what its help line
// says.
func TestKeys(t *testing.T) {
	s := &script{events: map[int]Events{
		2:  keys(ebiten.KeySpace),      // pause
		4:  keys(ebiten.KeyArrowRight), // +5 s
		6:  keys(ebiten.KeyArrowLeft),  // -5 s
		8:  shiftKey(ebiten.KeyArrowRight),
		10: shiftKey(ebiten.KeyArrowRight),
		12: shiftKey(ebiten.KeyArrowLeft),
		14: keys(ebiten.KeyArrowUp),
		16: keys(ebiten.KeyArrowUp, ebiten.KeyArrowUp, ebiten.KeyArrowUp, ebiten.KeyArrowUp, ebiten.KeyArrowUp),
		18: keys(ebiten.KeyArrowDown),
		20: keys(ebiten.KeyEnd),
		22: keys(ebiten.KeyHome),
		24: keys(ebiten.KeyH),
		26: keys(ebiten.KeyEscape),
		28: keys(ebiten.KeyF1),
		30: keys(ebiten.KeyP),
		32: keys(ebiten.KeyF),
		34: keys(ebiten.KeySpace),
	}}
	g := newTestGame(t, config.Window{}, s)
	tl := func() *playback.Timeline { return g.doc.tl }
	var t2, t4, t6 float64
	var strokes8, strokes10, strokes12 int
	var scale30 float64
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		switch tick {
		case 1:
			if !tl().Playing() {
				t.Error("the window does not start playing")
			}
		case 2:
			t2 = tl().Time()
			if tl().Playing() {
				t.Error("Space did not pause")
			}
		case 4:
			t4 = tl().Time()
		case 6:
			t6 = tl().Time()
		case 8:
			strokes8 = tl().StrokesDone()
		case 10:
			strokes10 = tl().StrokesDone()
		case 12:
			strokes12 = tl().StrokesDone()
		case 14:
			if got := tl().Speed(); got != 2 {
				t.Errorf("Up: speed %v, want 2", got)
			}
		case 16:
			if got := tl().Speed(); got != playback.MaxSpeed {
				t.Errorf("Up five more times: speed %v, want %v", got, playback.MaxSpeed)
			}
		case 18:
			if got := tl().Speed(); got != playback.MaxSpeed/2 {
				t.Errorf("Down: speed %v, want %v", got, playback.MaxSpeed/2)
			}
		case 20:
			if !tl().Ended() {
				t.Error("End did not go to the end")
			}
		case 22:
			if tl().Time() != 0 {
				t.Errorf("Home: time %v, want 0", tl().Time())
			}
		case 24:
			if !g.showHelp {
				t.Error("H did not show the help")
			}
		case 26:
			if g.showHelp {
				t.Error("Esc did not close the help")
			}
		case 28:
			if !g.showHelp {
				t.Error("F1 did not show the help")
			}
		case 30:
			if !g.overlay.shown {
				t.Error("P did not show the performance overlay")
			}
			scale30 = g.doc.fit.Scale
		case 33:
			if g.doc.mode != fitInk || !(g.doc.fit.Scale > scale30) {
				t.Errorf("F: mode %v scale %v, want the strokes framed closer than the page (scale %v)", g.doc.mode, g.doc.fit.Scale, scale30)
			}
		case 34:
			if !tl().Playing() {
				t.Error("Space did not play again")
			}
			return true
		}
		return false
	}})
	if d := t4 - t2; math.Abs(d-seekStepMs) > 1e-6 {
		t.Errorf("Right moved %v ms, want %v", d, seekStepMs)
	}
	if d := t4 - t6; math.Abs(d-seekStepMs) > 1e-6 {
		t.Errorf("Left moved %v ms back, want %v", d, seekStepMs)
	}
	if strokes10 != strokes8+1 || strokes12 != strokes8 {
		t.Errorf("Shift+Right, Shift+Right, Shift+Left: strokes done %d, %d, %d; want n, n+1, n", strokes8, strokes10, strokes12)
	}
}

// TestScrubberDrag presses on the timeline bar, drags and lets go.
func TestScrubberDrag(t *testing.T) {
	l := layoutScreen(1280, 800, false)
	tr := l.Track
	_, y := tr.centre()
	x25, x75 := tr.X+tr.W*0.25, tr.X+tr.W*0.75
	s := &script{events: map[int]Events{
		3: pointer(PointerDown, x25, y),
		5: pointer(PointerMove, tr.X+tr.W*0.5, y),
		6: pointer(PointerMove, x75, y),
		8: pointer(PointerUp, x75, y),
	}}
	g := newTestGame(t, config.Window{}, s)
	dur := g.doc.tl.Duration()
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		tl := g.doc.tl
		switch tick {
		case 3:
			if tl.Playing() {
				t.Error("still playing while the knob is held")
			}
			if got := tl.Time() / dur; math.Abs(got-0.25) > 0.002 {
				t.Errorf("pressed at 25%% of the bar: at %.3f of the drawing", got)
			}
		case 6:
			if got := tl.Time() / dur; math.Abs(got-0.75) > 0.002 {
				t.Errorf("dragged to 75%% of the bar: at %.3f of the drawing", got)
			}
		case 8:
			if !tl.Playing() {
				t.Error("letting go did not resume playing")
			}
			return true
		}
		return false
	}})
}

// TestButtons clicks the on-screen buttons.
func TestButtons(t *testing.T) {
	l := layoutScreen(1280, 800, false)
	click := func(b buttonID) (Events, Events) {
		x, y := l.Buttons[b].centre()
		return pointer(PointerDown, x, y), pointer(PointerUp, x, y)
	}
	ev := map[int]Events{}
	ev[2], ev[3] = click(btnPlay)   // pause
	ev[4], ev[5] = click(btnFaster) // 2x
	// A finger (pointer 3) works like the mouse.
	ev[4].Pointers[0].ID, ev[5].Pointers[0].ID = 3, 3
	ev[6], ev[7] = click(btnFaster) // 4x
	ev[8], ev[9] = click(btnSlower) // 2x
	ev[10], ev[11] = click(btnNextStroke)
	// Pressed on Faster, released away from it: nothing.
	fx, fy := l.Buttons[btnFaster].centre()
	ev[12], ev[13] = pointer(PointerDown, fx, fy), pointer(PointerUp, fx, fy-200)
	ev[14], ev[15] = click(btnHelp)
	ev[16] = pointer(PointerDown, 5, 400) // any click closes the help
	ev[20], ev[21] = click(btnRestart)
	g := newTestGame(t, config.Window{}, &script{events: ev})
	run(t, &job{g: g, afterUpdate: func(tick int) bool {
		tl := g.doc.tl
		switch tick {
		case 3:
			if tl.Playing() {
				t.Error("the play button did not pause")
			}
		case 7:
			if tl.Speed() != 4 {
				t.Errorf("faster twice: speed %v, want 4", tl.Speed())
			}
		case 9:
			if tl.Speed() != 2 {
				t.Errorf("slower: speed %v, want 2", tl.Speed())
			}
		case 11:
			if tl.StrokesDone() != 1 {
				t.Errorf("next stroke: %d strokes done, want 1", tl.StrokesDone())
			}
		case 13:
			if tl.Speed() != 2 {
				t.Errorf("a press that slid off the button changed the speed to %v", tl.Speed())
			}
		case 15:
			if !g.showHelp {
				t.Error("the help button did not show the help")
			}
		case 16:
			if g.showHelp {
				t.Error("a click did not close the help")
			}
		case 21:
			if !tl.Playing() || tl.Time() > 100 {
				t.Errorf("restart: playing %v at %v ms, want playing from 0", tl.Playing(), tl.Time())
			}
			return true
		}
		return false
	}})
}

// TestDropFiles drops a file that is not a drawing (the window stays on its
// drawing and says why), then a Quick, Draw! file with many drawings (a
// gallery to step through).
func TestDropFiles(t *testing.T) {
	cat, err := os.ReadFile("../../testdata/real/quickdraw/raw/cat.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	ev := map[int]Events{
		2: {Dropped: []DroppedFile{{Name: "notes.txt", Data: []byte("shopping: milk, eggs\n")}}},
	}
	g := newTestGame(t, config.Window{}, &script{events: ev})
	demo := g.doc.d
	dropTick, pageTick := 0, 0
	run(t, &job{g: g, maxTicks: 600, afterUpdate: func(tick int) bool {
		switch {
		case tick < 2:
		case dropTick == 0:
			m, ok := g.msgs.last(msgError)
			if !ok {
				break
			}
			if !strings.Contains(m.title, "notes.txt") || !strings.Contains(m.body, "notes.txt") {
				t.Errorf("error message %q / %q does not name the file", m.title, m.body)
			}
			if g.doc.d != demo {
				t.Error("a bad file replaced the drawing")
			}
			dropTick = tick
			ev[tick+1] = Events{Dropped: []DroppedFile{{Name: "cat.ndjson", Data: cat}}}
		case pageTick == 0:
			if g.doc.d == demo {
				break
			}
			if len(g.docs) < 10 || g.docIdx != 0 || g.file != "cat.ndjson" {
				t.Errorf("after the drop: %d drawings, showing %d, file %q; want a gallery of cat.ndjson at 0", len(g.docs), g.docIdx, g.file)
			}
			if !strings.Contains(g.title(), "cat.ndjson") || !strings.Contains(g.title(), "1 of") {
				t.Errorf("title %q", g.title())
			}
			pageTick = tick
			ev[tick+1] = keys(ebiten.KeyPageDown)
			ev[tick+2] = keys(ebiten.KeyPageDown)
			ev[tick+3] = keys(ebiten.KeyPageUp)
			ev[tick+4] = keys(ebiten.KeyPageUp, ebiten.KeyPageUp)
		case tick == pageTick+2:
			if g.docIdx != 2 {
				t.Errorf("PageDown twice: drawing %d, want 2", g.docIdx)
			}
		case tick == pageTick+4:
			// Issue 11: no silent wrap from the first to the last.
			if g.docIdx != 0 {
				t.Errorf("PageUp past the first: drawing %d, want the first, 0", g.docIdx)
			}
			if m, ok := g.msgs.last(msgInfo); !ok || m.title != fmt.Sprintf("Drawing 1 of %d is the first one", len(g.docs)) {
				t.Errorf("PageUp past the first says %q", m.title)
			}
			if !g.doc.tl.Playing() {
				t.Error("a new drawing of the gallery does not play")
			}
			return true
		}
		return false
	}})
}

// TestScreenshotKeyAndQuit presses S, then lets --frames end the window
// with --screenshot: S saves the drawing (1600 pixels across, without the
// buttons), --screenshot the screen.
func TestScreenshotKeyAndQuit(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "final.png")
	g := newTestGame(t, config.Window{OutDir: dir, Frames: 30, Screenshot: final},
		&script{events: map[int]Events{5: keys(ebiten.KeyS)}})
	run(t, &job{g: g, w: 800, h: 600})
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{final, ""} {
		w, h := 800, 600
		if p == "" {
			m, _ := filepath.Glob(filepath.Join(dir, "Garden-*.png"))
			if len(m) != 1 {
				t.Fatalf("S saved %v, want one Garden-*.png", m)
			}
			p, w, h = m[0], 1600, 900
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Errorf("%s is %v, want %dx%d", p, img.Bounds(), w, h)
		}
	}
	if g.tick != 30 {
		t.Errorf("--frames 30 quit after %d ticks", g.tick)
	}
}

// TestHelpListsEveryKey checks that the help overlay names every bound key.
func TestHelpListsEveryKey(t *testing.T) {
	var all strings.Builder
	for _, h := range helpLines {
		all.WriteString(h.keys + " | ")
	}
	names := map[ebiten.Key]string{
		ebiten.KeyArrowLeft: "Left", ebiten.KeyArrowRight: "Right", ebiten.KeyArrowUp: "Up", ebiten.KeyArrowDown: "Down",
		ebiten.KeyEqual: "+", ebiten.KeyNumpadAdd: "+", ebiten.KeyMinus: "-", ebiten.KeyNumpadSubtract: "-",
		ebiten.KeyEscape: "Esc",
	}
	for _, b := range bindings {
		n, ok := names[b.key]
		if !ok {
			n = b.key.String()
		}
		if !strings.Contains(all.String(), n) {
			t.Errorf("the help does not list %s", n)
		}
		if b.shift {
			found := false
			for _, h := range helpLines {
				found = found || strings.HasPrefix(h.keys, "Shift + ") && strings.Contains(h.keys, n)
			}
			if !found {
				t.Errorf("the help does not list Shift + %s", n)
			}
		}
	}
	for k := range ctrlBindings {
		if !strings.Contains(all.String(), "Ctrl + "+k.String()) {
			t.Errorf("the help does not list Ctrl + %s", k)
		}
	}
}

// smallDrawing is four short strokes on a 400x300 page.
func smallDrawing() *playback.Drawing {
	d := playback.NewDrawing(400, 300)
	for i, c := range []color.RGBA{{0xe5, 0x39, 0x35, 0xff}, {0x1e, 0x88, 0xe5, 0xff}, {0x43, 0xa0, 0x47, 0xff}, {0xfb, 0x8c, 0x00, 0xff}} {
		d.BeginStroke(c, 8)
		x, y := 60+float32(i)*80, 80+float32(i%2)*100
		for k := 0; k <= 8; k++ {
			d.AddPoint(x+float32(k)*6, y+float32(k*k), 0)
		}
	}
	d.AssignTimes(0, -1)
	return d
}

// TestRobot sends a drawing to the virtual mBot (at 10x its real speed):
// the view shows the robot's progress, R pauses and resumes it, and it
// finishes with every path drawn, exactly where the program ends: the
// driver and the virtual mBot share a paced clock, so scheduling jitter
// does not move the robot (real time scaled by 10 would multiply it by 10).
func TestRobot(t *testing.T) {
	ev := map[int]Events{3: keys(ebiten.KeyR)}
	g := newTestGame(t, config.Window{Drawing: smallDrawing()}, &script{events: ev})
	g.robotScale = 10
	var seen []robot.State
	pausedAt, resumedAt := 0, 0
	var mid *image.RGBA
	run(t, &job{g: g, maxTicks: 3000, afterUpdate: func(tick int) bool {
		if tick < 3 {
			return false
		}
		r := g.robot
		if r == nil {
			t.Fatal("R did not start the robot")
		}
		st := r.state()
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		switch {
		case pausedAt == 0 && st == robot.StateDrawing && r.last.PathsDone >= 2:
			pausedAt = tick
			ev[tick+1] = keys(ebiten.KeyR)
		case pausedAt > 0 && resumedAt == 0 && st == robot.StatePaused:
			if !g.robotView {
				t.Error("the robot's view is not shown")
			}
			resumedAt = tick
			ev[tick+1] = keys(ebiten.KeyR)
		}
		return st == robot.StateDone || st == robot.StateStopped
	}, afterDraw: func(tick int, screen *ebiten.Image) {
		if mid == nil && pausedAt > 0 && resumedAt == 0 {
			mid = grabRegion(screen, screen.Bounds())
		}
	}})
	want := []robot.State{robot.StateDrawing, robot.StatePaused, robot.StateDrawing, robot.StateDone}
	if got := dedupe(seen); !slices.Equal(got, want) {
		t.Errorf("robot states %v, want %v", seen, want)
	}
	r := g.robot
	if r.last.PathsDone != len(r.prog.Plan.Paths) || r.last.StrokesDone != len(g.doc.d.Strokes) {
		t.Errorf("done with %d of %d paths, %d of %d strokes", r.last.PathsDone, len(r.prog.Plan.Paths), r.last.StrokesDone, len(g.doc.d.Strokes))
	}
	end, last := r.finalPose(), r.prog.PoseBefore(len(r.prog.Motions))
	if math.Hypot(end.X-last.X, end.Y-last.Y) > 1e-6 || math.Abs(math.Remainder(end.Heading-last.Heading, 360)) > 1e-6 {
		t.Errorf("the virtual mBot ends at %+v, the program at %+v", end, last)
	}
	if d := os.Getenv("MBOTDRAW_TEST_OUT"); d != "" && mid != nil {
		savePNG(t, filepath.Join(d, "robot-paused.png"), mid)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestRobotPlanMatchesPlot: the window plans a drawing for the robot the
// way plot does by default, with 2-opt ordering on, so that the robot's
// view shows the order the paper gets.
func TestRobotPlanMatchesPlot(t *testing.T) {
	d := playback.Generate(playback.GenOptions{Strokes: 300, Seed: 11})
	prog, err := planDrawing(d, false, false)
	if err != nil {
		t.Fatal(err)
	}
	greedy, err := robot.NewPlan(d, robot.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plot, err := robot.NewPlan(d, robot.PlanOptions{TwoOpt: true})
	if err != nil {
		t.Fatal(err)
	}
	if !(plot.Stats.PenUp < greedy.Stats.PenUp) {
		t.Fatalf("2-opt does not improve this drawing (%.0f mm): fix the test", greedy.Stats.PenUp)
	}
	if prog.Plan.Stats != plot.Stats || !slices.Equal(prog.Plan.XY, plot.XY) {
		t.Errorf("the window's plan (%.0f mm of pen-up travel) is not plot's (%.0f mm; greedy %.0f mm)",
			prog.Plan.Stats.PenUp, plot.Stats.PenUp, greedy.Stats.PenUp)
	}
}

func dedupe(s []robot.State) []robot.State {
	var out []robot.State
	for _, v := range s {
		if v == robot.StateIdle || v == robot.StateConnecting {
			continue
		}
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

// TestGIFKey presses G: the window saves the playback of the drawing shown
// as an animated GIF in the output folder, as `export --gif` makes it,
// keeps playing meanwhile, and says where the GIF went.
func TestGIFKey(t *testing.T) {
	dir := t.TempDir()
	d := playback.Generate(playback.GenOptions{Strokes: 3, Width: 300, Height: 200})
	cfg := config.Window{OutDir: dir, Drawing: d, Drawings: []*playback.Drawing{d}}
	g := newTestGame(t, cfg, &script{events: map[int]Events{2: keys(ebiten.KeyG)}})
	run(t, &job{g: g, maxTicks: 1_000_000, afterUpdate: func(tick int) bool {
		m, ok := g.msgs.last(msgDone)
		return ok && m.id == "gif"
	}})
	files, _ := filepath.Glob(filepath.Join(dir, "*.gif"))
	if len(files) != 1 {
		t.Fatalf("GIFs in the output folder: %v, want one", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gc, err := gif.DecodeConfig(f)
	if err != nil || gc.Width != canvas.GIFWidth {
		t.Errorf("%s: %v, %d pixels wide; want a GIF %d wide", files[0], err, gc.Width, canvas.GIFWidth)
	}
	m, _ := g.msgs.last(msgDone)
	if !strings.HasPrefix(m.title, "Saved to ") || !strings.HasSuffix(m.title, filepath.Base(files[0])) || !strings.Contains(m.body, "frames") {
		t.Errorf("message %q · %q does not say where the GIF is and what it holds", m.title, m.body)
	}
	if !g.doc.tl.Playing() && !g.doc.tl.Ended() {
		t.Error("saving a GIF stopped the playback")
	}
}

// TestReadDropped reads a drop the way the window does: files whole, a
// folder as an error.
func TestReadDropped(t *testing.T) {
	fsys := fstest.MapFS{
		"cat.ndjson":     {Data: []byte(`{"word":"cat"}`)},
		"photos/a.jpg":   {Data: []byte{1}},
		"empty.mbd.json": {Data: nil},
	}
	got := readDropped(fsys)
	byName := map[string]DroppedFile{}
	for _, f := range got {
		byName[f.Name] = f
	}
	if f := byName["cat.ndjson"]; f.Err != nil || string(f.Data) != `{"word":"cat"}` {
		t.Errorf("cat.ndjson: %q, %v", f.Data, f.Err)
	}
	if f := byName["photos"]; f.Err == nil {
		t.Error("a dropped folder is not reported")
	}
	if f, ok := byName["empty.mbd.json"]; !ok || f.Err != nil {
		t.Errorf("empty file: %+v", f)
	}
}
