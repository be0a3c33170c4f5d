package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

func TestGen(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, args := range [][]string{
		{"gen", "--strokes", "300", "--seed", "4", "-o", p("a.json")},
		{"gen", "-o", p("b.mbd.json"), "--seed", "4", "--strokes", "300"},
		{"gen", "--strokes", "300", "--seed", "5", "-o", p("c.json")},
		{"gen", "--strokes", "20", "--seed", "1", "--size", "800x600", "--duration", "10", "-o", p("d.svg")},
	} {
		stdout, stderr, status := fileCmd(t, args...)
		if status != 0 || !strings.HasPrefix(stdout, "wrote ") {
			t.Fatalf("%v: %d %q %q", args, status, stdout, stderr)
		}
	}
	a, b, c := readFile(t, p("a.json")), readFile(t, p("b.mbd.json")), readFile(t, p("c.json"))
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
	d, err := format.Load(p("a.json"), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := playback.Generate(playback.GenOptions{Strokes: 300, Seed: 4})
	sameGeometry(t, "gen", d, want, 0)
	if !d.Timed || d.Width != 1920 || d.Height != 1080 {
		t.Errorf("timed %v canvas %gx%g", d.Timed, d.Width, d.Height)
	}
	// About 30 points a stroke, at a natural pen speed.
	if per := float64(d.NumPoints()) / float64(len(d.Strokes)); per < 25 || per > 35 {
		t.Errorf("%.1f points a stroke", per)
	}
	s, err := format.Load(p("d.svg"), format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Strokes) != 20 || s.Width != 800 || s.Height != 600 {
		t.Errorf("svg: %d strokes on %gx%g, want 20 on 800x600", len(s.Strokes), s.Width, s.Height)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
