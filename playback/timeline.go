package playback

import (
	"errors"
	"fmt"
	"math"
)

// Pacing says how a drawing's points are spread over playback time. The zero
// value plays the recorded times, with idle gaps longer than one second
// shortened to one second.
type Pacing struct {
	// Uniform ignores the recorded times: every segment lasts SegmentMs and
	// every pen-up between strokes lasts StrokeGapMs.
	Uniform bool
	// SegmentMs is a segment's duration under uniform pacing, in milliseconds
	// (0: DefaultSegmentMs, one segment per 60 Hz frame at 1x).
	SegmentMs float64
	// StrokeGapMs is the pause between strokes under uniform pacing, in
	// milliseconds (0: DefaultStrokeGap; negative: no pause).
	StrokeGapMs float64
	// MaxGapMs caps every idle gap of the recorded times (a pause between
	// two points, including the wait before the first point), in milliseconds
	// (0: DefaultMaxGapMs; negative: gaps are played as recorded). Values
	// below MinMaxGapMs are raised to it.
	MaxGapMs float64
}

// Pacing defaults and limits.
const (
	DefaultSegmentMs = 1000.0 / 60
	DefaultMaxGapMs  = 1000.0
	// MinMaxGapMs is the smallest gap cap honoured: it keeps the table of
	// shortened gaps small (a gap shorter than this is never shortened).
	MinMaxGapMs = 50.0
)

func (p Pacing) withDefaults() Pacing {
	if p.SegmentMs <= 0 || math.IsNaN(p.SegmentMs) || math.IsInf(p.SegmentMs, 0) {
		p.SegmentMs = DefaultSegmentMs
	}
	if p.StrokeGapMs == 0 || math.IsNaN(p.StrokeGapMs) {
		p.StrokeGapMs = DefaultStrokeGap
	}
	if p.StrokeGapMs < 0 || math.IsInf(p.StrokeGapMs, 0) {
		p.StrokeGapMs = 0
	}
	if p.MaxGapMs == 0 || math.IsNaN(p.MaxGapMs) {
		p.MaxGapMs = DefaultMaxGapMs
	}
	if p.MaxGapMs > 0 && p.MaxGapMs < MinMaxGapMs {
		p.MaxGapMs = MinMaxGapMs
	}
	return p
}

// ErrLayout reports a drawing whose strokes do not cover its point store in
// order, one after the other (every loader builds them that way).
var ErrLayout = errors.New("strokes do not cover the points in order")

// Timing gives every point of a drawing its playback time under a Pacing,
// in milliseconds from the start of playback. Playback times never decrease
// from one point to the next. A Timing costs a few bytes per shortened gap,
// never a copy of the point times; it is safe for concurrent reads.
type Timing struct {
	d *Drawing
	p Pacing
	// Recorded times: gapAt[k] is a point index whose wait since the point
	// before (or since 0 for point 0) is longer than MaxGapMs, and gapCut[k]
	// the total milliseconds cut up to and including that point.
	gapAt  []int32
	gapCut []float64
	dur    float64
}

// NewTiming returns the playback times of d under p. It fails when the
// strokes do not cover the point store in order.
func NewTiming(d *Drawing, p Pacing) (*Timing, error) {
	if err := checkLayout(d); err != nil {
		return nil, err
	}
	tm := &Timing{d: d, p: p.withDefaults()}
	if !tm.p.Uniform && tm.p.MaxGapMs > 0 {
		prev, cut := 0.0, 0.0
		for i, t := range d.T {
			if g := float64(t) - prev; g > tm.p.MaxGapMs {
				cut += g - tm.p.MaxGapMs
				tm.gapAt = append(tm.gapAt, int32(i))
				tm.gapCut = append(tm.gapCut, cut)
			}
			prev = float64(t)
		}
	}
	if n := d.NumPoints(); n > 0 {
		tm.dur = tm.PointTime(n - 1)
	}
	return tm, nil
}

