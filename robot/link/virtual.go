package link

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"sync"
	"time"

	"mbotdraw/robot/mblock"
)

// Model is the virtual mBot's physical model: a differential-drive robot
// whose wheel speed is proportional to the PWM value, with a pen servo. Fill
// it from the same calibration the host uses; the zero value is the default
// calibration of package robot (PWM 120 → 100 mm/s, 100°/s in place).
type Model struct {
	// PWM and Speed: each wheel rolls at Speed mm/s when driven at PWM, and
	// proportionally at other values (no dead band). Zero: 120 and 100.
	PWM   int
	Speed float64
	// Track is the wheel base in mm that turns the difference of the wheel
	// speeds into a turn rate. To reproduce a calibration measured as a turn
	// rate R (°/s at TurnPWM), pass the effective track
	// 2·Speed·TurnPWM/PWM / (R·π/180) (robot.Calibration.EffectiveTrack;
	// robot.Calibration.VirtualModel fills a whole Model).
	// Zero: 114.59 mm, which spins at 100°/s at PWM 120.
	Track float64
	// Wiring says which motor runs backwards; zero: the stock mBot.
	Wiring mblock.Wiring
	// ServoPort and ServoSlot say where the pen servo is plugged (zero: 1
	// and 1); a servo frame for another port or slot moves nothing. The pen
	// is down while the servo's angle is nearer PenDown than PenUp
	// (degrees; when equal, as when both are zero: 160 up, 90 down).
	ServoPort, ServoSlot int
	PenUp, PenDown       int
}

func (m Model) normalized() Model {
	if m.PWM == 0 {
		m.PWM = 120
	}
	if m.Speed == 0 {
		m.Speed = 100
	}
	if m.Track == 0 {
		m.Track = 2 * 100 / (100 * math.Pi / 180)
	}
	if m.ServoPort == 0 {
		m.ServoPort = 1
	}
	if m.ServoSlot == 0 {
		m.ServoSlot = 1
	}
	if m.PenUp == m.PenDown {
		m.PenUp, m.PenDown = 160, 90
	}
	return m
}

// wheel returns a wheel's speed in mm/s for a wheel PWM value.
func (m Model) wheel(pwm int) float64 { return float64(pwm) * m.Speed / float64(m.PWM) }

// Pose is where the robot is on the paper: X and Y in mm (y down the page)
// and Heading in degrees from +x towards +y (a positive change is a right
// turn, clockwise seen from above). The pen sits at (X, Y), on the axle.
type Pose struct {
	X, Y, Heading float64
}

// Fault is a misbehaviour the virtual mBot can put on for tests.
type Fault int

const (
	// Healthy: acks and answers like the firmware.
	Healthy Fault = iota
	// Mute: a hung board. Frames are read and ignored, nothing is answered,
	// and the motors keep the speeds they had.
	Mute
	// Garbage: answers correctly, but with random noise bytes around every
	// reply.
	Garbage
	// Vanish: the connection ends at once (a pulled cable). The motors stop
	// at that instant and the pen stays where it is; the robot keeps its
	// pose, its trace and its place for the next connection.
	Vanish
	// Brownout: the board restarts, as when the batteries sag under the
	// motors: the frame that triggers it is lost (neither applied nor
	// answered), the motors stop, the servo lets go so that the pen sinks
	// onto the paper (the trace shows whatever the robot then drives with
	// it down), and the boot banner is printed. The link stays up, and
	// the robot answers again at once: the fault clears itself.
	Brownout
)

func (f Fault) String() string {
	switch f {
	case Healthy:
		return "healthy"
	case Mute:
		return "mute"
	case Garbage:
		return "garbage"
	case Vanish:
		return "vanish"
	case Brownout:
		return "brownout"
	}
	return fmt.Sprintf("fault%d", int(f))
}

// VirtualOptions configure a virtual mBot. The zero value is the documented
// default.
type VirtualOptions struct {
	// Model is the robot's physics (zero: the default calibration).
	Model Model
	// Clock is the robot's time. Nil: a ScaledClock with TimeScale.
	Clock Clock
	// TimeScale is K of the default clock: robot time = real time × K.
	// Zero: 1.
	TimeScale float64
	// Start is the pose at power-on (zero: the origin, facing +x); the pen
	// starts up.
	Start Pose
	// Boot is how the board starts after a reset (each time a host opens
	// its port) and how fast it answers. Zero (no Name): BootMBlock, the
	// mBlock firmware behind a 1 s bootloader, ready 2.34 s of robot time
	// after each open; BootInstant is ready at once.
	Boot BootProfile
	// NoBanner stops the boot banner "Version: …\r\n" that the robot prints
	// when it has started.
	NoBanner bool
	// Version is the firmware version string. Zero: Boot's.
	Version string
	// Distance is what the ultrasonic sensor reads, in cm. Zero: 400 (no
	// echo).
	Distance float64
	// Seed seeds the noise of the Garbage fault.
	Seed int64
}

