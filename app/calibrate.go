package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mbotdraw/bridge"
	"mbotdraw/robot"
	"mbotdraw/robotconn"
)

// runCalibrate measures the robot's speed and turn rate with the user's help:
// it draws a line of known length and spins one full turn, asks what the user
// measured, and saves the corrected calibration.
func runCalibrate(env *Env, args []string) error {
	fs := newFlags(env, "calibrate")
	rf := addRobotFlags(fs, "; here sim, serial:PORT or hid:DEV only, as a bridge's robot keeps its own calibration", "; the starting values, and where to save (without -o)")
	spec, calPath := rf.spec, rf.calibration
	out := fs.String("o", "", "where to save the calibration (default: --calibration, or mbot-calibration.json)")
	dist := fs.Float64("distance", 200, "length of the test line, in mm")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, 0, ""); err != nil {
		return err
	}
	switch {
	case *spec == "":
		return usagef("calibrate: --robot is missing (serial:PORT or sim)")
	case bridge.IsURL(*spec):
		return usagef("calibrate: a bridge times every move with its own robot's calibration, so calibrate on the computer the robot is plugged into (--robot serial:PORT) and start the bridge there with --calibration FILE")
	}
	if !(*dist >= 20 && *dist <= 2000) {
		return usagef("calibrate: --distance must be from 20 to 2000 mm")
	}
	k, cal, err := rf.settings()
	if err != nil {
		return err
	}
	if *out == "" {
		*out = *calPath
		if *out == "" {
			*out = "mbot-calibration.json"
		}
	}
	prog, err := robot.NewProgram([]robot.Motion{
		{Kind: robot.PenUp}, {Kind: robot.PenDown}, {Kind: robot.Drive, Distance: *dist},
		{Kind: robot.PenUp}, {Kind: robot.Turn, Angle: 360},
	}, robot.Pose{}, cal)
	if err != nil {
		return err
	}
	// Pause before the line and before the spin, to let the user get ready.
	stops := map[int]bool{}
	for i, m := range prog.Motions {
		if m.Kind == robot.PenDown || m.Kind == robot.Turn {
			stops[i] = true
		}
	}
	rc, err := openRobot(*spec, cal, robot.Pose{}, k, env.Stderr, "calibrate")
	if err != nil {
		return err
	}
	defer rc.Close()

	ctx, cancel := context.WithCancel(env.Ctx)
	defer cancel()
	st := startStepper(ctx, rc, prog, stops)
	in := newLineReader(ctx, env.Stdin)
	w := env.Stdout

	fail := func(err error) error {
		cancel()
		<-st.done
		return fmt.Errorf("calibrate on %s: %w", *spec, err)
	}
	if err := st.next(); err != nil {
		return fmt.Errorf("calibrate on %s: %w", *spec, err)
	}
	fmt.Fprintf(w, "1. Lay the robot on a large sheet of paper with room for %g mm ahead of it.\n", *dist)
	fmt.Fprintf(w, "   Press Enter to draw a %g mm line. ", *dist)
	if _, err := in.line(); err != nil {
		return fail(err)
	}
	st.plotter.Resume()
	if err := st.next(); err != nil {
		return fmt.Errorf("calibrate on %s: %w", *spec, err)
	}
	got, err := ask(w, in, fmt.Sprintf("   How long is the line, in mm? [%g] ", *dist), *dist)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(w, "2. Mark the direction the robot faces (a pencil line along a wheel).\n")
	fmt.Fprintf(w, "   Press Enter to spin one full turn (360°). ")
	if _, err := in.line(); err != nil {
		return fail(err)
	}
	st.plotter.Resume()
	if err := <-st.done; err != nil {
		return fmt.Errorf("calibrate on %s: %w", *spec, err)
	}
	turned, err := ask(w, in, "   How far did it turn, in degrees? More than 360 if it went past the mark, less if it stopped short. [360] ", 360)
	if err != nil {
		return fmt.Errorf("calibrate on %s: %w", *spec, err)
	}

	next := cal
	next.Speed = cal.Speed * got / *dist
	next.TurnRate = cal.TurnRate * turned / 360
	if err := next.Validate(); err != nil {
		return fmt.Errorf("calibrate: the measurements give %v; check them and the robot's batteries", err)
	}
	if err := writeFile(*out, next.WriteJSON); err != nil {
		return err
	}
	fmt.Fprintf(w, "saved %s: %.1f mm/s at PWM %d (was %.1f), %.1f°/s in place at PWM %d (was %.1f)\n",
		*out, next.Speed, next.PWM, cal.Speed, next.TurnRate, next.TurnPWM, cal.TurnRate)
	fmt.Fprintf(w, "use it: %s plot FILE --robot %s --calibration %s\n", env.Prog, *spec, *out)
	return nil
}

