package format

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// asideCases are SVG documents whose markup a reader that reads long
// attribute values aside could get wrong.
var asideCases = []struct{ name, svg string }{
	{"plain", `<svg viewBox="0 0 10 10"><path d="M1 1 L2 2 3 3,4 4"/></svg>`},
	{"single quotes", `<svg viewBox='0 0 10 10'><path d='M1 1 L2 2 3 3 "4 4'/></svg>`},
	{"other quote inside", `<svg><path d="M1 1 L2 2 ' 3 3"/></svg>`},
	{"character reference", `<svg><path d="M1 1&#x20;L2 2&#32;3 3"/></svg>`},
	{"entity", `<svg><path d="M1 1&nbsp;L2 2 &amp; 3 3"/></svg>`},
	{"carriage returns", "<svg><path d=\"M1 1\r\nL2 2\r3 3\"/>\r\n<rect width=\"x\"/></svg>"},
	{"newlines then an error", "<svg><path d=\"M1 1\nL2 2\n 3 3\" stroke=\"red\"/> <rect width=\"x\"/></svg>"},
	{"error after on the same line", `<svg><path d="M1 1 L2 2 3 3 4 4 5 5"/><path d="M1 1 L9 9"/><rect width="x"/></svg>`},
	{"bad path data", `<svg><path d="M1 1 L2 2 3 3 4 4 5 5 6 6 7 x"/></svg>`},
	{"bad arc flag", `<svg><path d="M1 1 a 1 1 0 0 1 2 2 a 1 1 0 2 1 2 2"/></svg>`},
	{"d on another element", `<svg><g d="M1 1 L2 2 3 3"><path d="M0 0 L5 5"/></g><rect d="M1 1 L2 2" width="3" height="3"/></svg>`},
	{"d in another namespace", `<svg xmlns:x="urn:x"><path x:d="M1 1 L2 2 3 3" d="M0 0 L1 1"/></svg>`},
	{"d twice", `<svg><path d="M1 1 L2 2 3 3" d="M0 0 L7 7 8 8"/></svg>`},
	{"no space between attributes", `<svg><path d="M1 1 L2 2 3 3"stroke="red"points="1 2"/></svg>`},
	{"comment", `<svg><!-- <path d="M1 1 L2 2 3 3"/> --><path d="M4 4 L5 5 6 6"/></svg>`},
	{"CDATA", `<svg><title><![CDATA[ <path d="M1 1 L2 2 3 3"/> ]]></title><path d="M4 4 L5 5 6 6"/></svg>`},
	{"processing instruction", `<?xml version="1.0"?><?x <path d="M1 1 L2 2 3 3"/> ?><svg><path d="M4 4 L5 5 6 6"/></svg>`},
	{"doctype", `<!DOCTYPE svg [ <!ENTITY e "<path d='M1 1 L2 2 3 3'>"> <!-- d="M9 9" --> ]><svg><path d="M4 4 L5 5 6 6"/></svg>`},
	{"doctype nested", `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd" [<!ELEMENT a (b)>]><svg><path d="M4 4 L5 5 6 6"/></svg>`},
	{"text containing d=", `<svg><title>d="M1 1 L2 2 3 3"</title><path d="M4 4 L5 5 6 6"/></svg>`},
	{"polyline", `<svg><polyline points="1 1 2 2 3 3 4 4 5 5"/><polygon points="1,1 3,1 2,2 9,9"/></svg>`},
	{"bad points", `<svg><polygon points="1 1 2 2 3 3 4 4 5 5 6 x"/></svg>`},
	{"odd points", `<svg><polyline points="1 1 2 2 3 3 4"/></svg>`},
	{"tabs", "<svg><path d=\"M1\t1\tL2\t2\t3\t3\"/></svg>"},
	{"non-ASCII", `<svg><path d="M1 1 L2 2 3 3 é"/></svg>`},
	{"unescaped <", `<svg><path d="M1 1 L2 2 < 3 3"/></svg>`},
	{"control byte", "<svg><path d=\"M1 1 L2 2 \x01 3 3\"/></svg>"},
	{"unterminated value", `<svg><path d="M1 1 L2 2 3 3`},
	{"unquoted value", `<svg><path d=M1 1 L2 2 3 3/></svg>`},
	{"no separators", `<svg><path d="M1-1L2-2-3-3-4-4-5-5-6-6"/></svg>`},
	{"key-like value", `<svg><path d="mbotdraw:x:1"/></svg>`},
	{"empty", `<svg><path d=""/><path d="   "/></svg>`},
	{"latin-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><svg><title>caf\xe9</title><path d=\"M1 1 L2 2 3 3\"/></svg>"},
	{"end tag and empty element", `<svg><g></g ><path d="M1 1 L2 2 3 3" /></svg>`},
}

