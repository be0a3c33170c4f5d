package format

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"mbotdraw/playback"
)

// The real third-party drawings of testdata/real (see its SOURCES.md).
const realDir = "../../testdata/real"

// qdLine is one Quick, Draw! ndjson line, decoded generically by
// encoding/json: the independent count the loader is checked against.
type qdLine struct {
	Word    string        `json:"word"`
	KeyID   string        `json:"key_id"`
	Drawing [][][]float64 `json:"drawing"`
}

func readQuickDrawLines(t *testing.T, path string) []qdLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []qdLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l qdLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: encoding/json: %v", path, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRealQuickDraw loads every Quick, Draw! file and checks each drawing
// against the file decoded by encoding/json: stroke and point counts, the
// word, the geometry (the loader may only move a raw drawing as a whole)
// and the times (shifted so the first is 0). The totals are the ones
// SOURCES.md states.
func TestRealQuickDraw(t *testing.T) {
	totals := map[string][3]int{ // drawings, strokes, points (SOURCES.md)
		"raw":        {298, 1369, 53139},
		"simplified": {250, 1193, 11770},
	}
	for kind, want := range totals {
		files, err := filepath.Glob(filepath.Join(realDir, "quickdraw", kind, "*.ndjson"))
		if err != nil || len(files) != 10 {
			t.Fatalf("%s: found %d files (%v), want 10", kind, len(files), err)
		}
		var got [3]int
		for _, f := range files {
			lines := readQuickDrawLines(t, f)
			ds, err := LoadAll(f, Options{})
			if err != nil {
				t.Fatalf("LoadAll: %v", err)
			}
			if len(ds) != len(lines) {
				t.Fatalf("%s: %d drawings, encoding/json counts %d", f, len(ds), len(lines))
			}
			got[0] += len(ds)
			for i, d := range ds {
				l := lines[i]
				checkQuickDraw(t, f, i, d, l, kind == "raw")
				got[1] += len(d.Strokes)
				got[2] += d.NumPoints()
			}
		}
		if got != want {
			t.Errorf("%s: drawings, strokes, points = %v, SOURCES.md says %v", kind, got, want)
		}
	}
}

func checkQuickDraw(t *testing.T, file string, i int, d *playback.Drawing, l qdLine, raw bool) {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatalf("%s drawing %d: %v", file, i, err)
	}
	if d.Name != l.Word {
		t.Errorf("%s drawing %d: name %q, want %q", file, i, d.Name, l.Word)
	}
	if d.Timed != raw {
		t.Errorf("%s drawing %d: timed %v, want %v", file, i, d.Timed, raw)
	}
	if len(d.Strokes) != len(l.Drawing) {
		t.Fatalf("%s drawing %d: %d strokes, want %d", file, i, len(d.Strokes), len(l.Drawing))
	}
	if !raw && (d.Width != 256 || d.Height != 256) {
		t.Errorf("%s drawing %d: canvas %gx%g, want 256x256", file, i, d.Width, d.Height)
	}
	var dx, dy, t0 float64
	first := true
	for si, s := range d.Strokes {
		xs, ys := l.Drawing[si][0], l.Drawing[si][1]
		if s.Len() != len(xs) {
			t.Fatalf("%s drawing %d stroke %d: %d points, want %d", file, i, si, s.Len(), len(xs))
		}
		for k := 0; k < len(xs); k++ {
			p := d.Point(s.Start + k)
			if first {
				dx, dy = float64(p.X)-xs[0], float64(p.Y)-ys[0]
				if raw {
					t0 = l.Drawing[0][2][0]
				}
				first = false
			}
			if math.Abs(float64(p.X)-xs[k]-dx) > 1e-3 || math.Abs(float64(p.Y)-ys[k]-dy) > 1e-3 {
				t.Fatalf("%s drawing %d stroke %d point %d: (%g,%g), file (%g,%g) moved by (%g,%g)", file, i, si, k, p.X, p.Y, xs[k], ys[k], dx, dy)
			}
			if raw && float64(p.T) != l.Drawing[si][2][k]-t0 {
				t.Fatalf("%s drawing %d stroke %d point %d: t %g, want %g", file, i, si, k, p.T, l.Drawing[si][2][k]-t0)
			}
			if float64(p.X) < 0 || float64(p.Y) < 0 || float64(p.X) > d.Width || float64(p.Y) > d.Height {
				t.Fatalf("%s drawing %d: point (%g,%g) outside the %gx%g canvas", file, i, p.X, p.Y, d.Width, d.Height)
			}
		}
	}
	if !raw && (dx != 0 || dy != 0) {
		t.Errorf("%s drawing %d: simplified drawing moved by (%g,%g)", file, i, dx, dy)
	}
}

