package format

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// The app ink files of testdata/real/apps, checked against counts made
// independently by encoding/json.

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: encoding/json: %v", path, err)
	}
}

// inkPt is a point as write-math and MyScript write it.
type inkPt struct {
	X, Y float64
	T    *float64 `json:"t"`
	Time *float64 `json:"time"`
}

// checkInk checks a loaded drawing against the file's strokes: the same
// strokes and points, moved as a whole, inside the canvas.
func checkInk(t *testing.T, file string, d *playback.Drawing, strokes [][]inkPt) {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(d.Strokes) != len(strokes) {
		t.Fatalf("%s: %d strokes, encoding/json counts %d", file, len(d.Strokes), len(strokes))
	}
	dx, dy := float64(d.XY[0])-strokes[0][0].X, float64(d.XY[1])-strokes[0][0].Y
	for si, s := range d.Strokes {
		if s.Len() != len(strokes[si]) {
			t.Fatalf("%s stroke %d: %d points, encoding/json counts %d", file, si, s.Len(), len(strokes[si]))
		}
		for k, want := range strokes[si] {
			p := d.Point(s.Start + k)
			if math.Abs(float64(p.X)-want.X-dx) > 1e-3 || math.Abs(float64(p.Y)-want.Y-dy) > 1e-3 {
				t.Fatalf("%s stroke %d point %d: (%g,%g), file (%g,%g) moved by (%g,%g)", file, si, k, p.X, p.Y, want.X, want.Y, dx, dy)
			}
			if p.X < 0 || p.Y < 0 || float64(p.X) > d.Width || float64(p.Y) > d.Height {
				t.Fatalf("%s: point (%g,%g) outside the %gx%g canvas", file, p.X, p.Y, d.Width, d.Height)
			}
		}
	}
}