// DefaultVersion is the firmware version the virtual mBot reports.
const DefaultVersion = "06.01.107"

// Received is a frame the virtual mBot received, with the robot time it
// arrived.
type Received struct {
	T time.Duration
	// Frame is the frame's bytes as they arrived (ff 55, LEN and the LEN
	// bytes after it).
	Frame   []byte
	Dropped bool // ignored under the Mute, Vanish or Brownout fault
}

// Virtual is a simulated mBot with the stock firmware and a pen. It serves
// one connection at a time (a pseudo-terminal, an in-process pipe, or any
// stream given to Serve); a new connection replaces the old one, as a
// replugged cable would. It restarts as a real mBot does when a host opens
// its port (each Pipe, and each open of its pseudo-terminal): the motors
// stop (the pen stays where it is), and it boots by VirtualOptions.Boot:
// bytes that arrive in the bootloader or before the firmware switches its
// UART on are lost, those that arrive later in the set-up wait (up to 64
// bytes), and the banner comes when it starts listening. Its pose, pen and
// trace survive reconnections. All methods are safe for concurrent use.
type Virtual struct {
	opts  VirtualOptions
	model Model
	clock Clock
	track float64

	mu       sync.Mutex
	t        time.Duration // robot time the motion is integrated to
	pose     Pose
	left     float64 // wheel speeds, mm/s
	right    float64
	penDown  bool
	servo    int // last angle of the pen servo, -1 before any
	trace    Trace
	frames   []Received
	fault    Fault
	after    int // frames until pending starts; 0: none pending
	pending  Fault
	rng      *rand.Rand
	conn     io.Closer
	out      io.Writer  // conn's writing side, for a banner out of turn
	wmu      sync.Mutex // serialises writes to out
	resets   int        // brown-outs so far
	gen      int        // connection generation
	ptyFiles []*os.File
	symlink  string
	closed   bool
	served   sync.WaitGroup

	// The board's start-up, guarded by mu: when it was last reset (real
	// time), whether its main loop runs, the bytes waiting in its UART
	// meanwhile, and a count of resets that makes a stale boot timer moot.
	boot    BootProfile
	resetAt time.Time
	booted  bool
	rx      []byte
	boots   int
	// heard: bytes arrived since the last restart (see hostOpened).
	heard bool
	// loop is the firmware's main loop: one request at a time, each
	// answered (after its reply time) before the next is read. It guards
	// dec, and is taken before mu.
	loop sync.Mutex
	dec  mblock.RequestDecoder
}

