package window

import (
	"strings"
	"testing"

	"mbotdraw/app/config"
)

// TestLivePadUndoAndClear: a page draws a smiley's two strokes, takes the
// second back (Undo), presses Clear and draws a line. The window and the
// page show the first stroke alone after Undo, a blank page after Clear,
// and the line alone after it, never across the smiley; the smiley is kept
// as the drawing before.
func TestLivePadUndoAndClear(t *testing.T) {
	g := newTestGame(t, config.Window{Drawing: smallDrawing(), Listen: "127.0.0.1:0"}, &script{})
	orig := g.doc.d
	pg := openPage(t, g)
	const ink = "#1c2430"
	step := 0
	var smiley *pageDrawing
	pageHas := func(strokes, points int) bool {
		dr, ok := pg.lastDrawing()
		return ok && dr.Name == "Live drawing" && len(dr.Strokes) == strokes &&
			(strokes == 0 || len(dr.Strokes[strokes-1].Points) == 3*points)
	}
	run(t, &job{g: g, maxTicks: 1500, afterUpdate: func(tick int) bool {
		d := g.doc.d
		switch step {
		case 0:
			if _, ok := pg.lastDrawing(); ok {
				pg.pad(0, ink, true, false, [3]float64{100, 100, 0}, [3]float64{110, 100, 16}, [3]float64{120, 100, 33})
				pg.pad(1, ink, true, false, [3]float64{80, 200, 300}, [3]float64{150, 230, 316}, [3]float64{220, 200, 333}, [3]float64{230, 190, 350})
				pg.send(map[string]any{"type": "undo", "stroke": 1})
				step++
			}
		case 1: // Undo: the first stroke alone, here and on the page
			if d.Name == "Live drawing" && len(d.Strokes) == 1 && d.NumPoints() == 3 && pageHas(1, 3) {
				dr, _ := pg.lastDrawing()
				smiley = &dr
				pg.send(map[string]any{"type": "clear"})
				pg.pad(2, ink, true, false, [3]float64{50, 50, 900}, [3]float64{350, 250, 916})
				step++
			}
		case 2: // Clear, then a line: the line alone in a new drawing
			if d.Name == "Live drawing" && len(d.Strokes) == 1 && d.NumPoints() == 2 && pageHas(1, 2) {
				return true
			}
		}
		return false
	}})
	if step != 2 || smiley == nil {
		t.Fatalf("stopped at step %d", step)
	}
	if len(g.docs) != 3 || g.docs[0] != orig || g.docs[2] != g.doc.d {
		t.Fatalf("%d drawings open; want the original, the drawing before Clear, then the new one on show", len(g.docs))
	}
	if before := g.docs[1]; len(before.Strokes) != 1 || before.NumPoints() != 3 || before.XY[0] != 100 {
		t.Errorf("the drawing before Clear has %d strokes, %d points; want the first stroke alone", len(before.Strokes), before.NumPoints())
	}
	if d := g.doc.d; d.XY[0] != 50 || d.XY[3] != 250 {
		t.Errorf("the line drawn after Clear is at %v, want (50,50)-(350,250)", d.XY)
	}
	if err := g.finish(); err != nil {
		t.Fatal(err)
	}
}

// TestCompanionAddressSaysWhoCanOpenIt: listening on loopback, the window
// says the page is for this computer only and how to let tablets in;
// listening everywhere, it shows an address a tablet can type.
func TestCompanionAddressSaysWhoCanOpenIt(t *testing.T) {
	for _, tc := range []struct {
		listen, token string
		title         string // the message's title begins so
		hud           string // the subtitle names the page so
	}{
		{"127.0.0.1:0", "", "Companion page, on this computer only: open http://127.0.0.1:", "This computer: http://127.0.0.1:"},
		{"0.0.0.0:0", "T", "Tablets and other computers: open http://", "Tablet: http://"},
	} {
		g := newTestGame(t, config.Window{Drawing: smallDrawing(), Listen: tc.listen, Token: tc.token}, &script{})
		if len(g.msgs.list) == 0 || !strings.HasPrefix(g.msgs.list[0].title, tc.title) {
			t.Errorf("--listen %s: message %+v, want a title beginning %q", tc.listen, g.msgs.list, tc.title)
		} else if tc.token == "" && !strings.Contains(g.msgs.list[0].body, "--listen 0.0.0.0:") {
			t.Errorf("--listen %s: %q does not say how to let tablets in", tc.listen, g.msgs.list[0].body)
		}
		if s := g.subtitle(); !strings.Contains(s, tc.hud) {
			t.Errorf("--listen %s: subtitle %q, want %q", tc.listen, s, tc.hud)
		}
		if u := g.live.url(); tc.listen == "0.0.0.0:0" && (strings.Contains(u, "0.0.0.0") || strings.Contains(u, "127.0.0.1") && len(networkHosts()) > 0) {
			t.Errorf("--listen %s: the page's address %q cannot be typed on a tablet", tc.listen, u)
		}
		g.live.stop()
	}
}
