package format

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// pointsOf writes n points in one of the formats, for the limit tests.
var pointsOf = map[string]func(n int) string{
	"p.json": func(n int) string {
		var b strings.Builder
		b.WriteString(`{"strokes":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"points":[[%d,1]]}`, i)
		}
		b.WriteString("]}")
		return b.String()
	},
	"p.ndjson": func(n int) string {
		xs := strings.TrimSuffix(strings.Repeat("1,", n), ",")
		return `{"word":"w","drawing":[[[` + xs + `],[` + xs + `]]]}` + "\n"
	},
	"p.svg": func(n int) string {
		return `<svg xmlns="http://www.w3.org/2000/svg"><path stroke="black" d="M0 0` + strings.Repeat(" L1 1", n-1) + `"/></svg>`
	},
	"p.inkml": func(n int) string {
		return `<ink xmlns="http://www.w3.org/2003/InkML"><trace>` + strings.TrimSuffix(strings.Repeat("1 2,", n), ",") + `</trace></ink>`
	},
	"p.svc": func(n int) string {
		return fmt.Sprint(n) + "\n" + strings.Repeat("1 2 0 1 0 0 0\n", n)
	},
	"w.json": func(n int) string { // write-math
		return `[[` + strings.TrimSuffix(strings.Repeat(`{"x":1,"y":2},`, n), ",") + `]]`
	},
}

// TestMaxPoints: a drawing of exactly Options.MaxPoints points loads; one
// more is refused with a one-line error that names the file, says the limit
// and names the flag that raises it.
func TestMaxPoints(t *testing.T) {
	const max = 40
	for name, gen := range pointsOf {
		t.Run(name, func(t *testing.T) {
			ds, err := Decode(name, []byte(gen(max)), Options{MaxPoints: max})
			if err != nil || ds[0].NumPoints() != max {
				t.Fatalf("%d points with the limit at %d: %v", max, max, err)
			}
			_, err = Decode(name, []byte(gen(max+1)), Options{MaxPoints: max})
			checkTooBig(t, name, err, `more than 40 points`)
			// The default limit takes both.
			if _, err := Decode(name, []byte(gen(max+1)), Options{}); err != nil {
				t.Errorf("%d points with the default limit: %v", max+1, err)
			}
		})
	}
}

// checkTooBig checks a size-limit error: an *Error wrapping ErrTooBig, one
// line, naming the file, saying what (a regular expression) and how to
// raise the limit.
func checkTooBig(t *testing.T, file string, err error, what string) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) || !errors.Is(err, ErrTooBig) {
		t.Fatalf("got %v (%T), want an *Error wrapping ErrTooBig", err, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, file) || strings.Contains(msg, "\n") ||
		!regexp.MustCompile(what).MatchString(msg) || !strings.Contains(msg, "--max-points") {
		t.Errorf("message %q: want one line naming %s, saying /%s/ and --max-points", msg, file, what)
	}
}

// TestMaxPointsTogether: the drawings of a Quick, Draw! file loaded
// together (every one, or a gallery) share the limit; one of them chosen
// alone has it to itself.
func TestMaxPointsTogether(t *testing.T) {
	line := pointsOf["p.ndjson"](30)
	data := []byte(line + line)
	o := Options{MaxPoints: 40}
	_, err := Decode("two.ndjson", data, o)
	checkTooBig(t, "two.ndjson", err, `drawings have more than 40 points together`)
	o.Gallery = true
	_, err = decodeOne("two.ndjson", data, o)
	checkTooBig(t, "two.ndjson", err, `more than 40 points`)
	o.Gallery, o.Index = false, 1
	if d, err := decodeOne("two.ndjson", data, o); err != nil || d.NumPoints() != 30 {
		t.Errorf("drawing 1 of 30 points, limit 40: %v", err)
	}
	// A gallery made of drawings each under the limit is checked too.
	ds, err := Decode("two.tldr", []byte(`{"document":{"pages":{"a":{"shapes":{"1":{"type":"draw","points":[[0,0],[1,1],[2,2]]}}},"b":{"shapes":{"1":{"type":"draw","points":[[0,0],[1,1],[2,2]]}}}}}}`),
		Options{MaxPoints: 5, Gallery: true})
	if err == nil {
		t.Fatalf("a gallery of 6 points with the limit at 5 loaded: %d drawings", len(ds))
	}
	checkTooBig(t, "two.tldr", err, `more than 5 points`)
}

