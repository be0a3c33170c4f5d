package format

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// Fuzz targets: whatever the input, a loader returns drawings that pass
// Validate or an *Error whose one-line message begins with the file name,
// and never panics or hangs. Run each with, e.g.,
//
//	go test ./playback/format -run '^$' -fuzz FuzzSVG -fuzztime 30s

// checkLoaded holds every loader to its contract.
func checkLoaded(t *testing.T, name string, ds []*playback.Drawing, err error) {
	t.Helper()
	if err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is a %T, want *Error", err, err)
		}
		m := err.Error()
		if !strings.HasPrefix(m, name) || strings.ContainsAny(m, "\r\n") {
			t.Fatalf("message %q: want one line that begins with %q", m, name)
		}
		return
	}
	for _, d := range ds {
		if d == nil {
			t.Fatal("nil drawing without an error")
		}
		if verr := d.Validate(); verr != nil {
			t.Fatalf("invalid drawing: %v", verr)
		}
		if !(d.Width > 0 && d.Height > 0) || math.IsInf(d.Width, 0) || math.IsInf(d.Height, 0) {
			t.Fatalf("canvas %gx%g", d.Width, d.Height)
		}
		if len(d.T) > 0 && d.T[0] != 0 {
			t.Fatalf("first point at t=%g, want 0", d.T[0])
		}
	}
}

func addFiles(f *testing.F, pattern string, limit int) {
	files, _ := filepath.Glob(filepath.Join(realDir, pattern))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > limit {
			b = b[:limit]
		}
		f.Add(b)
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"format":"mbotdraw","version":1,"width":800,"height":600,"background":"#ffffff",
"strokes":[{"color":"#1e88e5","width":3,"points":[[10,20,0],[15,22,16.5]]}]}`))
	f.Add([]byte(`{"strokes":[{"points":[[1,2],[3,4]],"color":"#ff000080"},{"points":[[5,6]]}],"name":"x\u00e9"}`))
	f.Add([]byte(`{"version":1,"strokes":[{"points":[[1e7,-1e7,5],[0.5,1.5e-3,5e3]]}],"x":[{"a":[null,true,false]}]}`))
	var b bytes.Buffer
	_ = Encode(&b, JSON, playback.Generate(playback.GenOptions{Strokes: 3, PointsPerStroke: 4, Seed: 1}))
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeJSON("f.json", data, Options{})
		if err != nil {
			checkLoaded(t, "f.json", nil, err)
			return
		}
		checkLoaded(t, "f.json", []*playback.Drawing{d}, nil)
		// What loads saves and loads back the same.
		var out bytes.Buffer
		if err := Encode(&out, JSON, d); err != nil {
			t.Fatalf("saving what loaded: %v", err)
		}
		back, err := decodeJSON("back.json", out.Bytes(), Options{})
		if err != nil || !sameDrawing(back, d) {
			t.Fatalf("round trip: %v\n%s", err, out.Bytes())
		}
	})
}

func FuzzQuickDraw(f *testing.F) {
	addFiles(f, "quickdraw/simplified/*.ndjson", 3000)
	addFiles(f, "quickdraw/raw/[bc]*.ndjson", 3000)
	f.Add([]byte(`{"word":"x","key_id":"1","drawing":[[[1,2],[3,4],[0,5]]]}` + "\n" + `{"drawing":[]}`))
	f.Add([]byte(`[[[1,2,3],[4,5,6]],[[7],[8]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := decodeQuickDraw("f.ndjson", data, Options{}, selectAll)
		checkLoaded(t, "f.ndjson", ds, err)
		if err != nil {
			return
		}
		g := Gallery(ds)
		checkLoaded(t, "f.ndjson", []*playback.Drawing{g}, nil)
		one, err := decodeQuickDraw("f.ndjson", data, Options{Index: len(ds) - 1}, selectIndex)
		if err != nil || !sameDrawing(one[0], ds[len(ds)-1]) {
			t.Fatalf("the last drawing by index: %v", err)
		}
	})
}

