package bridge

import (
	"fmt"
	"testing"
	"time"
)

// pageRect is a rectangle the player publishes, in device pixels.
type pageRect struct{ X, Y, W, H float64 }

// tapButton taps the player's on-screen button name (a key of
// mbotdraw.game.buttons, or "scrub": the scrubber) with one finger, at its
// centre.
func (c *cdp) tapButton(name string) {
	c.t.Helper()
	var b struct {
		Rect  *pageRect `json:"rect"`
		Ratio float64   `json:"ratio"`
	}
	c.eval(fmt.Sprintf(`({rect: (%[1]q == "scrub" ? window.mbotdraw.game.scrub : window.mbotdraw.game.buttons[%[1]q]) || null, ratio: window.devicePixelRatio})`, name), &b)
	if b.Rect == nil {
		c.t.Fatalf("the player shows no %s button", name)
	}
	c.tap((b.Rect.X+b.Rect.W/2)/b.Ratio, (b.Rect.Y+b.Rect.H/2)/b.Ratio)
}

// tap touches the page at (x, y) (CSS pixels) and lifts the finger once
// the player has seen it (seen), so that a slow frame does not miss a
// quick tap.
func (c *cdp) tap(x, y float64) {
	c.t.Helper()
	tick := c.game().Tick
	c.call("Input.dispatchTouchEvent", map[string]any{"type": "touchStart",
		"touchPoints": []map[string]any{{"x": x, "y": y, "id": 1}}})
	c.seen(tick, fmt.Sprintf("a touch at (%.0f, %.0f)", x, y))
	c.call("Input.dispatchTouchEvent", map[string]any{"type": "touchEnd", "touchPoints": []map[string]any{}})
}

// checkTaps: a finger's tap on the buttons does what their keys do, once (no
// second, mouse-like click): Play pauses and plays (Space), the slower
// and faster buttons halve and double the speed (the arrows); a tap on
// the scrubber's middle, paused, goes to the middle of the drawing. The demo plays at 1x.
func checkTaps(t *testing.T, c *cdp) {
	t.Helper()
	for _, tc := range []struct {
		button string
		want   string
	}{
		{"play", `!g.playing`},
		{"scrub", `!g.playing && Math.abs(g.t_ms / g.duration_ms - 0.5) < 0.05`},
		{"play", `g.playing`},
		{"slower", `g.speed == 0.5`}, {"faster", `g.speed == 1`},
	} {
		c.tapButton(tc.button)
		cond := `(g => ` + tc.want + `)(window.mbotdraw.game)`
		c.waitFor(cond, time.Minute)
		tick := c.game().Tick
		c.waitFor(fmt.Sprintf(`window.mbotdraw.game.tick > %d || !window.mbotdraw.game.playing`, tick+2), time.Minute)
		var still bool
		c.eval(cond, &still)
		if !still {
			t.Fatalf("a tap on %s did %s, then more: %+v", tc.button, tc.want, c.game())
		}
	}
}
