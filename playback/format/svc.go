package format

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"mbotdraw/playback"
)

// SVC: the text format of BDALab's handwriting tools and of the SVC2004
// signature corpus (github.com/BDALab/handwriting-sample). Line 1 is the
// number of samples; each line after it is one tablet sample of 7 numbers:
//
//	x y time pen_status azimuth tilt pressure
//
//   - The header's count is not trusted: real files miscount by one, so the
//     rows present are read, however many there are. Blank lines are skipped.
//   - Each run of pen-down samples (pen_status not 0) is a stroke; in-air
//     samples (pen_status 0) are dropped. Azimuth, tilt and pressure are
//     not used.
//   - Time: seconds in some files (steps of about 0.007), milliseconds of
//     the tablet's clock in others (steps of 7 or 8). A median step between
//     samples under 1 means seconds. Times are shifted so the first pen-down
//     sample is at 0; a time that goes back is an error.
//   - Units: a tablet's y axis points up, so y is flipped and the drawing
//     is upright. Coordinates are millimetres when the samples span less
//     than SVCRawSpan (BDALab's exports convert to mm), and raw tablet units
//     of 1/5080 inch (Wacom) otherwise; both become drawing units of 1/96
//     inch. Strokes are black, 2 units wide; the canvas is placed by
//     placeAtMargin.

// SVCRawSpan is the extent, in file units, from which SVC coordinates are
// taken to be raw tablet units rather than millimetres.
const SVCRawSpan = 1000

const (
	svcPerMM  = 96 / 25.4 // drawing units per millimetre
	svcPerRaw = 96 / 5080.0
)

// svcRow is one sample as read, with the offset of its line.
type svcRow struct {
	x, y, t float64
	down    bool
	off     int
}

func decodeSVC(name string, data []byte, o Options) (*playback.Drawing, error) {
	d, err := parseSVC(name, data, o)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, noPlace(name, err)
	}
	return d, nil
}

func parseSVC(name string, data []byte, o Options) (*playback.Drawing, error) {
	off := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		off = 3
	}
	var rows []svcRow
	header := true
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off
		}
		line := data[off:end]
		lineOff := off
		off = end + 1
		f, starts := svcSplit(line, lineOff)
		if len(f) == 0 {
			continue
		}
		at := func(i int) int { return starts[i] }
		if header {
			header = false
			if len(f) != 1 {
				return nil, errAt(name, data, lineOff, fmt.Errorf("the first line has %d fields: want the sample count", len(f)))
			}
			if _, err := strconv.ParseUint(string(f[0]), 10, 63); err != nil {
				return nil, errAt(name, data, lineOff, fmt.Errorf("sample count %q is not a whole number", clip(f[0])))
			}
			continue
		}
		if len(f) != 7 {
			return nil, errAt(name, data, lineOff, fmt.Errorf("the sample has %d numbers, want 7 (x y time pen_status azimuth tilt pressure)", len(f)))
		}
		var v [4]float64
		for i := range v {
			x, err := strconv.ParseFloat(string(f[i]), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e15 {
				return nil, errAt(name, data, at(i), fmt.Errorf("%s %q is not a finite number", [4]string{"x", "y", "time", "pen_status"}[i], clip(f[i])))
			}
			v[i] = x
		}
		if math.Abs(v[0]) > playback.MaxCoord || math.Abs(v[1]) > playback.MaxCoord {
			return nil, errAt(name, data, at(0), fmt.Errorf("point (%g, %g) is beyond ±1e7", v[0], v[1]))
		}
		if n := len(rows); n > 0 && v[2] < rows[n-1].t {
			return nil, errAt(name, data, at(2), fmt.Errorf("time %s is before the previous sample's %s (times must not decrease)", fmtMs(v[2]), fmtMs(rows[n-1].t)))
		}
		rows = append(rows, svcRow{x: v[0], y: v[1], t: v[2], down: v[3] != 0, off: lineOff})
	}
	if header {
		return nil, errAt(name, data, 0, errors.New("no sample count: the file is empty"))
	}
	tScale := svcTimeScale(rows)
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		if r.down {
			minX, maxX = math.Min(minX, r.x), math.Max(maxX, r.x)
			minY, maxY = math.Min(minY, r.y), math.Max(maxY, r.y)
		}
	}
	scale := svcPerMM
	if maxX-minX >= SVCRawSpan || maxY-minY >= SVCRawSpan {
		scale = svcPerRaw
	}
	d := playback.NewDrawing(0, 0)
	t0, first, wasDown := 0.0, true, false
	for _, r := range rows {
		if !r.down {
			wasDown = false
			continue
		}
		if first {
			t0, first = r.t, false
		}
		if !wasDown {
			d.BeginStroke(black, DefaultStrokeWidth)
			wasDown = true
		}
		// Relative to the first pen-down point, so that raw tablet units
		// far from 0 keep their precision in float32.
		t := (r.t - t0) * tScale
		if t > 1e12 {
			return nil, errAt(name, data, r.off, fmt.Errorf("time %s ms from the start is out of range", fmtMs(t)))
		}
		d.AddPoint(float32((r.x-minX)*scale), float32((maxY-r.y)*scale), float32(t))
	}
	d.Timed = true
	return finishInk(d, o)
}

// svcSplit splits a line into fields, with each one's offset in the file
// (the line begins at off).
func svcSplit(line []byte, off int) (f [][]byte, starts []int) {
	for i := 0; i < len(line); {
		for i < len(line) && (isSpace(line[i]) || line[i] == '\v' || line[i] == '\f') {
			i++
		}
		j := i
		for j < len(line) && !(isSpace(line[j]) || line[j] == '\v' || line[j] == '\f') {
			j++
		}
		if j > i {
			f, starts = append(f, line[i:j]), append(starts, off+i)
		}
		i = j
	}
	return f, starts
}

// svcTimeScale returns the factor that turns the file's times into
// milliseconds: 1000 when the median step between samples is under 1
// (seconds), 1 otherwise (milliseconds).
func svcTimeScale(rows []svcRow) float64 {
	steps := make([]float64, 0, len(rows))
	for i := 1; i < len(rows); i++ {
		if st := rows[i].t - rows[i-1].t; st > 0 {
			steps = append(steps, st)
		}
	}
	if len(steps) == 0 {
		return 1
	}
	slices.Sort(steps)
	if steps[len(steps)/2] < 1 {
		return 1000
	}
	return 1
}

// sniffSVC reports whether data begins like an SVC file: a line holding
// one whole number, then a line of 7 numbers.
func sniffSVC(data []byte) bool {
	lines := 0
	for len(data) > 0 && lines < 2 {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		f := bytes.Fields(data[:end])
		data = data[min(end+1, len(data)):]
		if len(f) == 0 {
			continue
		}
		want := 1
		if lines == 1 {
			want = 7
		}
		if len(f) != want {
			return false
		}
		for _, x := range f {
			if _, err := strconv.ParseFloat(string(x), 64); err != nil {
				return false
			}
		}
		if lines == 0 {
			if _, err := strconv.ParseUint(string(f[0]), 10, 63); err != nil {
				return false
			}
		}
		lines++
	}
	return lines == 2
}
