package format

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"image/color"
	"io"
	"strconv"
	"strings"

	"mbotdraw/playback"
)

// encodeSVG writes the drawing as SVG: a viewBox of the canvas and one
// <path> per stroke, with its colour and width. Times are not kept.
// Coordinates are written in the shortest form that reads back to the same
// float32.
func encodeSVG(w io.Writer, d *playback.Drawing) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	wd, ht := d.Width, d.Height
	if !(wd > 0) || !(ht > 0) {
		c := *d
		c.Width, c.Height = 0, 0
		fitCanvas(&c)
		wd, ht = c.Width, c.Height
	}
	num := func(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'g', -1, 64) }
	b := make([]byte, 0, 64<<10)
	b = append(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="`...)
	b = num(b, wd)
	b = append(b, `" height="`...)
	b = num(b, ht)
	b = append(b, `" viewBox="0 0 `...)
	b = num(b, wd)
	b = append(b, ' ')
	b = num(b, ht)
	b = append(b, `" style="background-color:`...)
	b = append(b, hexColor(color.RGBA{d.Background.R, d.Background.G, d.Background.B, 255})...)
	b = append(b, "\">\n"...)
	if d.Name != "" {
		var t bytes.Buffer
		_ = xml.EscapeText(&t, []byte(strings.ToValidUTF8(d.Name, "\uFFFD")))
		b = append(b, "<title>"...)
		b = append(b, t.Bytes()...)
		b = append(b, "</title>\n"...)
	}
	b = append(b, `<g fill="none" stroke-linecap="round" stroke-linejoin="round">`+"\n"...)
	for _, s := range d.Strokes {
		r, g, bl := unpremultiply(s.Color)
		b = append(b, `<path stroke="`...)
		b = append(b, hexColor(color.RGBA{r, g, bl, 255})...)
		b = append(b, '"')
		if s.Color.A != 255 {
			b = append(b, ` stroke-opacity="`...)
			b = strconv.AppendFloat(b, float64(s.Color.A)/255, 'g', 6, 64)
			b = append(b, '"')
		}
		b = append(b, ` stroke-width="`...)
		b = strconv.AppendFloat(b, float64(s.Width), 'g', -1, 32)
		b = append(b, `" d="`...)
		for i := s.Start; i < s.End; i++ {
			switch {
			case i == s.Start:
				b = append(b, 'M')
			case i == s.Start+1:
				b = append(b, 'L')
			default:
				b = append(b, ' ')
			}
			b = strconv.AppendFloat(b, float64(d.XY[2*i]), 'g', -1, 32)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, float64(d.XY[2*i+1]), 'g', -1, 32)
			if len(b) > 60<<10 {
				if _, err := bw.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		if s.Len() == 1 {
			b = append(b, 'Z') // a dot: a zero-length closed subpath shows its round cap
		}
		b = append(b, "\"/>\n"...)
	}
	b = append(b, "</g>\n</svg>\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}
