package bridge

import (
	"strings"
	"testing"
	"time"

	"mbotdraw/bridge/wire"
)

// TestLiveSaveIsRationed: a page's Save reaches the window (PadSave, with a
// Reply that answers the page) only when the drawing changed since the last
// save and no save was asked for within SaveEvery, whatever the pages send:
// a hostile page cannot fill the disk. Otherwise the page is told why, in
// plain words.
func TestLiveSaveIsRationed(t *testing.T) {
	l, srv := newTestLive(t, LiveOptions{SaveEvery: time.Hour})
	c := dialTest(t, wsURL(srv, "/live"), nil)
	line := func(stroke int) wire.Message {
		return wire.Message{Type: wire.TypePad, Stroke: stroke, Color: "#000000", Width: 2,
			Points: [][3]float64{{1, 1, float64(100 * stroke)}, {9, 9, float64(100*stroke + 16)}}, End: true}
	}
	saves := 0
	drain := func() {
		t.Helper()
		for {
			select {
			case ps := <-l.Pad():
				if ps.Action == PadSave {
					saves++
					if ps.Reply == nil {
						t.Fatal("a save without a way to answer the page")
					}
					ps.Reply("Saved to Pictures/mbotdraw/Tablet.png")
				}
			case <-time.After(500 * time.Millisecond):
				return
			}
		}
	}
	for _, tc := range []struct {
		send   []wire.Message
		saves  int    // saves the window is asked for
		answer string // the page's answer begins so
	}{
		{[]wire.Message{{Type: wire.TypeSave}}, 0, "Nothing to save on the computer yet"},
		{[]wire.Message{line(0), {Type: wire.TypeSave}}, 1, "Saved to Pictures/mbotdraw/Tablet.png"},
		{[]wire.Message{{Type: wire.TypeSave}}, 0, "Already saved on the computer"},
		{[]wire.Message{line(1), {Type: wire.TypeSave}}, 0, "The drawing was saved a moment ago"},
	} {
		for _, m := range tc.send {
			c.send(m)
		}
		before := saves
		drain()
		if got := c.nextType(wire.TypeSaved); !strings.HasPrefix(got.Message, tc.answer) {
			t.Errorf("after %d messages: the page was told %q, want %q…", len(tc.send), got.Message, tc.answer)
		}
		if saves-before != tc.saves {
			t.Errorf("after %d messages: the window was asked for %d saves, want %d", len(tc.send), saves-before, tc.saves)
		}
	}
	// A burst of saves from a page that keeps drawing: one save at most.
	before := saves
	for i := range 50 {
		c.send(line(2 + i))
		c.send(wire.Message{Type: wire.TypeSave})
	}
	c.roundTrip(1)
	drain()
	if saves != before {
		t.Errorf("a burst of 50 saves within SaveEvery asked the window for %d", saves-before)
	}
}