// TestRealWriteMath: every write-math file loads with its strokes and
// points; times are the file's, from 0; the damaged variants load, their
// clock glitches repaired.
func TestRealWriteMath(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "apps", "writemath", "*.json"))
	if len(files) != 7 {
		t.Fatalf("%d write-math files, want 7", len(files))
	}
	for _, f := range files {
		var strokes [][]inkPt
		readJSON(t, f, &strokes)
		if Sniff(f, realFile(t, strings.TrimPrefix(f, realDir+"/"))) != WriteMath {
			t.Errorf("%s: not sniffed as write-math", f)
		}
		d, err := Load(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkInk(t, f, d, strokes)
		if !d.Timed {
			t.Errorf("%s: untimed", f)
		}
		if strings.Contains(f, "-") {
			continue // the damaged variants: below
		}
		t0 := *strokes[0][0].Time
		for si, s := range d.Strokes {
			for k := range s.Len() {
				if want := *strokes[si][k].Time - t0; float64(d.T[s.Start+k]) != want {
					t.Fatalf("%s stroke %d point %d: t %g, want %g", f, si, k, d.T[s.Start+k], want)
				}
			}
		}
		if dur := d.Duration(); dur < 1800 || dur > 4500 {
			t.Errorf("%s: lasts %g ms, SOURCES.md says 1.9–4.5 s", f, dur)
		}
	}
	// The damaged variants play about as long as the good recording: a
	// glitched step becomes the median step, not a 9-year pause.
	good, err := Load(filepath.Join(realDir, "apps", "writemath", "97705.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"dupe-time", "low-time", "wild-point"} {
		d, err := Load(filepath.Join(realDir, "apps", "writemath", "97705-"+v+".json"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := math.Abs(d.Duration() - good.Duration()); diff > 100 {
			t.Errorf("%s lasts %g ms, the good recording %g", v, d.Duration(), good.Duration())
		}
	}
}

func TestWriteMathClock(t *testing.T) {
	cases := []struct {
		src  string
		want []float32
	}{
		{`[[{"x":0,"y":0,"time":1000},{"x":1,"y":1,"time":1010}],[{"x":2,"y":2,"time":1030}]]`, []float32{0, 10, 30}},
		{`[[{"x":0,"y":0,"time":5},{"x":1,"y":1,"time":1010},{"x":1,"y":1,"time":1010},{"x":1,"y":1,"time":1050}]]`, []float32{0, 1005, 1005, 1045}}, // a second's pause and a repeated time are kept
		{`[[{"x":0,"y":0,"time":1000},{"x":1,"y":1,"time":1010},{"x":2,"y":2,"time":1030},{"x":9,"y":9,"time":3}]]`, []float32{0, 10, 30, 50}},       // back in time: the median step (20)
		{`[[{"x":0,"y":0,"time":0},{"x":1,"y":1,"time":1e12},{"x":2,"y":2,"time":1000000000010}]]`, []float32{0, 10, 20}},                            // years ahead
		{`[[{"x":0,"y":0},{"x":1,"y":1}]]`, nil}, // untimed
	}
	for _, c := range cases {
		ds, err := Decode("w.json", []byte(c.src), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		d := ds[0]
		if c.want == nil {
			if d.Timed || d.Duration() <= 0 {
				t.Errorf("%s: timed %v, duration %g; want assigned times", c.src, d.Timed, d.Duration())
			}
			continue
		}
		if !d.Timed || len(d.T) != len(c.want) {
			t.Fatalf("%s: timed %v, %d times", c.src, d.Timed, len(d.T))
		}
		for i := range c.want {
			if d.T[i] != c.want[i] {
				t.Errorf("%s: times %v, want %v", c.src, d.T, c.want)
				break
			}
		}
	}
}

// msJSON is a MyScript item as encoding/json reads it.
type msJSON struct {
	Type  string
	Style struct {
		Color string
		Width float64
	}
	Pointers []inkPt
}

// TestRealMyScript: every MyScript file loads its strokes (shapes
// skipped), timed from 0 when the file has times, timed from the pen
// speed when not.
func TestRealMyScript(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "apps", "myscript-iink", "*.json"))
	if len(files) != 6 {
		t.Fatalf("%d MyScript files, want 6", len(files))
	}
	wantStrokes := map[string]int{"hello-my-friend": 10, "diagram-with-shape": 1, "covfefe": 9, "equation": 9, "threeScratchOut": 2, "ja_JP-1Column": 32}
	for _, f := range files {
		var items []msJSON
		readJSON(t, f, &items)
		var strokes [][]inkPt
		var colors []string
		for _, it := range items {
			if it.Type == "stroke" {
				strokes = append(strokes, it.Pointers)
				colors = append(colors, it.Style.Color)
			}
		}
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		if len(strokes) != wantStrokes[base] {
			t.Errorf("%s: encoding/json counts %d strokes, SOURCES.md says %d", base, len(strokes), wantStrokes[base])
		}
		d, err := Load(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkInk(t, f, d, strokes)
		timed := strokes[0][0].T != nil
		if d.Timed != timed {
			t.Errorf("%s: timed %v, want %v", base, d.Timed, timed)
		}
		for si, s := range d.Strokes {
			if c := colors[si]; c != "" && hexColor(s.Color) != c {
				t.Errorf("%s stroke %d: colour %s, want %s", base, si, hexColor(s.Color), c)
			}
		}
		if timed {
			t0 := *strokes[0][0].T
			for si, s := range d.Strokes {
				for k := range s.Len() {
					if want := *strokes[si][k].T - t0; math.Abs(float64(d.T[s.Start+k])-want) > 1e-3*want {
						t.Fatalf("%s stroke %d point %d: t %g, want %g", base, si, k, d.T[s.Start+k], want)
					}
				}
			}
		} else if d.Duration() <= 0 {
			t.Errorf("%s: no times assigned", base)
		}
	}
	d, err := Load(filepath.Join(realDir, "apps", "myscript-iink", "hello-my-friend.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.NumPoints() != 422 || math.Abs(d.Duration()-58700) > 100 {
		t.Errorf("hello-my-friend: %d points over %g ms, SOURCES.md says 422 over 58.7 s", d.NumPoints(), d.Duration())
	}
}

// TestRealTldraw: the example document's draw shapes, with its 1-point
// dot and without its 0-point shape, plus the rectangle and ellipse
// outlines.
func TestRealTldraw(t *testing.T) {
	f := filepath.Join(realDir, "apps", "tldraw-v1", "Example.tldr")
	var doc struct {
		Document struct {
			Pages map[string]struct {
				Shapes map[string]struct {
					Type   string
					Point  [2]float64
					Points [][]float64
				}
			}
		}
	}
	readJSON(t, f, &doc)
	draws, points, outlines := 0, 0, 0
	var counts []int
	for _, s := range doc.Document.Pages["page"].Shapes {
		switch s.Type {
		case "draw":
			if len(s.Points) > 0 {
				draws++
				points += len(s.Points)
			}
			counts = append(counts, len(s.Points))
		case "rectangle", "ellipse":
			outlines++
		}
	}
	if draws != 6 || points != 2+3+69+50+1+34 || outlines != 2 {
		t.Errorf("encoding/json counts %d draw shapes (%v) of %d points and %d outlines", draws, counts, points, outlines)
	}
	d, err := Load(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(d.Strokes) != draws+outlines || d.Timed || d.Duration() <= 0 || d.Name != "Page 1" {
		t.Errorf("%d strokes (want %d), timed %v, duration %g, name %q", len(d.Strokes), draws+outlines, d.Timed, d.Duration(), d.Name)
	}
	// File order: the rectangle (5 points), then the draw shapes; the
	// 1-point shape is a one-point stroke.
	var lens []int
	for _, s := range d.Strokes {
		lens = append(lens, s.Len())
	}
	if lens[0] != 5 || lens[1] != 2 || lens[2] != 3 || lens[3] != 69 || lens[5] != 50 || lens[6] != 1 || lens[7] != 34 {
		t.Errorf("stroke lengths %v", lens)
	}
	if d.Strokes[1].Color != (tldrawColors["black"]) || d.Strokes[1].Width != 2 {
		t.Errorf("stroke 1: %+v, want tldraw black, small (2)", d.Strokes[1])
	}
	// The ellipse outline: a closed loop round the smiley's centre.
	e := strokePoints(d, 4)
	if !near(e[0], e[len(e)-1], 1e-3) || len(e) < 16 {
		t.Errorf("ellipse: %d points from %v to %v", len(e), e[0], e[len(e)-1])
	}
	if _, err := Load(f, Options{Index: 1}); err == nil || !strings.Contains(err.Error(), "holds 1 drawing") {
		t.Errorf("index 1 of a one-page file: %v", err)
	}
}

// TestRealExcalidraw: both library layouts; each item a drawing.
func TestRealExcalidraw(t *testing.T) {
	type elem struct {
		Type      string
		IsDeleted bool
		Points    [][]float64
	}
	var v2 struct {
		LibraryItems []struct{ Elements []elem }
	}
	var v1 struct{ Library [][]elem }
	f2 := filepath.Join(realDir, "apps", "excalidraw", "kwirke_some-handdrawn-signs.excalidrawlib")
	f1 := filepath.Join(realDir, "apps", "excalidraw", "swissarmysam_maps.excalidrawlib")
	readJSON(t, f2, &v2)
	readJSON(t, f1, &v1)
	var items [][]elem
	for _, it := range v2.LibraryItems {
		items = append(items, it.Elements)
	}
	cases := []struct {
		file  string
		items [][]elem
		free  [2]int // freedraw elements and points (SOURCES.md)
	}{{f2, items, [2]int{3, 102}}, {f1, v1.Library, [2]int{64, 1190}}}
	for _, c := range cases {
		ds, err := LoadAll(c.file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != len(c.items) {
			t.Fatalf("%s: %d drawings, encoding/json counts %d items", c.file, len(ds), len(c.items))
		}
		var free [2]int
		for i, d := range ds {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			strokes, linePts := 0, 0
			for _, e := range c.items[i] {
				switch {
				case e.IsDeleted:
				case e.Type == "freedraw" || e.Type == "line" || e.Type == "arrow":
					strokes++
					linePts += len(e.Points)
					if e.Type == "freedraw" {
						free[0]++
						free[1] += len(e.Points)
					}
				case e.Type == "rectangle" || e.Type == "diamond" || e.Type == "ellipse":
					strokes++
					linePts += 5 // at least: a closed outline
				}
			}
			if len(d.Strokes) != strokes || d.NumPoints() < linePts || d.Timed {
				t.Errorf("%s item %d: %d strokes %d points timed %v, want %d strokes, ≥%d points, untimed", c.file, i, len(d.Strokes), d.NumPoints(), d.Timed, strokes, linePts)
			}
		}
		if free != c.free {
			t.Errorf("%s: encoding/json counts %v freedraw elements and points, SOURCES.md says %v", c.file, free, c.free)
		}
		g, err := Load(c.file, Options{Gallery: true})
		if err != nil || g.Validate() != nil {
			t.Fatalf("gallery: %v", err)
		}
		last, err := Load(c.file, Options{Index: len(ds) - 1})
		if err != nil || !sameDrawing(last, ds[len(ds)-1]) {
			t.Errorf("the last item by index: %v", err)
		}
	}
	// The kwirke signs: red freedraw, points relative to x, y.
	d, _ := Load(f2, Options{})
	if hexColor(d.Strokes[0].Color) != "#c92a2a" || d.Strokes[0].Width != 1 {
		t.Errorf("stroke 0: %+v, want #c92a2a, width 1", d.Strokes[0])
	}
}

// TestInkShapes: outlines, rotation and skipped elements, on small files.
func TestInkShapes(t *testing.T) {
	src := `{"type":"excalidraw","elements":[
		{"type":"rectangle","x":10,"y":20,"width":30,"height":40,"strokeColor":"#ff0000","strokeWidth":2},
		{"type":"diamond","x":0,"y":0,"width":10,"height":10,"angle":0},
		{"type":"line","x":100,"y":100,"points":[[0,0],[10,0]],"angle":1.5707963267948966},
		{"type":"text","x":1,"y":1,"text":"hi"},
		{"type":"freedraw","x":5,"y":5,"points":[[0,0],[1,1]],"isDeleted":true},
		{"type":"freedraw","x":5,"y":5,"points":[[0,0],[1,1]],"strokeColor":"transparent"},
		{"type":"freedraw","x":5,"y":5,"points":[[0,0],[1,1]],"opacity":50,"strokeColor":"#000"}]}`
	ds, err := Decode("s.excalidraw", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	if len(d.Strokes) != 4 {
		t.Fatalf("%d strokes, want 4 (text, deleted and transparent skipped)", len(d.Strokes))
	}
	// Undo the placement: the rectangle's first corner was (10, 20).
	p0 := strokePoints(d, 0)[0]
	dx, dy := p0[0]-10, p0[1]-20
	mv := func(pts [][2]float64) [][2]float64 {
		for i := range pts {
			pts[i] = [2]float64{pts[i][0] - dx, pts[i][1] - dy}
		}
		return pts
	}
	wantPoints(t, "rectangle", mv(strokePoints(d, 0)), [][2]float64{{10, 20}, {40, 20}, {40, 60}, {10, 60}, {10, 20}})
	wantPoints(t, "diamond", mv(strokePoints(d, 1)), [][2]float64{{5, 0}, {10, 5}, {5, 10}, {0, 5}, {5, 0}})
	wantPoints(t, "line turned a quarter about its centre", mv(strokePoints(d, 2)), [][2]float64{{105, 95}, {105, 105}})
	if d.Strokes[0].Color != (premultiply(255, 0, 0, 255)) || d.Strokes[0].Width != 2 || d.Strokes[3].Color != premultiply(0, 0, 0, 128) {
		t.Errorf("styles: %+v, %+v", d.Strokes[0], d.Strokes[3])
	}
}

// TestSniffApps: the content decides, whatever the name.
func TestSniffApps(t *testing.T) {
	cases := []struct {
		data string
		want Format
	}{
		{`[[{"x":1,"y":2,"time":3}]]`, WriteMath},
		{` [ [ { "x":1}]]`, WriteMath},
		{`[{"type":"stroke","pointers":[]}]`, MyScript},
		{`[[[1,2],[3,4]]]`, QuickDraw},
		{`[]`, QuickDraw},
		{`{"name":"x","document":{"pages":{}}}`, Tldraw},
		{`{"type":"excalidrawlib","version":2}`, Excalidraw},
		{`{"type": "excalidraw", "elements":[]}`, Excalidraw},
		{`{"format":"mbotdraw","name":"excalidraw","strokes":[]}`, JSON},
		{`{"format":"excalidraw","strokes":[]}`, JSON},
		{`{"word":"cat","drawing":[]}`, QuickDraw},
	}
	for _, c := range cases {
		for _, name := range []string{"x.json", "x", "x.svg"} {
			if got := Sniff(name, []byte(c.data)); got != c.want {
				t.Errorf("Sniff(%q, %s) = %s, want %s", name, c.data, got, c.want)
			}
		}
	}
}

// TestBadInk: broken app files give one-line errors that name the file and
// the place.
func TestBadInk(t *testing.T) {
	cases := []struct {
		name, file, data, place, msg string
	}{
		{"writemath truncated", "w.json", `[[{"x":1,"y":2,"time":3},{"x":`, `:1:31`, `expected a number, found end of input`},
		{"writemath x a string", "w.json", `[[{"x":"1","y":2}]]`, `:1:8`, `expected a number, found '"'`},
		{"writemath no y", "w.json", `[[{"x":1}]]`, `:1:3`, `the point has no "x" or no "y"`},
		{"writemath empty stroke", "w.json", `[[{"x":1,"y":1}],[]]`, `:1:18`, `stroke 1 has no points`},
		{"writemath mixed times", "w.json", "[[{\"x\":1,\"y\":1,\"time\":5},\n{\"x\":1,\"y\":1}]]", `:2:1`, `stroke 0 point 1: some points have a time and some do not`},
		{"writemath NaN", "w.json", `[[{"x":NaN,"y":1}]]`, `:1:8`, `expected a number, found 'N'`},
		{"writemath huge", "w.json", `[[{"x":1e9,"y":1}]]`, `:1:8`, `x 1e\+09 is beyond ±1e7`},
		{"writemath huge time", "w.json", `[[{"x":1,"y":1,"time":1e300}]]`, `:1:23`, `time 1e\+300 ms is out of range`},
		{"writemath trailing", "w.json", `[[{"x":1,"y":1}]] x`, `:1:19`, `unexpected 'x' after the drawing`},
		{"myscript truncated", "m.json", `[{"type":"stroke","pointers":[{"x":1,"y":2,"t":3}`, `:1:50`, `expected ',' or '\]'`},
		{"myscript pointers an object", "m.json", `[{"type":"stroke","pointers":{}}]`, `:1:30`, `expected '\[' to begin the pointers`},
		{"myscript no points", "m.json", `[{"type":"stroke","pointers":[]}]`, `:1:2`, `stroke 0 has no points`},
		{"myscript decreasing", "m.json", "[{\"type\":\"stroke\",\"pointers\":[{\"x\":1,\"y\":2,\"t\":100},\n{\"x\":1,\"y\":2,\"t\":50}]}]", `:2:18`, `stroke 0 point 1: time 50 ms is before the previous point's 100 ms`},
		{"myscript bad colour", "m.json", `[{"type":"stroke","style":{"color":"red"},"pointers":[]}]`, `:1:36`, `colour "red" is not`},
		{"myscript huge width", "m.json", `[{"type":"stroke","style":{"width":1e30}}]`, `:1:36`, `stroke width 1e\+30 is out of range`},
		{"tldraw truncated", "t.tldr", `{"document":{"pages":{"p":{"shapes":{"a":{"type":"draw","point":[1,`, `:1:68`, `expected a number, found end of input`},
		{"tldraw point a string", "t.tldr", `{"document":{"pages":{"p":{"shapes":{"a":{"type":"draw","point":"x"}}}}}}`, `:1:65`, `expected '\[' to begin the point`},
		{"tldraw short point", "t.tldr", `{"document":{"pages":{"p":{"shapes":{"a":{"type":"draw","points":[[1]]}}}}}}`, `:1:67`, `point 0 has 1 numbers`},
		{"tldraw huge", "t.tldr", `{"document":{"pages":{"p":{"shapes":{"a":{"type":"rectangle","point":[9e6,0],"size":[9e6,1]}}}}}}`, `:1:42`, `rectangle 0: point \(1\.8e\+07, 0\) is beyond ±1e7`},
		{"tldraw no pages", "t.tldr", `{"document":{}}`, ``, `no tldraw pages`},
		{"tldraw NaN rotation", "t.tldr", `{"document":{"pages":{"p":{"shapes":{"a":{"rotation":NaN}}}}}}`, `:1:54`, `expected a number`},
		{"excalidraw truncated", "e.excalidrawlib", `{"type":"excalidrawlib","libraryItems":[{"elements":[{"type":"freedraw","x":`, `:1:77`, `expected a number, found end of input`},
		{"excalidraw library not a list", "e.excalidrawlib", `{"type":"excalidrawlib","library":{}}`, `:1:35`, `expected '\[' to begin the library`},
		{"excalidraw bad opacity", "e.excalidrawlib", `{"type":"excalidraw","elements":[{"opacity":500}]}`, `:1:45`, `opacity 500 is out of range`},
		{"excalidraw huge", "e.excalidrawlib", `{"type":"excalidraw","elements":[{"type":"line","x":1e300,"points":[[0,0]]}]}`, `:1:53`, `x 1e\+300 is beyond`},
		{"excalidraw empty", "e.excalidrawlib", `{"type":"excalidrawlib"}`, ``, `no Excalidraw elements`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := decodeWithin(t, c.file, []byte(c.data))
			checkBad(t, c.file, err, c.place, c.msg)
		})
	}
	// Truncated real files: an error, never a panic or an invalid drawing.
	for _, rel := range []string{"apps/writemath/97705.json", "apps/myscript-iink/equation.json", "apps/tldraw-v1/Example.tldr", "apps/excalidraw/kwirke_some-handdrawn-signs.excalidrawlib"} {
		b := realFile(t, rel)
		for _, n := range []int{len(b) / 3, len(b) / 2, len(b) - 2} {
			err := decodeWithin(t, filepath.Base(rel), b[:n])
			checkBad(t, filepath.Base(rel), err, `:\d+:\d+`, `.`)
		}
	}
}
