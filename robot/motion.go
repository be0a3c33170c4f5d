package robot

import (
	"fmt"
	"math"
	"sort"
	"time"

	"mbotdraw/robot/mblock"
)

// MotionKind says what a Motion does.
type MotionKind uint8

// Motion kinds.
const (
	PenUp   MotionKind = iota + 1 // lift the pen and wait for the servo
	PenDown                       // lower the pen and wait for the servo
	Turn                          // spin in place by Angle degrees
	Drive                         // drive straight by Distance mm
	Wait                          // stand still for Duration (a rest between reversals)
	// PenChange stops for the user to put in the next pen (Motion.Pen),
	// between the colour groups of a plan made with PlanOptions.ByColour.
	// It comes after a pen lift, sends no frame (the motors are already
	// stopped) and takes no robot time (Duration 0): the time estimate
	// counts the robot's moves only, not the wait for a person. The
	// Driver pauses there until Resume.
	PenChange
)

func (k MotionKind) String() string {
	switch k {
	case PenUp:
		return "pen-up"
	case PenDown:
		return "pen-down"
	case Turn:
		return "turn"
	case Drive:
		return "drive"
	case Wait:
		return "wait"
	case PenChange:
		return "pen-change"
	}
	return fmt.Sprintf("motion(%d)", uint8(k))
}

// Motion is one step of the robot's program.
type Motion struct {
	Kind MotionKind
	// Angle is the turn in degrees; positive turns clockwise seen from
	// above (a right turn). Only for Turn.
	Angle float64
	// Distance is the drive in mm; negative drives backwards. Only for Drive.
	Distance float64
	// Start is the robot time from the program's start at which the motion
	// begins; Duration how long it takes, in robot time.
	Start, Duration time.Duration
	// Ink reports whether the pen is down while the motion runs.
	Ink bool
	// Path is the plan path the motion draws or travels to; -1 for the
	// initial pen lift and the way home.
	Path int
	// PathsDone is how many plan paths are complete once this motion is.
	PathsDone int
	// Pose is where the robot is when the motion is done.
	Pose Pose
	// Pen is the pen to put in. Only for PenChange.
	Pen Pen
}

// End returns the robot time at which the motion is done.
func (m Motion) End() time.Duration { return m.Start + m.Duration }

// TimedFrame is one Makeblock frame with its send time.
type TimedFrame struct {
	// T is the robot time from the program's start at which the host sends
	// the frame.
	T time.Duration
	// Motion is the index of the motion the frame belongs to.
	Motion int
	Bytes  []byte
}

// Program is a compiled plan: the motions, their frames and the time model.
type Program struct {
	// Plan is the plan compiled (nil for a program built from motions).
	Plan        *Plan
	Calibration Calibration
	Home        Pose
	Motions     []Motion
	// Frames in send order, each with its robot time.
	Frames []TimedFrame
	// Duration is the estimated robot time of the whole program.
	Duration time.Duration
	// firstFrame[i] is the index in Frames of motion i's first frame (or of
	// the next motion's when it has none).
	firstFrame []int
}

// CompileOptions configures Compile. The zero value ends the program where
// the last path ends.
type CompileOptions struct {
	// ReturnHome drives back to the plan's home pose at the end.
	ReturnHome bool
}

// PingInterval is the longest the host stays silent during a move, in robot
// time: a longer stretch at one speed gets START frames (ff 55 02 00 05,
// which the firmware only acks) every PingInterval, so that a link that dies
// without an error is noticed within a second.
const PingInterval = 400 * time.Millisecond

// Thresholds below which a turn or a drive is not worth a motor command.
const (
	minTurn  = 0.02 // degrees
	minDrive = 0.02 // mm
)