// realSVG lists each SVG file's subpaths (strokes), as SOURCES.md and the
// files' own structure state them, and, for files of straight absolute
// segments only, the points.
var realSVG = []struct {
	file    string
	strokes int
	points  int // 0: not counted (curves are flattened to a tolerance)
	w, h    float64
}{
	{"vpype/plotter.svg", 2694, 5388, 1760, 1084},           // one <path>, 2694 M…L sub-paths
	{"vpype/halftone_1600487839466.svg", 2464, 0, 310, 400}, // one <path>, 2464 sub-paths
	{"vpype/voronoi.svg", 453, 2441, 1428.4251968503938, 1122.5196850393702},
	{"vpype/circlelines_2.svg", 328, 0, 3363.7795, 3779.5276},
	{"vpype/a49n.svg", 73, 2503, 448.724, 400},
	{"vpype/all_shapes.svg", 7, 0, 1000, 1000}, // rect×2, circle, ellipse, line, polygon, polyline
	{"vpype/few_beziers.svg", 12, 0, 1000, 1000},
	{"vpype/arc_with_rotate.svg", 6, 0, 200, 200},
	{"kanjivg/06c38.svg", 5, 0, 109, 109},  // 永: one path per brush stroke
	{"kanjivg/05b57.svg", 6, 0, 109, 109},  // 字
	{"kanjivg/06f22.svg", 13, 0, 109, 109}, // 漢
	{"kanjivg/0611b.svg", 13, 0, 109, 109}, // 愛
	{"kanjivg/09f8d.svg", 16, 0, 109, 109}, // 龍
}

// TestRealSVG loads every SVG file and checks its strokes against the
// table, and the table against an independent count of the file: the
// subpaths of every d attribute, counted from its command letters, plus the
// basic shapes.
func TestRealSVG(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "svg", "*", "*.svg"))
	if len(files) != len(realSVG) {
		t.Errorf("testdata holds %d SVG files, the table %d", len(files), len(realSVG))
	}
	for _, c := range realSVG {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(realDir, "svg", c.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			strokes, points := countSVG(data)
			if strokes != c.strokes {
				t.Errorf("independent count: %d subpaths, table says %d", strokes, c.strokes)
			}
			if c.points != 0 && points != c.points {
				t.Errorf("independent count: %d points, table says %d", points, c.points)
			}
			d, err := Load(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(d.Strokes) != c.strokes {
				t.Errorf("loaded %d strokes, want %d", len(d.Strokes), c.strokes)
			}
			if c.points != 0 && d.NumPoints() != c.points {
				t.Errorf("loaded %d points, want %d", d.NumPoints(), c.points)
			}
			if d.NumPoints() < len(d.Strokes) {
				t.Errorf("%d points for %d strokes", d.NumPoints(), len(d.Strokes))
			}
			if math.Abs(d.Width-c.w) > 1e-9 || math.Abs(d.Height-c.h) > 1e-9 {
				t.Errorf("canvas %gx%g, want %gx%g", d.Width, d.Height, c.w, c.h)
			}
			if d.Timed || d.Duration() <= 0 {
				t.Errorf("timed %v, duration %g: want assigned times", d.Timed, d.Duration())
			}
		})
	}
}

