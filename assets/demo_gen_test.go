package assets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/image/vector"
)

var update = flag.Bool("update", false, "regenerate demo.mbd.json and icon.png")

// quickdrawDir holds the Quick, Draw! raw files the demo is made from.
const quickdrawDir = "../testdata/real/quickdraw/raw"

// Scene geometry, in drawing units.
const (
	sceneW, sceneH = 1600, 900
	penWidth       = 7
	// maxPenUp caps a pause inside one doodle; doodleGap separates doodles.
	maxPenUp  = 350
	doodleGap = 500
	// ownPenSpeed times the strokes we draw ourselves, in units per second.
	ownPenSpeed = 900
	// doodleSpeed plays the doodlers' own timing this many times faster, so
	// that the whole scene takes about half a minute.
	doodleSpeed = 2
)

// piece is one part of the scene: a Quick, Draw! doodle (category and line
// index in its raw file) fitted into a box, or one of our own shapes.
type piece struct {
	category string
	index    int
	box      [4]float64 // x0, y0, x1, y1: the doodle is fitted inside, bottom-centred
	color    string
	own      func() [][][2]float64 // our own strokes, timed at ownPenSpeed
}

var scene = []piece{
	{own: groundStrokes, color: "#7cb342"},
	{category: "house", index: 2, box: [4]float64{110, 330, 560, 835}, color: "#e53935"},
	{category: "tree", index: 4, box: [4]float64{590, 250, 930, 840}, color: "#2e7d32"},
	{category: "flower", index: 10, box: [4]float64{960, 560, 1150, 845}, color: "#d81b60"},
	{category: "flower", index: 25, box: [4]float64{1170, 600, 1330, 845}, color: "#8e24aa"},
	{category: "cat", index: 0, box: [4]float64{1345, 580, 1570, 838}, color: "#ef6c00"},
	{category: "butterfly", index: 24, box: [4]float64{1010, 110, 1230, 330}, color: "#1e88e5"},
	{category: "star", index: 0, box: [4]float64{90, 50, 250, 210}, color: "#fbc02d"},
	{category: "star", index: 7, box: [4]float64{690, 60, 820, 190}, color: "#fbc02d"},
	{own: sunStrokes, color: "#fb8c00"},
}

type rawDoodle struct {
	Word    string        `json:"word"`
	KeyID   string        `json:"key_id"`
	Drawing [][][]float64 `json:"drawing"`
}

