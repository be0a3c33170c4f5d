package format

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"mbotdraw/playback"
)

// million writes a generated drawing of about 1,000,000 points as mbotdraw
// JSON into dir and returns its path and point count.
func million(tb testing.TB, dir string) (string, int) {
	tb.Helper()
	d := playback.Generate(playback.GenOptions{Strokes: 33000, Seed: 1})
	var buf bytes.Buffer
	if err := Encode(&buf, JSON, d); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "million.mbd.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, d.NumPoints()
}

// BenchmarkLoadJSON1M loads a 1,000,000-point mbotdraw JSON file from disk
// (the whole Load: read, parse, check). The budget is 0.5 s.
func BenchmarkLoadJSON1M(b *testing.B) {
	path, n := million(b, b.TempDir())
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Load(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if d.NumPoints() != n {
			b.Fatalf("loaded %d points, want %d", d.NumPoints(), n)
		}
	}
	b.ReportMetric(float64(n), "points")
}

// BenchmarkSaveJSON1M writes the same drawing.
func BenchmarkSaveJSON1M(b *testing.B) {
	d := playback.Generate(playback.GenOptions{Strokes: 33000, Seed: 1})
	var buf bytes.Buffer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Encode(&buf, JSON, d); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkLoadSVG reads SVG with long values read aside (as Load does)
// and without (encoding/xml alone), to compare: every real SVG in
// testdata, and one path of 100,000 arcs (1.9 MB of path data).
func BenchmarkLoadSVG(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(realDir, "svg/*/*.svg"))
	var docs [][]byte
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, data)
	}
	var arcs bytes.Buffer
	arcs.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000"><path d="M0 500`)
	for i := 1; i <= 100000; i++ {
		fmt.Fprintf(&arcs, " A5 5 0 0 1 %d 500", i%1000)
	}
	arcs.WriteString(`"/></svg>`)
	for _, c := range []struct {
		name string
		docs [][]byte
	}{{"real", docs}, {"arcs", [][]byte{arcs.Bytes()}}} {
		for _, m := range []struct {
			name string
			min  int
		}{{"aside", 0}, {"direct", -1}} {
			b.Run(c.name+"/"+m.name, func(b *testing.B) {
				n := 0
				for _, d := range c.docs {
					n += len(d)
				}
				b.SetBytes(int64(n))
				for i := 0; i < b.N; i++ {
					for _, d := range c.docs {
						if _, err := readSVGAside("f.svg", bytes.NewReader(d), Options{}, m.min, 0); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
