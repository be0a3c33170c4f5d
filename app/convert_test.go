package app

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mbotdraw/playback"
	"mbotdraw/playback/format"
)

const realData = "../testdata/real"

// fileCmd runs one command line of the headless program.
func fileCmd(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	status = Run(&Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Prog: "mbotdraw-headless"}, args)
	return out.String(), errb.String(), status
}

// sameGeometry compares two drawings' strokes, points and times.
func sameGeometry(t *testing.T, what string, got, want *playback.Drawing, eps float64) {
	t.Helper()
	if len(got.Strokes) != len(want.Strokes) || got.NumPoints() != want.NumPoints() {
		t.Fatalf("%s: %d strokes %d points, want %d %d", what, len(got.Strokes), got.NumPoints(), len(want.Strokes), want.NumPoints())
	}
	for i := range got.XY {
		if math.Abs(float64(got.XY[i]-want.XY[i])) > eps {
			t.Fatalf("%s: coordinate %d is %g, want %g", what, i, got.XY[i], want.XY[i])
		}
	}
	for i := range got.Strokes {
		if got.Strokes[i].Start != want.Strokes[i].Start || got.Strokes[i].End != want.Strokes[i].End {
			t.Fatalf("%s: stroke %d is %+v, want %+v", what, i, got.Strokes[i], want.Strokes[i])
		}
	}
}

func TestConvert(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(realData, "quickdraw", "raw", "cat.ndjson")
	kanji := filepath.Join(realData, "svg", "kanjivg", "0611b.svg")
	// OUT in args stands for the output file, out.
	cases := []struct {
		args []string
		out  string
		in   string
		o    format.Options
		eps  float64 // 0: exact, times too
	}{
		{[]string{cat, "OUT", "--index", "3"}, "cat3.mbd.json", cat, format.Options{Index: 3}, 0},
		{[]string{"--key", "5201136883597312", cat, "OUT"}, "catk.json", cat, format.Options{KeyID: "5201136883597312"}, 0},
		{[]string{cat, "OUT", "--gallery"}, "gallery.json", cat, format.Options{Gallery: true}, 0},
		{[]string{kanji, "OUT", "--tolerance", "0.05"}, "kanji.json", kanji, format.Options{Tolerance: 0.05}, 0},
		{[]string{kanji, "OUT"}, "kanji.svg", kanji, format.Options{}, 0.01},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c.out)
		args := []string{"convert"}
		for _, a := range c.args {
			if a == "OUT" {
				a = out
			}
			args = append(args, a)
		}
		stdout, stderr, status := fileCmd(t, args...)
		if status != 0 || stderr != "" || !strings.Contains(stdout, "wrote "+out) {
			t.Fatalf("%v: status %d, stdout %q, stderr %q", args, status, stdout, stderr)
		}
		want, err := format.Load(c.in, c.o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := format.Load(out, format.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sameGeometry(t, strings.Join(args, " "), got, want, c.eps)
		if c.eps == 0 {
			for i := range got.T {
				if got.T[i] != want.T[i] {
					t.Fatalf("%v: time %d is %g, want %g", args, i, got.T[i], want.T[i])
				}
			}
			if got.Name != want.Name || got.Timed != want.Timed || got.Width != want.Width {
				t.Errorf("%v: name %q timed %v width %g, want %q %v %g", args, got.Name, got.Timed, got.Width, want.Name, want.Timed, want.Width)
			}
		}
	}
	// JSON → SVG → JSON keeps the geometry.
	gen := filepath.Join(dir, "gen.json")
	if _, stderr, st := fileCmd(t, "gen", "--strokes", "50", "--seed", "9", "-o", gen); st != 0 {
		t.Fatal(stderr)
	}
	svg := filepath.Join(dir, "gen.svg")
	back := filepath.Join(dir, "back.json")
	for _, args := range [][]string{{"convert", gen, svg}, {"convert", svg, back}} {
		if _, stderr, st := fileCmd(t, args...); st != 0 {
			t.Fatal(stderr)
		}
	}
	a, _ := format.Load(gen, format.Options{})
	b, _ := format.Load(back, format.Options{})
	sameGeometry(t, "json → svg → json", b, a, 0.01)
}

// TestConvertBadInput: a bad input file is exit status 1 and one line on
// stderr naming the file and the place; no output file appears, and an
// existing one is left untouched.
func TestConvertBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		in, place string
	}{
		{write("trunc.json", `{"format":"mbotdraw","version":1,"strokes":[{"points":[[1,2],[3,`), "trunc.json:1:65: "},
		{write("back.json", `{"strokes":[{"points":[[0,0,5],[1,1,4]]}]}`), "back.json:1:37: "},
		{write("nan.json", `{"strokes":[{"points":[[NaN,0]]}]}`), "nan.json:1:25: "},
		{write("bad.svg", "<svg>\n<path d=\"M 0 0 L\"/></svg>"), "bad.svg:2:1: <path d> element 1: "},
		{write("deep.svg", "<svg>"+strings.Repeat("<g>", 100000)+strings.Repeat("</g>", 100000)+"</svg>"), "deep.svg:1:771: "},
		{write("garbage.bin", "\x00\x01\x02\xff\xfe binary"), "garbage.bin: byte 0: "},
		{write("empty.ndjson", `{"drawing":[[[],[]]]}`), "empty.ndjson:1:13: "},
		{filepath.Join(dir, "missing.json"), "missing.json: no such file"},
	}
	for _, c := range cases {
		for _, out := range []string{"new.json", "existing.svg"} {
			outPath := filepath.Join(dir, out)
			var before []byte
			var mtime time.Time
			if out == "existing.svg" {
				before = []byte("<svg>keep me</svg>")
				if err := os.WriteFile(outPath, before, 0o644); err != nil {
					t.Fatal(err)
				}
				old := time.Now().Add(-time.Hour)
				_ = os.Chtimes(outPath, old, old)
				fi, _ := os.Stat(outPath)
				mtime = fi.ModTime()
			}
			stdout, stderr, status := fileCmd(t, "convert", c.in, outPath)
			if status != 1 {
				t.Errorf("convert %s: status %d, want 1", c.in, status)
			}
			if stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.Contains(stderr, c.place) {
				t.Errorf("convert %s: stderr %q, want one line naming %q", c.in, stderr, c.place)
			}
			if out == "new.json" {
				if _, err := os.Stat(outPath); !os.IsNotExist(err) {
					t.Errorf("convert %s: %s exists after the error", c.in, out)
				}
			} else {
				got, _ := os.ReadFile(outPath)
				fi, _ := os.Stat(outPath)
				if !bytes.Equal(got, before) || !fi.ModTime().Equal(mtime) {
					t.Errorf("convert %s: the existing output changed", c.in)
				}
				os.Remove(outPath)
			}
		}
	}
	// Nothing else was left behind: no temporary files.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

