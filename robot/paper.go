package robot

import (
	"fmt"
	"strconv"
	"strings"
)

// paperSizes are the named sizes ParsePaper knows, portrait, in mm.
var paperSizes = map[string][2]float64{
	"a3": {297, 420}, "a4": {210, 297}, "a5": {148, 210},
	"letter": {215.9, 279.4}, "legal": {215.9, 355.6},
}

// ParsePaper parses a paper size: "WxH" or "WxHmm" in millimetres
// ("210x297mm"), or a name (A3, A4, A5, letter, legal), portrait, with an
// optional "-landscape" suffix ("A4-landscape").
func ParsePaper(s string) (w, h float64, err error) {
	t := strings.ToLower(strings.TrimSpace(s))
	landscape := false
	if base, ok := strings.CutSuffix(t, "-landscape"); ok {
		t, landscape = base, true
	}
	if sz, ok := paperSizes[t]; ok {
		w, h = sz[0], sz[1]
	} else {
		ws, hs, ok := strings.Cut(strings.TrimSuffix(t, "mm"), "x")
		if !ok {
			return 0, 0, fmt.Errorf("paper %q: want WxH in mm (210x297mm) or A3, A4, A5, letter, legal", s)
		}
		w, err = strconv.ParseFloat(strings.TrimSpace(ws), 64)
		if err == nil {
			h, err = strconv.ParseFloat(strings.TrimSpace(hs), 64)
		}
		if err != nil || !(w >= 10 && h >= 10 && w <= 10000 && h <= 10000) {
			return 0, 0, fmt.Errorf("paper %q: width and height must be numbers from 10 to 10000 mm", s)
		}
	}
	if landscape {
		w, h = h, w
	}
	return w, h, nil
}
