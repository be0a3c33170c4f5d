package bridge

import (
	"context"
	"net/http/httptest"
	"testing"
)

// TestCompanionSaveAlsoSavesOnTheComputer: the page's Save picture keeps
// its download on the tablet and asks the window to save on the computer
// too (a PadSave after the strokes); the page shows both places, the
// window's answer word for word.
func TestCompanionSaveAlsoSavesOnTheComputer(t *testing.T) {
	needChromium(t, "the browser test")
	live := NewLive(LiveOptions{})
	srv := httptest.NewServer(live.Handler())
	defer srv.Close()
	defer func() { _ = live.Shutdown(context.Background()) }()
	live.SetDrawing(timing(t, companionDrawing()))

	page := startChromium(t, srv.URL+"/")
	page.until("window.companion && companion.connected && companion.state.drawing.width === 400")
	pad := page.rectOf("pad")
	cx, cy := pad.X+pad.Width/2, pad.Y+pad.Height/2
	page.drag(cx-100, cy, cx+100, cy, 15)
	drawnStroke(t, live)

	page.click("savepng")
	ps := nextPad(t, live)
	if ps.Action != PadSave || ps.Reply == nil {
		t.Fatalf("after Save picture the window got %+v, want a save", ps)
	}
	const where = "Saved to Pictures/mbotdraw/Tablet-2026-12-02-1030.png on the computer"
	ps.Reply(where)
	page.until(`document.getElementById("saved").textContent.includes("this device's Downloads folder") &&
		document.getElementById("saved").textContent.includes("` + where + `")`)
}
