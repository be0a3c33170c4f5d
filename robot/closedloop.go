package robot

// Closed-loop correction: the driver knows when each frame went out, so it
// knows the pose the robot really reached, and aims each move from there
// (see Driver).

import (
	"context"
	"errors"
	"math"
	"time"

	"mbotdraw/robot/mblock"
)

// moveTrack is a turn or a drive as the robot runs it: the speed levels
// (fractions of the move's rate) the driver sent and the clock readings at
// which they went out.
type moveTrack struct {
	kind   MotionKind
	sign   float64 // +1 or -1: the move's direction
	before Pose
	rate   float64 // mm/s or °/s at level 1
	at     []time.Duration
	level  []float64
}

// covered returns the magnitude (mm or degrees) run by clock reading t.
func (m *moveTrack) covered(t time.Duration) float64 {
	c := 0.0
	for j, a := range m.at {
		if t <= a {
			break
		}
		end := t
		if j+1 < len(m.at) && m.at[j+1] < t {
			end = m.at[j+1]
		}
		c += m.level[j] * m.rate * (end - a).Seconds()
	}
	return c
}

// poseAt returns where the move has taken the robot by clock reading t.
func (m *moveTrack) poseAt(t time.Duration) Pose {
	return moved(m.before, m.kind, m.sign*m.covered(t))
}

// moved returns pose p after a turn by c degrees or a drive by c mm, as
// the program's builder computes it.
func moved(p Pose, kind MotionKind, c float64) Pose {
	if kind == Turn {
		p.Heading = normDeg(p.Heading + c)
		return p
	}
	h := p.Heading * math.Pi / 180
	p.X += c * math.Cos(h)
	p.Y += c * math.Sin(h)
	return p
}

// Closed-loop tolerances.
const (
	// aimTol (mm): a pen-down spot, or a corner overshot with the pen down,
	// farther than this from the plan is driven back to first.
	aimTol = 0.3
	// latTol (mm): a drive that would end farther than this beside its
	// target turns towards it first.
	latTol = 0.1
	// nearTarget (mm): a turn whose next target is closer than this keeps
	// its planned heading (a bearing over so short a way is noise).
	nearTarget = 1.0
	// sameMove: a re-aimed angle (degrees) or distance (mm) this close to
	// the planned one is the planned one, so that a run whose timing held
	// sends exactly the program's frames.
	sameMove = 1e-6
	// onSchedule: a move that covered its magnitude (mm or degrees) to
	// within this ran as timed; the difference is the profile's rounding
	// of its times to the nanosecond.
	onSchedule = 1e-5
)

// aimTurn returns turn motion i's angle aimed from the robot's pose: at the
// end of the drive that follows it, or at the planned heading when no drive
// follows or its end is too near to aim at.
func (d *Driver) aimTurn(i int, m Motion) float64 {
	p := d.curPose()
	want := d.prog.Motions[i].Pose.Heading
	for j := i + 1; j < len(d.prog.Motions); j++ {
		n := d.prog.Motions[j]
		if n.Kind == Wait {
			continue
		}
		if n.Kind == Drive {
			dx, dy := n.Pose.X-p.X, n.Pose.Y-p.Y
			if math.Hypot(dx, dy) >= nearTarget {
				want = math.Atan2(dy, dx) * 180 / math.Pi
				if n.Distance < 0 {
					want += 180
				}
			}
		}
		break
	}
	a := m.Angle + normDeg(want-normDeg(p.Heading+m.Angle))
	if math.Abs(a-m.Angle) < sameMove {
		return m.Angle
	}
	return a
}

// aimDrive runs drive motion i towards its planned end from the robot's
// pose: a correcting turn first when it would pass more than latTol beside
// it, then the distance along the heading.
func (d *Driver) aimDrive(ctx context.Context, i int, m Motion) error {
	t := d.prog.Motions[i].Pose
	p := d.curPose()
	along, side := project(p, t.X, t.Y)
	if math.Abs(side) > latTol {
		want := math.Atan2(t.Y-p.Y, t.X-p.X) * 180 / math.Pi
		if along < 0 {
			want += 180
		}
		if turn := normDeg(want - p.Heading); math.Abs(turn) >= minTurn {
			if err := d.runMove(ctx, Motion{Kind: Turn, Angle: turn, Ink: m.Ink}); err != nil {
				return err
			}
			p = d.curPose()
			along, _ = project(p, t.X, t.Y)
		}
	}
	if math.Abs(along-m.Distance) < sameMove {
		along = m.Distance
	}
	if math.Abs(along) < minDrive {
		return nil
	}
	m.Distance = along
	return d.runMove(ctx, m)
}

// project returns how far (x, y) lies ahead of pose p along its heading,
// and how far to its side.
func project(p Pose, x, y float64) (along, side float64) {
	h := p.Heading * math.Pi / 180
	dx, dy := x-p.X, y-p.Y
	return dx*math.Cos(h) + dy*math.Sin(h), -dx*math.Sin(h) + dy*math.Cos(h)
}

// backUp drives straight back (or on) to the point of target nearest the
// heading line when the robot is more than aimTol from it: a corner
// overshot with the pen down is retraced, not left as a detour.
func (d *Driver) backUp(ctx context.Context, target Pose) error {
	p := d.curPose()
	if math.Hypot(target.X-p.X, target.Y-p.Y) <= aimTol {
		return nil
	}
	along, _ := project(p, target.X, target.Y)
	if math.Abs(along) < minDrive {
		return nil
	}
	return d.runMove(ctx, Motion{Kind: Drive, Distance: along, Ink: true})
}

