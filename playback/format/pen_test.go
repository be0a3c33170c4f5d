package format

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mbotdraw/playback"
)

// The pen recordings of testdata/real/inkml and testdata/real/tablet,
// checked against counts made independently with regular expressions and
// strings.Fields.

var (
	inkTraceRE  = regexp.MustCompile(`(?s)<inkml:trace( [^>]*)?>(.*?)</inkml:trace>`)
	inkBrushRE  = regexp.MustCompile(`(?s)<inkml:brush xml:id="([^"]+)">.*?name="color" value="(#[0-9A-Fa-f]{6})"`)
	inkAttrRE   = regexp.MustCompile(`(\w+)="([^"]*)"`)
	inkmlDir    = filepath.Join(realDir, "inkml", "microsoft-inkmljs")
	bdalabDir   = filepath.Join(realDir, "tablet", "bdalab")
	wantInkml   = map[string]int{"ink1.inkml.xml": 13, "ink2.inkml.xml": 7}
	wantSVCRuns = map[string][2]int{"signal.svc": {5, 559}, "jack_18-07-2014_M_0006_Doe_12-10-2020.svc": {3, 106}}
)

// TestRealInkML: both Office files load every trace as a stroke with all
// its points, in the brush's colour; each stroke starts at its timeOffset;
// the pressure channel, decoded by the same difference rules, stays in
// its declared range 0..32767, which a wrong rule would break.
func TestRealInkML(t *testing.T) {
	for file, nTraces := range wantInkml {
		path := filepath.Join(inkmlDir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if Sniff("x", b) != InkML {
			t.Errorf("%s: not sniffed as InkML", file)
		}
		colors := map[string]string{}
		for _, m := range inkBrushRE.FindAllStringSubmatch(string(b), -1) {
			colors["#"+m[1]] = strings.ToLower(m[2])
		}
		traces := inkTraceRE.FindAllStringSubmatch(string(b), -1)
		if len(traces) != nTraces {
			t.Fatalf("%s: the regexp finds %d traces, SOURCES.md says %d", file, len(traces), nTraces)
		}
		d, err := Load(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(d.Strokes) != len(traces) || !d.Timed {
			t.Fatalf("%s: %d strokes, timed %v; want %d, timed", file, len(d.Strokes), d.Timed, len(traces))
		}
		pts := 0
		for i, tr := range traces {
			attrs := map[string]string{}
			for _, a := range inkAttrRE.FindAllStringSubmatch(tr[1], -1) {
				attrs[a[1]] = a[2]
			}
			n := len(strings.Split(strings.TrimSpace(tr[2]), ","))
			pts += n
			s := d.Strokes[i]
			if s.Len() != n {
				t.Errorf("%s trace %d: %d points, the file has %d", file, i, s.Len(), n)
			}
			if c := colors[attrs["brushRef"]]; c != "" && hexColor(s.Color) != c {
				t.Errorf("%s trace %d: colour %s, brush %s says %s", file, i, hexColor(s.Color), attrs["brushRef"], c)
			}
			if off, ok := attrs["timeOffset"]; ok && i > 0 {
				v, _ := strconv.ParseFloat(off, 64)
				// The first trace has no timeOffset: offsets count from 0.
				if got := float64(d.T[s.Start]); math.Abs(got-v) > 0.01 && got < v {
					t.Errorf("%s trace %d starts at %g ms, before its timeOffset %g", file, i, got, v)
				} else if math.Abs(got-v) > 0.01 && float64(d.T[s.Start-1]) < got-0.01 {
					t.Errorf("%s trace %d starts at %g ms, not at its timeOffset %g nor at the previous end %g", file, i, got, v, d.T[s.Start-1])
				}
			}
			// Pressure, channel 2, decoded as X: within 0..32767.
			f, err := inkPoints([]byte(tr[2]), inkFormat{x: 2, y: 1, regular: 3, all: 3, scale: 1})
			if err != nil {
				t.Fatalf("%s trace %d: %v", file, i, err)
			}
			for k := 0; k < len(f); k += 2 {
				if f[k] < 0 || f[k] > 32767 {
					t.Fatalf("%s trace %d point %d: pressure %g outside 0..32767", file, i, k/2, f[k])
				}
			}
		}
		if d.NumPoints() != pts {
			t.Errorf("%s: %d points, the file has %d", file, d.NumPoints(), pts)
		}
		// 96 units an inch: a few inches of handwriting.
		if b := d.Bounds(); b.Dx() < 96 || b.Dx() > 10*96 {
			t.Errorf("%s: %g units wide, want 1 to 10 inches", file, b.Dx())
		}
	}
}

// TestInkPoints: the InkML difference encoding.
func TestInkPoints(t *testing.T) {
	xy := inkFormat{x: 0, y: 1, regular: 2, all: 2, scale: 1}
	cases := []struct {
		src  string
		want []float64
		err  string
	}{
		{`10 20, 11 22`, []float64{10, 20, 11, 22}, ``},
		{`10 20,'1'2,3 4`, []float64{10, 20, 11, 22, 14, 26}, ``},                  // first differences stick
		{`0 0,'1'1,"1"0,1 0`, []float64{0, 0, 1, 1, 3, 2, 6, 3}, ``},               // second differences: velocity 1→2→3
		{`5 5,!7 7,'-1-2`, []float64{5, 5, 7, 7, 6, -2}, ``},                       // a prefix is one value's: y stays explicit
		{`1.5.5,.25-.25`, []float64{1.5, .5, .25, -.25}, ``},                       // run-together decimals
		{`0 0,'2'0,"0"0,!9!9,'1'1`, []float64{0, 0, 2, 0, 4, 0, 9, 9, 10, 10}, ``}, // explicit resets
		{`0 0,'2'0,"0"0,!9 9,'1 1`, []float64{0, 0, 2, 0, 4, 0, 9, 9, 10, 19}, ``}, // y stays a second difference: 0+9, then 9+10
		{` 1 2 , 3 4 ,`, []float64{1, 2, 3, 4}, ``},                                // spaces and a trailing comma
		{`'1 2`, nil, `point 0: the first point's values must be explicit`},
		{`1 2, 3`, nil, `point 1: 1 values, want 2`},
		{`1 2 3`, nil, `point 0: more than 2 values`},
		{`1 x`, nil, `point 0: expected a number, found 'x'`},
		{`1 2,,3 4`, nil, `point 1: 0 values, want 2`},
		{`1e300 0`, nil, `out of range`},
	}
	for _, c := range cases {
		got, err := inkPoints([]byte(c.src), xy)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.src, err, c.err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%q: %v, %v; want %v", c.src, got, err, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-9 {
				t.Errorf("%q: %v, want %v", c.src, got, c.want)
				break
			}
		}
	}
}

