package format

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fiftyMB is the size of the single-line inputs.
const fiftyMB = 50 << 20

// hugeLine returns a single line of about 50 MB: head, then rep repeated,
// then tail.
func hugeLine(head, rep, tail string) []byte {
	var b bytes.Buffer
	b.Grow(fiftyMB + len(head) + len(tail) + len(rep))
	b.WriteString(head)
	for b.Len() < fiftyMB {
		b.WriteString(rep)
	}
	b.WriteString(tail)
	return b.Bytes()
}

func realFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func garbage(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// TestBadInput feeds broken files to Decode: each gives an *Error whose
// one-line message names the file and the place, promptly, without a panic.
// place is a regular expression for the place in the message, between the
// file name and ": "; msg one for what it says is wrong.
func TestBadInput(t *testing.T) {
	const head = `{"format":"mbotdraw","version":1,"strokes":[`
	type bad struct {
		name  string
		file  string
		data  func() []byte
		place string
		msg   string
	}
	s := func(v string) func() []byte { return func() []byte { return []byte(v) } }
	nested := func(n int) func() []byte {
		return func() []byte {
			return []byte(`<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat("<g>", n) + strings.Repeat("</g>", n) + `</svg>`)
		}
	}
	cases := []bad{
		// Truncated files.
		{"truncated json", "t.json", s(head + `{"points":[[1,2],[3,`), `:1:65`, `expected a number, found end of input`},
		{"truncated json object", "t.json", s(`{"format":"mbotdraw","vers`), `:1:22`, `unterminated string`},
		{"truncated ndjson", "cat.ndjson", func() []byte { return realFile(t, "quickdraw/raw/cat.ndjson")[:5000] }, `:1:5001`, `end of input`},
		{"truncated ndjson second line", "cat.ndjson", func() []byte {
			b := realFile(t, "quickdraw/simplified/cat.ndjson")
			return b[:bytes.IndexByte(b, '\n')+200]
		}, `:2:200`, `end of input`},
		{"truncated svg", "kanji.svg", func() []byte { return realFile(t, "svg/kanjivg/06c38.svg")[:2000] }, `:\d+(?::\d+)?`, `XML syntax error: unexpected EOF`},
		{"empty file", "e.json", s(""), `: byte 0`, `the file is empty`},
		{"empty ndjson", "e.ndjson", s("\n\n"), `: byte 0`, `the file is empty`},
		{"ndjson of blank lines", "e.ndjson", s("\n \n\ufeff\n"), `:3:1`, `expected '\{'`},
		// Wrong types.
		{"points not an array", "t.json", s(head + `{"points":"abc"}]}`), `:1:55`, `expected '\[' to begin the points`},
		{"width a string", "t.json", s(`{"width":"wide","strokes":[]}`), `:1:10`, `expected a number`},
		{"version a string", "t.json", s(`{"version":"1","strokes":[]}`), `:1:12`, `expected a number`},
		{"version 2", "t.json", s(`{"format":"mbotdraw","version":2,"strokes":[]}`), `:1:32`, `version 2 is not supported`},
		{"other format", "t.json", s(`{"format":"excalidraw","strokes":[]}`), `:1:11`, `format is "excalidraw"`},
		{"point of one number", "t.json", s(head + `{"points":[[1]]}]}`), `:1:58`, `expected ',' between x and y`},
		{"point of four numbers", "t.json", s(head + `{"points":[[1,2,3,4]]}]}`), `:1:62`, `expected '\]' to end the point`},
		{"bad colour", "t.json", s(head + `{"color":"red","points":[[1,2]]}]}`), `:1:54`, `colour "red" is not #rrggbb`},
		{"stroke not an object", "t.json", s(head + `[1,2]]}`), `:1:45`, `expected '\{' to begin a stroke`},
		{"quickdraw drawing a number", "q.ndjson", s(`{"word":"cat","drawing":5}`), `:1:25`, `expected '\[' to begin the drawing`},
		{"quickdraw strings", "q.ndjson", s(`{"drawing":[[["1"],["2"]]]}`), `:1:15`, `expected a number`},
		{"quickdraw no drawing", "q.ndjson", s(`{"word":"cat"}`), `:1:1`, `no "drawing"`},
		{"quickdraw x and y differ", "q.ndjson", s(`{"drawing":[[[1,2],[3]]]}`), `:1:13`, `stroke 0 has 2 x values but 1 y values`},
		{"quickdraw times differ", "q.ndjson", s(`{"drawing":[[[1,2],[3,4],[0]]]}`), `:1:13`, `stroke 0 has 2 points but 1 times`},
		{"quickdraw mixed", "q.ndjson", s(`{"drawing":[[[1],[3],[0]],[[1],[2]]]}`), `:1:27`, `some strokes have times and some do not`},
		{"quickdraw two objects a line", "q.ndjson", s(`{"drawing":[]} {"drawing":[]}`), `:1:16`, `one object a line`},
		{"trailing data", "t.json", s(`{"strokes":[]} x`), `:1:16`, `unexpected 'x' after the drawing`},
		{"mixed timed and untimed", "t.json", s(head + `{"points":[[1,2,0],[3,4]]}]}`), `:1:64`, `no time but earlier points have one`},
		{"invalid utf-8 name", "t.json", s("{\"name\":\"\xff\xfe\",\"strokes\":[]}"), `:1:9`, `not valid UTF-8`},
		{"svg root not svg", "x.svg", s(`<html><path d="M0 0L1 1"/></html>`), `:1:1`, `root element is <html>`},
		{"svg no element", "x.svg", s(`<?xml version="1.0"?>`), ``, `no <svg> element`},
		{"svg bad path", "x.svg", s(`<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0L1 1"/>` + "\n" + `<path d="M 0 0 L 5"/></svg>`), `:2:1: <path d> element 2`, `at byte 9 of the path data: expected a number, found the end`},
		{"svg path without moveto", "x.svg", s(`<svg><path d="L 5 5"/></svg>`), `:1:6: <path d> element 1`, `must begin with a moveto`},
		{"svg unknown command", "x.svg", s(`<svg><path d="M 5 5 X 1"/></svg>`), `:\d+:\d+: <path d> element 1`, `unknown command 'X'`},
		{"svg bad arc flag", "x.svg", s(`<svg><path d="M0 0 A 5 5 0 2 0 1 1"/></svg>`), `:\d+:\d+: <path d> element 1`, `expected an arc flag`},
		{"svg bad transform", "x.svg", s(`<svg><g transform="rotate(1,2)"><path d="M0 0L1 1"/></g></svg>`), `:1:6: <g transform> element 1`, `rotate takes 1 or 3 numbers, not 2`},
		{"svg odd points", "x.svg", s(`<svg><polygon points="1 2 3"/></svg>`), `:\d+:\d+: <polygon points> element 1`, `odd number of coordinates`},
		{"svg bad length", "x.svg", s(`<svg><rect width="wide" height="5"/></svg>`), `:\d+:\d+: <rect width> element 1`, `width "wide" is not a length`},
		{"svg bad viewBox", "x.svg", s(`<svg viewBox="0 0 10"></svg>`), `:\d+:\d+: <svg viewBox> element 1`, `viewBox "0 0 10" is not four numbers`},
		{"svg mismatched tags", "x.svg", s("<svg>\n<g></svg>"), `:2(?::\d+)?`, `XML syntax error`},
		{"svg unknown entity", "x.svg", s(`<svg><title>&bogus;</title></svg>`), `:1(?::\d+)?`, `XML syntax error`},
		// NaN and huge numbers.
		{"NaN", "t.json", s(head + `{"points":[[NaN,1]]}]}`), `:1:57`, `expected a number, found 'N'`},
		{"1e400", "t.json", s(head + `{"points":[[1e400,1]]}]}`), `:1:57`, `number 1e400 is out of range`},
		{"1e39", "t.json", s(head + `{"points":[[1,1e39]]}]}`), `:1:59`, `number 1e39 is out of range`},
		{"5e8", "t.json", s(head + `{"points":[[5e8,1]]}]}`), `:1:57`, `x 5e\+08 is beyond ±1e7`},
		{"huge width", "t.json", s(`{"width":1e300,"strokes":[]}`), `:1:10`, `width 1e\+300 is out of range`},
		{"huge stroke width", "t.json", s(head + `{"width":-1,"points":[[1,1]]}]}`), `:1:54`, `stroke width -1 is out of range`},
		{"huge time", "t.json", s(head + `{"points":[[1,1,1e300]]}]}`), `:1:61`, `time 1e\+300 ms is out of range`},
		{"quickdraw 1e400", "q.ndjson", s(`{"drawing":[[[1e400],[1]]]}`), `:1:15`, `out of range`},
		{"quickdraw huge", "q.ndjson", s(`{"drawing":[[[1],[1e30]]]}`), `:1:19`, `coordinate 1e\+30 is beyond`},
		{"svg 1e400", "x.svg", s(`<svg><path d="M0 0 L 1e400 0"/></svg>`), `:\d+:\d+: <path d> element 1`, `out of range`},
		{"svg scaled beyond", "x.svg", s(`<svg><g transform="scale(1e30)"><path d="M0 0 L1 1"/></g></svg>`), `:\d+:\d+: <path d> element 1`, `beyond ±1e7 after transforms`},
		{"svg huge circle", "x.svg", s(`<svg><circle r="1e20" stroke="black"/></svg>`), `:\d+:\d+: <circle r> element 1`, `r 1e20 is out of range`},
		// Decreasing times.
		{"decreasing times", "t.json", s(head + `{"points":[[0,0,10],[1,1,20]]},` + "\n" + `{"points":[[2,2,5]]}]}`), `:2:17`, `time 5 ms is before the previous point's 20 ms`},
		{"decreasing times shifted", "t.json", s(head + `{"points":[[0,0,1000],[1,1,990]]}]}`), `:1:72`, `time 990 ms is before the previous point's 1000 ms`},
		{"quickdraw decreasing", "q.ndjson", s(`{"drawing":[[[1,2],[3,4],[10,20]],[[5],[6],[15]]]}`), `:1:45`, `time 15 ms is before the previous point's 20 ms`},
		// Empty strokes.
		{"empty stroke", "t.json", s(head + `{"color":"#000000","points":[]}]}`), `:1:45`, `stroke 0 has no points`},
		{"stroke without points", "t.json", s(head + `{"points":[[1,1]]},{}]}`), `:1:64`, `stroke 1 has no points`},
		{"quickdraw empty stroke", "q.ndjson", s(`{"drawing":[[[1],[1]],[[],[]]]}`), `:1:23`, `stroke 1 has no points`},
		// Binary garbage, under several names.
		{"garbage", "x.bin", func() []byte { return garbage(4096, 1) }, `: byte 0`, `not a drawing`},
		{"png", "x.bin", func() []byte { return append([]byte("\x89PNG\r\n\x1a\n"), garbage(1000, 2)...) }, `: byte 0`, `not a drawing`},
		{"garbage named json", "x.json", func() []byte { return append([]byte{0xc3}, garbage(4096, 3)...) }, `:1:1`, `expected '\{' to begin the drawing, found byte 0xc3`},
		{"garbage named svg", "x.svg", func() []byte { return append([]byte{'<', 0x01}, garbage(4096, 4)...) }, `:1(?::\d+)?`, `XML syntax error`},
		{"garbage named ndjson", "x.ndjson", func() []byte { return append([]byte("{\"dra"), garbage(4096, 5)...) }, `:\d+:\d+`, `.`},
		// A 50 MB single line.
		{"50 MB json line, truncated", "big.json", func() []byte { return hugeLine(head+`{"points":[`, `[1234.5,678.25,1],`, ``) }, `:1:\d{8}`, `end of input`},
		{"50 MB json line, bad at the end", "big.json", func() []byte { return hugeLine(head+`{"points":[`, `[1234.5,678.25,1],`, `[1,x]]}]}`) }, `:1:\d{8}`, `expected a number, found 'x'`},
		{"50 MB ndjson line", "big.ndjson", func() []byte { return hugeLine(`{"word":"x","drawing":[[[`, `1234567.25,`, `1],[1]]]}`) }, `:1:24`, `stroke 0 has \d+ x values but 1 y values`},
		{"50 MB of one letter", "big.json", func() []byte { return hugeLine(``, `aaaaaaaa`, ``) }, `:1:1`, `expected '\{'`},
		{"50 MB svg path", "big.svg", func() []byte {
			return hugeLine(`<svg xmlns="http://www.w3.org/2000/svg"><path stroke="black" d="M0 0`, ` L10.25 10.5 20.5 20.75`, ` L 3"/></svg>`)
		}, `:1:\d+: <path d> element 1`, `expected a number, found the end`},
		{"deep json", "deep.json", func() []byte { return []byte(`{"x":` + strings.Repeat("[", 100000)) }, `:1:518`, `nested deeper than 512`},
		// Deeply nested SVG groups.
		{"100,000 nested groups", "deep.svg", nested(100000), `:1:806`, `elements nested deeper than 256`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.data()
			err := decodeWithin(t, c.file, data)
			checkBad(t, c.file, err, c.place, c.msg)
		})
	}

	// Unknown elements and attributes are no error: they are skipped.
	src := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:i="urn:x" i:foo="1" data-x="2"><unknown a="1"><path d="M0 0 L1 1" stroke="black"/></unknown>` +
		`<i:layer><path d="M0 0 L1 1" stroke="black"/></i:layer><path bogus="yes" d="M0 0 L2 2" stroke="black"/></svg>`
	ds, err := Decode("u.svg", []byte(src), Options{})
	if err != nil || len(ds[0].Strokes) != 1 {
		t.Errorf("unknown elements: %v, want one stroke and no error", err)
	}
	// Nesting up to the limit is fine.
	if _, err := Decode("ok.svg", nested(maxSVGDepth-1)(), Options{}); err != nil {
		t.Errorf("%d nested groups: %v", maxSVGDepth-1, err)
	}
}

// decodeWithin decodes in a goroutine and fails the test on a panic, on a
// decode that does not end within the hang guard (30 s; 300 s under the
// race detector), or on one that allocates more than allocBound of its
// input. It bounds work, not time: wall and CPU time on a shared or
// emulated machine say more about the neighbours than about the code (a
// 2 s limit failed under qemu and under load), so they are only logged.
// A decode that copies its input again and again (quadratic in a 50 MB
// line) fails the allocation bound; one that rescans it without
// allocating runs into the hang guard, as at 50 MB anything worse than
// n log n does.
func decodeWithin(t *testing.T, name string, data []byte) error {
	t.Helper()
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start, cpu0 := time.Now(), cpuTime()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{panic: r}
			}
		}()
		ds, err := Decode(name, data, Options{})
		for _, d := range ds {
			if verr := d.Validate(); verr != nil {
				err = fmt.Errorf("returned an invalid drawing: %v", verr)
			}
		}
		done <- result{err: err}
	}()
	select {
	case r := <-done:
		wall, cpu := time.Since(start), cpuTime()-cpu0
		if r.panic != nil {
			t.Fatalf("panic: %v", r.panic)
		}
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		alloc := m1.TotalAlloc - m0.TotalAlloc
		t.Logf("%s: %v (%v, %v CPU, %d bytes allocated for %d read)", name, r.err, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), alloc, len(data))
		if bound := allocBound(len(data)); alloc > bound {
			t.Errorf("allocated %d bytes decoding %d, more than %d", alloc, len(data), bound)
		}
		return r.err
	case <-time.After(30 * time.Second * raceSlowdown):
		t.Fatalf("no answer within 30 s")
	}
	return nil
}

// allocBound is the most a decode of n bytes may allocate, in bytes: 8
// times its input, plus 1 MiB for the decoder's own tables (a 50 MB SVG
// path takes about 3.4 times its size; a 4 KB file some 20 KB).
func allocBound(n int) uint64 { return 8*uint64(n) + 1<<20 }

func checkBad(t *testing.T, file string, err error, place, msg string) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %v (%T), want an *Error", err, err)
	}
	m := err.Error()
	if strings.ContainsAny(m, "\r\n") {
		t.Errorf("message is not one line: %q", m)
	}
	if !strings.HasPrefix(m, file) {
		t.Fatalf("message %q does not begin with the file name", m)
	}
	rest := strings.TrimPrefix(m, file)
	g := regexp.MustCompile(`^` + place + `: (.*)$`).FindStringSubmatch(rest)
	if g == nil {
		t.Fatalf("message %q: the place after the file name is not /%s/", m, place)
	}
	if !regexp.MustCompile(msg).MatchString(g[1]) {
		t.Errorf("message %q does not say /%s/", m, msg)
	}
}

// TestNotADrawing: JSON and XML that are not drawings are refused, in one
// line that names the file, rather than opened as an empty page; a drawing
// file with no strokes still loads, with none.
func TestNotADrawing(t *testing.T) {
	refused := []struct{ file, data string }{
		{"shopping.json", `{"name":"shopping"}`},
		{"shopping.mbd.json", `{"name":"shopping","items":["milk","eggs"]}`},
		{"empty.json", `{}`},
		{"list.json", `[]`},
		{"list.ndjson", `[]`},
		{"objects.json", `[{}]`},
		{"objects.json", `[{"name":"a"},{"name":"b"}]`},
		{"page.xml", `<html><body/></html>`},
		{"page.inkml", `<foo/>`},
		{"notes.txt", `1 2 3`},
	}
	for _, c := range refused {
		_, err := Decode(c.file, []byte(c.data), Options{})
		var fe *Error
		if !errors.As(err, &fe) || !errors.Is(err, ErrNotDrawing) {
			t.Errorf("%s %s: got %v, want an *Error saying not a drawing", c.file, c.data, err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, c.file) || !strings.Contains(msg, "not a drawing") || strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q", c.file, msg)
		}
	}
	empty := []struct{ file, data string }{
		{"empty.json", `{"strokes":[]}`},
		{"empty.json", `{"format":"mbotdraw","version":1}`},
		{"empty.svg", `<svg xmlns="http://www.w3.org/2000/svg"/>`},
		{"empty.ndjson", `{"word":"cat","drawing":[]}`},
		{"empty.inkml", `<ink xmlns="http://www.w3.org/2003/InkML"/>`},
		{"empty.json", `[{"type":"shape"}]`}, // MyScript, no strokes
	}
	for _, c := range empty {
		ds, err := Decode(c.file, []byte(c.data), Options{})
		if err != nil || len(ds) != 1 || len(ds[0].Strokes) != 0 {
			t.Errorf("%s %s: %v, want one drawing with no strokes", c.file, c.data, err)
		}
	}
}