// Compile turns a plan into motions and frames, turtle style: for each path,
// lift the pen (if down), turn towards its start and drive there, lower the
// pen, then turn and drive along each segment, and lift the pen at its end.
// A turn of more than 90° is replaced by the smaller opposite turn and a
// drive backwards. Between the colour groups of a plan made by colour
// (Plan.Groups), after the pen lift, comes a PenChange motion naming the
// next group's pen. Zero fields of cal take DefaultCalibration's values.
func Compile(plan *Plan, cal Calibration, o CompileOptions) (*Program, error) {
	cal, err := cal.normalized()
	if err != nil {
		return nil, err
	}
	b := newBuilder(cal, plan.Home)
	b.add(Motion{Kind: PenUp})
	group := 0 // the colour group of path pi
	for pi, path := range plan.Paths {
		b.path = pi
		if group < len(plan.Groups) && pi >= plan.Groups[group].End {
			group++
			b.add(Motion{Kind: PenChange, Pen: plan.Groups[group].Pen})
		}
		x, y := plan.Point(path.Start)
		b.goTo(x, y, false)
		b.add(Motion{Kind: PenDown})
		for i := path.Start + 1; i < path.End; i++ {
			x, y := plan.Point(i)
			b.goTo(x, y, true)
		}
		b.done = pi + 1 // the pen lift that ends a path completes it
		b.add(Motion{Kind: PenUp})
	}
	if o.ReturnHome {
		b.path = -1
		b.goTo(plan.Home.X, plan.Home.Y, false)
		b.turnTo(plan.Home.Heading, false)
	}
	p := b.program()
	p.Plan = plan
	return p, nil
}

// NewProgram builds a program from hand-made motions (only Kind, Angle,
// Distance and, for Wait, Duration are read), starting at pose start: what
// `calibrate` drives. Rests are added between direction reversals.
func NewProgram(motions []Motion, start Pose, cal Calibration) (*Program, error) {
	cal, err := cal.normalized()
	if err != nil {
		return nil, err
	}
	b := newBuilder(cal, start)
	for _, m := range motions {
		if m.Kind < PenUp || m.Kind > Wait {
			return nil, fmt.Errorf("motion %d: unknown kind %d", len(b.motions), m.Kind)
		}
		b.add(Motion{Kind: m.Kind, Angle: m.Angle, Distance: m.Distance, Duration: max(0, m.Duration)})
	}
	return b.program(), nil
}

// builder accumulates motions and keeps the pose and the motor state.
type builder struct {
	cal       Calibration
	start     Pose
	pose      Pose
	t         time.Duration
	motions   []Motion
	path      int
	done      int
	pen       bool
	lastLeft  int // sign of the last wheel speeds, for reversal rests
	lastRight int
	stopped   time.Duration // robot time at which the motors last stopped
}

func newBuilder(cal Calibration, start Pose) *builder {
	return &builder{cal: cal, start: start, pose: start, path: -1}
}

// goTo turns towards (x, y) and drives there; it drives backwards when the
// turn would be more than 90°.
func (b *builder) goTo(x, y float64, ink bool) {
	dx, dy := x-b.pose.X, y-b.pose.Y
	dist := math.Hypot(dx, dy)
	if dist < minDrive {
		return
	}
	want := math.Atan2(dy, dx) * 180 / math.Pi
	turn := normDeg(want - b.pose.Heading)
	if math.Abs(turn) > 90 {
		turn = normDeg(turn - 180)
		dist = -dist
	}
	if math.Abs(turn) >= minTurn {
		b.add(Motion{Kind: Turn, Angle: turn, Ink: ink})
	}
	b.add(Motion{Kind: Drive, Distance: dist, Ink: ink})
}

func (b *builder) turnTo(heading float64, ink bool) {
	if turn := normDeg(heading - b.pose.Heading); math.Abs(turn) >= minTurn {
		b.add(Motion{Kind: Turn, Angle: turn, Ink: ink})
	}
}

// add appends m after filling in its timing, pose and bookkeeping, with a
// rest before it when it reverses a wheel.
func (b *builder) add(m Motion) {
	switch m.Kind {
	case PenDown:
		b.pen = true
	case Turn, Drive:
		l, r := wheelSigns(m)
		if (l*b.lastLeft < 0 || r*b.lastRight < 0) && b.t-b.stopped < ms(b.cal.Rest) {
			b.push(Motion{Kind: Wait, Duration: ms(b.cal.Rest) - (b.t - b.stopped), Ink: b.pen})
		}
		b.lastLeft, b.lastRight = l, r
	}
	m.Ink = b.pen && m.Kind != PenDown
	if m.Kind == PenUp {
		m.Ink = false
		b.pen = false
	}
	switch m.Kind {
	case PenUp, PenDown:
		m.Duration = ms(b.cal.Settle)
	case Turn, Drive:
		m.Duration = b.cal.moveDuration(m)
	}
	b.push(m)
	if m.Kind == Turn || m.Kind == Drive {
		b.stopped = b.t
	}
}

