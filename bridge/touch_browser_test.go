package bridge

import (
	"fmt"
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
// the player has seen it: two more ticks, or one (a resting player wakes
// for the touch alone) and 300 ms, so that a slow frame does not miss a
// quick tap.
func (c *cdp) tap(x, y float64) {
	c.t.Helper()
	tick := c.game().Tick
	c.call("Input.dispatchTouchEvent", map[string]any{"type": "touchStart",
		"touchPoints": []map[string]any{{"x": x, "y": y, "id": 1}}})
	start := time.Now()
	for {
		n := c.game().Tick
		if n > tick+1 || n > tick && time.Since(start) > 300*time.Millisecond {
			break
		}
		if time.Since(start) > time.Minute {
			c.t.Fatalf("the player did not see a touch at (%.0f, %.0f) within a minute", x, y)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.call("Input.dispatchTouchEvent", map[string]any{"type": "touchEnd", "touchPoints": []map[string]any{}})
}