// approach drives (pen up) to target's spot when the robot is more than
// aimTol from it, turning at most 90° and driving backwards when that is
// nearer.
func (d *Driver) approach(ctx context.Context, target Pose) error {
	p := d.curPose()
	dist := math.Hypot(target.X-p.X, target.Y-p.Y)
	if dist <= aimTol {
		return nil
	}
	want := math.Atan2(target.Y-p.Y, target.X-p.X) * 180 / math.Pi
	turn := normDeg(want - p.Heading)
	if math.Abs(turn) > 90 {
		turn = normDeg(turn - 180)
	}
	if math.Abs(turn) >= minTurn {
		if err := d.runMove(ctx, Motion{Kind: Turn, Angle: turn}); err != nil {
			return err
		}
	}
	along, _ := project(d.curPose(), target.X, target.Y)
	if math.Abs(along) < minDrive {
		return nil
	}
	return d.runMove(ctx, Motion{Kind: Drive, Distance: along})
}

// runMove runs a turn or a drive: its speed changes, each timed from when
// the one before it actually went out, with keep-alive frames in long
// stretches; a wheel that reverses first rests. Unless OpenLoop, a speed
// change that went out late re-times the rest of the move so that it still
// covers its magnitude. The robot's pose is updated from the actual send
// times, also when the move is cut short.
func (d *Driver) runMove(ctx context.Context, m Motion) error {
	mag, rate, pwm := d.cal.moveParams(m)
	steps, _ := profile(mag, rate, pwm, ms(d.cal.Ramp))
	if len(steps) == 0 {
		return nil
	}
	l, r := wheelSigns(m)
	if l*d.lastL < 0 || r*d.lastR < 0 {
		if err := d.sleepUntil(ctx, d.lastStop+ms(d.cal.Rest)); err != nil {
			return err
		}
	}
	sign := 1.0
	if m.Angle < 0 || m.Distance < 0 {
		sign = -1
	}
	tr := &moveTrack{kind: m.Kind, sign: sign, before: d.curPose(), rate: rate}
	d.mu.Lock()
	d.live = tr
	d.mu.Unlock()
	done := func(at time.Duration) {
		p := tr.poseAt(at)
		if math.Abs(tr.covered(at)-mag) < onSchedule {
			// Ran as timed: the move is the planned one to the last bit,
			// and so is the pose (the profile's nanosecond rounding must not
			// add up over a drawing).
			p = moved(tr.before, tr.kind, tr.sign*mag)
		}
		d.mu.Lock()
		d.pose = p
		d.live = nil
		d.mu.Unlock()
	}
	fail := func(err error) error {
		at := d.clock.Now()
		var le *lostError
		if errors.As(err, &le) {
			at = le.at
		}
		done(at)
		if d.o.OpenLoop {
			rest := m
			left := math.Max(0, mag-tr.covered(at))
			if m.Kind == Turn {
				rest.Angle = sign * left
			} else {
				rest.Distance = sign * left
			}
			d.rest = &rest
		}
		return err
	}
	dur := make([]time.Duration, len(steps)-1) // each stretch's length
	for k := range dur {
		dur[k] = steps[k+1].at - steps[k].at
	}
	wiring := d.cal.Wiring()
	var at time.Duration // when the current stretch's frame went out
	for k, s := range steps {
		if k > 0 {
			for t := PingInterval; t < dur[k-1]-PingInterval/4; t += PingInterval {
				if err := d.sleepUntil(ctx, at+t); err != nil {
					return fail(err)
				}
				if _, err := d.send(ctx, mblock.Start(0)); err != nil {
					return fail(err)
				}
			}
			if err := d.sleepUntil(ctx, at+dur[k-1]); err != nil {
				return fail(err)
			}
		}
		v := int(math.Round(s.level * float64(pwm)))
		sent, err := d.send(ctx, wiring.Drive(0, l*v, r*v))
		if err != nil {
			return fail(err)
		}
		at = sent
		d.mu.Lock()
		tr.at = append(tr.at, sent)
		tr.level = append(tr.level, s.level)
		d.mu.Unlock()
		if !d.o.OpenLoop && k+1 < len(steps) {
			retime(tr, steps, dur, k, mag, at)
		}
	}
	d.lastL, d.lastR, d.lastStop = l, r, at
	done(at)
	return nil
}

// retime adjusts the stretches from k on, after stretch k's frame went out
// at clock reading at, so that the move covers mag: the fastest stretch
// left (the cruise, or the current one) takes up the difference.
func retime(tr *moveTrack, steps []step, dur []time.Duration, k int, mag float64, at time.Duration) {
	need := mag - tr.covered(at)
	planned := 0.0
	best := k
	for j := k; j < len(dur); j++ {
		planned += steps[j].level * tr.rate * dur[j].Seconds()
		if steps[j].level > steps[best].level {
			best = j
		}
	}
	lv := steps[best].level
	if lv <= 0 {
		return
	}
	dt := time.Duration((need - planned) / (lv * tr.rate) * float64(time.Second))
	if dt > -time.Microsecond && dt < time.Microsecond {
		return // on time
	}
	dur[best] = max(0, dur[best]+dt)
}