func (b *builder) push(m Motion) {
	m.Path = b.path
	m.Start = b.t
	b.t += m.Duration
	switch m.Kind {
	case Turn:
		b.pose.Heading = normDeg(b.pose.Heading + m.Angle)
	case Drive:
		h := b.pose.Heading * math.Pi / 180
		b.pose.X += m.Distance * math.Cos(h)
		b.pose.Y += m.Distance * math.Sin(h)
	}
	m.Pose = b.pose
	m.PathsDone = b.done
	b.motions = append(b.motions, m)
}

func (b *builder) program() *Program {
	p := &Program{Calibration: b.cal, Home: b.start, Motions: b.motions, Duration: b.t}
	p.firstFrame = make([]int, len(b.motions)+1)
	for i, m := range b.motions {
		p.firstFrame[i] = len(p.Frames)
		for _, f := range b.cal.frames(m) {
			p.Frames = append(p.Frames, TimedFrame{T: m.Start + f.at, Motion: i, Bytes: f.bytes})
		}
	}
	p.firstFrame[len(b.motions)] = len(p.Frames)
	return p
}

// PoseBefore returns the robot's pose before motion i (i = len(Motions) gives
// the final pose).
func (p *Program) PoseBefore(i int) Pose {
	if i >= len(p.Motions) {
		if len(p.Motions) == 0 {
			return p.Home
		}
		return p.Motions[len(p.Motions)-1].Pose
	}
	if i <= 0 {
		return p.Home
	}
	return p.Motions[i-1].Pose
}

// MotionAt returns the index of the motion under way at robot time t from
// the program's start (len(Motions) once it is over).
func (p *Program) MotionAt(t time.Duration) int {
	return sort.Search(len(p.Motions), func(i int) bool { return p.Motions[i].End() > t })
}

// PoseAt returns where the motion model puts the robot at robot time t from
// the program's start: for a view that shows the robot moving between
// progress events.
func (p *Program) PoseAt(t time.Duration) Pose {
	i := p.MotionAt(t)
	if i >= len(p.Motions) {
		return p.PoseBefore(i)
	}
	m := p.Motions[i]
	_, at, _ := p.Calibration.Partial(m, p.PoseBefore(i), t-m.Start)
	return at
}

// FramesOf returns motion i's frames.
func (p *Program) FramesOf(i int) []TimedFrame {
	return p.Frames[p.firstFrame[i]:p.firstFrame[i+1]]
}

// Left returns the robot time the program still needs once motion i is
// under way for elapsed robot time.
func (p *Program) Left(i int, elapsed time.Duration) time.Duration {
	if i >= len(p.Motions) {
		return 0
	}
	left := p.Duration - p.Motions[i].Start - elapsed
	return max(0, left)
}

// wheelSigns returns the direction of each wheel (+1 forward, -1 back, 0
// still) during m.
func wheelSigns(m Motion) (left, right int) {
	switch m.Kind {
	case Drive:
		if m.Distance < 0 {
			return -1, -1
		}
		return 1, 1
	case Turn:
		if m.Angle < 0 {
			return -1, 1
		}
		return 1, -1
	}
	return 0, 0
}

// step is one change of motor speed within a move: from offset at on, the
// wheels run at level (a fraction of the move's PWM: 1, the half-PWM ramp
// step, or 0 = stopped).
type step struct {
	at    time.Duration
	level float64
}

