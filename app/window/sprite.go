package window

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// maxSprites bounds the sprite cache; past it the cache starts over.
const maxSprites = 160

// sprites caches pieces of the interface drawn with anti-aliasing (buttons,
// chips, the knob, the pen, banners, the help card), keyed by everything
// that changes how they look. Anti-aliased shapes are drawn through a
// double-size offscreen that must be flushed before any other draw to the
// same image; drawn straight onto the screen between texts, that costs a
// full-screen resolve per shape on a software GL. Drawn once into a sprite
// and then copied each frame, they cost one batched DrawImage.
type sprites struct {
	m     map[string]*ebiten.Image
	paint painter
}

// get returns the sprite for key, drawing it with draw into a new w x h
// image when it is not cached.
func (s *sprites) get(key string, w, h float64, draw func(dst *ebiten.Image, p *painter)) *ebiten.Image {
	if img, ok := s.m[key]; ok {
		return img
	}
	if s.m == nil || len(s.m) >= maxSprites {
		s.clear()
	}
	img := ebiten.NewImage(max(1, int(math.Ceil(w))), max(1, int(math.Ceil(h))))
	draw(img, &s.paint)
	s.m[key] = img
	return img
}

// clear frees every sprite.
func (s *sprites) clear() {
	for _, img := range s.m {
		img.Deallocate()
	}
	s.m = make(map[string]*ebiten.Image)
}

// drawAt draws img with its top-left corner at (x, y), on whole pixels.
func drawAt(dst, img *ebiten.Image, x, y float64) {
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Translate(math.Round(x), math.Round(y))
	dst.DrawImage(img, op)
}