// TestMaxBytes: a file larger than BytesPerPoint bytes a point allowed is
// refused before it is read (Load) or parsed (Decode); for Quick, Draw!
// ndjson, which holds a drawing a line, each line is held to it and the
// file may be longer.
func TestMaxBytes(t *testing.T) {
	dir := t.TempDir()
	o := Options{MaxPoints: 10} // 320 bytes
	big := `{"strokes":[{"points":[[1,2]]}],"note":"` + strings.Repeat("x", 400) + `"}`
	path := filepath.Join(dir, "big.json")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, o)
	checkTooBig(t, path, err, `the file is 442 bytes, more than the 320 bytes allowed for a drawing of up to 10 points`)
	_, err = Decode("big.json", []byte(big), o)
	checkTooBig(t, "big.json", err, `the file is`)
	if _, err := Load(path, Options{}); err != nil {
		t.Errorf("the default limit: %v", err)
	}

	line := `{"word":"` + strings.Repeat("x", 200) + `","drawing":[[[1,2],[3,4]]]}` + "\n"
	path = filepath.Join(dir, "many.ndjson")
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 5)), 0o644); err != nil {
		t.Fatal(err)
	}
	if ds, err := LoadAll(path, o); err != nil || len(ds) != 5 {
		t.Errorf("five short lines, %d bytes in all: %v", 5*len(line), err)
	}
	long := `{"word":"` + strings.Repeat("x", 400) + `","drawing":[[[1,2],[3,4]]]}` + "\n"
	if err := os.WriteFile(path, []byte(line+long), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadAll(path, o)
	checkTooBig(t, path+":2:1", err, `the line is`)
}

func TestThousandsAndMegabytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {5_000_000, "5,000,000"}, {-12345, "-12,345"}} {
		if got := thousands(c.n); got != c.want {
			t.Errorf("thousands(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		n    int64
		want string
	}{{400, "400 bytes"}, {2_500_000, "2.5 MB"}, {160_000_000, "160 MB"}, {199_971_219, "200 MB"}} {
		if got := megabytes(c.n); got != c.want {
			t.Errorf("megabytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestLoadStreamsSVG: a long SVG file is decoded as it is read, not held in
// memory whole; what it gives, a drawing or an error, is what decoding it
// from memory gives.
func TestLoadStreamsSVG(t *testing.T) {
	dir := t.TempDir()
	long := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><title>long</title>` + "\n" +
		strings.Repeat(`<path stroke="#102030" d="M1 1 L50 50 A10 10 0 0 1 70 70"/>`+"\n", 2000)
	for _, c := range []struct{ name, data string }{
		{"good.svg", long + `</svg>`},
		{"bad.svg", long + `<path d="M0 0 L 5"/></svg>`},
		{"truncated.svg", long},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.data) <= sniffWindow {
				t.Fatalf("the file is %d bytes, not longer than the %d read to tell the format", len(c.data), sniffWindow)
			}
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, []byte(c.data), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path, Options{})
			want, werr := Decode(path, []byte(c.data), Options{})
			if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
				t.Fatalf("Load: %v\nDecode: %v", err, werr)
			}
			if err == nil && !sameDrawing(got, want[0]) {
				t.Errorf("Load and Decode differ: %d and %d points", got.NumPoints(), want[0].NumPoints())
			}
		})
	}
}

// TestLoadCounted: the drawing Load returns, and how many the file holds,
// in one pass; a Quick, Draw! file whose drawings together are over the
// points limit is still counted, its drawings one at a time under it.
func TestLoadCounted(t *testing.T) {
	cat := filepath.Join(realDir, "quickdraw", "raw", "cat.ndjson")
	for _, o := range []Options{{Index: 2}, {Index: 24}, {Gallery: true}, {KeyID: mustKey(t, cat, 7)}} {
		d, n, err := LoadCounted(cat, o)
		want, werr := Load(cat, o)
		if err != nil || werr != nil || n != 25 || !sameDrawing(d, want) {
			t.Errorf("%+v: %d drawings, %v, %v", o, n, err, werr)
		}
	}
	if _, _, err := LoadCounted(cat, Options{Index: 25}); err == nil || !strings.Contains(err.Error(), "the file holds 25 drawings") {
		t.Errorf("index 25: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "many.ndjson")
	line := pointsOf["p.ndjson"](30)
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, n, err := LoadCounted(path, Options{Index: 9, MaxPoints: 40}); err != nil || n != 10 || d.NumPoints() != 30 {
		t.Errorf("10 drawings of 30 points, limit 40: %d, %v", n, err)
	}
	if _, err := LoadAll(path, Options{MaxPoints: 40}); !errors.Is(err, ErrTooBig) {
		t.Errorf("LoadAll of 300 points, limit 40: %v", err)
	}
	svg := filepath.Join(realDir, "svg", "kanjivg", "09f8d.svg")
	if _, n, err := LoadCounted(svg, Options{}); err != nil || n != 1 {
		t.Errorf("%s: %d, %v", svg, n, err)
	}
}

// mustKey returns the key_id of drawing i of a Quick, Draw! file.
func mustKey(t *testing.T, path string, i int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Split(string(b), "\n")[i]
	k := strings.Index(line, `"key_id":"`)
	if k < 0 {
		t.Fatalf("line %d has no key_id", i)
	}
	rest := line[k+len(`"key_id":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestLoadStreamsNDJSON: a long Quick, Draw! file is decoded a line at a
// time as it is read; Load, LoadAll and LoadCounted give what decoding it
// from memory gives: the same drawings, or the same error, place included.
func TestLoadStreamsNDJSON(t *testing.T) {
	cat := strings.TrimSuffix(string(realFile(t, "quickdraw/raw/cat.ndjson")), "\n") + "\n"
	lines := strings.SplitAfter(strings.TrimSuffix(cat, "\n"), "\n")
	files := map[string]string{
		"cat.ndjson":       cat,
		"bom.ndjson":       "\ufeff" + cat,
		"blank.ndjson":     "\n\n" + strings.Join(lines[:10], "\n") + "\n\n" + strings.Join(lines[10:], ""),
		"crlf.ndjson":      strings.ReplaceAll(cat, "\n", "\r\n"),
		"bad.ndjson":       cat + `{"word":"x","drawing":[[[1,2],[3]]]}` + "\n",
		"badmiddle.ndjson": strings.Join(lines[:20], "") + `{"drawing":[[[1],[1e30]]]}` + "\n" + strings.Join(lines[20:], ""),
		"long.ndjson":      cat + `{"word":"` + strings.Repeat("x", 400_000) + `","drawing":[[[1],[2]]]}`,
	}
	dir := t.TempDir()
	opts := []Options{{}, {Index: 3}, {Index: 24}, {Index: 99}, {Gallery: true}, {KeyID: mustKey(t, filepath.Join(realDir, "quickdraw/raw/cat.ndjson"), 5)}, {KeyID: "nope"},
		{MaxPoints: 10_000}, {Index: 22, MaxPoints: 10_000}}
	for name, data := range files {
		if len(data) <= sniffWindow {
			t.Fatalf("%s is %d bytes, not longer than the %d read to tell the format", name, len(data), sniffWindow)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, o := range opts {
			got, err := Load(path, o)
			want, werr := decodeOne(path, []byte(data), o)
			sameResult(t, fmt.Sprintf("Load %s %+v", name, o), []*playback.Drawing{got}, err, []*playback.Drawing{want}, werr)
			all, err := LoadAll(path, o)
			wantAll, werr := Decode(path, []byte(data), o)
			sameResult(t, fmt.Sprintf("LoadAll %s %+v", name, o), all, err, wantAll, werr)
			d, n, err := LoadCounted(path, o)
			want, wn, werr := countQuickDraw(path, []byte(data), o)
			if n != wn {
				t.Errorf("LoadCounted %s %+v: %d drawings, want %d", name, o, n, wn)
			}
			sameResult(t, fmt.Sprintf("LoadCounted %s %+v", name, o), []*playback.Drawing{d}, err, []*playback.Drawing{want}, werr)
		}
	}
}

// sameResult fails unless both calls failed alike or gave the same drawings.
func sameResult(t *testing.T, what string, got []*playback.Drawing, err error, want []*playback.Drawing, werr error) {
	t.Helper()
	if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
		t.Errorf("%s:\n got %v\nwant %v", what, err, werr)
		return
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d drawings, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !sameDrawing(got[i], want[i]) || got[i].Name != want[i].Name {
			t.Errorf("%s: drawing %d differs", what, i)
		}
	}
}
