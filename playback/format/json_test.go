package format

import (
	"bytes"
	"errors"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mbotdraw/playback"
)

func decodeOneJSON(t *testing.T, src string) *playback.Drawing {
	t.Helper()
	ds, err := Decode("t.mbd.json", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("%d drawings, want 1", len(ds))
	}
	if err := ds[0].Validate(); err != nil {
		t.Fatal(err)
	}
	return ds[0]
}

// TestJSONRead reads the DESIGN.md example and the variations a hand-made
// file may have.
func TestJSONRead(t *testing.T) {
	d := decodeOneJSON(t, `{"format": "mbotdraw", "version": 1, "width": 800, "height": 600,
 "background": "#ffffff",
 "strokes": [{"color": "#1e88e5", "width": 3, "points": [[10, 20, 0], [15, 22, 16.5]]}]}`)
	want := &playback.Drawing{Width: 800, Height: 600, Background: white, Timed: true,
		Strokes: []playback.Stroke{{Color: color.RGBA{0x1e, 0x88, 0xe5, 0xff}, Width: 3, Start: 0, End: 2}},
		XY:      []float32{10, 20, 15, 22}, T: []float32{0, 16.5}}
	if !sameDrawing(d, want) {
		t.Errorf("got %+v\nwant %+v", d, want)
	}

	// Times are moved so the first point is at 0; keys may come in any
	// order; unknown keys are skipped; colours may carry alpha (straight in
	// the file, premultiplied in memory).
	d = decodeOneJSON(t, `{"strokes": [{"points": [[1, 2, 1000], [3, 4, 1016]], "extra": {"a": [1, [2, {}]]},
	  "colour": "#ff000080", "width": 0.5}, {"points": [[5,6,1500.5]]}], "name": "two \u00e9\n", "version": 1,
	  "height": 50, "width": 40, "future": null}`)
	if d.T[0] != 0 || d.T[1] != 16 || d.T[2] != 500.5 {
		t.Errorf("times %v, want [0 16 500.5]", d.T)
	}
	if d.Strokes[0].Color != (color.RGBA{128, 0, 0, 128}) || d.Strokes[0].Width != 0.5 {
		t.Errorf("stroke 0: %+v", d.Strokes[0])
	}
	if d.Strokes[1].Color != black || d.Strokes[1].Width != DefaultStrokeWidth {
		t.Errorf("stroke 1 defaults: %+v", d.Strokes[1])
	}
	if d.Name != "two é\n" || d.Width != 40 || d.Height != 50 {
		t.Errorf("name %q size %gx%g", d.Name, d.Width, d.Height)
	}

	// Without times: times from the pen speed, untimed.
	d = decodeOneJSON(t, `{"strokes":[{"points":[[0,0],[400,0]]},{"points":[[0,10],[0,50]]}]}`)
	if d.Timed || d.T[1] != 1000 || d.T[2] != 1000+playback.DefaultStrokeGap || d.T[3] != 1100+playback.DefaultStrokeGap {
		t.Errorf("untimed: timed %v times %v", d.Timed, d.T)
	}
	// No size: a canvas around the points.
	if d.Width < 400 || d.Height < 50 {
		t.Errorf("canvas %gx%g does not hold the points", d.Width, d.Height)
	}
	ds, err := Decode("slow.json", []byte(`{"strokes":[{"points":[[0,0],[100,0]]}]}`), Options{PenSpeed: 50})
	if err != nil || ds[0].T[1] != 2000 {
		t.Errorf("PenSpeed 50: %v %v, want the second point at 2000 ms", err, ds)
	}

	// An empty drawing is a drawing.
	d = decodeOneJSON(t, `{"format":"mbotdraw","version":1,"strokes":[]}`)
	if len(d.Strokes) != 0 || d.Width <= 0 || d.Height <= 0 {
		t.Errorf("empty drawing: %+v", d)
	}
}