// TestInkMLUnitsAndTimes: units, resolution, brushes, inherited brushRef,
// no namespace, and the timing rule on a small file.
func TestInkMLUnitsAndTimes(t *testing.T) {
	src := `<ink xmlns="http://www.w3.org/2003/InkML">
<definitions>
 <context xml:id="c"><inkSource xml:id="s"><traceFormat><channel name="X" units="cm"/><channel name="Y" units="cm"/></traceFormat>
  <channelProperties><channelProperty channel="X" name="resolution" value="10" units="1/cm"/></channelProperties></inkSource></context>
 <brush xml:id="b"><brushProperty name="color" value="#ff0000"/><brushProperty name="width" value="0.254" units="cm"/></brush>
</definitions>
<traceGroup brushRef="#b"><trace contextRef="#c">0 0, 254 0</trace></traceGroup>
<trace contextRef="#c" timeOffset="100">0 10, 0 20</trace>
<trace contextRef="#c" timeOffset="5000">0 30, 0 40</trace>
<trace contextRef="#c"></trace>
<trace contextRef="#c">0 50</trace>
</ink>`
	ds, err := Decode("t.inkml", []byte(src), Options{PenSpeed: 1000})
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	if len(d.Strokes) != 4 || !d.Timed {
		t.Fatalf("%d strokes, timed %v; want 4 (the empty trace skipped), timed", len(d.Strokes), d.Timed)
	}
	// 254 steps of 1/10 cm = 10 in = 960 units.
	if p0, p1 := d.Point(0), d.Point(1); math.Abs(float64(p1.X-p0.X)-960) > 1e-3 {
		t.Errorf("a 25.4 cm line is %g units long, want 960", p1.X-p0.X)
	}
	if s := d.Strokes[0]; hexColor(s.Color) != "#ff0000" || math.Abs(float64(s.Width)-9.6) > 1e-4 {
		t.Errorf("stroke 0: %s, width %g; want the group's brush #ff0000, 9.6", hexColor(s.Color), s.Width)
	}
	if hexColor(d.Strokes[1].Color) != "#000000" {
		t.Errorf("stroke 1 outside the group: %s, want black", hexColor(d.Strokes[1].Color))
	}
	// Stroke 0 (960 units at 1000 u/s would take 960 ms) is squeezed to
	// end at 100; stroke 1 starts at 100 and takes 96 ms; stroke 2 at
	// 5000; stroke 3 (no offset) DefaultStrokeGap after stroke 2 ends.
	step := float32(96 / 25.4 * 10) // 10 steps of 1/10 cm, in units (and ms at 1000 u/s)
	want := []float32{0, 100, 100, 100 + step, 5000, 5000 + step, 5000 + step + playback.DefaultStrokeGap}
	for i, w := range want {
		if math.Abs(float64(d.T[i]-w)) > 1e-3 {
			t.Fatalf("times %v, want %v", d.T, want)
		}
	}
}