// NewVirtual returns a virtual mBot at rest at o.Start, pen up.
func NewVirtual(o VirtualOptions) *Virtual {
	if o.Boot.Name == "" {
		o.Boot = BootMBlock
	}
	if o.Version == "" {
		o.Version = o.Boot.Version
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if o.Distance == 0 {
		o.Distance = 400
	}
	v := &Virtual{opts: o, model: o.Model.normalized(), clock: o.Clock, servo: -1, rng: rand.New(rand.NewSource(o.Seed)), boot: o.Boot, booted: true}
	if v.clock == nil {
		v.clock = NewScaledClock(o.TimeScale)
	}
	v.track = v.model.Track
	v.pose = o.Start
	v.t = v.clock.Now()
	v.trace = Trace{{Down: false, Points: []Point{{o.Start.X, o.Start.Y}}}}
	return v
}

// Clock returns the robot's clock.
func (v *Virtual) Clock() Clock { return v.clock }

// Model returns the robot's model with defaults filled in.
func (v *Virtual) Model() Model { return v.model }

// Pipe connects a new in-process link to the robot and returns the host's
// end, as opening the robot's port would: the board restarts, and its boot
// banner (unless NoBanner) comes when it has started.
func (v *Virtual) Pipe() Link {
	host, robot := newPipe("virtual mBot link", "virtual mBot")
	v.attach(robot, true)
	return host
}

// openPipe is Pipe and the host's handshake (see OpenSerial), as
// OpenWith("sim") does.
func (v *Virtual) openPipe(o Options) (Link, error) {
	l := v.Pipe()
	b, rest, err := openHandshake(l, "virtual mBot", o)
	if err != nil {
		return nil, err
	}
	e := l.(*pipeEnd)
	e.board = b
	e.unread(rest)
	return l, nil
}

func (v *Virtual) banner() []byte {
	return mblock.Reply{Kind: mblock.Banner, Text: "Version: " + v.opts.Version}.Encode()
}

// Serve runs the firmware's protocol on conn until conn fails or closes, the
// robot vanishes, or another connection replaces it. It returns the read
// error that ended it (nil when the robot ended it). The board is taken to
// be running already: it does not restart or print its banner.
func (v *Virtual) Serve(conn io.ReadWriteCloser) error {
	gen := v.attachGen(conn, false)
	return v.serve(conn, gen)
}

// ServeOpened is Serve for a host that has just opened the robot's port
// (a browser's Web Serial, carried over a WebSocket in tests): the board
// restarts first and boots by VirtualOptions.Boot, as over a
// pseudo-terminal.
func (v *Virtual) ServeOpened(conn io.ReadWriteCloser) error {
	gen := v.attachGen(conn, true)
	return v.serve(conn, gen)
}

// attach starts serving conn in the background; reset restarts the board,
// as a host opening its port does.
func (v *Virtual) attach(conn io.ReadWriteCloser, reset bool) {
	v.goServe(conn, v.attachGen(conn, reset))
}

// goServe serves connection gen in the background.
func (v *Virtual) goServe(conn io.ReadWriteCloser, gen int) {
	v.served.Add(1)
	go func() {
		defer v.served.Done()
		v.serve(conn, gen)
	}()
}

func (v *Virtual) attachGen(conn io.ReadWriteCloser, reset bool) int {
	v.loop.Lock()
	defer v.loop.Unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.conn.Close()
	}
	v.advance(v.clock.Now())
	v.left, v.right = 0, 0 // the cable replugged: the motors stop
	v.conn, v.out = conn, conn
	v.gen++
	v.fault, v.after = Healthy, 0
	v.dec = mblock.RequestDecoder{}
	v.rx, v.booted = nil, true
	v.heard = true // the first open restarts the board
	v.boots++      // a boot under way on the old connection is moot
	if reset {
		v.resetLocked()
	}
	return v.gen
}

