package window

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/hajimehoshi/ebiten/v2"

	"mbotdraw/atomicfile"
)

// grab reads the screen's pixels into an image. Ebiten's pixels are
// premultiplied, which is what image.RGBA holds; the screen is opaque.
func grab(screen *ebiten.Image) *image.RGBA {
	b := screen.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	screen.ReadPixels(img.Pix)
	return img
}

// writeFileAtomic writes a file whole or not at all (package atomicfile):
// the content goes to a temporary file beside path, which replaces path
// only when everything was written. Every error names path.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		if err := write(w); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}

// writePNG saves img as a PNG file, atomically.
func writePNG(path string, img image.Image) error {
	return writeFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
