package window

// kit is what the parts of the window draw with: where everything goes on
// the screen, the faces at the interface's scale, and the sprite cache.
type kit struct {
	lay   screenLayout
	fonts *fonts
	spr   *sprites
}

// kit returns the game's drawing kit for this frame.
func (g *Game) kit() kit { return kit{lay: g.lay, fonts: g.fonts, spr: &g.spr} }