// readDoodle returns line index of dir/category.ndjson, skipping lines that
// do not parse (the files are cut at about 100 KB).
func readDoodle(dir, category string, index int) (rawDoodle, error) {
	f, err := os.Open(filepath.Join(dir, category+".ndjson"))
	if err != nil {
		return rawDoodle{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for i := 0; sc.Scan(); i++ {
		if i != index {
			continue
		}
		var d rawDoodle
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return rawDoodle{}, fmt.Errorf("%s.ndjson line %d: %w", category, i+1, err)
		}
		return d, nil
	}
	return rawDoodle{}, fmt.Errorf("%s.ndjson: no line %d", category, index+1)
}

type outStroke struct {
	Color  string       `json:"color"`
	Width  float64      `json:"width"`
	Points [][3]float64 `json:"points"`
}

// generateDemo builds the demo drawing from the Quick, Draw! files in dir.
func generateDemo(dir string) ([]byte, []string, error) {
	var strokes []outStroke
	var credits []string
	t := 0.0
	for pi, p := range scene {
		if pi > 0 {
			t += doodleGap
		}
		if p.own != nil {
			for si, s := range p.own() {
				if si > 0 {
					t += 120
				}
				st := outStroke{Color: p.color, Width: penWidth}
				for i, pt := range s {
					if i > 0 {
						t += 1000 * math.Hypot(pt[0]-s[i-1][0], pt[1]-s[i-1][1]) / ownPenSpeed
					}
					st.Points = append(st.Points, [3]float64{round1(pt[0]), round1(pt[1]), round1(t)})
				}
				strokes = append(strokes, st)
			}
			continue
		}
		d, err := readDoodle(dir, p.category, p.index)
		if err != nil {
			return nil, nil, err
		}
		credits = append(credits, fmt.Sprintf("%s, key_id %s (line %d of %s.ndjson)", d.Word, d.KeyID, p.index+1, p.category))
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, s := range d.Drawing {
			for i := range s[0] {
				minX, maxX = math.Min(minX, s[0][i]), math.Max(maxX, s[0][i])
				minY, maxY = math.Min(minY, s[1][i]), math.Max(maxY, s[1][i])
			}
		}
		bw, bh := p.box[2]-p.box[0], p.box[3]-p.box[1]
		k := math.Min(bw/math.Max(maxX-minX, 1), bh/math.Max(maxY-minY, 1))
		ox := p.box[0] + (bw-(maxX-minX)*k)/2
		oy := p.box[3] - (maxY-minY)*k
		// Source times are ms since the doodle began; keep the pen-down
		// timing, cap the pen-up pauses.
		prevSrc, start := 0.0, t
		for si, s := range d.Drawing {
			st := outStroke{Color: p.color, Width: penWidth}
			for i := range s[0] {
				src := s[2][i]
				switch {
				case si == 0 && i == 0:
					t = start
				case i == 0:
					t += math.Min(math.Max(src-prevSrc, 0)/doodleSpeed, maxPenUp)
				default:
					t += math.Max(src-prevSrc, 0) / doodleSpeed
				}
				prevSrc = src
				st.Points = append(st.Points, [3]float64{round1(ox + (s[0][i]-minX)*k), round1(oy + (s[1][i]-minY)*k), round1(t)})
			}
			strokes = append(strokes, st)
		}
	}
	var b bytes.Buffer
	b.WriteString("{\"format\": \"mbotdraw\", \"version\": 1, \"width\": " + strconv.Itoa(sceneW) + ", \"height\": " + strconv.Itoa(sceneH) + ",\n")
	b.WriteString(" \"name\": \"Garden\", \"background\": \"#ffffff\",\n \"strokes\": [\n")
	for i, s := range strokes {
		line, err := json.Marshal(s)
		if err != nil {
			return nil, nil, err
		}
		b.WriteString("  ")
		b.Write(line)
		if i < len(strokes)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(" ]}\n")
	return b.Bytes(), credits, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// groundStrokes is a gently rolling line of grass under the scene.
func groundStrokes() [][][2]float64 {
	var s [][2]float64
	for i := 0; i <= 60; i++ {
		x := 40 + float64(i)*(sceneW-80)/60
		s = append(s, [2]float64{x, 852 + 9*math.Sin(float64(i)*0.45)})
	}
	return [][][2]float64{s}
}

// sunStrokes is a round sun with eight rays, in the top right corner.
func sunStrokes() [][][2]float64 {
	const cx, cy, r = 1440, 150, 68
	var circle [][2]float64
	for i := 0; i <= 48; i++ {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/48
		circle = append(circle, [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)})
	}
	out := [][][2]float64{circle}
	for i := 0; i < 8; i++ {
		a := 2 * math.Pi * float64(i) / 8
		out = append(out, [][2]float64{
			{cx + (r+22)*math.Cos(a), cy + (r+22)*math.Sin(a)},
			{cx + (r+58)*math.Cos(a), cy + (r+58)*math.Sin(a)},
		})
	}
	return out
}

// generateIcon draws the window icon: a drawn loop ending at an orange pen
// tip on a blue rounded square.
func generateIcon() []byte {
	const n = 128
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	fill := func(c color.RGBA, path func(r *vector.Rasterizer)) {
		r := vector.NewRasterizer(n, n)
		path(r)
		r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}
	// Rounded square.
	fill(color.RGBA{0x1e, 0x88, 0xe5, 0xff}, func(r *vector.Rasterizer) {
		const m, rad = 4.0, 26.0
		first := true
		for c := 0; c < 4; c++ {
			cx := []float64{n - m - rad, n - m - rad, m + rad, m + rad}[c]
			cy := []float64{m + rad, n - m - rad, n - m - rad, m + rad}[c]
			for i := 0; i <= 8; i++ {
				a := -math.Pi/2 + float64(c)*math.Pi/2 + float64(i)*math.Pi/16
				x, y := float32(cx+rad*math.Cos(a)), float32(cy+rad*math.Sin(a))
				if first {
					r.MoveTo(x, y)
					first = false
				} else {
					r.LineTo(x, y)
				}
			}
		}
		r.ClosePath()
	})
	// A looping white pen line.
	var line [][2]float64
	for i := 0; i <= 80; i++ {
		s := float64(i) / 80
		a := s * 3.2 * math.Pi
		line = append(line, [2]float64{22 + 70*s + 14*math.Sin(a), 78 - 26*s + 16*math.Cos(a) - 16})
	}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	fill(white, func(r *vector.Rasterizer) {
		const w = 5.0
		for i := 1; i < len(line); i++ {
			x0, y0, x1, y1 := line[i-1][0], line[i-1][1], line[i][0], line[i][1]
			l := math.Hypot(x1-x0, y1-y0)
			nx, ny := -(y1-y0)/l*w, (x1-x0)/l*w
			r.MoveTo(float32(x0+nx), float32(y0+ny))
			r.LineTo(float32(x1+nx), float32(y1+ny))
			r.LineTo(float32(x1-nx), float32(y1-ny))
			r.LineTo(float32(x0-nx), float32(y0-ny))
			r.ClosePath()
		}
	})
	end := line[len(line)-1]
	disc := func(cx, cy, rad float64) func(r *vector.Rasterizer) {
		return func(r *vector.Rasterizer) {
			for i := 0; i <= 32; i++ {
				a := 2 * math.Pi * float64(i) / 32
				x, y := float32(cx+rad*math.Cos(a)), float32(cy+rad*math.Sin(a))
				if i == 0 {
					r.MoveTo(x, y)
				} else {
					r.LineTo(x, y)
				}
			}
			r.ClosePath()
		}
	}
	fill(color.RGBA{0x21, 0x21, 0x21, 0xff}, disc(end[0], end[1], 14))
	fill(color.RGBA{0xff, 0x98, 0x00, 0xff}, disc(end[0], end[1], 10))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// TestGenerate regenerates the assets with -update, and otherwise checks
// that the embedded ones are what the generator makes (when the Quick, Draw!
// files are present).
func TestGenerate(t *testing.T) {
	if _, err := os.Stat(quickdrawDir); err != nil {
		t.Skipf("no Quick, Draw! files: %v", err)
	}
	demo, credits, err := generateDemo(quickdrawDir)
	if err != nil {
		t.Fatal(err)
	}
	icon := generateIcon()
	if *update {
		for name, data := range map[string][]byte{"demo.mbd.json": demo, "icon.png": icon} {
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range credits {
			t.Log(c)
		}
		return
	}
	if !bytes.Equal(demo, Demo()) {
		t.Error("demo.mbd.json differs from what the generator makes; run go test ./assets -run TestGenerate -update")
	}
	if !bytes.Equal(icon, IconPNG()) {
		t.Error("icon.png differs from what the generator makes; run go test ./assets -run TestGenerate -update")
	}
}
