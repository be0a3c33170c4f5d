package window

import (
	"image"
	"math"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/app/config"
	"mbotdraw/robot"
)

// TestRobotPenChanges sends a four-colour drawing to the virtual mBot with
// --pens: at each new colour the robot stops, the panel says which pen to
// put in with a swatch of its colour and the window says so too, and R
// goes on; the robot finishes every stroke.
func TestRobotPenChanges(t *testing.T) {
	ev := map[int]Events{3: keys(ebiten.KeyR)}
	d := smallDrawing()
	g := newTestGame(t, config.Window{Drawing: d, Pens: true}, &script{events: ev})
	g.robotScale = 20
	var asked []robot.Pen // pen changes seen, in order
	var titles []string
	var bodies []string
	swatchOK := 0
	waiting := false // a pen change seen, its R not yet pressed
	askedAt := -1    // the motion of the last pen change seen
	run(t, &job{g: g, maxTicks: 4000, afterUpdate: func(tick int) bool {
		if tick < 3 {
			return false
		}
		r := g.robot
		if r == nil {
			t.Fatal("R did not start the robot")
		}
		p := r.last
		if p.State == robot.StatePaused && p.PenChange != nil && p.Motion != askedAt {
			waiting, askedAt = true, p.Motion
			asked = append(asked, *p.PenChange)
			title := g.robot.panel().title
			titles = append(titles, title)
			if m, ok := g.msgs.last(msgInfo); ok && m.id == "robot" {
				bodies = append(bodies, m.body)
			}
		}
		if p.State == robot.StateDone || p.State == robot.StateStopped {
			return true
		}
		return false
	}, afterDraw: func(tick int, screen *ebiten.Image) {
		if !waiting {
			return
		}
		// The swatch, drawn in the panel, has the pen's colour.
		x, y, _, h, sw := g.robot.panel().box(g.kit())
		u := g.lay.U
		cx, cy := int(math.Round(x+sw/2+12*u)), int(math.Round(y+h/2))
		px := grabRegion(screen, image.Rect(cx, cy, cx+1, cy+1))
		want := asked[len(asked)-1].Color
		if c := px.RGBAAt(0, 0); c.R == want.R && c.G == want.G && c.B == want.B {
			swatchOK++
		} else {
			t.Errorf("swatch pixel %v, want the pen's %v", c, want)
		}
		waiting = false
		ev[tick+1] = keys(ebiten.KeyR) // the pen is in: go on
	}})
	r := g.robot
	groups := r.prog.Plan.Groups
	if len(groups) != 4 || len(asked) != 3 {
		t.Fatalf("%d groups, %d pen changes asked", len(groups), len(asked))
	}
	for i, pen := range asked {
		if pen != groups[i+1].Pen {
			t.Errorf("pen change %d asked for %v, want %v", i, pen, groups[i+1].Pen)
		}
		if want := "Put in the " + pen.Name + " pen — press R (virtual mBot)"; titles[i] != want {
			t.Errorf("panel title %q, want %q", titles[i], want)
		}
	}
	if len(bodies) != 3 || bodies[0] != "Put in the "+asked[0].Name+" pen ("+asked[0].Hex()+"), then press R to go on." {
		t.Errorf("messages %q", bodies)
	}
	if swatchOK != 3 {
		t.Errorf("swatch right %d times, want 3", swatchOK)
	}
	if r.last.State != robot.StateDone || r.last.StrokesDone != len(d.Strokes) {
		t.Errorf("ended %v with %d of %d strokes", r.last.State, r.last.StrokesDone, len(d.Strokes))
	}
}
