package format

import (
	"bytes"
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