func (v *Virtual) serve(conn io.ReadWriteCloser, gen int) error {
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		if n > 0 && !v.receive(conn, buf[:n], gen) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// receive takes bytes that arrived on connection gen now: lost while the
// board is in its bootloader or its UART is off, kept (up to the UART's 64
// bytes) while it sets up, run by the main loop once it listens. It
// returns false when the connection must end.
func (v *Virtual) receive(conn io.Writer, data []byte, gen int) bool {
	v.loop.Lock()
	defer v.loop.Unlock()
	v.mu.Lock()
	if gen != v.gen {
		v.mu.Unlock()
		return false
	}
	v.heard = true
	if !v.booted {
		if v.boot.phase(robotTime(v.clock, time.Since(v.resetAt))) != rxLost {
			v.rx = append(v.rx, data[:min(len(data), uartBuffer-len(v.rx))]...)
		}
		v.mu.Unlock()
		return true
	}
	v.mu.Unlock()
	return v.run(conn, data, gen)
}

// minSleep is the shortest reply time, in real time, the virtual mBot waits:
// a sleep shorter than the host's scheduler can keep (a RUN ack's 1.9 ms at
// a time scale of 50) would only add the scheduler's delay.
const minSleep = time.Millisecond

// run is the firmware's main loop over data: each request is applied and
// answered after the firmware's reply time. Call it with loop held. It
// returns false when the connection must end.
func (v *Virtual) run(conn io.Writer, data []byte, gen int) bool {
	for _, r := range v.dec.Feed(data) {
		reply, ok := v.handle(r, gen)
		if !ok {
			return false
		}
		if len(reply) == 0 {
			continue
		}
		if d := realTime(v.clock, v.boot.replyDelay(r, v.opts.Distance)); d >= minSleep {
			time.Sleep(d)
		}
		v.wmu.Lock()
		_, err := conn.Write(reply)
		v.wmu.Unlock()
		if err != nil {
			return false
		}
	}
	return true
}

// handle applies one request and returns the bytes to answer; ok is false
// when the connection must end.
func (v *Virtual) handle(r mblock.Request, gen int) (reply []byte, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if gen != v.gen {
		return nil, false
	}
	now := v.clock.Now()
	if v.after > 0 {
		v.after--
		if v.after == 0 {
			v.fault = v.pending
		}
	}
	rec := Received{T: now, Frame: r.Raw}
	if rec.Frame == nil {
		rec.Frame = r.Encode()
	}
	switch v.fault {
	case Mute:
		rec.Dropped = true
		v.frames = append(v.frames, rec)
		return nil, true
	case Vanish:
		rec.Dropped = true
		v.frames = append(v.frames, rec)
		v.disconnectLocked()
		return nil, false
	case Brownout:
		rec.Dropped = true
		v.frames = append(v.frames, rec)
		v.brownoutLocked(now)
		return v.banner(), true
	}
	v.frames = append(v.frames, rec)
	v.advance(now)
	rep := v.apply(r, now)
	if rep == nil {
		return nil, true
	}
	out := rep.Encode()
	if v.fault == Garbage {
		out = append(append(v.noise(), out...), v.noise()...)
	}
	return out, true
}

// noise returns 1…8 random bytes that cannot start a reply (no ff, no 'V').
func (v *Virtual) noise() []byte {
	b := make([]byte, 1+v.rng.Intn(8))
	for i := range b {
		for {
			c := byte(v.rng.Intn(256))
			if c != 0xff && c != 'V' {
				b[i] = c
				break
			}
		}
	}
	return b
}

// apply runs a request the way the firmware does and returns its reply (nil
// for none: an unknown action).
func (v *Virtual) apply(r mblock.Request, now time.Duration) *mblock.Reply {
	ack := &mblock.Reply{Kind: mblock.Ack}
	switch r.Action {
	case mblock.ActionReset:
		v.left, v.right = 0, 0
		return ack
	case mblock.ActionStart:
		return ack
	case mblock.ActionRun:
		switch r.Device {
		case mblock.DevJoystick:
			l, rt := v.model.Wiring.Wheels(clampPWM(int(r.Int16(0))), clampPWM(int(r.Int16(2))))
			v.left, v.right = v.model.wheel(l), v.model.wheel(rt)
		case mblock.DevMotor:
			speed := clampPWM(int(r.Int16(1)))
			switch r.Arg(0) {
			case mblock.PortM1:
				l, _ := v.model.Wiring.Wheels(speed, 0)
				v.left = v.model.wheel(l)
			case mblock.PortM2:
				_, rt := v.model.Wiring.Wheels(0, speed)
				v.right = v.model.wheel(rt)
			}
		case mblock.DevServo:
			port, slot, angle := int(r.Arg(0)), int(r.Arg(1)), int(r.Arg(2))
			if port == v.model.ServoPort && (slot == 1) == (v.model.ServoSlot == 1) && angle <= 180 {
				v.servo = angle
				down := math.Abs(float64(angle-v.model.PenDown)) < math.Abs(float64(angle-v.model.PenUp))
				if down != v.penDown {
					v.penDown = down
					v.trace = append(v.trace, Path{Down: down, Points: []Point{{v.pose.X, v.pose.Y}}})
				}
			}
		}
		return ack
	case mblock.ActionGet:
		f := func(x float64) *mblock.Reply {
			return &mblock.Reply{Kind: mblock.Value, Index: r.Index, Type: mblock.TypeFloat, Number: x}
		}
		switch r.Device {
		case mblock.DevVersion:
			return &mblock.Reply{Kind: mblock.Value, Index: r.Index, Type: mblock.TypeString, Text: v.opts.Version}
		case mblock.DevUltrasonic:
			return f(v.opts.Distance)
		case mblock.DevLineFollower:
			return f(3) // both sensors see white paper
		case mblock.DevLight:
			return f(500)
		case mblock.DevAnalog:
			return f(1023)
		case mblock.DevTimer:
			return f(now.Seconds())
		case mblock.DevButtonInner:
			return &mblock.Reply{Kind: mblock.Value, Index: r.Index, Type: mblock.TypeByte, Number: float64(r.Arg(1))}
		}
		return &mblock.Reply{Kind: mblock.Empty, Index: r.Index}
	}
	return nil
}

func clampPWM(v int) int { return max(-mblock.MaxPWM, min(mblock.MaxPWM, v)) }

// arcStep is the largest heading change, in radians, between two trace
// points on an arc.
const arcStep = 1 * math.Pi / 180

// advance integrates the motion with the current wheel speeds up to robot
// time t, extending the trace.
func (v *Virtual) advance(t time.Duration) {
	if t <= v.t {
		return
	}
	dt := (t - v.t).Seconds()
	v.t = t
	if v.left == 0 && v.right == 0 {
		return
	}
	speed := (v.left + v.right) / 2
	omega := (v.left - v.right) / v.track // rad/s, positive = clockwise from above
	th := v.pose.Heading * math.Pi / 180
	x, y := v.pose.X, v.pose.Y
	dth := omega * dt
	if math.Abs(dth) < 1e-12 {
		d := speed * dt
		x += d * math.Cos(th)
		y += d * math.Sin(th)
		v.addPoint(x, y)
	} else if speed != 0 {
		r := speed / omega
		steps := max(1, int(math.Ceil(math.Abs(dth)/arcStep)))
		for i := 1; i <= steps; i++ {
			a := th + dth*float64(i)/float64(steps)
			v.addPoint(v.pose.X+r*(math.Sin(a)-math.Sin(th)), v.pose.Y-r*(math.Cos(a)-math.Cos(th)))
		}
		x, y = v.pose.X+r*(math.Sin(th+dth)-math.Sin(th)), v.pose.Y-r*(math.Cos(th+dth)-math.Cos(th))
	}
	v.pose.X, v.pose.Y = x, y
	v.pose.Heading = math.Mod(v.pose.Heading+dth*180/math.Pi, 360)
	if v.pose.Heading < 0 {
		v.pose.Heading += 360
	}
}

func (v *Virtual) addPoint(x, y float64) {
	p := &v.trace[len(v.trace)-1]
	if last := p.Points[len(p.Points)-1]; last.X == x && last.Y == y {
		return
	}
	p.Points = append(p.Points, Point{x, y})
}

// Pose returns where the robot is now.
func (v *Virtual) Pose() Pose {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.advance(v.clock.Now())
	return v.pose
}

// PenDown reports whether the pen is down.
func (v *Virtual) PenDown() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.penDown
}