// TestJSONRoundTrip saves and reloads drawings: the drawing that comes back
// is the same, bit for bit, and saving it again gives the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	var cases []*playback.Drawing
	cases = append(cases, playback.Generate(playback.GenOptions{Strokes: 200, Seed: 7}))
	odd := playback.NewDrawing(123.456, 7e6)
	odd.Name = `quote " back \ tab 	 nl
 é 漢`
	odd.Background = color.RGBA{10, 20, 30, 40}
	odd.Timed = true
	odd.BeginStroke(color.RGBA{1, 2, 3, 4}, 0)
	odd.AddPoint(-1e7, 1e7, 0)
	odd.AddPoint(1.0000001, -0.1, 1e-3)
	odd.AddPoint(math.SmallestNonzeroFloat32, 3.4028235e+07/10, 1.6777217e7)
	odd.BeginStroke(color.RGBA{255, 0, 0, 255}, 1e4)
	odd.AddPoint(0, 0, 1.6777218e7)
	cases = append(cases, odd)
	for _, f := range []string{"quickdraw/raw/fish.ndjson", "quickdraw/simplified/fish.ndjson", "svg/vpype/arc_with_rotate.svg", "svg/kanjivg/09f8d.svg"} {
		ds, err := LoadAll(filepath.Join(realDir, f), Options{})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, ds...)
	}
	for i, d := range cases {
		var b1, b2 bytes.Buffer
		if err := Encode(&b1, JSON, d); err != nil {
			t.Fatal(err)
		}
		back, err := Decode("rt.json", b1.Bytes(), Options{})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !sameDrawing(back[0], d) {
			t.Fatalf("case %d (%s): the drawing changed in a JSON round trip", i, d.Name)
		}
		if err := Encode(&b2, JSON, back[0]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Fatalf("case %d: saving the reloaded drawing gives other bytes", i)
		}
	}
}

