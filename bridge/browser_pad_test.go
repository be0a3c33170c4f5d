package bridge

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"
)

// nextPad returns the next pad message from the page.
func nextPad(t *testing.T, live *Live) PadStroke {
	t.Helper()
	select {
	case ps := <-live.Pad():
		return ps
	case <-time.After(15 * time.Second):
		t.Fatal("no pad message from the page")
	}
	return PadStroke{}
}

// drawnStroke reads the pieces of one stroke to its end, failing on
// anything else.
func drawnStroke(t *testing.T, live *Live) PadStroke {
	t.Helper()
	var all PadStroke
	for {
		ps := nextPad(t, live)
		if ps.Action != PadDraw {
			t.Fatalf("pad action %v while a stroke came", ps.Action)
		}
		all.Stroke, all.Width = ps.Stroke, ps.Width
		all.Points = append(all.Points, ps.Points...)
		if ps.End {
			return all
		}
	}
}

// TestCompanionUndoClearAndOffline drives the page as a child would: two
// strokes with the default pen, Undo, Clear, a stroke after it; the window
// gets each in the order pressed. Then the link drops: a big banner says
// the drawing is kept, a stroke drawn meanwhile reaches the window when it
// comes back, and the banner goes. The round-trip time shows only when
// asked; Save picture makes a PNG of the pad.
func TestCompanionUndoClearAndOffline(t *testing.T) {
	live, down, srv := flakyCompanion(t)
	d := companionDrawing() // 400 x 300
	live.SetDrawing(timing(t, d))

	page := startChromium(t, srv.URL+"/")
	page.until("window.companion && companion.connected && companion.state.drawing.width === 400")

	// Pen sizes are big buttons, not a slider.
	var sizes []float64
	page.eval(`[...document.querySelectorAll("#widths button")].map((b) => b.getBoundingClientRect().height)`, &sizes)
	if len(sizes) < 3 {
		t.Errorf("%d pen-size buttons, want 3 or more", len(sizes))
	}
	for _, h := range sizes {
		if h < 44 {
			t.Errorf("a pen-size button is %v px high, want 44 or more to tap", h)
		}
	}

	pad := page.rectOf("pad")
	cx, cy := pad.X+pad.Width/2, pad.Y+pad.Height/2
	page.drag(cx-100, cy-40, cx+100, cy-40, 15)
	first := drawnStroke(t, live)
	// The default pen reads on a projector: at least 1 % of the drawing's width.
	if first.Width < 4 {
		t.Errorf("default pen %v units on a 400-unit drawing, want 4 or more", first.Width)
	}
	page.drag(cx-100, cy+40, cx+100, cy+40, 15)
	second := drawnStroke(t, live)

	page.click("undo")
	page.until("companion.padStrokes() === 1")
	if ps := nextPad(t, live); ps.Action != PadUndo || ps.Stroke != second.Stroke {
		t.Fatalf("after Undo the window got %+v, want undo of stroke %d", ps, second.Stroke)
	}
	page.click("clear")
	page.until("companion.padStrokes() === 0")
	if ps := nextPad(t, live); ps.Action != PadClear {
		t.Fatalf("after Clear the window got %+v, want clear", ps)
	}
	page.drag(cx-50, cy, cx+50, cy, 10)
	if after := drawnStroke(t, live); after.Stroke <= second.Stroke || len(after.Points) < 5 {
		t.Errorf("the stroke after Clear came as stroke %d with %d points", after.Stroke, len(after.Points))
	}

	// The round-trip time shows only when asked.
	page.until("companion.state.rtt !== null")
	var text string
	page.eval("companion.statusText()", &text)
	if strings.Contains(text, "ms") {
		t.Errorf("status %q shows the round-trip time unasked", text)
	}
	page.click("status")
	page.until(`companion.statusText().includes("ms")`)

	// Save picture: a PNG of the pad, at least 1200 pixels wide, with ink.
	var url string
	page.eval("companion.pictureURL()", &url)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("Save picture's PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1200 || b.Dy() != b.Dx()*3/4 {
		t.Errorf("picture %v, want 1200 or more wide, 4:3 like the drawing", b)
	}
	inked := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 4 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 4 {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				inked++
			}
		}
	}
	if inked == 0 {
		t.Error("the picture has no ink")
	}

	// Save picture says what it saved, and where.
	// It asks the window to save on the computer too
	// (TestCompanionSaveAlsoSavesOnTheComputer).
	page.click("savepng")
	if ps := nextPad(t, live); ps.Action != PadSave {
		t.Fatalf("after Save picture the window got %+v, want a save", ps)
	}
	page.until(`/^Saved drawing-\d{4}-\d\d-\d\d-\d{4}\.png in this device's Downloads folder\./.test(document.getElementById("saved").textContent)`)

	// The link drops: the banner says the drawing is kept; a stroke drawn
	// meanwhile is sent when it comes back, and the banner goes.
	if page.evalBool("companion.offlineShown()") {
		t.Fatal("the not-connected banner shows while connected")
	}
	down.Store(true)
	page.eval("companion.state.ws.close()", nil)
	page.until("companion.offlineShown()")
	page.drag(cx-50, cy+60, cx+50, cy+60, 10)
	page.until(`document.getElementById("offline").textContent.includes("1 stroke is waiting")`)
	var banner string
	page.eval(`document.getElementById("offline").textContent`, &banner)
	if !strings.Contains(banner, "kept") {
		t.Errorf("banner %q does not say the drawing is kept", banner)
	}
	down.Store(false)
	if late := drawnStroke(t, live); len(late.Points) < 5 {
		t.Errorf("the stroke drawn offline came with %d points", len(late.Points))
	}
	page.until("!companion.offlineShown()")
}

// evalBool evaluates a boolean expression in the page.
func (c *cdp) evalBool(expr string) bool {
	c.t.Helper()
	var ok bool
	c.eval("!!("+expr+")", &ok)
	return ok
}