// Wheels returns the wheels' speeds in mm/s (positive = forward).
func (v *Virtual) Wheels() (left, right float64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.left, v.right
}

// Trace returns a copy of the pen's path so far, integrated up to now.
func (v *Virtual) Trace() Trace {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.advance(v.clock.Now())
	out := make(Trace, len(v.trace))
	for i, p := range v.trace {
		out[i] = Path{Down: p.Down, Points: append([]Point(nil), p.Points...)}
	}
	return out
}

// Frames returns the frames received so far, with their arrival times.
func (v *Virtual) Frames() []Received {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Received(nil), v.frames...)
}

// SetFault puts on fault f now (Healthy clears it). Vanish ends the current
// connection at once; Brownout restarts the board at once and prints the
// banner on the current connection. A new connection starts healthy.
func (v *Virtual) SetFault(f Fault) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.after = 0
	v.fault = f
	switch f {
	case Vanish:
		v.disconnectLocked()
	case Brownout:
		v.brownoutLocked(v.clock.Now())
		if v.out != nil {
			v.wmu.Lock()
			v.out.Write(v.banner())
			v.wmu.Unlock()
		}
	}
}

// brownoutLocked restarts the board at robot time now: the motors stop, the
// servo lets go and the pen sinks; the fault has then happened.
func (v *Virtual) brownoutLocked(now time.Duration) {
	v.advance(now)
	v.left, v.right = 0, 0
	v.servo = -1
	if !v.penDown {
		v.penDown = true
		v.trace = append(v.trace, Path{Down: true, Points: []Point{{v.pose.X, v.pose.Y}}})
	}
	v.resets++
	v.fault = Healthy
}

// Resets returns how many times the board restarted under the Brownout
// fault.
func (v *Virtual) Resets() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.resets
}

// FaultAfter puts on fault f when the n-th frame from now arrives (n ≥ 1),
// and that frame already suffers it: under Mute or Vanish it is neither
// applied nor answered.
func (v *Virtual) FaultAfter(n int, f Fault) {
	if n < 1 {
		v.SetFault(f)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.after, v.pending = n, f
}

// Vanish ends the current connection, as pulling the cable would (see the
// Vanish fault). For a pseudo-terminal it closes it and removes its link;
// StartPTY brings the robot back.
func (v *Virtual) Vanish() { v.SetFault(Vanish) }

// Connected reports whether a connection is being served.
func (v *Virtual) Connected() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.conn != nil
}

func (v *Virtual) disconnectLocked() {
	v.advance(v.clock.Now())
	v.left, v.right = 0, 0
	if v.conn != nil {
		v.conn.Close()
		v.conn, v.out = nil, nil
	}
	v.gen++
	v.closePTYLocked()
}

// Close ends the current connection and removes any pseudo-terminal link.
func (v *Virtual) Close() error {
	v.mu.Lock()
	v.closed = true
	if v.conn != nil {
		v.conn.Close()
		v.conn, v.out = nil, nil
	}
	v.gen++
	v.closePTYLocked()
	v.mu.Unlock()
	v.served.Wait()
	return nil
}