// TestSaveAtomic saves through a temporary file: a failed save leaves an
// existing file as it was and no stray files.
func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mbd.json")
	d := playback.Generate(playback.GenOptions{Strokes: 3, Seed: 1})
	if err := Save(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, Options{})
	if err != nil || !sameDrawing(got, d) {
		t.Fatalf("reloaded: %v", err)
	}
	before, _ := os.ReadFile(path)
	bad := d.Clone()
	bad.XY[0] = float32(math.NaN())
	err = Save(path, bad)
	var fe *Error
	if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), path) {
		t.Errorf("saving an invalid drawing: %v, want an *Error naming the file", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed save changed the existing file")
	}
	if err := Save(filepath.Join(dir, "x.png"), d); err == nil {
		t.Error("saving .png: no error")
	}
	if err := Save(filepath.Join(dir, "missing", "x.json"), d); err == nil {
		t.Error("saving into a missing folder: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("folder holds %d entries after the saves, want 1 (no temporary files)", len(ents))
	}
	svg := filepath.Join(dir, "out.svg")
	if err := Save(svg, d); err != nil {
		t.Fatal(err)
	}
	if f := Sniff(svg, mustRead(t, svg)); f != SVG {
		t.Errorf("saved .svg sniffs as %v", f)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFastNumber checks the one-pass number shortcut against strconv on
// random and tricky decimals, for float32 and float64.
func TestFastNumber(t *testing.T) {
	cases := []string{"0", "-0", "1", "-1", "0.5", "123.25", "16.666666", "1.0641689e+07", "1e22", "1e-22",
		"9007199254740993", "3.4028235e38", "3.4028236e38", "1.17549435e-38", "1e-45", "0.1", "0.3",
		"16777217", "16777216.5", "33554431", "2.5e-3", "1E5", "7.038531e-26", "1.00000005960464477539"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		v := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(20)-6))
		switch i % 4 {
		case 0:
			cases = append(cases, strconv.FormatFloat(v, 'g', -1, 32))
		case 1:
			cases = append(cases, strconv.FormatFloat(v, 'f', r.IntN(8), 64))
		case 2:
			cases = append(cases, strconv.FormatFloat(v, 'g', -1, 64))
		default:
			cases = append(cases, strconv.FormatFloat(float64(float32(v))+float64(math.Nextafter32(float32(v), 1e30)-float32(v))/2, 'g', -1, 64))
		}
	}
	for _, c := range cases {
		for _, bits := range []int{32, 64} {
			s := scanner{data: []byte(c + ","), end: len(c) + 1}
			got, _, err := s.number(bits)
			want, werr := strconv.ParseFloat(c, bits)
			if werr != nil {
				if err == nil {
					t.Errorf("%s (%d bits): got %g, strconv says %v", c, bits, got, werr)
				}
				continue
			}
			if err != nil || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s (%d bits): got %g (%v), want %g", c, bits, got, err, want)
			}
			if s.pos != len(c) {
				t.Fatalf("%s: consumed %d bytes, want %d", c, s.pos, len(c))
			}
		}
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name, data string
		want       Format
	}{
		{"a.json", `{"format":"mbotdraw"}`, JSON},
		{"a.txt", "\ufeff  {\"strokes\":[]}", JSON},
		{"a.json", `{"word":"cat","drawing":[[[1],[2]]]}`, QuickDraw},
		{"cat", `{"key_id":"1","drawing":[]}` + "\n" + `{"drawing":[]}`, QuickDraw},
		{"a.json", `[[[1,2],[3,4]]]`, QuickDraw},
		{"x", `<?xml version="1.0"?><svg/>`, SVG},
		{"x.json", `<svg xmlns="http://www.w3.org/2000/svg"></svg>`, SVG},
		{"x.svg", `<?xml version="1.0"?><!-- no svg yet -->`, SVG},
		{"x.xml", `<html></html>`, Unknown},
		{"x.png", "\x89PNG\r\n\x1a\n", Unknown},
		{"x.ndjson", "", QuickDraw},
		{"x.svg", "garbage", SVG},
		{"x.json", `{"a":1}`, JSON},
		{"x.ndjson", `{"a":1}`, QuickDraw},
		// Without a mark, the extension decides where its format can
		// begin so; a JSON object is otherwise mbotdraw JSON.
		{"x.svg", `{"a":1}`, JSON},
		{"x.inkml", `{"a":1}`, JSON},
		{"x.inkml", `<foo/>`, Unknown},
		{"x.inkml", `garbage`, InkML},
		{"x.tldr", `{"a":1}`, Tldraw},
		{"x.excalidraw", `{"a":1}`, Excalidraw},
		{"x.json", `<foo/>`, Unknown},
		{"x.svc", `{"a":1}`, JSON},
		{"x.svc", `12 x`, SVC},
		{"x.txt", `12 x`, Unknown},
		// The earliest mark wins.
		{"x.tldr", `{"strokes":[],"document":{}}`, JSON},
		{"x.json", `{"document":{},"strokes":[]}`, Tldraw},
		{"x.json", `{"type":"excalidraw","drawing":[]}`, Excalidraw},
		{"x.json", `<ink><svg/></ink>`, InkML},
		{"x.json", `[[{"x":1}]]`, WriteMath},
		{"x.json", `[ {"type":"stroke"}]`, MyScript},
		{"x.json", "4\n1 2 3 4 5 6 7\n", SVC},
	}
	for _, c := range cases {
		if got := Sniff(c.name, []byte(c.data)); got != c.want {
			t.Errorf("Sniff(%q, %q) = %v, want %v", c.name, c.data, got, c.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	cases := []struct {
		e    *Error
		want string
	}{
		{&Error{File: "a.json", Line: 3, Col: 7, Offset: 40, Err: errors.New("bad")}, "a.json:3:7: bad"},
		{&Error{File: "a.bin", Offset: 12, Err: errors.New("bad")}, "a.bin: byte 12: bad"},
		{&Error{File: "a.svg", Line: 2, Col: 1, Element: "<path d> element 3", Err: errors.New("bad\nthing")}, "a.svg:2:1: <path d> element 3: bad thing"},
		{&Error{File: "a.svg", Offset: -1, Element: "<path d> element 3", Err: errors.New("bad")}, "a.svg: <path d> element 3: bad"},
		{&Error{File: "a.ndjson", Offset: -1, Err: errors.New("no such drawing")}, "a.ndjson: no such drawing"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	inner := errors.New("x")
	if !errors.Is(&Error{Err: inner}, inner) {
		t.Error("Unwrap does not reach the cause")
	}
}

// TestLoadOptions: index and key_id on files that hold one drawing, and a
// file that does not exist.
func TestLoadOptions(t *testing.T) {
	svg := filepath.Join(realDir, "svg", "kanjivg", "06c38.svg")
	for _, o := range []Options{{Index: 1}, {KeyID: "123"}} {
		if _, err := Load(svg, o); err == nil || !strings.HasPrefix(err.Error(), svg+": ") {
			t.Errorf("Load(%+v) on an SVG: %v, want an error naming the file", o, err)
		}
	}
	qd := filepath.Join(realDir, "quickdraw", "simplified", "cat.ndjson")
	for _, o := range []Options{{Index: 25}, {Index: -1}, {KeyID: "nope"}} {
		_, err := Load(qd, o)
		var fe *Error
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), qd+": ") {
			t.Errorf("Load(%+v): %v, want an *Error naming the file", o, err)
		}
	}
	_, err := Load("no/such/file.json", Options{})
	var fe *Error
	if !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) || err.Error() != "no/such/file.json: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}
