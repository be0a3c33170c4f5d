package format

import (
	"slices"

	"mbotdraw/playback"
)

// write-math JSON (write-math.com, github.com/MartinThoma/hwrt): a list of
// strokes, each a list of points {"x": 328.5, "y": 223.125, "time":
// 1377173554837}, with time an absolute clock reading in milliseconds
// (Unix epoch). Times are shifted so the drawing starts at 0. A file whose
// points have no "time" is untimed; one where some have it and some do not
// is an error.
//
// The recorder's clock glitches now and then (hwrt keeps such recordings
// as test cases): a point stamped years early, or a stray point appended
// with a stale time. Clock glitches are repaired, not refused: a step from
// one point to the next (in file order, across strokes) that goes back in
// time, or forward by more than WriteMathMaxStep, is taken to be the clock's
// fault and replaced by the drawing's median step. The points themselves
// are all kept, a stray one included.
//
// Strokes are black, 2 units wide; the canvas is placed by placeAtMargin.

// WriteMathMaxStep is the longest believable pause between two points of a
// write-math recording, in milliseconds; a longer step is a clock glitch.
const WriteMathMaxStep = 60_000

func decodeWriteMath(name string, data []byte, o Options) (*playback.Drawing, error) {
	return decodeWith(name, data, func(s *scanner) (*playback.Drawing, error) {
		return parseWriteMath(s, o)
	})
}

func parseWriteMath(s *scanner, o Options) (*playback.Drawing, error) {
	d := playback.NewDrawing(0, 0)
	var times []float64 // raw times, one a point, when timed
	var timed timedness // all points have times, or none
	if err := s.expect('[', "'[' to begin the list of strokes"); err != nil {
		return nil, err
	}
	if s.peek() == ']' {
		s.pos++
	} else {
		for si := 0; ; si++ {
			s.ws()
			sOff := s.pos
			if err := s.expect('[', "'[' to begin a stroke (a list of points)"); err != nil {
				return nil, err
			}
			if s.peek() == ']' {
				return nil, s.errf(sOff, "stroke %d has no points", si)
			}
			d.BeginStroke(black, DefaultStrokeWidth)
			for pi := 0; ; pi++ {
				p, err := s.pointObject("time")
				if err != nil {
					return nil, err
				}
				if !timed.see(p.hasT) {
					return nil, s.errf(p.off, "stroke %d point %d: some points have a time and some do not", si, pi)
				}
				if p.hasT {
					times = append(times, p.t)
				}
				d.AddPoint(float32(p.x), float32(p.y), 0)
				more, err := s.more(']', "a stroke")
				if err != nil {
					return nil, err
				}
				if !more {
					break
				}
			}
			more, err := s.more(']', "the list of strokes")
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
	}
	if timed.timed() {
		repairClock(times, d.T)
		d.Timed = true
	}
	return finishInk(d, o)
}

// repairClock turns raw clock readings into times from 0 in out, replacing
// each step outside 0..WriteMathMaxStep by the median of the good steps
// (0 when there are none).
func repairClock(raw []float64, out []float32) {
	good := make([]float64, 0, len(raw))
	for i := 1; i < len(raw); i++ {
		if st := raw[i] - raw[i-1]; st >= 0 && st <= WriteMathMaxStep {
			good = append(good, st)
		}
	}
	median := 0.0
	if len(good) > 0 {
		slices.Sort(good)
		median = good[len(good)/2]
	}
	t := 0.0
	for i := range raw {
		if i > 0 {
			st := raw[i] - raw[i-1]
			if !(st >= 0 && st <= WriteMathMaxStep) {
				st = median
			}
			t += st
		}
		out[i] = float32(t)
	}
}