func checkLayout(d *Drawing) error {
	next := 0
	for i, s := range d.Strokes {
		if s.Start != next || s.End < s.Start {
			return fmt.Errorf("stroke %d: %w", i, ErrLayout)
		}
		next = s.End
	}
	if next != len(d.T) || len(d.XY) != 2*len(d.T) {
		return fmt.Errorf("%d points, %d in strokes: %w", len(d.T), next, ErrLayout)
	}
	return nil
}

// Drawing returns the drawing the times belong to.
func (tm *Timing) Drawing() *Drawing { return tm.d }

// Pacing returns the pacing in use, defaults filled in.
func (tm *Timing) Pacing() Pacing { return tm.p }

// Duration returns the playback time of the last point, in milliseconds.
func (tm *Timing) Duration() float64 { return tm.dur }

// PointTime returns point i's playback time in milliseconds.
func (tm *Timing) PointTime(i int) float64 {
	if tm.p.Uniform {
		s := tm.StrokeOf(i)
		// Every stroke before s contributes its segments and one gap.
		return float64(i-s)*tm.p.SegmentMs + float64(s)*tm.p.StrokeGapMs
	}
	t := float64(tm.d.T[i])
	// The last shortened gap at or before i.
	lo, hi := 0, len(tm.gapAt)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(tm.gapAt[m]) <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo > 0 {
		t -= tm.gapCut[lo-1]
	}
	return t
}

// StrokeOf returns the index of the stroke holding point i.
func (tm *Timing) StrokeOf(i int) int { return tm.d.StrokeOf(i) }