// svcRows reads an SVC file with strings.Fields: the header count and the
// rows.
func svcRows(t *testing.T, path string) (int, [][]float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	n, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float64
	for _, l := range lines[1:] {
		var r []float64
		for _, f := range strings.Fields(l) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			r = append(r, v)
		}
		rows = append(rows, r)
	}
	return n, rows
}

// TestRealSVC: both BDALab files load their pen-down runs as strokes with
// every pen-down sample, upright, timed from 0 in ms whether the file
// counts seconds or ms, all rows read whatever the header says.
func TestRealSVC(t *testing.T) {
	for file, want := range wantSVCRuns {
		path := filepath.Join(bdalabDir, file)
		header, rows := svcRows(t, path)
		var runs [][][]float64
		air, prev := 0, 0.0
		for _, r := range rows {
			if r[3] == 0 {
				air++
			} else {
				if prev == 0 {
					runs = append(runs, nil)
				}
				runs[len(runs)-1] = append(runs[len(runs)-1], r)
			}
			prev = r[3]
		}
		if len(runs) != want[0] || air != want[1] {
			t.Errorf("%s: strings.Fields counts %d runs and %d in-air samples, SOURCES.md says %v", file, len(runs), air, want)
		}
		if strings.HasPrefix(file, "jack") && (header != 606 || len(rows) != 607) {
			t.Errorf("%s: header %d, %d rows; SOURCES.md says 606 and 607", file, header, len(rows))
		}
		b, _ := os.ReadFile(path)
		if Sniff("x.txt", b) != SVC {
			t.Errorf("%s: not sniffed as SVC", file)
		}
		d, err := Load(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(d.Strokes) != len(runs) || !d.Timed {
			t.Fatalf("%s: %d strokes, timed %v; want %d, timed", file, len(d.Strokes), d.Timed, len(runs))
		}
		// Seconds in signal.svc (steps of 0.007), ms in jack.
		toMs := 1.0
		if file == "signal.svc" {
			toMs = 1000
		}
		t0 := runs[0][0][2]
		for i, run := range runs {
			s := d.Strokes[i]
			if s.Len() != len(run) {
				t.Fatalf("%s stroke %d: %d points, the file's run has %d", file, i, s.Len(), len(run))
			}
			for k, r := range run {
				if want := (r[2] - t0) * toMs; math.Abs(float64(d.T[s.Start+k])-want) > 0.01 {
					t.Fatalf("%s stroke %d point %d: t %g ms, want %g", file, i, k, d.T[s.Start+k], want)
				}
			}
		}
		// Upright: the file's y points up, the drawing's down. Compare the
		// highest and lowest pen-down samples.
		hi, lo := 0, 0
		var all [][]float64
		for _, run := range runs {
			all = append(all, run...)
		}
		for k, r := range all {
			if r[1] > all[hi][1] {
				hi = k
			}
			if r[1] < all[lo][1] {
				lo = k
			}
		}
		if d.Point(hi).Y >= d.Point(lo).Y {
			t.Errorf("%s: the file's top sample is at y %g, its bottom at %g: upside down", file, d.Point(hi).Y, d.Point(lo).Y)
		}
		if dur := d.Duration(); dur < 5000 || dur > 15000 {
			t.Errorf("%s: lasts %g ms, want 5–15 s", file, dur)
		}
	}
}

func TestSniffPen(t *testing.T) {
	cases := []struct {
		data string
		want Format
	}{
		{"\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<inkml:ink xmlns:inkml=\"http://www.w3.org/2003/InkML\">", InkML},
		{`<!-- a --><ink><trace>1 2</trace></ink>`, InkML},
		{`<svg xmlns="http://www.w3.org/2000/svg"/>`, SVG},
		{"3\n1 2 3 1 0 0 0\n", SVC},
		{"3\r\n1.5 2 0.007 1 510 520 0.5\r\n", SVC},
		{"3\n1 2 3 1 0 0\n", Unknown},
		{"3.5\n1 2 3 1 0 0 0\n", Unknown},
		{"3 4\n1 2 3 1 0 0 0\n", Unknown},
	}
	for _, c := range cases {
		if got := Sniff("x", []byte(c.data)); got != c.want {
			t.Errorf("Sniff(%q) = %s, want %s", c.data, got, c.want)
		}
	}
	if ByExtension("a.INKML") != InkML || ByExtension("a.svc") != SVC {
		t.Error("extensions .inkml and .svc not known")
	}
}

// TestBadPen: broken InkML and SVC files give one-line errors that name
// the file and the place.
func TestBadPen(t *testing.T) {
	const def = `<ink><definitions><brush xml:id="b"/></definitions>`
	cases := []struct {
		name, file, data, place, msg string
	}{
		{"inkml truncated", "i.inkml", `<ink><trace>1 2`, `:1`, `XML syntax error`},
		{"inkml bad value", "i.inkml", "<ink>\n<trace>1 2, 3 q</trace></ink>", `:2:\d+`, `trace 0: point 1: expected a number, found 'q'`},
		{"inkml difference first", "i.inkml", `<ink><trace>'1 2</trace></ink>`, `:1:\d+`, `first point's values must be explicit`},
		{"inkml no brush", "i.inkml", def + `<trace brushRef="#x">1 2</trace></ink>`, `:1:\d+`, `brushRef="#x">: no such brush`},
		{"inkml no context", "i.inkml", `<ink><trace contextRef="#c">1 2</trace></ink>`, `:1:\d+`, `no such context`},
		{"inkml bad time", "i.inkml", `<ink><trace timeOffset="soon">1 2</trace></ink>`, `:1:6`, `timeOffset="soon"`},
		{"inkml huge", "i.inkml", `<ink><trace>1e14 2</trace></ink>`, `:1:\d+`, `beyond ±1e7`},
		{"inkml no X", "i.inkml", `<ink><traceFormat><channel name="Z"/></traceFormat></ink>`, `:1:\d+`, `no X or no Y channel`},
		{"inkml bad colour", "i.inkml", `<ink><brush xml:id="b"><brushProperty name="color" value="red"/></brush></ink>`, `:1:\d+`, `"red" is not #rrggbb`},
		{"svc header", "s.svc", "x\n1 2 3 1 0 0 0\n", `:1:1`, `sample count "x" is not a whole number`},
		{"svc short row", "s.svc", "2\n1 2 3 1 0 0 0\n1 2 3\n", `:3:1`, `the sample has 3 numbers, want 7`},
		{"svc bad number", "s.svc", "2\n1 2 3 1 0 0 0\n1  NaN 3 1 0 0 0\n", `:3:4`, `y "NaN" is not a finite number`},
		{"svc time back", "s.svc", "2\n1 2 30 1 0 0 0\n1 2 20 1 0 0 0\n", `:3:5`, `time 20 is before the previous sample's 30`},
		{"svc huge", "s.svc", "1\n1e9 2 3 1 0 0 0\n", `:2:1`, `beyond ±1e7`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := decodeWithin(t, c.file, []byte(c.data))
			checkBad(t, c.file, err, c.place, c.msg)
		})
	}
	if _, err := decodeInkML("i.inkml", []byte(`<foo/>`), Options{}); err == nil || err.Error() != "i.inkml:1:1: the root element is <foo>, not <ink>" {
		t.Errorf("<foo/> as InkML: %v", err)
	}
	for _, rel := range []string{"inkml/microsoft-inkmljs/ink2.inkml.xml", "tablet/bdalab/signal.svc"} {
		b := realFile(t, rel)
		for _, n := range []int{len(b) / 3, len(b) / 2, len(b) - 2} {
			ds, err := Decode(filepath.Base(rel), b[:n], Options{})
			if err == nil {
				for _, d := range ds {
					if verr := d.Validate(); verr != nil {
						t.Errorf("%s cut at %d: %v", rel, n, verr)
					}
				}
			} else {
				checkBad(t, filepath.Base(rel), err, `:\d+(?::\d+)?`, `.`)
			}
		}
	}
}