// TestFileCommandUsage: bad flags and arguments are exit status 2.
func TestFileCommandUsage(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(realData, "quickdraw", "simplified", "cat.ndjson")
	out := filepath.Join(dir, "o.json")
	cases := [][]string{
		{"convert"},
		{"convert", cat},
		{"convert", cat, out, "extra"},
		{"convert", cat, filepath.Join(dir, "o.png")},
		{"convert", cat, out, "--index", "-1"},
		{"convert", cat, out, "--index", "2", "--key", "1"},
		{"convert", cat, out, "--gallery", "--index", "2"},
		{"convert", cat, out, "--tolerance", "-1"},
		{"convert", cat, out, "--bogus"},
		{"gen"},
		{"gen", "--strokes", "10"},
		{"gen", "-o", filepath.Join(dir, "g.txt")},
		{"gen", "-o", out, "--strokes", "0"},
		{"gen", "-o", out, "--strokes", "many"},
		{"gen", "-o", out, "--size", "big"},
		{"gen", "-o", out, "--size", "0x10"},
		{"gen", "-o", out, "extra"},
		{"info"},
		{"info", cat, cat},
		{"info", cat, "--index", "-3"},
		{"info", cat, "--what"},
	}
	for _, args := range cases {
		_, stderr, status := fileCmd(t, args...)
		if status != 2 || stderr == "" {
			t.Errorf("%v: status %d stderr %q, want 2 and a message", args, status, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v wrote %s", args, out)
		}
	}
	for _, c := range []string{"convert", "gen", "info"} {
		if _, _, status := fileCmd(t, c, "--help"); status != 0 {
			t.Errorf("%s --help: status %d", c, status)
		}
	}
}