// Revealed returns how many points have a playback time at or before t:
// the points [0, n) are drawn at time t.
func (tm *Timing) Revealed(t float64) int {
	lo, hi := 0, tm.d.NumPoints()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tm.PointTime(m) <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// StrokeEnd returns the playback time at which stroke s is complete.
func (tm *Timing) StrokeEnd(s int) float64 { return tm.PointTime(tm.d.Strokes[s].End - 1) }

// Speed limits of a Timeline.
const (
	MinSpeed = 0.25
	MaxSpeed = 16
)

// Timeline is the playback clock: it turns wall-clock time into playback
// time with play, pause, seek, speed and stroke stepping. It never reads the
// system clock; the caller drives it with Advance (elapsed wall time) or
// SetTime, so it is deterministic and testable. Times are in milliseconds.
//
// A new Timeline is paused at time 0 at speed 1. It is not safe for
// concurrent use.
type Timeline struct {
	tm      *Timing
	t       float64
	speed   float64
	playing bool
	// Loop, when set, restarts from 0 at the end instead of pausing there.
	Loop bool
}

// NewTimeline returns a paused timeline at 0 over d paced by p.
func NewTimeline(d *Drawing, p Pacing) (*Timeline, error) {
	tm, err := NewTiming(d, p)
	if err != nil {
		return nil, err
	}
	return &Timeline{tm: tm, speed: 1}, nil
}

// Timing returns the playback times the timeline runs over.
func (tl *Timeline) Timing() *Timing { return tl.tm }

// Drawing returns the drawing being played.
func (tl *Timeline) Drawing() *Drawing { return tl.tm.d }

// Time returns the playback time in milliseconds, in [0, Duration].
func (tl *Timeline) Time() float64 { return tl.t }

// Duration returns the playback length in milliseconds.
func (tl *Timeline) Duration() float64 { return tl.tm.dur }

// Playing reports whether Advance moves the clock.
func (tl *Timeline) Playing() bool { return tl.playing }

// Ended reports whether the clock stands at the end.
func (tl *Timeline) Ended() bool { return tl.t >= tl.tm.dur }

// Play starts the clock; at the end it restarts from 0.
func (tl *Timeline) Play() {
	if tl.Ended() {
		tl.t = 0
	}
	tl.playing = true
}

// Pause stops the clock.
func (tl *Timeline) Pause() { tl.playing = false }

// Toggle plays when paused and pauses when playing.
func (tl *Timeline) Toggle() {
	if tl.playing {
		tl.Pause()
	} else {
		tl.Play()
	}
}

// Speed returns the playback speed factor.
func (tl *Timeline) Speed() float64 { return tl.speed }

// SetSpeed sets the speed factor, clamped to [MinSpeed, MaxSpeed] (NaN is
// ignored), and returns the speed now in force.
func (tl *Timeline) SetSpeed(x float64) float64 {
	if !math.IsNaN(x) {
		tl.speed = math.Max(MinSpeed, math.Min(MaxSpeed, x))
	}
	return tl.speed
}

// Faster doubles the speed (up to MaxSpeed) and returns it.
func (tl *Timeline) Faster() float64 { return tl.SetSpeed(tl.speed * 2) }

// Slower halves the speed (down to MinSpeed) and returns it.
func (tl *Timeline) Slower() float64 { return tl.SetSpeed(tl.speed / 2) }

// Advance moves the clock by dt milliseconds of wall time times the speed,
// when playing, and returns the playback time. At the end the clock pauses
// (or, with Loop, starts over from 0).
func (tl *Timeline) Advance(dt float64) float64 {
	if !tl.playing || !(dt > 0) || math.IsInf(dt, 0) {
		return tl.t
	}
	tl.t += dt * tl.speed
	if tl.t >= tl.tm.dur {
		if tl.Loop && tl.tm.dur > 0 {
			tl.t = math.Mod(tl.t, tl.tm.dur)
		} else {
			tl.t = tl.tm.dur
			tl.playing = false
		}
	}
	return tl.t
}

// SetTime seeks to t milliseconds, clamped to [0, Duration]; NaN seeks to 0.
// Playing or paused is unchanged.
func (tl *Timeline) SetTime(t float64) {
	if !(t > 0) {
		t = 0
	}
	tl.t = math.Min(t, tl.tm.dur)
}

// Fraction returns the playback position as a fraction of the duration.
func (tl *Timeline) Fraction() float64 {
	if tl.tm.dur <= 0 {
		return 1
	}
	return tl.t / tl.tm.dur
}

// StrokesDone returns how many strokes are complete at the current time.
func (tl *Timeline) StrokesDone() int {
	n := tl.tm.Revealed(tl.t)
	if n == 0 {
		return 0
	}
	// Strokes before the one holding point n-1 are complete; that one is
	// complete when n reaches its end.
	s := tl.tm.StrokeOf(n - 1)
	if tl.tm.d.Strokes[s].End <= n {
		return s + 1
	}
	return s
}

// NextStroke pauses and seeks to the next stroke boundary after the current
// time: the moment the stroke being drawn (or the next one) is complete. At
// the last boundary it stays there.
func (tl *Timeline) NextStroke() {
	tl.Pause()
	done := tl.StrokesDone()
	if done >= len(tl.tm.d.Strokes) {
		tl.t = tl.tm.dur
		return
	}
	tl.t = tl.tm.StrokeEnd(done)
}

// PrevStroke pauses and seeks to the previous stroke boundary before the
// current time (the end of the stroke before, or 0).
func (tl *Timeline) PrevStroke() {
	tl.Pause()
	done := tl.StrokesDone()
	// When we stand exactly on the boundary of stroke done-1, step past it.
	for done > 0 && tl.tm.StrokeEnd(done-1) >= tl.t {
		done--
	}
	if done == 0 {
		tl.t = 0
		return
	}
	tl.t = tl.tm.StrokeEnd(done - 1)
}

// SetPacing changes the pacing and keeps the drawing where it is: the clock
// moves to the new time at which the same points are drawn.
func (tl *Timeline) SetPacing(p Pacing) {
	n := tl.tm.Revealed(tl.t)
	tm, err := NewTiming(tl.tm.d, p)
	if err != nil {
		return // same drawing: the layout was checked when tl was made
	}
	tl.tm = tm
	switch {
	case n == 0:
		tl.t = 0
	default:
		tl.t = tm.PointTime(n - 1)
	}
}