// FuzzQuickDrawRead: reading an ndjson file a line at a time as it comes
// gives what decoding it from memory gives, drawings or error, with a
// small byte limit too (so that lines go over it).
func FuzzQuickDrawRead(f *testing.F) {
	addFiles(f, "quickdraw/simplified/*.ndjson", 3000)
	f.Add([]byte("\ufeff{\"word\":\"x\",\"key_id\":\"1\",\"drawing\":[[[1,2],[3,4],[0,5]]]}\r\n\n{\"drawing\":[]}"))
	f.Add([]byte(`{"drawing":[[[1],[2]]]}` + "\n" + `{"drawing":[[[1],[2e30]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if h := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"); len(h) == 0 || h[0] == '[' {
			return // empty, or a bare drawing array: decoded from memory
		}
		for _, o := range []Options{{}, {MaxPoints: 3}} {
			want, werr := decodeQuickDraw("f.ndjson", data, o, selectAll)
			got, n, err := readQuickDraw("f.ndjson", bytes.NewReader(data), int64(len(data)), o, selectAll, false)
			if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
				t.Fatalf("%+v: read: %v\ndecoded: %v", o, err, werr)
			}
			if err != nil {
				continue
			}
			if n != len(want) || len(got) != len(want) {
				t.Fatalf("%+v: read %d drawings (counted %d), decoded %d", o, len(got), n, len(want))
			}
			for i := range got {
				if !sameDrawing(got[i], want[i]) {
					t.Fatalf("%+v: drawing %d differs", o, i)
				}
			}
		}
	})
}

func FuzzSVG(f *testing.F) {
	addFiles(f, "svg/*/*.svg", 4000)
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g transform="rotate(30 5 5) skewX(10)" style="stroke:red">` +
		`<path d="M1 1h2v2H1zm5 5q1 1 2 0t2 0c1 1 2 2 3 0s1 1 2 0a2 1 30 1 0 1 1"/><rect x="1" y="1" width="5" height="3" rx="1"/>` +
		`<circle cx="5" cy="5" r="2"/><ellipse rx="1" ry="2"/><line x2="3"/><polyline points="1 1 2 2"/><polygon points="1,1 3,1 2,2"/></g></svg>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeSVG("f.svg", data, Options{})
		if err != nil {
			checkLoaded(t, "f.svg", nil, err)
			return
		}
		checkLoaded(t, "f.svg", []*playback.Drawing{d}, nil)
		// What loads saves as SVG and loads back with the same strokes.
		var out bytes.Buffer
		if err := Encode(&out, SVG, d); err != nil {
			t.Fatalf("saving what loaded: %v", err)
		}
		back, err := decodeSVG("back.svg", out.Bytes(), Options{})
		if err != nil {
			t.Fatalf("reading the saved SVG: %v", err)
		}
		if len(back.Strokes) != len(d.Strokes) || back.NumPoints() != d.NumPoints() {
			t.Fatalf("saved and reloaded: %d strokes %d points, want %d %d", len(back.Strokes), back.NumPoints(), len(d.Strokes), d.NumPoints())
		}
	})
}

// FuzzDecode sniffs and decodes under each name a dropped file may have.
func FuzzDecode(f *testing.F) {
	names := []string{"f", "f.json", "f.ndjson", "f.svg", "f.mbd.json", "f.png", "f.tldr", "f.excalidrawlib"}
	f.Add(uint8(0), []byte(`{"strokes":[]}`))
	f.Add(uint8(2), []byte(`{"drawing":[[[1],[2]]]}`))
	f.Add(uint8(3), []byte(`<svg><path d="M0 0L1 1"/></svg>`))
	f.Add(uint8(5), []byte("\x89PNG\r\n\x1a\n"))
	f.Add(uint8(7), []byte(`[[[1,2],[3,4]]]`))
	f.Add(uint8(1), []byte(`[[{"x":1,"y":2,"time":3}]]`))
	f.Add(uint8(1), []byte(`[{"type":"stroke","pointers":[{"x":1,"y":2}]}]`))
	f.Add(uint8(6), []byte(`{"document":{"pages":{"p":{"shapes":{"a":{"type":"draw","points":[[0,0]]}}}}}}`))
	f.Add(uint8(7), []byte(`{"type":"excalidrawlib","libraryItems":[{"elements":[{"type":"line","points":[[0,0],[1,1]]}]}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		Sniff(name, data)
		ds, err := Decode(name, data, Options{Gallery: which&0x80 != 0})
		checkLoaded(t, name, ds, err)
		if err == nil && len(ds) == 0 {
			t.Fatal("no drawings and no error")
		}
	})
}
