package window

import (
	"encoding/csv"
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
)

// P shows the performance overlay and P again hides it; a run with
// --frames N --trace --trace-csv writes a trace that parses, with one frame
// slice per frame drawn (N when Ebiten draws once per tick; fewer when it
// catches up with two Updates for a Draw, as it does under Xvfb) and the
// update, draw and bake phases of each, counters per frame, and a CSV row
// per frame.
func TestPerfOverlayAndTrace(t *testing.T) {
	dir := t.TempDir()
	tr, csvPath := filepath.Join(dir, "t.json"), filepath.Join(dir, "t.csv")
	const frames = 40
	s := &script{events: map[int]Events{4: keys(ebiten.KeyP), 12: keys(ebiten.KeyP)}}
	g := newTestGame(t, config.Window{Frames: frames, Trace: tr, TraceCSV: csvPath}, s)
	var before, during, after *image.RGBA
	shown := map[int]bool{}
	draws := 0
	run(t, &job{g: g,
		afterUpdate: func(tick int) bool {
			shown[tick] = g.overlay.shown
			return false
		},
		afterDraw: func(tick int, screen *ebiten.Image) {
			// Under Xvfb Ebiten may run two Updates for a Draw: the
			// overlay is captured at the first Draw in each stretch.
			draws++
			u, v := g.lay.U, g.lay.View
			box := image.Rect(int(v.X+12*u), int(v.Y+12*u), int(v.X+12*u+440*u), int(v.Y+12*u+240*u))
			switch {
			case tick < 4 && before == nil:
				before = grabRegion(screen, box)
			case tick >= 6 && tick < 12 && during == nil:
				during = grabRegion(screen, box)
			case tick >= 14 && after == nil:
				after = grabRegion(screen, box)
			}
		}})
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
	if shown[3] || !shown[4] || !shown[11] || shown[12] {
		t.Errorf("overlay shown at ticks 3, 4, 11, 12: %v %v %v %v; want P to show it at 4 and hide it at 12", shown[3], shown[4], shown[11], shown[12])
	}
	if before == nil || during == nil || after == nil {
		t.Fatal("frames not captured")
	}
	on, off := meanDiff(before, during), meanDiff(before, after)
	t.Logf("overlay region: %.1f mean difference with the overlay, %.1f without", on, off)
	if on < 10 || on < 4*off {
		t.Errorf("the overlay does not show: the region differs by %.1f with it, %.1f without", on, off)
	}

	data, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []struct {
			Ph   string         `json:"ph"`
			Name string         `json:"name"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &trace); err != nil {
		t.Fatalf("trace does not parse: %v", err)
	}
	slices := map[string]int{}
	counters := map[string]int{}
	for _, e := range trace.TraceEvents {
		switch e.Ph {
		case "X":
			slices[e.Name]++
		case "C":
			counters[e.Name]++
		}
	}
	if slices["frame"] != draws || g.perf.frame != draws {
		t.Errorf("%d frame slices, %d frames counted, %d Draws", slices["frame"], g.perf.frame, draws)
	}
	// --frames counts ticks (Updates); under a slow renderer Ebiten runs
	// more than one Update for some Draws, so there may be fewer frames.
	t.Logf("--frames %d: %d ticks, %d Draws, %d frame slices", frames, g.tick, draws, slices["frame"])
	if draws < frames/3 || draws > frames+1 {
		t.Errorf("--frames %d drew %d frames", frames, draws)
	}
	for _, p := range []string{"draw", "bake"} {
		if slices[p] != draws {
			t.Errorf("phase %s: %d slices, want %d", p, slices[p], draws)
		}
	}
	if slices["update"] < draws {
		t.Errorf("phase update: %d slices for %d frames", slices["update"], draws)
	}
	for _, c := range []string{"fps", "frame_ms", "heap_mb", "strokes"} {
		if counters[c] != draws {
			t.Errorf("counter %s: %d values, want %d", c, counters[c], draws)
		}
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != draws+1 {
		t.Errorf("CSV: %d rows (%v), want a header and %d frames", len(rows), err, draws)
	}
}

// meanDiff is the mean absolute channel difference of two images.
func meanDiff(a, b *image.RGBA) float64 {
	sum := 0
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		d := int(a.Pix[i]) - int(b.Pix[i])
		sum += max(d, -d)
	}
	return float64(sum) / float64(len(a.Pix)*3/4)
}

// --profile reaches the window: conservative starts the ink without
// anti-aliasing and judges frames over its longer optimizer window; the
// default starts anti-aliased; both keep the canvas's automatic keyframe
// spacing at full quality.
func TestProfileSetsQuality(t *testing.T) {
	for _, tc := range []struct {
		profile string
		noAA    bool
		window  int
	}{{"default", false, 120}, {"conservative", true, 180}, {"aggressive", false, 60}} {
		g := newTestGame(t, config.Window{Profile: tc.profile}, &script{})
		if q := g.doc.quality; q.NoAntiAlias != tc.noAA || q.KeyframeSpacing != 0 {
			t.Errorf("%s: ink quality %+v, want NoAntiAlias %v and automatic keyframes", tc.profile, q, tc.noAA)
		}
		if w := g.perf.opt.Budget().Window(); w != tc.window {
			t.Errorf("%s: optimizer window %d frames, want %d", tc.profile, w, tc.window)
		}
		g.doc.dispose()
	}
	if _, err := newGame(config.Window{Profile: "turbo"}, &script{}); err == nil {
		t.Error("an unknown profile opens the window")
	}
}
