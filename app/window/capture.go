package window

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// outputPath returns a new file name in dir for a save from the window:
// mbotdraw-<drawing>-<date>-<time>.<ext>, with a counter when the name is
// taken.
func outputPath(dir, drawing, ext string, now time.Time) string {
	base := strings.TrimSuffix(filepath.Base(drawing), filepath.Ext(drawing))
	base = strings.TrimSuffix(base, ".mbd")
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '.':
			b.WriteByte('-')
		}
	}
	name := "mbotdraw"
	if b.Len() > 0 {
		name += "-" + b.String()
	}
	name += "-" + now.Format("20060102-150405")
	p := filepath.Join(dir, name+ext)
	for i := 2; ; i++ {
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return p
		}
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", name, i, ext))
	}
}