// stepper runs a program that pauses by itself before chosen motions (the
// robot stops with the pen lifted) and tells each time the robot has come
// to a pause, so that the user can act before it goes on (Resume).
type stepper struct {
	plotter robot.Plotter
	// paused is signalled once each time the robot comes to a pause (not on
	// every progress report while it stays paused, which a robot restart
	// during the pause also sends), and never blocks the driver.
	paused chan struct{}
	// done receives Run's error.
	done chan error
}

// startStepper starts prog on the robot, pausing before each motion in
// stops.
func startStepper(ctx context.Context, rc *robotconn.Conn, prog *robot.Program, stops map[int]bool) *stepper {
	s := &stepper{paused: make(chan struct{}, 1), done: make(chan error, 1)}
	wasPaused := false
	s.plotter = rc.Plotter(prog, robot.DriverOptions{
		OnProgress: func(p robot.Progress) {
			isPaused := p.State == robot.StatePaused
			switch {
			case p.State == robot.StateDrawing && stops[p.MotionsDone]:
				delete(stops, p.MotionsDone)
				s.plotter.Pause()
			case isPaused && !wasPaused:
				select {
				case s.paused <- struct{}{}:
				default:
				}
			}
			wasPaused = isPaused
		}})
	go func() { s.done <- s.plotter.Run(ctx) }()
	return s
}

// next waits for the robot's next pause (nil) or for the run to end: its
// error, or "finished early" if it drew to the end.
func (s *stepper) next() error {
	select {
	case <-s.paused:
		return nil
	case err := <-s.done:
		if err == nil {
			err = errors.New("the robot finished early")
		}
		return err
	}
}

// ask prints a question and reads a positive number (an empty answer is
// def; a unit such as "mm" or "°" is allowed), asking again after a bad
// answer, at most three times.
func ask(w io.Writer, in *lineReader, question string, def float64) (float64, error) {
	for try := 0; try < 3; try++ {
		fmt.Fprint(w, question)
		s, err := in.line()
		if err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return def, nil
		}
		s = strings.TrimSpace(strings.TrimRight(s, "mdegrs°"))
		v, err := strconv.ParseFloat(s, 64)
		if err == nil && v > 0 && v <= 10*def {
			return v, nil
		}
		fmt.Fprintf(w, "   Please type a number above 0 and up to %g.\n", 10*def)
	}
	return 0, errors.New("no usable answer after three tries")
}

// lineReader reads lines from stdin without blocking cancellation.
type lineReader struct {
	ctx   context.Context
	lines chan string
}

func newLineReader(ctx context.Context, r io.Reader) *lineReader {
	lr := &lineReader{ctx: ctx, lines: make(chan string)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lr.lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		close(lr.lines)
	}()
	return lr
}

func (lr *lineReader) line() (string, error) {
	select {
	case s, ok := <-lr.lines:
		if !ok {
			return "", errors.New("no answer: standard input ended")
		}
		return s, nil
	case <-lr.ctx.Done():
		return "", lr.ctx.Err()
	}
}