// decodeBothWays decodes data with every long value read aside (tiny
// limits) and without the reader, and fails when they differ.
func decodeBothWays(t *testing.T, data []byte, attrMin, attrChunk int) {
	t.Helper()
	want, wantErr := readSVGAside("f.svg", bytes.NewReader(data), Options{}, -1, 0)
	// A reader that returns one byte at a time cuts the input everywhere.
	got, gotErr := readSVGAside("f.svg", iotest.OneByteReader(bytes.NewReader(data)), Options{}, attrMin, attrChunk)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("error %v, want %v", gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("drawing differs: %d strokes %d points, want %d %d", len(got.Strokes), got.NumPoints(), len(want.Strokes), want.NumPoints())
	}
}

// TestBigAttrReaderSameResult: reading long values aside changes nothing
// a user sees: the same drawing, or the same error at the same place.
func TestBigAttrReaderSameResult(t *testing.T) {
	for _, c := range asideCases {
		for _, lim := range [][2]int{{1, 1}, {1, 4}, {3, 8}, {10, 3}} {
			t.Run(c.name, func(t *testing.T) { decodeBothWays(t, []byte(c.svg), lim[0], lim[1]) })
		}
	}
	files, _ := filepath.Glob(filepath.Join(realDir, "svg/*/*.svg"))
	if len(files) == 0 {
		t.Fatal("no SVG files in testdata")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) { decodeBothWays(t, b, 16, 64) })
	}
}

// TestBigAttrReaderKeepsAside: a long d value reaches the decoder as a key
// that keeps its newlines, and the path is drawn from the chunks.
func TestBigAttrReaderKeepsAside(t *testing.T) {
	d := "M0 0" + strings.Repeat(" L1 1\n L2 2", 1000)
	doc := `<svg><path d="` + d + `"/></svg>`
	z := newBigAttrReader(strings.NewReader(doc))
	z.min, z.chunk = 100, 256
	var out bytes.Buffer
	if _, err := out.ReadFrom(z); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 2100 || strings.Count(out.String(), "\n") != 1000 {
		t.Fatalf("the decoder sees %d bytes, %d newlines; want the key and 1000 newlines", out.Len(), strings.Count(out.String(), "\n"))
	}
	if len(z.attrs.values) != 1 {
		t.Fatalf("%d values kept aside, want 1", len(z.attrs.values))
	}
	for _, chunks := range z.attrs.values {
		if len(chunks) < 10 || string(bytes.Join(chunks, nil)) != d {
			t.Fatalf("%d chunks holding %d bytes, want the value in many chunks", len(chunks), len(bytes.Join(chunks, nil)))
		}
		for _, c := range chunks[:len(chunks)-1] {
			if e := c[len(c)-1]; e != ' ' && e != '\n' {
				t.Fatalf("a chunk ends in %q, not after a separator", e)
			}
		}
	}
}

func FuzzBigAttrReader(f *testing.F) {
	for _, c := range asideCases {
		f.Add([]byte(c.svg), uint8(1), uint8(2))
	}
	files, _ := filepath.Glob(filepath.Join(realDir, "svg/*/*.svg"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 4000 {
			f.Add(b, uint8(20), uint8(40))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, attrMin, attrChunk uint8) {
		decodeBothWays(t, data, int(attrMin%32)+1, int(attrChunk%64)+1)
	})
}

// TestLongPathAllocations: a long path's data is held once, in chunks,
// not in encoding/xml's growing buffer and then a string as well.
func TestLongPathAllocations(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000"><path d="M0 500`)
	for i := 1; i <= 200000; i++ {
		fmt.Fprintf(&b, " A5 5 0 0 1 %d 500", i%1000)
	}
	b.WriteString(`"/></svg>`)
	doc := []byte(b.String())
	alloc := func(attrMin int) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := readSVGAside("arcs.svg", bytes.NewReader(doc), Options{}, attrMin, 0)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		// Less the points, 12 bytes each.
		return float64(after.TotalAlloc-before.TotalAlloc-uint64(12*d.NumPoints())) / float64(len(doc))
	}
	aside, direct := alloc(0), alloc(-1)
	t.Logf("allocated beyond the points: %.2f times the file read aside, %.2f times without", aside, direct)
	// encoding/xml's buffer and string cost about twice the data; the
	// chunks once.
	if direct-aside < 0.75 {
		t.Errorf("allocated %.2f times the file beyond the points, %.2f without reading aside: want at least 0.75 times less", aside, direct)
	}
}