var (
	reD      = regexp.MustCompile(`\sd\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	reShape  = regexp.MustCompile(`<(?:line|polyline|polygon|rect|circle|ellipse)[\s/>]`)
	rePathTk = regexp.MustCompile(`[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`)
)

// countSVG counts, without the loader, the subpaths that draw something:
// a moveto followed by a drawing command, by more coordinates (implicit
// lineto) or by a closepath; and a drawing command right after a closepath.
// Basic shapes are one subpath each. For paths of absolute M, L and Z only
// it also counts the points: one per coordinate pair, plus one for a Z that
// returns to a different point.
func countSVG(data []byte) (subpaths, points int) {
	for _, m := range reD.FindAllSubmatch(data, -1) {
		d := append(m[1], m[2]...)
		toks := rePathTk.FindAll(d, -1)
		var cmd byte
		nums := 0       // numbers since the last command letter
		drew := false   // the current subpath has drawn
		afterZ := false // the last command was a closepath
		var first, last [2]string
		var pair []string
		for _, tk := range toks {
			c := tk[0]
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
				switch {
				case c == 'M' || c == 'm':
					if drew {
						subpaths++
					}
					drew, afterZ = false, false
				case c == 'Z' || c == 'z':
					if !afterZ {
						drew = true
						if first != last && !zeroDiff(first, last) {
							points++
						}
					}
					afterZ = true
				default:
					if afterZ {
						subpaths++ // a new subpath from the closed one's start
						afterZ = false
					}
					drew = true
				}
				cmd, nums = c, 0
				continue
			}
			nums++
			if (cmd == 'M' || cmd == 'm') && nums > 2 {
				drew = true
			}
			pair = append(pair, string(tk))
			if len(pair) == 2 {
				points++
				if cmd == 'M' && nums == 2 {
					first = [2]string{pair[0], pair[1]}
				}
				last = [2]string{pair[0], pair[1]}
				pair = pair[:0]
			}
		}
		if drew {
			subpaths++
		}
	}
	shapes := len(reShape.FindAll(data, -1))
	return subpaths + shapes, points
}

// zeroDiff reports whether two coordinate pairs are the same numbers
// written differently ("200" and "200.0").
func zeroDiff(a, b [2]string) bool {
	for i := range a {
		x, err1 := strconv.ParseFloat(a[i], 64)
		y, err2 := strconv.ParseFloat(b[i], 64)
		if err1 != nil || err2 != nil || x != y {
			return false
		}
	}
	return true
}

// TestRealSelection picks Quick, Draw! drawings by index and by key_id and
// lays a file out as a gallery.
func TestRealSelection(t *testing.T) {
	path := filepath.Join(realDir, "quickdraw", "raw", "cat.ndjson")
	lines := readQuickDrawLines(t, path)
	all, err := LoadAll(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 7, len(lines) - 1} {
		d, err := Load(path, Options{Index: i})
		if err != nil {
			t.Fatal(err)
		}
		checkQuickDraw(t, path, i, d, lines[i], true)
		k, err := Load(path, Options{KeyID: lines[i].KeyID})
		if err != nil {
			t.Fatal(err)
		}
		if !sameDrawing(k, all[i]) || !sameDrawing(d, all[i]) {
			t.Errorf("drawing %d by index or by key_id %s differs from LoadAll's", i, lines[i].KeyID)
		}
	}
	g, err := Load(path, Options{Gallery: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	strokes, points, dur := 0, 0, 0.0
	for _, d := range all {
		strokes += len(d.Strokes)
		points += d.NumPoints()
		dur += d.Duration()
	}
	if len(g.Strokes) != strokes || g.NumPoints() != points || !g.Timed {
		t.Errorf("gallery: %d strokes %d points timed %v, want %d, %d, true", len(g.Strokes), g.NumPoints(), g.Timed, strokes, points)
	}
	// Drawings play one after another: the gallery lasts as long as all of
	// them, plus the pauses between them.
	if want := dur + float64(len(all)-1)*galleryGap; math.Abs(g.Duration()-want) > 1 {
		t.Errorf("gallery lasts %g ms, want %g", g.Duration(), want)
	}
	// 25 drawings: a 5x5 grid; every drawing inside its own cell.
	if g.Width != 5*QuickDrawCell || g.Height != 5*QuickDrawCell {
		t.Errorf("gallery canvas %gx%g, want 1280x1280", g.Width, g.Height)
	}
	si := 0
	for i, d := range all {
		cx, cy := float32(i%5*QuickDrawCell), float32(i/5*QuickDrawCell)
		for range d.Strokes {
			s := g.Strokes[si]
			for j := s.Start; j < s.End; j++ {
				p := g.Point(j)
				if p.X < cx || p.X > cx+QuickDrawCell || p.Y < cy || p.Y > cy+QuickDrawCell {
					t.Fatalf("drawing %d: point (%g,%g) outside its cell at (%g,%g)", i, p.X, p.Y, cx, cy)
				}
			}
			si++
		}
	}
	if ds, err := LoadAll(path, Options{Gallery: true}); err != nil || len(ds) != 1 || !sameDrawing(ds[0], g) {
		t.Errorf("LoadAll with Gallery: %d drawings, %v; want the gallery", len(ds), err)
	}
}

func sameDrawing(a, b *playback.Drawing) bool {
	if a.Width != b.Width || a.Height != b.Height || a.Background != b.Background || a.Name != b.Name ||
		a.Timed != b.Timed || len(a.Strokes) != len(b.Strokes) || len(a.XY) != len(b.XY) || len(a.T) != len(b.T) {
		return false
	}
	for i := range a.Strokes {
		if a.Strokes[i] != b.Strokes[i] {
			return false
		}
	}
	for i := range a.XY {
		if math.Float32bits(a.XY[i]) != math.Float32bits(b.XY[i]) {
			return false
		}
	}
	for i := range a.T {
		if math.Float32bits(a.T[i]) != math.Float32bits(b.T[i]) {
			return false
		}
	}
	return true
}