// profile returns the speed steps of a move of magnitude mag (mm or degrees)
// at full rate (per second) with pwm, ramping through half PWM for ramp at
// each end, and the move's duration.
func profile(mag, rate float64, pwm int, ramp time.Duration) ([]step, time.Duration) {
	secs := func(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
	hl := float64(pwm/2) / float64(pwm) // the half step's level
	r := ramp.Seconds()
	switch {
	case mag <= 0:
		return nil, 0
	case r <= 0 || pwm/2 == 0:
		d := secs(mag / rate)
		return []step{{0, 1}, {d, 0}}, d
	case mag <= 2*hl*rate*r+rate*0.001:
		// Too short for a full-speed stretch of a millisecond: half speed only.
		d := secs(mag / (hl * rate))
		return []step{{0, hl}, {d, 0}}, d
	}
	cruise := (mag - 2*hl*rate*r) / rate
	a := secs(r)
	c := secs(r + cruise)
	d := secs(2*r + cruise)
	return []step{{0, hl}, {a, 1}, {c, hl}, {d, 0}}, d
}

// covered returns how much of the move's magnitude the steps have covered
// after elapsed, at full rate.
func covered(steps []step, rate float64, elapsed time.Duration) float64 {
	done := 0.0
	for i := 0; i+1 < len(steps); i++ {
		a, b := steps[i].at, steps[i+1].at
		if elapsed <= a {
			break
		}
		done += steps[i].level * rate * (min(elapsed, b) - a).Seconds()
	}
	return done
}

// moveParams returns a Turn's or Drive's magnitude, full rate and PWM.
func (c Calibration) moveParams(m Motion) (mag, rate float64, pwm int) {
	if m.Kind == Turn {
		return math.Abs(m.Angle), c.TurnRate, c.TurnPWM
	}
	return math.Abs(m.Distance), c.Speed, c.PWM
}

func (c Calibration) moveDuration(m Motion) time.Duration {
	mag, rate, pwm := c.moveParams(m)
	_, d := profile(mag, rate, pwm, ms(c.Ramp))
	return d
}

type offsetFrame struct {
	at    time.Duration
	bytes []byte
}

// frames returns motion m's frames with their offsets from its start.
func (c Calibration) frames(m Motion) []offsetFrame {
	wiring := c.Wiring()
	switch m.Kind {
	case PenUp:
		return []offsetFrame{{0, mblock.Servo(0, byte(c.ServoPort), byte(c.ServoSlot), c.PenUp)}}
	case PenDown:
		return []offsetFrame{{0, mblock.Servo(0, byte(c.ServoPort), byte(c.ServoSlot), c.PenDown)}}
	case Turn, Drive:
		mag, rate, pwm := c.moveParams(m)
		steps, _ := profile(mag, rate, pwm, ms(c.Ramp))
		l, r := wheelSigns(m)
		out := make([]offsetFrame, 0, len(steps)+2)
		for i, s := range steps {
			v := int(math.Round(s.level * float64(pwm)))
			out = append(out, offsetFrame{s.at, wiring.Drive(0, l*v, r*v)})
			if i+1 < len(steps) {
				// Keep-alive frames in long stretches, so that a link that
				// dies silently is noticed within a second.
				for t := s.at + PingInterval; t < steps[i+1].at-PingInterval/4; t += PingInterval {
					out = append(out, offsetFrame{t, mblock.Start(0)})
				}
			}
		}
		return out
	}
	return nil
}

// Partial returns what is left of motion m after elapsed robot time, and the
// pose reached at that time from pose before: a Turn or Drive by the rest of
// its angle or distance, or the whole of any other motion (a pen move is
// redone). ok is false when nothing is left.
func (c Calibration) Partial(m Motion, before Pose, elapsed time.Duration) (rest Motion, at Pose, ok bool) {
	at = before
	if m.Kind != Turn && m.Kind != Drive {
		if elapsed >= m.Duration && m.Kind == Wait {
			return m, at, false
		}
		return m, at, true
	}
	mag, rate, pwm := c.moveParams(m)
	steps, _ := profile(mag, rate, pwm, ms(c.Ramp))
	done := math.Min(mag, covered(steps, rate, elapsed))
	rest = m
	switch m.Kind {
	case Turn:
		sign := math.Copysign(1, m.Angle)
		at.Heading = normDeg(before.Heading + sign*done)
		rest.Angle = sign * (mag - done)
	case Drive:
		sign := math.Copysign(1, m.Distance)
		h := before.Heading * math.Pi / 180
		at.X += sign * done * math.Cos(h)
		at.Y += sign * done * math.Sin(h)
		rest.Distance = sign * (mag - done)
	}
	if mag-done < minDrive {
		return rest, at, false
	}
	rest.Duration = c.moveDuration(rest)
	return rest, at, true
}

// normDeg wraps an angle into (-180, 180].
func normDeg(a float64) float64 {
	a = math.Mod(a, 360)
	if a <= -180 {
		a += 360
	} else if a > 180 {
		a -= 360
	}
	return a
}
